package io.leakedproducer.checker;

import com.google.errorprone.BugCheckerRefactoringTestHelper;
import com.google.errorprone.BugCheckerRefactoringTestHelper.TestMode;
import org.junit.jupiter.api.Test;

/**
 * Fixes for a queue held in a field: a volatile flag set when the consumers are gone or the owner
 * is closed, checked by the producer between timed offers; and the worklist made unbounded.
 */
final class FieldQueueFixesTest {
  private final BugCheckerRefactoringTestHelper helper =
      BugCheckerRefactoringTestHelper.newInstance(LeakedProducer.class, getClass());

  /** No lifecycle: the consuming method sets the flag in a finally; the void API method returns. */
  @Test
  void replacementConsumersGoneFlag() {
    helper
        .addInputLines("AuditLog.java", LeakyPrograms.FIELD_QUEUE_NO_LIFECYCLE)
        .addOutputLines(
            "AuditLog.java",
            """
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.TimeUnit;

            class AuditLog {
              private final BlockingQueue<String> events = new ArrayBlockingQueue<>(64);

              /** Set once nothing will take from 'events' any more: producers stop offering. */
              private volatile boolean eventsConsumersGone;

              AuditLog() {
                new Thread(this::writeLoop).start();
              }

              void record(String event) throws InterruptedException {
                if (eventsConsumersGone) {
                  return;
                }
                while (!events.offer(event, 10, TimeUnit.MILLISECONDS)) {
                  if (eventsConsumersGone) {
                    return;
                  }
                }
              }

              private void writeLoop() {
                try {
                  while (true) {
                    String event;
                    try {
                      event = events.take();
                    } catch (InterruptedException e) {
                      return;
                    }
                    if (event.isEmpty()) {
                      throw new IllegalStateException("disk full");
                    }
                  }
                } finally {
                  eventsConsumersGone = true;
                }
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /** A lifecycle method sets the flag first thing; the consuming loop sets it when it ends. */
  @Test
  void replacementClosedFlag() {
    helper
        .addInputLines("Shipper.java", LeakyPrograms.FIELD_QUEUE_WITH_CLOSE)
        .addOutputLines(
            "Shipper.java",
            """
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.TimeUnit;

            class Shipper implements AutoCloseable {
              private final BlockingQueue<String> outbox = new ArrayBlockingQueue<>(16);

              /** Set once nothing will take from 'outbox' any more: producers stop offering. */
              private volatile boolean outboxClosed;

              private final Thread sender =
                  new Thread(
                      () -> {
                        try {
                          try {
                            while (true) {
                              String line = outbox.take();
                              if (line.isEmpty()) {
                                return;
                              }
                            }
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        } finally {
                          outboxClosed = true;
                        }
                      });

              void ship(String line) throws InterruptedException {
                if (outboxClosed) {
                  return;
                }
                while (!outbox.offer(line, 10, TimeUnit.MILLISECONDS)) {
                  if (outboxClosed) {
                    return;
                  }
                }
              }

              @Override
              public void close() {
                outboxClosed = true;
                sender.interrupt();
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /** A producer outside the owner's instance code names the flag through the same object. */
  @Test
  void replacementFlagThroughHolder() {
    helper
        .addInputLines("Export.java", LeakyPrograms.FIELD_QUEUE_THROUGH_HOLDER)
        .addOutputLines(
            "Export.java",
            """
            import java.util.List;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.SynchronousQueue;
            import java.util.concurrent.TimeUnit;

            class Export {
              private final SynchronousQueue<String> handoff = new SynchronousQueue<>();

              /** Set once nothing will take from 'handoff' any more: producers stop offering. */
              private volatile boolean handoffConsumersGone;

              void write(int expected) {
                try {
                  for (int i = 0; i < expected; i++) {
                    String row;
                    try {
                      row = handoff.take();
                    } catch (InterruptedException e) {
                      return;
                    }
                    if (row.isEmpty()) {
                      throw new IllegalStateException("bad row");
                    }
                  }
                } finally {
                  handoffConsumersGone = true;
                }
              }

              static void run(List<String> rows, ExecutorService pool) {
                Export export = new Export();
                pool.execute(
                    () -> {
                      try {
                        for (String row : rows) {
                          while (!export.handoff.offer(row, 10, TimeUnit.MILLISECONDS)) {
                            if (export.handoffConsumersGone) {
                              return;
                            }
                          }
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    });
                new Thread(() -> export.write(rows.size())).start();
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /** A worklist its own thread drains becomes an unbounded linked queue. */
  @Test
  void replacementWorklistUnbounded() {
    helper
        .addInputLines("Crawl.java", LeakyPrograms.FIELD_WORKLIST)
        .addOutputLines(
            "Crawl.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.LinkedBlockingQueue;

            class Crawl {
              private final BlockingQueue<String> frontier = new LinkedBlockingQueue<>();

              int crawl(String root) throws InterruptedException {
                frontier.put(root);
                int visited = 0;
                while (!frontier.isEmpty()) {
                  String page = frontier.take();
                  visited++;
                  for (String link : List.of(page + "/a", page + "/b")) {
                    frontier.put(link);
                  }
                }
                return visited;
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * Each send submits a drain task that writes while the channel is writable and ends when the
   * queue is momentarily empty: one run ending is not the consumers leaving (the next send starts
   * another), so a "consumers gone" flag set in its finally would drop every later event. No flag
   * fix is offered; the finding stays, with what to do by hand.
   */
  @Test
  void drainTaskSubmittedByEachSendGetsNoConsumersGoneFlag() {
    helper
        .addInputLines(
            "EventSender.java",
            """
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.LinkedBlockingQueue;

            class EventSender {
              interface Channel {
                boolean isWritable();

                void write(String event);
              }

              private final Channel channel;
              private final ExecutorService eventLoop;
              final BlockingQueue<String> events = new LinkedBlockingQueue<>(100);

              EventSender(Channel channel, ExecutorService eventLoop) {
                this.channel = channel;
                this.eventLoop = eventLoop;
              }

              void writeEventsIfPossible() {
                while (!events.isEmpty() && channel.isWritable()) {
                  channel.write(events.poll());
                }
              }

              void send(String event) throws InterruptedException {
                events.put(event);
                eventLoop.submit(this::writeEventsIfPossible);
              }
            }
            """)
        .expectUnchanged()
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * The consumer is an iterator whose {@code hasNext()} loops until an element arrives: it returns
   * once per element to a holder that decides when to stop, so a flag set in a finally around it
   * would stop the producer after the first element. No consumers-gone flag is offered (the
   * iterator has no lifecycle to hold a closed flag either).
   */
  @Test
  void iteratorWhoseHasNextWaitsInALoopGetsNoConsumersGoneFlag() {
    helper
        .addInputLines(
            "ScanTasks.java",
            """
            import java.util.Iterator;
            import java.util.NoSuchElementException;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.TimeUnit;

            class ScanTasks implements Iterator<String> {
              private static final String END = "";
              private final BlockingQueue<String> tasks = new ArrayBlockingQueue<>(16);
              private String next;

              ScanTasks(Iterable<String> plan) {
                Thread planner =
                    new Thread(
                        () -> {
                          try {
                            for (String task : plan) {
                              tasks.put(task);
                            }
                            tasks.put(END);
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        });
                planner.setDaemon(true);
                planner.start();
              }

              @Override
              public boolean hasNext() {
                if (next != null) {
                  return next != END;
                }
                boolean found = false;
                while (!Thread.currentThread().isInterrupted()) {
                  try {
                    next = tasks.poll(100, TimeUnit.MILLISECONDS);
                    if (next != null) {
                      found = next != END;
                      break;
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
                return found;
              }

              @Override
              public String next() {
                if (!hasNext()) {
                  throw new NoSuchElementException();
                }
                String task = next;
                next = null;
                return task;
              }
            }
            """)
        .expectUnchanged()
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * The owner's close() is empty: a holder calls it to stop, and it stops nothing. The fix gives it
   * the closed flag, which the producer's retry loop tests between timed offers.
   */
  @Test
  void replacementEmptyCloseSetsTheClosedFlag() {
    helper
        .addInputLines(
            "RowPrefetcher.java",
            """
            import java.io.Closeable;
            import java.util.Iterator;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.TimeUnit;

            class RowPrefetcher implements Closeable {
              private final BlockingQueue<String> rows = new ArrayBlockingQueue<>(32);

              RowPrefetcher(Iterator<String> source, ExecutorService pool) {
                pool.execute(
                    () -> {
                      while (source.hasNext()) {
                        String row = source.next();
                        try {
                          while (!rows.offer(row, 100, TimeUnit.MILLISECONDS)) {
                            Thread.onSpinWait();
                          }
                        } catch (InterruptedException e) {
                          return;
                        }
                      }
                    });
              }

              String nextRow() throws InterruptedException {
                return rows.take();
              }

              @Override
              public void close() {}
            }
            """)
        .addOutputLines(
            "RowPrefetcher.java",
            """
            import java.io.Closeable;
            import java.util.Iterator;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.TimeUnit;

            class RowPrefetcher implements Closeable {
              private final BlockingQueue<String> rows = new ArrayBlockingQueue<>(32);

              /** Set once nothing will take from 'rows' any more: producers stop offering. */
              private volatile boolean rowsClosed;

              RowPrefetcher(Iterator<String> source, ExecutorService pool) {
                pool.execute(
                    () -> {
                      while (source.hasNext()) {
                        String row = source.next();
                        try {
                          while (!rows.offer(row, 100, TimeUnit.MILLISECONDS)) {
                            if (rowsClosed) {
                              return;
                            }
                            Thread.onSpinWait();
                          }
                        } catch (InterruptedException e) {
                          return;
                        }
                      }
                    });
              }

              String nextRow() throws InterruptedException {
                return rows.take();
              }

              @Override
              public void close() {
                rowsClosed = true;
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }
}
