package io.leakedproducer.testdata.quotecollector;

import java.io.IOException;
import java.util.List;

/** A supplier's pricing API: every offer it has for a product, best first. */
public interface QuoteSource {
  List<String> quotes(String sku) throws IOException, InterruptedException;
}
