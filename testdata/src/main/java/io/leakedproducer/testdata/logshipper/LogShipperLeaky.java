package io.leakedproducer.testdata.logshipper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ships a log file to the collector: a tailing task appends lines to a bounded buffer, a shipping
 * task sends them in batches. The shipper assumes the file has gone quiet when no line arrives
 * within {@code idleMillis} and returns. If the writer of the log merely paused, the tailer goes
 * on reading, fills the buffer and blocks in {@code putLast} forever.
 */
public final class LogShipperLeaky {
  private static final String EOF = "\u0000EOF";

  private LogShipperLeaky() {}

  /** Ships the log; returns how many lines were shipped. */
  public static int ship(LogReader reader, LogCollector collector, int batchSize, long idleMillis)
      throws InterruptedException {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(2, task -> new Thread(task, "log-shipper-" + threads.incrementAndGet()));
    AtomicInteger shipped = new AtomicInteger();
    BlockingDeque<String> buffer = new LinkedBlockingDeque<>(batchSize * 2);

    CompletableFuture<Void> tailing =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                  buffer.putLast(line);
                }
                buffer.putLast(EOF);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            pool);

    CompletableFuture<Void> shipping =
        CompletableFuture.runAsync(
            () -> {
              List<String> batch = new ArrayList<>();
              try {
                while (true) {
                  String line = buffer.poll(idleMillis, TimeUnit.MILLISECONDS);
                  if (line == null || line.equals(EOF)) {
                    flush(collector, batch, shipped);
                    return;
                  }
                  batch.add(line);
                  if (batch.size() == batchSize) {
                    flush(collector, batch, shipped);
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            pool);

    shipping.join();
    pool.shutdown();
    if (tailing.isCompletedExceptionally()) {
      tailing.join();
    }
    return shipped.get();
  }

  private static void flush(LogCollector collector, List<String> batch, AtomicInteger shipped) {
    if (batch.isEmpty()) {
      return;
    }
    try {
      collector.ship(List.copyOf(batch));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    shipped.addAndGet(batch.size());
    batch.clear();
  }
}
