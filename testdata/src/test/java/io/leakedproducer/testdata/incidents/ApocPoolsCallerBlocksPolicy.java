// Reduction of APOC (neo4j-apoc-procedures, apoc.Pools) https://github.com/neo4j-contrib/neo4j-apoc-procedures/pull/1193
// ("Avoid using recursion for re-submitting rejected tasks in the Pools"), merged, the design it
// introduced (issue 1163 showed threads stuck in the recursive resubmission). The default pool's
// RejectedExecutionHandler blocks the submitting thread by inserting the task straight into the
// pool's own work queue, with a 250 ms timed offer that re-tests isShutdown() every round, and then
// waits for the task the same way: a submitter waiting on a saturated pool leaves when the pool
// shuts down. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * APOC's shared pools with the non-recursive caller-blocks policy. The blocking insertion is into
 * {@code executor.getQueue()}, whose only consumers are the pool's workers; they stop taking when
 * the pool shuts down, and the policy re-reads {@code isShutdown()} after every timed offer.
 */
public class ApocPoolsCallerBlocksPolicy {
  static final class Pools {
    static final int DEFAULT_POOL_THREADS = 2;

    private final ExecutorService defaultPool = createDefaultPool();

    ExecutorService getDefaultExecutorService() {
      return defaultPool;
    }

    static ExecutorService createDefaultPool() {
      int threads = DEFAULT_POOL_THREADS;
      int queueSize = threads * 2;
      return new ThreadPoolExecutor(
          threads / 2,
          threads,
          30L,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(queueSize),
          new CallerBlocksPolicy());
    }

    /** Blocks the submitter until the pool accepts the task, or the pool shuts down. */
    static final class CallerBlocksPolicy implements RejectedExecutionHandler {
      @Override
      public void rejectedExecution(Runnable r, ThreadPoolExecutor executor) {
        // Inject the task into the work queue directly, waiting if necessary, but also
        // periodically checking whether the pool has been shut down.
        FutureTask<Void> task = new FutureTask<>(r, null);
        BlockingQueue<Runnable> queue = executor.getQueue();
        while (!executor.isShutdown()) {
          try {
            if (queue.offer(task, 250, TimeUnit.MILLISECONDS)) {
              while (!executor.isShutdown()) {
                try {
                  task.get(250, TimeUnit.MILLISECONDS);
                  return; // Success!
                } catch (TimeoutException ignore) {
                  // expected: check again that the executor has not been shut down
                }
              }
            }
          } catch (InterruptedException | ExecutionException e) {
            throw new RuntimeException(e);
          }
        }
      }
    }

    /** Runs one batch of a periodic.iterate-style job in its own transaction. */
    <T> Future<Void> processBatch(List<T> batch, Consumer<T> action) {
      return defaultPool.submit(
          (Callable<Void>)
              () -> {
                batch.forEach(action);
                return null;
              });
    }

    void shutdown() throws InterruptedException {
      defaultPool.shutdown();
      defaultPool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  public static void main(String[] args) throws Exception {
    Pools pools = new Pools();
    // apoc.periodic.iterate submits more batches than the pool and its queue hold; each batch
    // takes a while, so the submitting thread ends up waiting in the rejection policy.
    Thread iterate =
        new Thread(
            () -> {
              List<Future<Void>> futures = new ArrayList<>();
              for (int b = 0; b < 20; b++) {
                List<Integer> batch = List.of(b, b + 1, b + 2);
                futures.add(pools.processBatch(batch, x -> sleepQuietly(50)));
              }
              System.out.println("submitted " + futures.size() + " batches");
            },
            "periodic-iterate");
    iterate.setDaemon(true);
    iterate.start();
    Thread.sleep(300);
    // The database shuts down while the job is still submitting.
    pools.shutdown();
    iterate.join(2000);
    System.out.println("submitter done: " + !iterate.isAlive());
  }

  static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
