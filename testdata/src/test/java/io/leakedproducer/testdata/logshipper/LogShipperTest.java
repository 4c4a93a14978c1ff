package io.leakedproducer.testdata.logshipper;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leakedproducer.testdata.Scenarios;
import java.util.Iterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class LogShipperTest {
  private final LogShipperScenario scenario = new LogShipperScenario();

  @Test
  void leakyStrandsTheTailer() throws Exception {
    Scenarios.assertLeaks(scenario, LogShipperLeaky.class);
  }

  @Test
  void fixedLeavesNoThreadBehind() throws Exception {
    Scenarios.assertClean(scenario, LogShipperFixed.class, false);
  }

  @Test
  void bothShipAWholeFileThatDoesNotPause() throws Exception {
    Iterator<String> leaky = LogShipperScenario.lines().iterator();
    assertEquals(LogShipperScenario.LINES,
        LogShipperLeaky.ship(() -> leaky.hasNext() ? leaky.next() : null, batch -> {}, 8, 10_000L));
    Iterator<String> fixed = LogShipperScenario.lines().iterator();
    assertEquals(LogShipperScenario.LINES,
        LogShipperFixed.ship(() -> fixed.hasNext() ? fixed.next() : null, batch -> {}, 8, 10_000L));
  }
}
