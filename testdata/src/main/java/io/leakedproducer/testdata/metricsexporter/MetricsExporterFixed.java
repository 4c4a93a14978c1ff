package io.leakedproducer.testdata.metricsexporter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The exporter fixed with {@code Future.cancel(true)}: every writer is joined (failed or not), and
 * then, in a {@code finally}, the formatter's future is cancelled with an interrupt, which ends a
 * formatter parked in {@code put}.
 */
public final class MetricsExporterFixed {
  private MetricsExporterFixed() {}

  /** Writes every sample to the sink, in the exposition format. */
  public static void export(List<double[]> samples, String metric, MetricSink sink, int writers)
      throws IOException, InterruptedException {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            writers + 1, task -> new Thread(task, "metrics-exporter-" + threads.incrementAndGet()));
    SynchronousQueue<String> lines = new SynchronousQueue<>();
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
    IOException failure = null;
    try {
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
        try {
          writer.get();
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = new IOException("export failed", e.getCause());
          }
        }
      }
    } finally {
      formatter.cancel(true);
      pool.shutdown();
    }
    if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new IOException("exporter threads did not stop");
    }
    if (failure != null) {
      throw failure;
    }
  }
}
