package io.leakedproducer.testdata.bulkindexer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The bulk indexer fixed with {@code shutdownNow()}: once every worker has finished, the pool is
 * shut down with an interrupt, so a batching task blocked in {@code put} ends, and the call waits
 * for the pool to terminate.
 */
public final class BulkIndexerFixed {
  private BulkIndexerFixed() {}

  /** Indexes every document; returns how many were indexed, or throws the first rejection. */
  public static int indexAll(List<String> documents, SearchClient client, int batchSize, int workers)
      throws InterruptedException {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            workers + 1, task -> new Thread(task, "bulk-indexer-" + threads.incrementAndGet()));
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    AtomicInteger indexed = new AtomicInteger();
    CountDownLatch finished = new CountDownLatch(workers);
    BlockingQueue<List<String>> batches = new LinkedBlockingQueue<>(workers);
    try {
      pool.execute(
          () -> {
            try {
              for (int from = 0; from < documents.size(); from += batchSize) {
                List<String> batch =
                    new ArrayList<>(documents.subList(from, Math.min(documents.size(), from + batchSize)));
                batches.put(batch);
              }
              for (int w = 0; w < workers; w++) {
                batches.put(List.of());
              }
            } catch (InterruptedException e) {
              // shutdownNow(): the workers are gone, stop batching.
            }
          });

      for (int w = 0; w < workers; w++) {
        pool.execute(
            () -> {
              try {
                while (true) {
                  List<String> batch = batches.take();
                  if (batch.isEmpty()) {
                    return;
                  }
                  if (!client.bulk(batch)) {
                    throw new IllegalStateException("bulk request rejected after " + indexed.get() + " documents");
                  }
                  indexed.addAndGet(batch.size());
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                throw e;
              } finally {
                finished.countDown();
              }
            });
      }
      finished.await();
    } finally {
      pool.shutdownNow();
    }
    if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("bulk indexer threads did not stop");
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return indexed.get();
  }
}
