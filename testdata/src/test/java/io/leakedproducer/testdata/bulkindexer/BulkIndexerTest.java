package io.leakedproducer.testdata.bulkindexer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leakedproducer.testdata.Scenarios;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class BulkIndexerTest {
  private final BulkIndexerScenario scenario = new BulkIndexerScenario();

  @Test
  void leakyStrandsTheBatchingTask() throws Exception {
    Scenarios.assertLeaks(scenario, BulkIndexerLeaky.class);
  }

  @Test
  void fixedLeavesNoThreadBehind() throws Exception {
    Scenarios.assertClean(scenario, BulkIndexerFixed.class, false);
  }

  @Test
  void bothIndexEverythingWhenTheClusterAccepts() throws Exception {
    Set<String> leakyIndexed = ConcurrentHashMap.newKeySet();
    assertEquals(BulkIndexerScenario.DOCUMENTS,
        BulkIndexerLeaky.indexAll(BulkIndexerScenario.documents(), leakyIndexed::addAll, 10, 4));
    assertEquals(BulkIndexerScenario.DOCUMENTS, leakyIndexed.size());
    Set<String> fixedIndexed = ConcurrentHashMap.newKeySet();
    assertEquals(BulkIndexerScenario.DOCUMENTS,
        BulkIndexerFixed.indexAll(BulkIndexerScenario.documents(), fixedIndexed::addAll, 10, 4));
    assertEquals(BulkIndexerScenario.DOCUMENTS, fixedIndexed.size());
  }
}
