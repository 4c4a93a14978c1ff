package io.leakedproducer.testdata.metricsexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leakedproducer.testdata.Scenarios;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class MetricsExporterTest {
  private final MetricsExporterScenario scenario = new MetricsExporterScenario();

  @Test
  void leakyStrandsTheFormatter() throws Exception {
    Scenarios.assertLeaks(scenario, MetricsExporterLeaky.class);
  }

  @Test
  void fixedLeavesNoThreadBehind() throws Exception {
    Scenarios.assertClean(scenario, MetricsExporterFixed.class, false);
  }

  @Test
  void bothExportEverythingWhenTheEndpointIsUp() throws Exception {
    Queue<String> leaky = new ConcurrentLinkedQueue<>();
    MetricsExporterLeaky.export(MetricsExporterScenario.samples(), "up", leaky::add, 3);
    assertEquals(MetricsExporterScenario.SAMPLES, leaky.size());
    Queue<String> fixed = new ConcurrentLinkedQueue<>();
    MetricsExporterFixed.export(MetricsExporterScenario.samples(), "up", fixed::add, 3);
    assertEquals(MetricsExporterScenario.SAMPLES, fixed.size());
  }
}
