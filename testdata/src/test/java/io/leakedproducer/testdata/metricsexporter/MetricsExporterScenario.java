package io.leakedproducer.testdata.metricsexporter;

import io.leakedproducer.testdata.Run;
import io.leakedproducer.testdata.Scenario;
import io.leakedproducer.testdata.Scenarios;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The remote-write endpoint answers 503 to every write: every writer dies of an IOException. */
public final class MetricsExporterScenario implements Scenario {
  static final int SAMPLES = 1_000;

  @Override
  public String program() {
    return "metricsexporter.MetricsExporter";
  }

  @Override
  public String insertion() {
    return "put";
  }

  @Override
  public String producerThread() {
    return "metrics-exporter-";
  }

  static List<double[]> samples() {
    List<double[]> samples = new ArrayList<>();
    for (int i = 0; i < SAMPLES; i++) {
      samples.add(new double[] {1_700_000_000_000L + i, i * 0.5});
    }
    return samples;
  }

  @Override
  public Run start(Class<?> program) {
    List<double[]> samples = samples();
    MetricSink unavailable = line -> {
      throw new IOException("remote write: 503 Service Unavailable");
    };
    return Run.start("metricsexporter", samples,
        () -> Run.invoke(program, "export", samples, "http_requests_total", unavailable, 3));
  }

  @Override
  public void verify(Run run, boolean patched) {
    Scenarios.assertOutcome(run, IOException.class);
  }
}
