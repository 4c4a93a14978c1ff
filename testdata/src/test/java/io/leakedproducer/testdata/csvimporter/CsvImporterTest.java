package io.leakedproducer.testdata.csvimporter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leakedproducer.testdata.Scenarios;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class CsvImporterTest {
  private final CsvImporterScenario scenario = new CsvImporterScenario();

  @Test
  void leakyHangsTheRequestThread() throws Exception {
    Scenarios.assertLeaks(scenario, CsvImporterLeaky.class);
  }

  @Test
  void fixedReportsTheBadRowAndLeavesNothing() throws Exception {
    Scenarios.assertClean(scenario, CsvImporterFixed.class, false);
  }

  @Test
  void bothBookEveryWellFormedRow() throws Exception {
    assertEquals(CsvImporterScenario.ROWS, CsvImporterLeaky.importRows(CsvImporterScenario.rows(false), (a, c) -> {}));
    assertEquals(CsvImporterScenario.ROWS, CsvImporterFixed.importRows(CsvImporterScenario.rows(false), (a, c) -> {}));
  }
}
