package io.leakedproducer.testdata.quotecollector;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Collects price quotes for a product page: every supplier is asked in parallel and streams its
 * quotes into a small queue; the request thread takes up to {@code wanted} quotes and, when the
 * page's time budget runs out ({@code poll} returns null), answers with what it has. A supplier
 * that answers late then fills the queue and blocks in {@code put} for good.
 */
public final class QuoteCollectorLeaky {
  private static final Logger LOG = Logger.getLogger(QuoteCollectorLeaky.class.getName());

  private QuoteCollectorLeaky() {}

  /** Up to {@code wanted} quotes that arrived within {@code budgetMillis}. */
  public static List<String> collect(String sku, List<QuoteSource> sources, int wanted, long budgetMillis)
      throws InterruptedException {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            sources.size(), task -> new Thread(task, "quote-source-" + threads.incrementAndGet()));
    BlockingQueue<String> quotes = new ArrayBlockingQueue<>(wanted);
    for (QuoteSource source : sources) {
      pool.execute(
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
          });
    }
    pool.shutdown();

    List<String> collected = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMillis);
    while (collected.size() < wanted) {
      String quote = quotes.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (quote == null) {
        break; // out of time: render the page with what we have
      }
      collected.add(quote);
    }
    return collected;
  }
}
