// Reduction of logback https://github.com/qos-ch/logback/pull/610 (LOGBACK-1354), the fix that PR
// proposes: the worker catches Throwable per event, so a failing appender cannot end the loop
// while the appender is started. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Logging threads enqueue events; one worker drains them in batches to the attached appender. */
public class LogbackAsyncAppenderErrorFixed {
  /** The single appender attached to the asynchronous one. */
  interface Appender {
    void doAppend(String event);
  }

  private final Appender attached;
  private final BlockingQueue<String> blockingQueue;
  private final Worker worker = new Worker();
  private final AtomicLong failedDispatchCount = new AtomicLong();
  private volatile boolean started;

  LogbackAsyncAppenderErrorFixed(Appender attached, int queueSize) {
    this.attached = attached;
    this.blockingQueue = new ArrayBlockingQueue<>(queueSize);
  }

  public void start() {
    started = true;
    worker.setDaemon(true);
    worker.setName("AsyncAppender-Worker-ASYNC");
    worker.start();
  }

  public void stop() {
    started = false;
    worker.interrupt();
    try {
      worker.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public void doAppend(String event) {
    if (started) {
      putUninterruptibly(event);
    }
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

  private void addError(String message, Throwable cause) {
    System.err.println("ERROR in AsyncAppender: " + message + ": " + cause);
  }

  class Worker extends Thread {
    @Override
    public void run() {
      while (started) {
        try {
          List<String> elements = new ArrayList<>();
          elements.add(blockingQueue.take());
          blockingQueue.drainTo(elements);
          for (String event : elements) {
            try {
              attached.doAppend(event);
            } catch (Throwable ex) {
              // Anything the appender throws costs this event only, never the worker.
              failedDispatchCount.incrementAndGet();
              addError("Failed to dispatch event to appender", ex);
            }
          }
        } catch (InterruptedException e) {
          break;
        }
      }
      for (String event : blockingQueue) {
        attached.doAppend(event);
        blockingQueue.remove(event);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    AtomicLong written = new AtomicLong();
    // The attached appender formats a huge MDC value on the 5th event and runs out of memory.
    LogbackAsyncAppenderErrorFixed appender = new LogbackAsyncAppenderErrorFixed(event -> {
      if (written.incrementAndGet() == 5) {
        throw new OutOfMemoryError("Java heap space (injected)");
      }
    }, 16);
    appender.worker.setUncaughtExceptionHandler(
        (t, e) -> System.err.println(t.getName() + " died: " + e));
    appender.start();

    ExecutorService requests = Executors.newFixedThreadPool(3, daemon("request"));
    CountDownLatch done = new CountDownLatch(3);
    for (int t = 0; t < 3; t++) {
      requests.execute(() -> {
        for (int i = 0; i < 50; i++) {
          appender.doAppend("GET /orders/" + i);
        }
        done.countDown();
      });
    }
    boolean finished = done.await(5, TimeUnit.SECONDS);
    appender.stop();
    System.out.println("requests finished: " + finished + ", events written: " + written.get());
    requests.shutdown();
  }

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
