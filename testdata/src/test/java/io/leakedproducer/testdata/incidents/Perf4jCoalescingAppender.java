// Reduction of perf4j https://github.com/perf4j/perf4j/issues/22 (also jperf
// https://github.com/sovaa/jperf/issues/9, open): stop() puts the shutdown marker into the queue
// of a draining thread that may already be dead; with the queue full the log4j reload thread
// blocks forever. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Coalesces timing log lines into per-slice statistics on a background draining thread. */
public class Perf4jCoalescingAppender {
  /** Receives one statistics summary per time slice. */
  interface StatisticsHandler {
    void handle(String summary);
  }

  private final ArrayBlockingQueue<String> loggedMessages;
  private final StatisticsHandler handler;
  private final long shutdownWaitMillis = 10_000;
  private Thread drainingThread;
  private volatile int numDiscardedMessages;

  Perf4jCoalescingAppender(StatisticsHandler handler, int queueSize) {
    this.handler = handler;
    this.loggedMessages = new ArrayBlockingQueue<>(queueSize);
  }

  public void start() {
    drainingThread = new Thread(new Dispatcher(), "perf4j-async-stats-appender-sink");
    drainingThread.setDaemon(true);
    drainingThread.start();
  }

  /** Called for every StopWatch log line; never blocks the logging thread. */
  public void append(String message) {
    if (!loggedMessages.offer(message)) {
      ++numDiscardedMessages;
    }
  }

  public void stop() {
    stopDrainingThread();
  }

  private void stopDrainingThread() {
    try {
      // An empty message tells the draining thread that the appender is closing.
      loggedMessages.put(""); // LEAK
      drainingThread.join(shutdownWaitMillis);
      drainingThread.interrupt();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private class Dispatcher implements Runnable {
    @Override
    public void run() {
      int inSlice = 0;
      try {
        for (String message = loggedMessages.take(); !message.isEmpty();
            message = loggedMessages.take()) {
          if (++inSlice == 4) {
            handler.handle("slice of " + inSlice + " stopwatches");
            inSlice = 0;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    int[] slices = {0};
    // The downstream appender was closed by a concurrent configuration reload.
    Perf4jCoalescingAppender appender = new Perf4jCoalescingAppender(summary -> {
      if (++slices[0] == 2) {
        throw new IllegalStateException("attempted to append to closed appender (injected)");
      }
    }, 16);
    appender.start();
    appender.drainingThread.setUncaughtExceptionHandler(
        (t, e) -> System.err.println(t.getName() + " died: " + e));
    for (int i = 0; i < 100; i++) {
      appender.append("start[" + i + "] time[3] tag[checkout]");
    }
    appender.drainingThread.join(1000);

    // The log4j watchdog reloads the configuration, which closes the appender.
    CountDownLatch closed = new CountDownLatch(1);
    Thread reloader = new Thread(() -> {
      appender.stop();
      closed.countDown();
    }, "Timer-Log4jService");
    reloader.setDaemon(true);
    reloader.start();
    boolean reloaded = closed.await(500, TimeUnit.MILLISECONDS);
    System.out.println("configuration reloaded: " + reloaded + ", discarded: "
        + appender.numDiscardedMessages);
  }
}
