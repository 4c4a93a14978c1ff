package io.leakedproducer.testdata.metricsexporter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Exports metric samples: a formatter task hands each formatted line straight to one of {@code
 * writers} writer tasks through a {@link SynchronousQueue}. A writer's {@code IOException} escapes
 * its take loop and ends it. When every writer has died, the first writer's failure is rethrown and
 * the formatter is forgotten, parked in {@code put} with all the samples.
 */
public final class MetricsExporterLeaky {
  private MetricsExporterLeaky() {}

  /** Writes every sample to the sink, in the exposition format. */
  public static void export(List<double[]> samples, String metric, MetricSink sink, int writers)
      throws IOException, InterruptedException {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            writers + 1, task -> new Thread(task, "metrics-exporter-" + threads.incrementAndGet()));
    SynchronousQueue<String> lines = new SynchronousQueue<>();
    try {
      Future<?> formatter =
          pool.submit(
              () -> {
                try {
                  for (double[] sample : samples) {
                    lines.put(metric + " " + sample[1] + " " + (long) sample[0]);
                  }
                  for (int w = 0; w < writers; w++) {
                    lines.put("");
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      List<Future<Object>> written = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        written.add(
            pool.submit(
                () -> {
                  while (true) {
                    String line = lines.take();
                    if (line.isEmpty()) {
                      return null;
                    }
                    sink.write(line);
                  }
                }));
      }
      for (Future<Object> writer : written) {
        writer.get();
      }
      formatter.get();
    } catch (ExecutionException e) {
      throw new IOException("export failed", e.getCause());
    } finally {
      pool.shutdown();
    }
  }
}
