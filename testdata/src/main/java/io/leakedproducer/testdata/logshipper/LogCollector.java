package io.leakedproducer.testdata.logshipper;

import java.io.IOException;
import java.util.List;

/** The log aggregation endpoint. */
public interface LogCollector {
  void ship(List<String> batch) throws IOException;
}
