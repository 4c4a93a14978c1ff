package io.leakedproducer.testdata.shardexport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leakedproducer.testdata.Scenarios;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class ShardExportTest {
  private final ShardExportScenario scenario = new ShardExportScenario();

  @Test
  void leakyHangsTheRequestOnStrandedReaders() throws Exception {
    Scenarios.assertLeaks(scenario, ShardExportLeaky.class);
  }

  @Test
  void fixedLeavesNoThreadBehind() throws Exception {
    Scenarios.assertClean(scenario, ShardExportFixed.class, false);
  }

  @Test
  void bothExportEveryRowWhenTheDiskHasRoom() throws Exception {
    long all = (long) ShardExportScenario.SHARDS * ShardExportScenario.ROWS_PER_SHARD;
    assertEquals(all, ShardExportLeaky.export(ShardExportScenario.shards(), row -> {}));
    assertEquals(all, ShardExportFixed.export(ShardExportScenario.shards(), row -> {}));
  }
}
