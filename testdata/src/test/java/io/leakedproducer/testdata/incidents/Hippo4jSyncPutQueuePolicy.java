// Reduction of hippo4j https://github.com/opengoofy/hippo4j/issues/1584 (fix proposed in PR
// https://github.com/opengoofy/hippo4j/pull/1591): the SyncPutQueuePolicy rejection handler of a
// dynamic thread pool puts the rejected task into the pool's own bounded work queue, blocking the
// submitting thread until a worker takes. Its isShutdown() test runs once, before the put; when
// the pool is destroyed with shutdownNow() (the workers are interrupted and exit, the queue is
// drained once), callers beyond the freed capacity stay parked in put() forever. Written for
// leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A dynamic thread pool registry with hippo4j's built-in rejection policies. */
public class Hippo4jSyncPutQueuePolicy {

  /** Puts the rejected task into the work queue with a blocking call, so no task is lost. */
  static class SyncPutQueuePolicy implements RejectedExecutionHandler {
    @Override
    public void rejectedExecution(Runnable r, ThreadPoolExecutor executor) {
      if (executor.isShutdown()) {
        return;
      }
      try {
        executor.getQueue().put(r); // LEAK
      } catch (InterruptedException e) {
        System.out.println("Adding Queue task to thread pool failed. " + e);
      }
    }
  }

  /** Builds the pools that the configuration center describes. */
  static final class ThreadPoolBuilder {
    private String threadNamePrefix = "dynamic-pool";
    private int coreSize = 1;
    private int maxSize = 1;
    private int capacity = 2;
    private RejectedExecutionHandler rejectedHandler = new SyncPutQueuePolicy();

    ThreadPoolBuilder threadNamePrefix(String prefix) {
      this.threadNamePrefix = prefix;
      return this;
    }

    ThreadPoolBuilder poolSize(int core, int max) {
      this.coreSize = core;
      this.maxSize = max;
      return this;
    }

    ThreadPoolBuilder capacity(int capacity) {
      this.capacity = capacity;
      return this;
    }

    ThreadPoolBuilder rejected(RejectedExecutionHandler handler) {
      this.rejectedHandler = handler;
      return this;
    }

    DynamicThreadPoolExecutor build() {
      AtomicInteger n = new AtomicInteger();
      ThreadFactory factory = r -> {
        Thread t = new Thread(r, threadNamePrefix + "-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
      return new DynamicThreadPoolExecutor(coreSize, maxSize, 60, TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(capacity), factory, rejectedHandler);
    }
  }

  /** A pool that the registry can destroy when the application shuts down. */
  static final class DynamicThreadPoolExecutor extends ThreadPoolExecutor {
    DynamicThreadPoolExecutor(int core, int max, long keepAlive, TimeUnit unit,
        ArrayBlockingQueue<Runnable> queue, ThreadFactory factory,
        RejectedExecutionHandler handler) {
      super(core, max, keepAlive, unit, queue, factory, handler);
    }

    /** Called by the Spring container on shutdown: tasks still queued are dropped. */
    void destroy() {
      List<Runnable> dropped = shutdownNow();
      System.out.println("dropped " + dropped.size() + " queued tasks");
    }
  }

  public static void main(String[] args) throws Exception {
    DynamicThreadPoolExecutor reportPool = new ThreadPoolBuilder()
        .threadNamePrefix("report-export")
        .poolSize(1, 1)
        .capacity(2)
        .rejected(new SyncPutQueuePolicy())
        .build();
    CountDownLatch downstreamSlow = new CountDownLatch(1);

    // The export worker waits on a slow downstream; the queue fills and request threads that
    // submit more exports park in the rejection handler.
    List<Thread> requests = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Thread request = new Thread(() -> reportPool.execute(() -> {
        try {
          downstreamSlow.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }), "http-nio-" + i);
      request.setDaemon(true);
      requests.add(request);
      request.start();
      Thread.sleep(20);
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < deadline && requests.stream().filter(t ->
        t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING)
        .count() < 7) {
      Thread.sleep(10);
    }

    // The application shuts down: the registry destroys the pool.
    reportPool.destroy();
    Thread.sleep(200);
    System.out.println("request threads still parked: "
        + requests.stream().filter(Thread::isAlive).count());
  }
}
