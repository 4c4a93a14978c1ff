// Reduction of Druid https://github.com/apache/druid/issues/5046 (confirmed bug, closed): the
// persist executor hands merge-and-push jobs to the push executor and the push executor hands
// segment abandons back; both are blocking executors whose rejection handler puts into the
// other's full queue, so each worker waits for the other. Written for leaked-producer; no
// upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** An appenderator: persists in-memory rows, merges and pushes segments, abandons them. */
public final class DruidAppenderatorDeadlock {
  /** Executor factories. */
  static final class Execs {
    private Execs() {}

    /** A one-thread executor whose submitters wait while it is busy and its queue is full. */
    static ExecutorService newBlockingSingleThreaded(String nameFormat, int capacity) {
      final BlockingQueue<Runnable> queue;
      if (capacity > 0) {
        queue = new ArrayBlockingQueue<>(capacity);
      } else {
        queue = new SynchronousQueue<>();
      }
      return new ThreadPoolExecutor(1, 1, 0L, TimeUnit.MILLISECONDS, queue,
          makeThreadFactory(nameFormat), new RejectedExecutionHandler() {
            @Override
            public void rejectedExecution(Runnable r, ThreadPoolExecutor executor) {
              try {
                executor.getQueue().put(r); // LEAK
              } catch (InterruptedException e) {
                throw new RejectedExecutionException(
                    "Got Interrupted while adding to the Queue", e);
              }
            }
          });
    }

    static ThreadFactory makeThreadFactory(String nameFormat) {
      return r -> {
        Thread t = new Thread(r, nameFormat);
        t.setDaemon(true);
        return t;
      };
    }
  }

  // maxPendingPersists = 0, as the Kafka indexing task configures it.
  private final ExecutorService persistExecutor =
      Execs.newBlockingSingleThreaded("appenderator_persist_0", 0);
  private final ExecutorService pushExecutor =
      Execs.newBlockingSingleThreaded("appenderator_merge_0", 1);
  private final CountDownLatch deepStorageAnswers = new CountDownLatch(1);

  /** Persists a segment's rows, then schedules its merge and push. */
  void persistAll(String segment) {
    persistExecutor.execute(() -> {
      System.out.println("persisted " + segment);
      pushExecutor.execute(() -> mergeAndPush(segment));
    });
  }

  private void mergeAndPush(String segment) {
    System.out.println("pushed " + segment);
  }

  /** Pushes a segment and, once the handoff is done, abandons it on the persist thread. */
  void pushAndHandOff(String segment) {
    pushExecutor.execute(() -> {
      try {
        deepStorageAnswers.await(5, TimeUnit.SECONDS); // a slow upload
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      persistExecutor.execute(() -> System.out.println("abandoned " + segment));
    });
  }

  public static void main(String[] args) throws Exception {
    DruidAppenderatorDeadlock appenderator = new DruidAppenderatorDeadlock();
    appenderator.pushAndHandOff("wiki_00"); // the push thread is busy uploading
    appenderator.pushAndHandOff("wiki_01"); // and its one-slot queue is full
    appenderator.persistAll("wiki_02"); // the persist thread waits for room in the push queue
    awaitWaiting("appenderator_persist_0");
    appenderator.deepStorageAnswers.countDown(); // the push thread now waits for the persist thread
    Thread.sleep(300);
    System.out.println("both appenderator threads are waiting for each other");
  }

  /** Waits (at most two seconds) until the named thread is parked. */
  static void awaitWaiting(String threadName) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < deadline) {
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().equals(threadName) && t.getState() == Thread.State.WAITING) {
          return;
        }
      }
      Thread.sleep(10);
    }
  }
}
