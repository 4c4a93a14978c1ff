package io.leakedproducer.testdata.deletecollection;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;

/**
 * A faithful Java port of Kubernetes' {@code registry.(*Store).DeleteCollection} before PR 105606.
 *
 * <p>A distributor thread sends every index into a queue of capacity {@code 2 * workers}; each
 * worker deletes items and returns on its first error. When every worker has returned, nobody takes
 * any more, and the distributor blocks forever in {@code put} while it holds the whole list.
 */
public final class DeleteCollectionLeaky {
  /** Go's close(toProcess): one per worker, so that every worker sees the end of the stream. */
  private static final int NO_MORE_ITEMS = -1;

  private DeleteCollectionLeaky() {}

  /** Deletes every listed item with {@code workers} threads; returns the first error, or null. */
  public static <T> Exception deleteCollection(ObjectStore<T> store, int workers) throws InterruptedException {
    List<T> items = store.list();
    if (items.isEmpty()) {
      return null;
    }
    BlockingQueue<Integer> toProcess = new ArrayBlockingQueue<>(2 * workers);
    BlockingQueue<Exception> errs = new ArrayBlockingQueue<>(workers + 1);

    Thread distributor =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < items.size(); i++) {
                  toProcess.put(i);
                }
                for (int w = 0; w < workers; w++) {
                  toProcess.put(NO_MORE_ITEMS);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "delete-collection-distributor");
    distributor.start();

    CountDownLatch wg = new CountDownLatch(workers);
    for (int w = 0; w < workers; w++) {
      Thread worker =
          new Thread(
              () -> {
                try {
                  while (true) {
                    int index = toProcess.take();
                    if (index == NO_MORE_ITEMS) {
                      return;
                    }
                    try {
                      store.delete(items.get(index));
                    } catch (Exception e) {
                      if (!store.isNotFound(e)) {
                        errs.offer(e);
                        return;
                      }
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } finally {
                  wg.countDown();
                }
              },
              "delete-collection-worker-" + w);
      worker.start();
    }
    wg.await();
    return errs.poll();
  }
}
