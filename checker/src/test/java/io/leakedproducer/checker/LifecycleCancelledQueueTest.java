package io.leakedproducer.checker;

import com.google.errorprone.BugCheckerRefactoringTestHelper;
import com.google.errorprone.BugCheckerRefactoringTestHelper.TestMode;
import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * A queue wired through constructors (ksqlDB's row queue): the producer's listener and the
 * subscription that the streaming loop closes each hold it, and no field is seen by both. With the
 * runtime on the classpath the queue itself carries the signal: it becomes a {@code
 * CancellableBoundedQueue} that the subscription's {@code close()} cancels first thing.
 */
final class LifecycleCancelledQueueTest {
  private final BugCheckerRefactoringTestHelper helper =
      BugCheckerRefactoringTestHelper.newInstance(LeakedProducer.class, getClass());

  @Test
  void subscriptionCloseCancelsTheSwappedQueue() {
    helper
        .addInputLines("NotificationFeed.java", LeakyPrograms.QUEUE_WIRED_THROUGH_CONSTRUCTORS)
        .addOutputLines(
            "NotificationFeed.java",
            """
            import io.leakedproducer.runtime.CancellableBoundedQueue;
            import io.leakedproducer.runtime.QueueAbandonedException;
            import java.io.IOException;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.LinkedBlockingQueue;
            import java.util.concurrent.TimeUnit;

            class NotificationFeed {
              interface Listener {
                void onEvent(String event);
              }

              interface Connection {
                void send(String event) throws IOException;
              }

              /** The event bus calls this on its own thread, once per event. */
              static final class Enqueuer implements Listener {
                private final BlockingQueue<String> pending;

                Enqueuer(BlockingQueue<String> pending) {
                  this.pending = pending;
                }

                @Override
                public void onEvent(String event) {
                  try {
                    try {
                      pending.put(event);
                    } catch (QueueAbandonedException abandonedBy) {
                      return;
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              /** What the HTTP layer holds for one client. */
              static final class Subscription {
                private final BlockingQueue<String> pending;
                private volatile boolean open = true;

                Subscription(BlockingQueue<String> pending) {
                  this.pending = pending;
                }

                BlockingQueue<String> events() {
                  return pending;
                }

                boolean isOpen() {
                  return open;
                }

                void close() {
                  // Nothing takes from 'pending' once closed: its producers must not wait for room.
                  if (pending instanceof CancellableBoundedQueue) {
                    ((CancellableBoundedQueue<?>) pending).cancel();
                  }
                  open = false;
                }
              }

              private final Subscription subscription;
              private final Thread bus;

              NotificationFeed(int events) {
                BlockingQueue<String> pending = new CancellableBoundedQueue<>(500);
                subscription = new Subscription(pending);
                Listener listener = new Enqueuer(pending);
                bus =
                    new Thread(
                        () -> {
                          for (int i = 0; i < events; i++) {
                            listener.onEvent("event " + i);
                          }
                        },
                        "event-bus");
                bus.setDaemon(true);
                bus.start();
              }

              void stream(Connection connection) {
                try {
                  while (subscription.isOpen()) {
                    String event = subscription.events().poll(100, TimeUnit.MILLISECONDS);
                    if (event != null) {
                      connection.send(event);
                    }
                  }
                } catch (IOException e) {
                  System.err.println("client went away: " + e);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } finally {
                  subscription.close();
                }
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /** The message names what the fix does and where. */
  @Test
  void messageSaysTheQueueCarriesTheSignal() {
    CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
        .addSourceLines(
            "NotificationFeed.java",
            LeakyPrograms.QUEUE_WIRED_THROUGH_CONSTRUCTORS.replace(
                "pending.put(event);", "// BUG: Diagnostic matches: CANCEL\npending.put(event);"))
        .expectErrorMessage(
            "CANCEL",
            m ->
                m.contains(
                    String.format(
                        LeakedProducer.LIFECYCLE_CANCEL_FIX, "first thing in close() (line 51)")))
        .doTest();
  }

  /** Without the runtime there is no plain-Java rewrite: the message says what to do by hand. */
  @Test
  void withoutTheRuntimeNoFixAndTheManualTextSaysWhy() {
    CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
        .withClasspath(LifecycleCancelledQueueTest.class)
        .addSourceLines(
            "NotificationFeed.java",
            LeakyPrograms.QUEUE_WIRED_THROUGH_CONSTRUCTORS.replace(
                "pending.put(event);", "// BUG: Diagnostic matches: MANUAL\npending.put(event);"))
        .expectErrorMessage("MANUAL", m -> m.contains(ManualFixes.SHARED_QUEUE.trim()))
        .doTest();
  }

  /**
   * The subscription keeps the queue in a field typed {@code LinkedBlockingQueue}: the swapped
   * queue would not fit it, so no fix is offered.
   */
  @Test
  void holderTypedByTheJdkClassGetsNoSwap() {
    helper
        .addInputLines(
            "NotificationFeed.java",
            edit(
                edit(
                    edit(
                        LeakyPrograms.QUEUE_WIRED_THROUGH_CONSTRUCTORS,
                        """
                      static final class Subscription {
                        private final BlockingQueue<String> pending;
                    """,
                        """
                      static final class Subscription {
                        private final LinkedBlockingQueue<String> pending;
                    """),
                    "Subscription(BlockingQueue<String> pending) {",
                    "Subscription(LinkedBlockingQueue<String> pending) {"),
                "BlockingQueue<String> pending = new LinkedBlockingQueue<>(500);",
                "LinkedBlockingQueue<String> pending = new LinkedBlockingQueue<>(500);"))
        .expectUnchanged()
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * The subscription's {@code close()} also puts an end marker to wake the poller (BigQuery's
   * {@code flagEndOfStream}): a holder that inserts may close to end what it produces, and
   * cancelling there would throw away what the consumer has still to take, so no fix is offered.
   */
  @Test
  void holderThatInsertsIsNotACancellingSite() {
    helper
        .addInputLines(
            "NotificationFeed.java",
            edit(
                LeakyPrograms.QUEUE_WIRED_THROUGH_CONSTRUCTORS,
                """
                    void close() {
                      open = false;
                    }
                """,
                """
                    void close() {
                      open = false;
                      try {
                        pending.put("");
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }
                """))
        .expectUnchanged()
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * The consumers read through a Spliterator with no lifecycle, behind the Stream that {@code
   * export()} returns and {@code countFailures()} closes: the stream's onClose handler cancels the
   * swapped queue.
   */
  @Test
  void closedStreamCancelsTheSwappedQueue() {
    helper
        .addInputLines("AuditExport.java", LeakyPrograms.STREAM_FED_BY_QUEUE)
        .addOutputLines(
            "AuditExport.java",
            """
            import io.leakedproducer.runtime.CancellableBoundedQueue;
            import io.leakedproducer.runtime.QueueAbandonedException;
            import java.util.Iterator;
            import java.util.Spliterator;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;
            import java.util.function.Consumer;
            import java.util.stream.Stream;
            import java.util.stream.StreamSupport;

            class AuditExport {
              private static final String END = new String("<end>");

              /** Hands the queued rows to the stream, until the end marker. */
              static final class QueueSpliterator implements Spliterator<String> {
                private final BlockingQueue<String> rows;

                QueueSpliterator(BlockingQueue<String> rows) {
                  this.rows = rows;
                }

                @Override
                public boolean tryAdvance(Consumer<? super String> action) {
                  String row;
                  try {
                    row = rows.take();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                  }
                  if (row == END) {
                    return false;
                  }
                  action.accept(row);
                  return true;
                }

                @Override
                public Spliterator<String> trySplit() {
                  return null;
                }

                @Override
                public long estimateSize() {
                  return Long.MAX_VALUE;
                }

                @Override
                public int characteristics() {
                  return ORDERED | NONNULL;
                }
              }

              private final ExecutorService pool;

              AuditExport(ExecutorService pool) {
                this.pool = pool;
              }

              /** The audit log as a stream; the caller closes it when done. */
              Stream<String> export(Iterator<String> log) {
                BlockingQueue<String> rows = new CancellableBoundedQueue<>(64);
                pool.execute(
                    () -> {
                      try {
                        while (log.hasNext()) {
                          try {
                            rows.put(log.next());
                          } catch (QueueAbandonedException abandonedBy) {
                            return;
                          }
                        }
                        try {
                          rows.put(END);
                        } catch (QueueAbandonedException abandonedBy) {
                          return;
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    });
                return StreamSupport.stream(new QueueSpliterator(rows), false)
                    .onClose(
                        () -> {
                          // The caller closes the stream when it stops reading: no producer may wait.
                          if (rows instanceof CancellableBoundedQueue) {
                            ((CancellableBoundedQueue<?>) rows).cancel();
                          }
                        });
              }

              long countFailures(Iterator<String> log) {
                try (Stream<String> rows = export(log)) {
                  return rows.filter(r -> r.contains("FAILED")).limit(10).count();
                }
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /** Nothing in the unit closes the stream: no fix, and the message says what to do by hand. */
  @Test
  void streamNobodyClosesGetsNoFix() {
    helper
        .addInputLines("AuditExport.java", LeakyPrograms.STREAM_NEVER_CLOSED)
        .expectUnchanged()
        .doTest(TestMode.TEXT_MATCH);
    CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
        .addSourceLines(
            "AuditExport.java",
            edit(
                edit(
                    LeakyPrograms.STREAM_NEVER_CLOSED,
                    "rows.put(END);",
                    "// BUG: Diagnostic matches: MANUAL\nrows.put(END);"),
                "rows.put(log.next());",
                "// BUG: Diagnostic matches: MANUAL\nrows.put(log.next());"))
        .expectErrorMessage("MANUAL", m -> m.contains(ManualFixes.EXTERNAL_NO_LIFECYCLE.trim()))
        .doTest();
  }

  /** The program with one piece of text replaced; fails if the text is not there. */
  private static String edit(String program, String from, String to) {
    if (!program.contains(from)) {
      throw new AssertionError("not in the program: " + from);
    }
    return program.replace(from, to);
  }
}
