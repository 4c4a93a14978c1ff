package io.leakedproducer.runtime.bench;

import io.leakedproducer.runtime.BoundedDeleter;
import io.leakedproducer.runtime.Deleter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/** The three fan-outs compared by the benchmarks. */
final class FanOuts {
  private FanOuts() {}

  static <T> void bounded(List<T> items, int workers, Deleter<? super T> d) throws Exception {
    BoundedDeleter.deleteAll(items, workers, d);
  }

  /**
   * The hand-written leaky fan-out (the shape of the Kubernetes bug): a distributor thread puts
   * indices into an {@code ArrayBlockingQueue(2 * workers)}, workers take and delete, a worker
   * returns on its first error, and the caller joins only the workers. On success the distributor
   * ends after one poison pill per worker; after an error it can stay blocked in {@code put}
   * forever (that thread is returned so the harness can count leaks).
   */
  static <T> Thread leaky(List<T> items, int workers, Deleter<? super T> d) throws Exception {
    BlockingQueue<Integer> q = new ArrayBlockingQueue<>(2 * workers);
    int n = items.size();
    Thread distributor =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < n; i++) {
                  q.put(i);
                }
                for (int w = 0; w < workers; w++) {
                  q.put(-1);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "leaky-distributor");
    distributor.setDaemon(true);
    AtomicReference<Throwable> first = new AtomicReference<>();
    Thread[] ts = new Thread[workers];
    for (int w = 0; w < workers; w++) {
      ts[w] =
          new Thread(
              () -> {
                try {
                  for (; ; ) {
                    int i = q.take();
                    if (i < 0) {
                      return;
                    }
                    try {
                      d.delete(items.get(i));
                    } catch (Throwable t) {
                      first.compareAndSet(null, t);
                      return; // the leak: nobody drains the queue for the distributor any more
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "leaky-worker-" + w);
      ts[w].setDaemon(true);
    }
    distributor.start();
    for (Thread t : ts) {
      t.start();
    }
    for (Thread t : ts) {
      t.join();
    }
    if (first.get() != null) {
      throw new ExecutionException(first.get());
    }
    return distributor;
  }

  /** A plain {@code ExecutorService.invokeAll} fan-out: one task per item on a fixed pool. */
  static <T> void invokeAll(List<T> items, int workers, Deleter<? super T> d) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Callable<Void>> tasks = new ArrayList<>(items.size());
      for (T item : items) {
        tasks.add(
            () -> {
              d.delete(item);
              return null;
            });
      }
      for (Future<Void> f : pool.invokeAll(tasks)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
