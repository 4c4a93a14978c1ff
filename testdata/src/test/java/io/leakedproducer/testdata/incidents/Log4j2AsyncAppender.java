// Reduction of log4j2 https://github.com/apache/logging-log4j2/pull/452 (LOG4J2-2972): the
// AsyncAppender thread caught only Exception from its appenders, an Error ended it, and callers
// that found the queue full blocked in put for good. Written for leaked-producer; no upstream
// code copied.
package io.leakedproducer.testdata.incidents;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An asynchronous appender with a blocking queue-full policy. */
public final class Log4j2AsyncAppender {
  record LogEvent(String level, String message) {}

  /** One appender the background thread calls. */
  interface AppenderControl {
    void callAppender(LogEvent event);
  }

  /** What to do with an event that did not fit into the queue. */
  enum EventRoute {
    ENQUEUE,
    SYNCHRONOUS,
    DISCARD
  }

  /** The default policy: block, unless the caller is the background thread itself. */
  static final class DefaultAsyncQueueFullPolicy {
    EventRoute getRoute(long backgroundThreadId, String level) {
      return Thread.currentThread().getId() == backgroundThreadId
          ? EventRoute.SYNCHRONOUS
          : EventRoute.ENQUEUE;
    }
  }

  private static final LogEvent SHUTDOWN_LOG_EVENT = new LogEvent("OFF", "");

  private final BlockingQueue<LogEvent> queue;
  private final List<AppenderControl> appenders;
  private final DefaultAsyncQueueFullPolicy asyncQueueFullPolicy =
      new DefaultAsyncQueueFullPolicy();
  private final boolean blocking = true;
  private AsyncThread thread;
  private volatile boolean started;

  Log4j2AsyncAppender(List<AppenderControl> appenders, int size) {
    this.appenders = appenders;
    this.queue = new ArrayBlockingQueue<>(size);
  }

  public void start() {
    thread = new AsyncThread();
    thread.start();
    started = true;
  }

  public void stop() {
    started = false;
    thread.shutdown();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public void append(LogEvent event) {
    if (!started) {
      throw new IllegalStateException("AsyncAppender is not active");
    }
    if (!queue.offer(event)) {
      if (blocking) {
        EventRoute route = asyncQueueFullPolicy.getRoute(thread.getId(), event.level());
        switch (route) {
          case ENQUEUE -> logMessageInBackgroundThread(event);
          case SYNCHRONOUS -> logMessageInCurrentThread(event);
          case DISCARD -> { }
        }
      } else {
        System.err.println("AsyncAppender queue is full, dropping " + event);
      }
    }
  }

  void logMessageInCurrentThread(LogEvent event) {
    thread.callAppenders(event);
  }

  void logMessageInBackgroundThread(LogEvent event) {
    try {
      // Waits for a free slot in the queue.
      queue.put(event); // LEAK
    } catch (InterruptedException e) {
      if (!queue.offer(event)) {
        System.err.println("Interrupted while waiting for a free slot; dropping " + event);
      }
      Thread.currentThread().interrupt();
    }
  }

  private class AsyncThread extends Thread {
    private volatile boolean shutdown;

    AsyncThread() {
      super("AsyncAppender-1");
      setDaemon(true);
    }

    @Override
    public void run() {
      while (!shutdown) {
        LogEvent event;
        try {
          event = queue.take();
          if (event == SHUTDOWN_LOG_EVENT) {
            shutdown = true;
            continue;
          }
        } catch (InterruptedException e) {
          break;
        }
        callAppenders(event);
      }
      while (!queue.isEmpty()) {
        LogEvent event = queue.poll();
        if (event != null && event != SHUTDOWN_LOG_EVENT) {
          callAppenders(event);
        }
      }
    }

    boolean callAppenders(LogEvent event) {
      boolean success = false;
      for (AppenderControl control : appenders) {
        try {
          control.callAppender(event);
          success = true;
        } catch (Exception ex) {
          // Another appender may still succeed; the error appender gets it otherwise.
        }
      }
      return success;
    }

    void shutdown() {
      shutdown = true;
      if (queue.isEmpty()) {
        queue.offer(SHUTDOWN_LOG_EVENT);
      }
      if (getState() == State.WAITING || getState() == State.TIMED_WAITING) {
        interrupt();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    AtomicInteger written = new AtomicInteger();
    // A layout plugin whose class is missing on the class path: its first use throws an Error.
    AppenderControl rollingFile = event -> {
      if (written.incrementAndGet() == 3) {
        throw new NoClassDefFoundError("org/example/logging/JsonTemplateLayout (injected)");
      }
    };
    Log4j2AsyncAppender appender = new Log4j2AsyncAppender(List.of(rollingFile), 8);
    appender.start();
    appender.thread.setUncaughtExceptionHandler(
        (t, e) -> System.err.println(t.getName() + " died: " + e));

    ExecutorService workers = Executors.newFixedThreadPool(3, daemon("worker"));
    CountDownLatch done = new CountDownLatch(3);
    for (int t = 0; t < 3; t++) {
      workers.execute(() -> {
        for (int i = 0; i < 40; i++) {
          appender.append(new LogEvent("INFO", "processed order " + i));
        }
        done.countDown();
      });
    }
    boolean finished = done.await(500, TimeUnit.MILLISECONDS);
    System.out.println("workers finished: " + finished + ", events written: " + written.get());
    workers.shutdown();
  }

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
