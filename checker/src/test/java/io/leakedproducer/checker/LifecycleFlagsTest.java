package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * Consumers whose take loop runs while a lifecycle flag holds: a flag set only after the worker is
 * started, a loop that also waits for the queue to empty, and the leftovers flushed after the loop
 * or in {@code close()}.
 */
final class LifecycleFlagsTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  /**
   * An asynchronous appender whose {@code start()} is {@code %s}; the worker loops while it is
   * started.
   */
  private static final String APPENDER =
      """
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;

      class StartedAppender {
        private final BlockingQueue<String> events = new ArrayBlockingQueue<>(64);
        private volatile boolean started;
        private final Thread worker = new Thread(this::work, "appender-worker");

        boolean isStarted() {
          return started;
        }

        void start() {
          %s
        }

        void append(String event) {
          if (!isStarted()) {
            return;
          }
          try {
            %s
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }

        private void work() {
          while (isStarted()) {
            try {
              System.out.println(events.take());
            } catch (InterruptedException e) {
              break;
            }
          }
        }
      }
      """;

  @Test
  void identificationFlagSetAfterTheWorkerStarts() {
    helper
        .addSourceLines(
            "StartedAppender.java",
            APPENDER.formatted(
                "worker.start();\nstarted = true;",
                "// BUG: Diagnostic contains: every consumer can stop taking (line 31: can test"
                    + " 'started' before it is set to true (line 15) and leave at once)\n"
                    + "events.put(event);"))
        .doTest();
  }

  @Test
  void negativeFlagSetBeforeTheWorkerStarts() {
    helper
        .addSourceLines(
            "StartedAppender.java",
            APPENDER.formatted("started = true;\nworker.start();", "events.put(event);"))
        .doTest();
  }

  /**
   * A writer thread that runs until it is closed and the queue is empty; {@code %s} is its loop
   * condition.
   */
  private static final String WRITER =
      """
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.TimeUnit;
      import java.util.concurrent.atomic.AtomicBoolean;

      class AsyncWriter {
        private final AtomicBoolean closed = new AtomicBoolean();
        private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(32);
        private final Thread writer = new Thread(this::run, "writer");

        AsyncWriter() {
          writer.start();
        }

        void write(String record) throws InterruptedException {
          if (closed.get()) {
            throw new IllegalStateException("closed");
          }
          %s
        }

        void close() throws InterruptedException {
          closed.set(true);
          writer.join();
          while (!queue.isEmpty()) {
            System.out.println(queue.poll());
          }
        }

        private void run() {
          while (%s) {
            try {
              String record = queue.poll(1, TimeUnit.SECONDS);
              if (record != null) {
                System.out.println(record);
              }
            } catch (InterruptedException e) {
              // the loop condition decides
            }
          }
        }
      }
      """;

  @Test
  void negativeRunsUntilClosedAndEmptyAndCloseFlushesLeftovers() {
    helper
        .addSourceLines(
            "AsyncWriter.java",
            WRITER.formatted("queue.put(record);", "!closed.get() || !queue.isEmpty()"))
        .doTest();
  }

  @Test
  void identificationStopsWhenTheQueueIsMomentarilyEmpty() {
    helper
        .addSourceLines(
            "AsyncWriter.java",
            WRITER.formatted(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 32: stops as soon"
                    + " as the queue is momentarily empty)\nqueue.put(record);",
                "!queue.isEmpty()"))
        .doTest();
  }

  /** A dispatcher: a take loop until stopped, then a flush; {@code %s} is the catch per event. */
  private static final String DISPATCHER =
      """
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;

      class Dispatcher extends Thread {
        interface Appender {
          void append(String event);
        }

        private final Appender appender;
        private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(128);
        private volatile boolean stopped;

        Dispatcher(Appender appender) {
          this.appender = appender;
        }

        void enqueue(String event) throws InterruptedException {
          %s
        }

        @Override
        public void run() {
          dispatchAll();
          dispatchRemaining();
        }

        private void dispatchAll() {
          while (!stopped) {
            try {
              dispatch(queue.take());
            } catch (InterruptedException e) {
              break;
            }
          }
        }

        private void dispatchRemaining() {
          for (String event = queue.poll(); event != null; event = queue.poll()) {
            dispatch(event);
          }
        }

        private void dispatch(String event) {
          try {
            appender.append(event);
          } catch (%s e) {
            System.err.println("appender failed: " + e);
          }
        }
      }
      """;

  @Test
  void negativeFlushAfterTheTakeLoopEndsWhenTheQueueIsEmpty() {
    helper
        .addSourceLines("Dispatcher.java", DISPATCHER.formatted("queue.put(event);", "Throwable"))
        .doTest();
  }

  @Test
  void identificationTakeLoopDiesOfAnErrorPastCatchException() {
    helper
        .addSourceLines(
            "Dispatcher.java",
            DISPATCHER.formatted(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 31:"
                    + " Appender.append() is a callback and can throw an Error (line 46) out of"
                    + " the take loop)\nqueue.put(event);",
                "Exception"))
        .setArgs("-XepOpt:LeakedProducer:ConsumerDeath=BROAD")
        .doTest();
  }
}
