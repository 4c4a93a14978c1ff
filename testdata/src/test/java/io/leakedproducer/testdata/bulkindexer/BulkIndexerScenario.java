package io.leakedproducer.testdata.bulkindexer;

import io.leakedproducer.testdata.Run;
import io.leakedproducer.testdata.Scenario;
import io.leakedproducer.testdata.Scenarios;
import java.util.ArrayList;
import java.util.List;

/** The cluster rejects every bulk request (its write queue is full): every worker throws. */
public final class BulkIndexerScenario implements Scenario {
  static final int DOCUMENTS = 1_000;
  static final int WORKERS = 4;

  @Override
  public String program() {
    return "bulkindexer.BulkIndexer";
  }

  @Override
  public String insertion() {
    return "put";
  }

  @Override
  public String producerThread() {
    return "bulk-indexer-";
  }

  static List<String> documents() {
    List<String> documents = new ArrayList<>();
    for (int i = 0; i < DOCUMENTS; i++) {
      documents.add("{\"id\":" + i + ",\"title\":\"document " + i + "\"}");
    }
    return documents;
  }

  @Override
  public Run start(Class<?> program) {
    List<String> documents = documents();
    SearchClient rejecting = batch -> false;
    return Run.start("bulkindexer", documents,
        () -> Run.invoke(program, "indexAll", documents, rejecting, 10, WORKERS));
  }

  @Override
  public void verify(Run run, boolean patched) {
    Scenarios.assertOutcome(run, IllegalStateException.class);
  }
}
