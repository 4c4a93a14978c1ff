package io.leakedproducer.testdata.bulkindexer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Re-indexes documents into a search cluster: one task cuts the documents into bulk batches, {@code
 * workers} tasks send them. A worker whose bulk request is rejected throws, which ends its task.
 * Once every worker has thrown, nobody takes batches any more and the batching task blocks in
 * {@code put} for good, holding every document; {@code shutdown()} does not interrupt it.
 */
public final class BulkIndexerLeaky {
  private BulkIndexerLeaky() {}

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

    pool.execute(
        () -> {
          try {
            for (int from = 0; from < documents.size(); from += batchSize) {
              List<String> batch =
                  new ArrayList<>(documents.subList(from, Math.min(documents.size(), from + batchSize)));
              batches.put(batch);
            }
            for (int w = 0; w < workers; w++) {
              batches.put(List.of()); // an empty batch ends a worker
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
    pool.shutdown();
    if (failure.get() != null) {
      throw failure.get();
    }
    return indexed.get();
  }
}
