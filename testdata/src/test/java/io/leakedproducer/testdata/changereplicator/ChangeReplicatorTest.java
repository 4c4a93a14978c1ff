package io.leakedproducer.testdata.changereplicator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leakedproducer.testdata.Scenarios;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class ChangeReplicatorTest {
  private final ChangeReplicatorScenario scenario = new ChangeReplicatorScenario();

  @Test
  void leakyStrandsTheChangeLogReader() throws Exception {
    Scenarios.assertLeaks(scenario, ChangeReplicatorLeaky.class);
  }

  @Test
  void fixedReportsTheConflictAndLeavesNothing() throws Exception {
    Scenarios.assertClean(scenario, ChangeReplicatorFixed.class, false);
  }

  @Test
  void bothApplyEveryStatementWithoutConflicts() throws Exception {
    int all = ChangeReplicatorScenario.TRANSACTIONS * 4;
    assertEquals(all, ChangeReplicatorLeaky.replay(ChangeReplicatorScenario.transactions(), statement -> {}));
    assertEquals(all, ChangeReplicatorFixed.replay(ChangeReplicatorScenario.transactions(), statement -> {}));
  }
}
