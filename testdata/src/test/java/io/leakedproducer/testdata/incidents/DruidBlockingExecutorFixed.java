// Reduction of Druid https://github.com/apache/druid/pull/17146 (issue #16783), the merged fix:
// the RejectedExecutionHandler rejects when the executor is shut down and puts otherwise. That
// test is check-then-act: a submitter already waiting in put when shutdown() comes is never
// taken, which main forces. Still a leak. Written for leaked-producer; no upstream code copied.
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

/** A streaming appenderator that drops the intermediate files of handed-off segments. */
public final class DruidBlockingExecutorFixed {
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
              if (executor.isShutdown()) {
                throw new RejectedExecutionException("Executor is shutdown, rejecting task");
              }
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

  private final ExecutorService intermediateTempExecutor =
      Execs.newBlockingSingleThreaded("[index_kafka_wiki]-appenderator-abandon", 0);
  private final CountDownLatch deepStorageAnswers = new CountDownLatch(1);

  /** Removes a handed-off segment's intermediate files, off the caller's thread. */
  void dropSegment(String segment) {
    intermediateTempExecutor.execute(() -> {
      try {
        deepStorageAnswers.await(5, TimeUnit.SECONDS); // a slow delete
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      System.out.println("deleted files of " + segment);
    });
  }

  void close() {
    intermediateTempExecutor.shutdown();
  }

  public static void main(String[] args) throws Exception {
    DruidBlockingExecutorFixed appenderator = new DruidBlockingExecutorFixed();
    appenderator.dropSegment("wiki_2024-09-24T00"); // the only worker is busy with it
    Thread publisher = new Thread(
        () -> appenderator.dropSegment("wiki_2024-09-24T01"), "[index_kafka_wiki]-publish");
    publisher.setDaemon(true);
    publisher.start();
    // The publisher passed the isShutdown() test and waits in put for the busy worker.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (publisher.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    appenderator.close();
    appenderator.deepStorageAnswers.countDown();
    // The worker finishes its task and exits: a shut-down pool takes nothing more.
    try {
      appenderator.dropSegment("wiki_2024-09-24T02");
    } catch (RejectedExecutionException e) {
      System.out.println("after close: " + e.getMessage());
    }
    publisher.join(500);
    System.out.println("publisher still waiting: " + publisher.isAlive());
  }
}
