package io.leakedproducer.testdata.bulkindexer;

import java.util.List;

/** The search cluster's bulk API. */
public interface SearchClient {
  /** Sends one bulk request; false when the cluster rejected it (queue full, read-only index...). */
  boolean bulk(List<String> documents);
}
