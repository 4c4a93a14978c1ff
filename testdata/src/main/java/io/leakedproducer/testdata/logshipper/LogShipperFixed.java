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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The log shipper fixed with a stop flag checked between timed offers: the shipper raises {@code
 * shipperGone} in a {@code finally} whenever it stops, and the tailer appends with {@code
 * offerLast(line, 20 ms)} and gives up once the flag is up. ({@code CompletableFuture.cancel} would
 * not interrupt the tailer, so a flag it checks itself is the way to stop it.)
 */
public final class LogShipperFixed {
  private static final String EOF = "\u0000EOF";

  private LogShipperFixed() {}

  /** Ships the log; returns how many lines were shipped. */
  public static int ship(LogReader reader, LogCollector collector, int batchSize, long idleMillis)
      throws InterruptedException {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(2, task -> new Thread(task, "log-shipper-" + threads.incrementAndGet()));
    AtomicInteger shipped = new AtomicInteger();
    AtomicBoolean shipperGone = new AtomicBoolean();
    BlockingDeque<String> buffer = new LinkedBlockingDeque<>(batchSize * 2);

    CompletableFuture<Void> tailing =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                  while (!buffer.offerLast(line, 20, TimeUnit.MILLISECONDS)) {
                    if (shipperGone.get()) {
                      return;
                    }
                  }
                }
                while (!buffer.offerLast(EOF, 20, TimeUnit.MILLISECONDS)) {
                  if (shipperGone.get()) {
                    return;
                  }
                }
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
              } finally {
                shipperGone.set(true);
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
