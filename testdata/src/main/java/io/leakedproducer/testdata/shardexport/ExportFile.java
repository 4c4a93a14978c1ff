package io.leakedproducer.testdata.shardexport;

import java.io.IOException;

/** The export file rows are appended to. */
public interface ExportFile {
  void append(String row) throws IOException;
}
