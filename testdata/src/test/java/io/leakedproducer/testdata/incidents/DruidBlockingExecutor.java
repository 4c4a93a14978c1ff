// Reduction of Druid https://github.com/apache/druid/issues/16783 (fixed by PR #17146): the
// blocking single-threaded executor's RejectedExecutionHandler puts the task into the pool's own
// SynchronousQueue even after shutdown, where no worker will ever take it, and the publishing
// task hangs. Written for leaked-producer; no upstream code copied.
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
public final class DruidBlockingExecutor {
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

  private final ExecutorService intermediateTempExecutor =
      Execs.newBlockingSingleThreaded("[index_kafka_wiki]-appenderator-abandon", 0);

  /** Removes a handed-off segment's intermediate files, off the caller's thread. */
  void dropSegment(String segment) {
    intermediateTempExecutor.execute(() -> System.out.println("deleted files of " + segment));
  }

  void close() {
    intermediateTempExecutor.shutdown();
  }

  public static void main(String[] args) throws Exception {
    DruidBlockingExecutor appenderator = new DruidBlockingExecutor();
    appenderator.dropSegment("wiki_2024-09-24T00");
    // The task is stopped while its publisher still has a handoff to process.
    appenderator.close();
    CountDownLatch published = new CountDownLatch(1);
    Thread publisher = new Thread(() -> {
      appenderator.dropSegment("wiki_2024-09-24T01");
      published.countDown();
    }, "[index_kafka_wiki]-publish");
    publisher.setDaemon(true);
    publisher.start();
    boolean done = published.await(500, TimeUnit.MILLISECONDS);
    System.out.println("publish finished: " + done);
  }
}
