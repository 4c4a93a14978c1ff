package io.leakedproducer.testdata.quotecollector;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The quote collector fixed with {@code Future.cancel(true)}: the request thread keeps the futures
 * of the supplier calls and, whatever way it stops taking, cancels them with an interrupt, which
 * ends a supplier call still in progress or parked in {@code put}.
 */
public final class QuoteCollectorFixed {
  private static final Logger LOG = Logger.getLogger(QuoteCollectorFixed.class.getName());

  private QuoteCollectorFixed() {}

  /** Up to {@code wanted} quotes that arrived within {@code budgetMillis}. */
  public static List<String> collect(String sku, List<QuoteSource> sources, int wanted, long budgetMillis)
      throws InterruptedException {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            sources.size(), task -> new Thread(task, "quote-source-" + threads.incrementAndGet()));
    BlockingQueue<String> quotes = new ArrayBlockingQueue<>(wanted);
    List<Future<?>> asking = new ArrayList<>();
    for (QuoteSource source : sources) {
      asking.add(
          pool.submit(
              () -> {
                try {
                  for (String quote : source.quotes(sku)) {
                    quotes.put(quote);
                  }
                } catch (IOException e) {
                  LOG.log(Level.WARNING, "quote source failed", e);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }));
    }
    pool.shutdown();

    List<String> collected = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMillis);
    try {
      while (collected.size() < wanted) {
        String quote = quotes.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (quote == null) {
          break;
        }
        collected.add(quote);
      }
    } finally {
      for (Future<?> call : asking) {
        call.cancel(true);
      }
    }
    return collected;
  }
}
