// Reduction of logback https://github.com/qos-ch/logback/pull/53 (LOGBACK-720), the merged fix:
// start() marks the appender started before it launches the worker, so the worker cannot miss it.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * An asynchronous appender: logging threads enqueue events and one worker thread hands them to
 * the attached appender. The worker loops while the appender is started.
 */
public class LogbackAsyncAppenderStartFixed {
  /** The appender the worker forwards to. */
  interface Appender {
    void doAppend(String event);
  }

  private final Appender attached;
  private final int queueSize;
  private volatile boolean started;
  BlockingQueue<String> blockingQueue;
  final Worker worker = new Worker();

  /** Called between launching the worker and marking the appender started (a startup listener). */
  Runnable afterWorkerLaunch = () -> {};

  LogbackAsyncAppenderStartFixed(Appender attached, int queueSize) {
    this.attached = attached;
    this.queueSize = queueSize;
  }

  boolean isStarted() {
    return started;
  }

  public void start() {
    if (isStarted()) {
      return;
    }
    blockingQueue = new ArrayBlockingQueue<>(queueSize);
    worker.setDaemon(true);
    worker.setName("AsyncAppender-Worker");
    // Marked started first: the worker's loop test can no longer see the appender as stopped.
    started = true;
    worker.start();
    afterWorkerLaunch.run();
  }

  public void stop() {
    if (!isStarted()) {
      return;
    }
    started = false;
    worker.interrupt();
    try {
      worker.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Entry point of the logging threads. */
  public void doAppend(String event) {
    if (!isStarted()) {
      return;
    }
    append(event);
  }

  protected void append(String event) {
    putUninterruptibly(event);
  }

  private void putUninterruptibly(String event) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          blockingQueue.put(event);
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  class Worker extends Thread {
    @Override
    public void run() {
      while (isStarted()) {
        try {
          String event = blockingQueue.take();
          attached.doAppend(event);
        } catch (InterruptedException e) {
          break;
        }
      }
      // Flush what is left before exiting.
      for (String event : blockingQueue) {
        attached.doAppend(event);
        blockingQueue.remove(event);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> written = Collections.synchronizedList(new ArrayList<>());
    LogbackAsyncAppenderStartFixed appender = new LogbackAsyncAppenderStartFixed(written::add, 8);
    // The interleaving of LOGBACK-720: the worker runs its first loop test first.
    appender.afterWorkerLaunch = () -> joinQuietly(appender.worker, 200);
    appender.start();

    ExecutorService requests = Executors.newFixedThreadPool(2, daemon("request"));
    CountDownLatch done = new CountDownLatch(2);
    for (int t = 0; t < 2; t++) {
      int thread = t;
      requests.execute(() -> {
        for (int i = 0; i < 20; i++) {
          appender.doAppend("thread " + thread + " request " + i);
        }
        done.countDown();
      });
    }
    boolean finished = done.await(5, TimeUnit.SECONDS);
    appender.stop();
    System.out.println("requests finished: " + finished + ", events written: " + written.size());
    requests.shutdown();
  }

  static void joinQuietly(Thread thread, long millis) {
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
