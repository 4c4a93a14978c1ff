// Reduction of log4j2 https://github.com/apache/logging-log4j2/pull/452 (LOG4J2-2972), the merged
// fix: an event dispatcher thread that catches Throwable per appender, so nothing an appender
// throws ends it; stop() signals it and waits. Written for leaked-producer; no upstream code
// copied.
package io.leakedproducer.testdata.incidents;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** An asynchronous appender with a blocking queue-full policy and a robust dispatcher. */
public final class Log4j2AsyncAppenderFixed {
  record LogEvent(String level, String message) {}

  /** One appender the dispatcher calls. */
  interface AppenderControl {
    void callAppender(LogEvent event);
  }

  /** What to do with an event that did not fit into the queue. */
  enum EventRoute {
    ENQUEUE,
    SYNCHRONOUS,
    DISCARD
  }

  /** The default policy: block, unless the caller is the dispatcher itself. */
  static final class DefaultAsyncQueueFullPolicy {
    EventRoute getRoute(long backgroundThreadId, String level) {
      return Thread.currentThread().getId() == backgroundThreadId
          ? EventRoute.SYNCHRONOUS
          : EventRoute.ENQUEUE;
    }
  }

  private final BlockingQueue<LogEvent> queue;
  private final List<AppenderControl> appenders;
  private final DefaultAsyncQueueFullPolicy asyncQueueFullPolicy =
      new DefaultAsyncQueueFullPolicy();
  private final boolean blocking = true;
  private AsyncAppenderEventDispatcher dispatcher;
  private volatile boolean started;

  Log4j2AsyncAppenderFixed(List<AppenderControl> appenders, int size) {
    this.appenders = appenders;
    this.queue = new ArrayBlockingQueue<>(size);
  }

  public void start() {
    dispatcher = new AsyncAppenderEventDispatcher();
    dispatcher.start();
    started = true;
  }

  public void stop() throws InterruptedException {
    started = false;
    dispatcher.stop(1000);
  }

  public void append(LogEvent event) {
    if (!started) {
      throw new IllegalStateException("AsyncAppender is not active");
    }
    if (!queue.offer(event)) {
      if (blocking) {
        EventRoute route = asyncQueueFullPolicy.getRoute(dispatcher.getId(), event.level());
        switch (route) {
          case ENQUEUE -> logMessageInBackgroundThread(event);
          case SYNCHRONOUS -> dispatcher.dispatch(event);
          case DISCARD -> { }
        }
      } else {
        System.err.println("AsyncAppender queue is full, dropping " + event);
      }
    }
  }

  void logMessageInBackgroundThread(LogEvent event) {
    try {
      queue.put(event);
    } catch (InterruptedException e) {
      if (!queue.offer(event)) {
        System.err.println("Interrupted while waiting for a free slot; dropping " + event);
      }
      Thread.currentThread().interrupt();
    }
  }

  private class AsyncAppenderEventDispatcher extends Thread {
    private final LogEvent stopEvent = new LogEvent("OFF", "");
    private final AtomicBoolean stoppedRef = new AtomicBoolean();

    AsyncAppenderEventDispatcher() {
      super("AsyncAppenderEventDispatcher-1");
      setDaemon(true);
    }

    @Override
    public void run() {
      dispatchAll();
      dispatchRemaining();
    }

    private void dispatchAll() {
      while (!stoppedRef.get()) {
        LogEvent event;
        try {
          event = queue.take();
        } catch (InterruptedException e) {
          interrupt();
          break;
        }
        if (event == stopEvent) {
          break;
        }
        dispatch(event);
      }
    }

    private void dispatchRemaining() {
      for (LogEvent event = queue.poll(); event != null; event = queue.poll()) {
        if (event != stopEvent) {
          dispatch(event);
        }
      }
    }

    void dispatch(LogEvent event) {
      for (AppenderControl control : appenders) {
        try {
          control.callAppender(event);
        } catch (Throwable error) {
          // Whatever one appender throws, the dispatcher goes on with the next event.
          System.err.println("appender failed: " + error);
        }
      }
    }

    void stop(long timeoutMillis) throws InterruptedException {
      stoppedRef.set(true);
      queue.offer(stopEvent);
      join(timeoutMillis);
      if (isAlive()) {
        interrupt();
        join(timeoutMillis);
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
    Log4j2AsyncAppenderFixed appender = new Log4j2AsyncAppenderFixed(List.of(rollingFile), 8);
    appender.start();

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
    boolean finished = done.await(5, TimeUnit.SECONDS);
    appender.stop();
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
