package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * Shapes of real consumers that the check used to misjudge: the producer's thread handed to the
 * consumer under another name, a worker that iterates its own queue to flush leftovers, and the
 * events it takes handed to code outside the unit.
 */
final class HandlesAndFlushesTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  /** A crawler whose fetch loop stops on a disallowed URL; {@code %s} is its finally block. */
  private static final String CRAWLER =
      """
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;

      class Crawler {
        private final BlockingQueue<String> links = new ArrayBlockingQueue<>(10);
        private int fetched;

        void discover(int pages) {
          try {
            for (int i = 0; i < pages; i++) {
              %s
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }

        void fetch(Thread discoverer, Thread auditor) throws InterruptedException {
          try {
            while (true) {
              String url = links.take();
              if (url.endsWith("/12")) {
                throw new IllegalStateException("robots.txt disallows " + url);
              }
              fetched++;
            }
          } finally {
            %s.interrupt();
          }
        }

        void run() throws InterruptedException {
          Thread discoverer = new Thread(() -> discover(100_000), "link-discoverer");
          Thread auditor = new Thread(() -> {}, "auditor");
          discoverer.start();
          auditor.start();
          fetch(discoverer, auditor);
        }
      }
      """;

  @Test
  void negativeProducerThreadInterruptedThroughAParameter() {
    helper
        .addSourceLines(
            "Crawler.java", CRAWLER.formatted("links.put(\"/article/\" + i);", "discoverer"))
        .doTest();
  }

  @Test
  void identificationAnotherThreadParameterInterrupted() {
    helper
        .addSourceLines(
            "Crawler.java",
            CRAWLER.formatted(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 24: throw"
                    + " IllegalStateException on error) and nothing cancels the producer\n"
                    + "links.put(\"/article/\" + i);",
                "auditor"))
        .doTest();
  }

  /** A changelog applier that returns only once the fetcher thread it was given has finished. */
  private static final String APPLIER =
      """
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.TimeUnit;

      class ChangelogApplier {
        private final BlockingQueue<String> entries = new ArrayBlockingQueue<>(2);
        private int applied;

        void fetchAll(int last) throws InterruptedException {
          for (int n = 1; n <= last; n++) {
            // %s
            entries.put("change-" + n);
          }
        }

        void applyAll(Thread fetcher, Thread other) throws InterruptedException {
          while (true) {
            String e = entries.poll(150, TimeUnit.MILLISECONDS);
            if (e == null) {
              if (!%s.isAlive() && entries.isEmpty()) {
                return;
              }
              continue;
            }
            applied++;
          }
        }

        void run() throws InterruptedException {
          Thread fetcher = new Thread(() -> {
            try {
              fetchAll(20);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
          Thread other = new Thread(() -> {});
          fetcher.start();
          other.start();
          applyAll(fetcher, other);
        }
      }
      """;

  @Test
  void negativeConsumerDrainsUntilTheProducerThreadParameterIsDead() {
    helper.addSourceLines("ChangelogApplier.java", APPLIER.formatted("", "fetcher")).doTest();
  }

  @Test
  void identificationConsumerWaitsForAnotherThread() {
    helper
        .addSourceLines(
            "ChangelogApplier.java",
            APPLIER.formatted(
                "\n// BUG: Diagnostic contains: every consumer can stop taking (line 22: return"
                    + " on error)",
                "other"))
        .doTest();
  }

  /**
   * An asynchronous appender: a worker drains the queue into a sink and, once stopped, flushes what
   * is left by iterating the queue. The {@code %s} are the insertion, the exception caught around
   * each event and what the worker does then.
   */
  private static final String APPENDER =
      """
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;

      class AsyncAppender {
        interface Sink {
          void write(String event) throws java.io.IOException;
        }

        private final Sink sink;
        private final BlockingQueue<String> events = new ArrayBlockingQueue<>(256);
        private volatile boolean started = true;
        private final Thread worker = new Thread(this::drain, "appender-worker");

        AsyncAppender(Sink sink) {
          this.sink = sink;
          worker.start();
        }

        void stop() {
          started = false;
          worker.interrupt();
        }

        void append(String event) {
          if (!started) {
            return;
          }
          boolean interrupted = false;
          while (true) {
            try {
              %s
              break;
            } catch (InterruptedException e) {
              interrupted = true;
            }
          }
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
        }

        private void drain() {
          while (started) {
            try {
              String event = events.take();
              try {
                sink.write(event);
              } catch (%s e) {
                System.err.println("dropped " + event + ": " + e);
                %s
              }
            } catch (InterruptedException e) {
              break;
            }
          }
          for (String event : events) {
            try {
              sink.write(event);
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            events.remove(event);
          }
        }
      }
      """;

  @Test
  void identificationWorkerDiesAndItsEventsGoToASink() {
    helper
        .addSourceLines(
            "AsyncAppender.java",
            APPENDER.formatted(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 51:"
                    + " return in catch (java.io.IOException))\n"
                    + "events.put(event);",
                "java.io.IOException",
                "return;"))
        .doTest();
  }

  @Test
  void negativeWorkerSurvivesEveryEventAndOnlyItsFlushCanFail() {
    helper
        .addSourceLines(
            "AsyncAppender.java", APPENDER.formatted("events.put(event);", "Exception", ""))
        .doTest();
  }

  @Test
  void negativeCallersThreadRecordedAndInterruptedThroughATaskRegistry() {
    helper
        .addSourceLines(
            "Replicator.java",
            """
            import java.util.*;
            import java.util.concurrent.*;

            class Replicator {
              interface Task {
                void halt();
              }

              static final class TaskRegistry {
                private final List<Task> tasks = new ArrayList<>();

                synchronized void register(Task task) {
                  tasks.add(task);
                }

                synchronized void haltAll() {
                  for (Task task : tasks) {
                    task.halt();
                  }
                }
              }

              /** Interrupts the thread that registered it. */
              static final class ThreadTask implements Task {
                private final Thread thread;

                ThreadTask(Thread thread) {
                  this.thread = thread;
                }

                @Override
                public void halt() {
                  thread.interrupt();
                }
              }

              private final BlockingQueue<String> rows = new ArrayBlockingQueue<>(100);
              private final TaskRegistry registry = new TaskRegistry();

              Replicator() {
                Thread sender = new Thread(this::send, "sender");
                sender.setDaemon(true);
                sender.start();
              }

              void replicate(Iterator<String> binlog) throws InterruptedException {
                Thread self = Thread.currentThread();
                registry.register(new ThreadTask(self));
                while (binlog.hasNext()) {
                  // The sender's failure interrupts this thread through the registry.
                  rows.put(binlog.next());
                }
              }

              private void send() {
                try {
                  while (true) {
                    String row = rows.take();
                    try {
                      publish(row);
                    } catch (RuntimeException e) {
                      registry.haltAll();
                      return;
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              private void publish(String row) {
                if (row.isEmpty()) {
                  throw new IllegalStateException("no topic for " + row);
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationRegistryInterruptsOnlyTheConsumersOwnRecordedThread() {
    helper
        .addSourceLines(
            "Replicator.java",
            """
            import java.util.*;
            import java.util.concurrent.*;

            class Replicator {
              interface Task {
                void halt();
              }

              static final class TaskRegistry {
                private final List<Task> tasks = new ArrayList<>();

                synchronized void register(Task task) {
                  tasks.add(task);
                }

                synchronized void haltAll() {
                  for (Task task : tasks) {
                    task.halt();
                  }
                }
              }

              /** Interrupts the thread that registered it. */
              static final class ThreadTask implements Task {
                private final Thread thread;

                ThreadTask(Thread thread) {
                  this.thread = thread;
                }

                @Override
                public void halt() {
                  thread.interrupt();
                }
              }

              private final BlockingQueue<String> rows = new ArrayBlockingQueue<>(100);
              private final TaskRegistry registry = new TaskRegistry();

              Replicator() {
                Thread sender = new Thread(this::send, "sender");
                sender.setDaemon(true);
                sender.start();
              }

              void replicate(Iterator<String> binlog) throws InterruptedException {
                while (binlog.hasNext()) {
                  // BUG: Diagnostic contains: every consumer can stop taking (line 63: return in catch (RuntimeException)) and nothing cancels the producer
                  rows.put(binlog.next());
                }
              }

              private void send() {
                Thread self = Thread.currentThread();
                registry.register(new ThreadTask(self));
                try {
                  while (true) {
                    String row = rows.take();
                    try {
                      publish(row);
                    } catch (RuntimeException e) {
                      registry.haltAll();
                      return;
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              private void publish(String row) {
                if (row.isEmpty()) {
                  throw new IllegalStateException("no topic for " + row);
                }
              }
            }
            """)
        .doTest();
  }
}
