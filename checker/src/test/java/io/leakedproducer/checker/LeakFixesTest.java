package io.leakedproducer.checker;

import com.google.errorprone.BugCheckerRefactoringTestHelper;
import com.google.errorprone.BugCheckerRefactoringTestHelper.FixChoosers;
import com.google.errorprone.BugCheckerRefactoringTestHelper.TestMode;
import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/** The plain-Java fix: consumers count themselves out, the producer stops when none is left. */
final class LeakFixesTest {
  /** A purge fan-out: a local bounded queue, one producer task, {@code workers} consumer tasks. */
  static final String PURGER =
      """
            import java.util.List;
            import java.util.concurrent.*;

            class Purger {
              void purge(List<String> keys, int workers, ExecutorService pool) {
                BlockingQueue<String> toPurge = new ArrayBlockingQueue<>(2 * workers);
                pool.execute(() -> {
                  try {
                    for (String key : keys) {
                      toPurge.put(key);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                for (int w = 0; w < workers; w++) {
                  pool.execute(() -> {
                    try {
                      while (true) {
                        String key = toPurge.take();
                        if (key.isEmpty()) {
                          return;
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
                }
              }
            }
            """;

  /**
   * {@link #PURGER} after the runtime-backed fix, the first one when the runtime is on the
   * classpath.
   */
  static final String PURGER_WITH_CANCELLABLE_QUEUE =
      """
            import io.leakedproducer.runtime.CancellableBoundedQueue;
            import io.leakedproducer.runtime.QueueAbandonedException;
            import java.util.List;
            import java.util.concurrent.*;

            class Purger {
              void purge(List<String> keys, int workers, ExecutorService pool) {
                CancellableBoundedQueue<String> toPurge = new CancellableBoundedQueue<>(2 * workers, workers);
                pool.execute(() -> {
                  try {
                    for (String key : keys) {
                      try {
                        toPurge.put(key);
                      } catch (QueueAbandonedException abandonedBy) {
                        return;
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                for (int w = 0; w < workers; w++) {
                  pool.execute(() -> {
                    try (var registration = toPurge.registerConsumer()) {
                      try {
                        while (true) {
                          String key = toPurge.take();
                          if (key.isEmpty()) {
                            return;
                          }
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }
                  });
                }
              }
            }
            """;

  private final BugCheckerRefactoringTestHelper helper =
      BugCheckerRefactoringTestHelper.newInstance(LeakedProducer.class, getClass());

  /** The runtime is on this test's classpath, so the plain-Java fix is the second one. */
  @Test
  void replacementConsumerCount() {
    helper
        .setFixChooser(FixChoosers.SECOND)
        .addInputLines(
            "DeleteCollection.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.CountDownLatch;
            import java.util.function.Consumer;

            class DeleteCollection {
              static final int DONE = -1;

              static <T> void deleteCollection(List<T> items, int workers, Consumer<T> delete) throws InterruptedException {
                BlockingQueue<Integer> toProcess = new ArrayBlockingQueue<>(2 * workers);
                new Thread(() -> {
                  try {
                    for (int i = 0; i < items.size(); i++) {
                      toProcess.put(i);
                    }
                    for (int w = 0; w < workers; w++) {
                      toProcess.put(DONE);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }).start();
                CountDownLatch wg = new CountDownLatch(workers);
                for (int w = 0; w < workers; w++) {
                  new Thread(() -> {
                    try {
                      while (true) {
                        int index = toProcess.take();
                        if (index == DONE) {
                          return;
                        }
                        try {
                          delete.accept(items.get(index));
                        } catch (RuntimeException e) {
                          return;
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    } finally {
                      wg.countDown();
                    }
                  }).start();
                }
                wg.await();
              }
            }
            """)
        .addOutputLines(
            "DeleteCollection.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.CountDownLatch;
            import java.util.concurrent.TimeUnit;
            import java.util.concurrent.atomic.AtomicInteger;
            import java.util.function.Consumer;

            class DeleteCollection {
              static final int DONE = -1;

              static <T> void deleteCollection(List<T> items, int workers, Consumer<T> delete) throws InterruptedException {
                BlockingQueue<Integer> toProcess = new ArrayBlockingQueue<>(2 * workers);
                AtomicInteger consumersLeft = new AtomicInteger(workers);
                new Thread(() -> {
                  try {
                    for (int i = 0; i < items.size(); i++) {
                      while (!toProcess.offer(i, 10, TimeUnit.MILLISECONDS)) {
                        if (consumersLeft.get() == 0) {
                          return;
                        }
                      }
                    }
                    for (int w = 0; w < workers; w++) {
                      while (!toProcess.offer(DONE, 10, TimeUnit.MILLISECONDS)) {
                        if (consumersLeft.get() == 0) {
                          return;
                        }
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }).start();
                CountDownLatch wg = new CountDownLatch(workers);
                for (int w = 0; w < workers; w++) {
                  new Thread(() -> {
                    try {
                      try {
                        while (true) {
                          int index = toProcess.take();
                          if (index == DONE) {
                            return;
                          }
                          try {
                            delete.accept(items.get(index));
                          } catch (RuntimeException e) {
                            return;
                          }
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      } finally {
                        wg.countDown();
                      }
                    } finally {
                      consumersLeft.decrementAndGet();
                    }
                  }).start();
                }
                wg.await();
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * The end marker put in a finally leaves its offer loop with break: a return or throw in a
   * finally would replace what the try block threw (Error Prone's Finally).
   */
  @Test
  void replacementEndMarkerInAFinallyLeavesTheOfferLoop() {
    helper
        .setFixChooser(FixChoosers.SECOND)
        .addInputLines(
            "LogTail.java",
            """
            import java.util.concurrent.*;

            class LogTail {
              String firstError(int lines, ExecutorService pool) throws Exception {
                BlockingQueue<String> matches = new ArrayBlockingQueue<>(2);
                pool.submit(() -> {
                  try {
                    for (int i = 0; i < lines; i++) {
                      matches.put("line " + i);
                    }
                  } finally {
                    matches.put("<eof>");
                  }
                  return null;
                });
                while (true) {
                  String line = matches.take();
                  if (line.equals("<eof>") || line.startsWith("ERROR")) {
                    return line;
                  }
                }
              }
            }
            """)
        .addOutputLines(
            "LogTail.java",
            """
            import java.util.concurrent.*;
            import java.util.concurrent.atomic.AtomicInteger;

            class LogTail {
              String firstError(int lines, ExecutorService pool) throws Exception {
                BlockingQueue<String> matches = new ArrayBlockingQueue<>(2);
                AtomicInteger consumersLeft = new AtomicInteger(1);
                pool.submit(() -> {
                  try {
                    for (int i = 0; i < lines; i++) {
                      String element = "line " + i;
                      while (!matches.offer(element, 10, TimeUnit.MILLISECONDS)) {
                        if (consumersLeft.get() == 0) {
                          throw new CancellationException("every consumer has stopped taking");
                        }
                      }
                    }
                  } finally {
                    while (!matches.offer("<eof>", 10, TimeUnit.MILLISECONDS)) {
                      if (consumersLeft.get() == 0) {
                        break;
                      }
                    }
                  }
                  return null;
                });
                try {
                  while (true) {
                    String line = matches.take();
                    if (line.equals("<eof>") || line.startsWith("ERROR")) {
                      return line;
                    }
                  }
                } finally {
                  consumersLeft.decrementAndGet();
                }
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * A Callable consumer written as an expression lambda keeps returning its value; a
   * SynchronousQueue producer offers instead of putting.
   */
  @Test
  void replacementExpressionLambdaCallableConsumer() {
    helper
        .addInputLines(
            "TickerTape.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class TickerTape {
              double firstQuote(List<Double> quotes, ExecutorService pool) throws Exception {
                BlockingQueue<Double> ticks = new SynchronousQueue<>();
                pool.execute(() -> {
                  try {
                    for (Double q : quotes) {
                      ticks.put(q);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                Future<Double> first = pool.submit(() -> ticks.take());
                return first.get();
              }
            }
            """)
        .addOutputLines(
            "TickerTape.java",
            """
            import java.util.List;
            import java.util.concurrent.*;
            import java.util.concurrent.atomic.AtomicInteger;

            class TickerTape {
              double firstQuote(List<Double> quotes, ExecutorService pool) throws Exception {
                BlockingQueue<Double> ticks = new SynchronousQueue<>();
                AtomicInteger consumersLeft = new AtomicInteger(1);
                pool.execute(() -> {
                  try {
                    for (Double q : quotes) {
                      while (!ticks.offer(q, 10, TimeUnit.MILLISECONDS)) {
                        if (consumersLeft.get() == 0) {
                          return;
                        }
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                Future<Double> first = pool.submit(() -> {
                  try {
                    return ticks.take();
                  } finally {
                    consumersLeft.decrementAndGet();
                  }
                });
                return first.get();
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * An anonymous Runnable consumer gets a finally; the caller, which produces in a void method,
   * returns; transfer becomes tryTransfer.
   */
  @Test
  void replacementAnonymousConsumerAndCallerProducer() {
    helper
        .addInputLines(
            "LedgerWriter.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class LedgerWriter {
              void write(List<String> entries, ExecutorService pool) throws InterruptedException {
                TransferQueue<String> journal = new LinkedTransferQueue<>();
                pool.execute(new Runnable() {
                  @Override
                  public void run() {
                    try {
                      while (true) {
                        String entry = journal.take();
                        Integer.parseInt(entry);
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                });
                for (String entry : entries) {
                  journal.transfer(entry);
                }
              }
            }
            """)
        .addOutputLines(
            "LedgerWriter.java",
            """
            import java.util.List;
            import java.util.concurrent.*;
            import java.util.concurrent.atomic.AtomicInteger;

            class LedgerWriter {
              void write(List<String> entries, ExecutorService pool) throws InterruptedException {
                TransferQueue<String> journal = new LinkedTransferQueue<>();
                AtomicInteger consumersLeft = new AtomicInteger(1);
                pool.execute(new Runnable() {
                  @Override
                  public void run() {
                    try {
                      try {
                        while (true) {
                          String entry = journal.take();
                          Integer.parseInt(entry);
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    } finally {
                      consumersLeft.decrementAndGet();
                    }
                  }
                });
                for (String entry : entries) {
                  while (!journal.tryTransfer(entry, 10, TimeUnit.MILLISECONDS)) {
                    if (consumersLeft.get() == 0) {
                      return;
                    }
                  }
                }
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * The caller consumes until a match: it counts itself out as soon as it leaves its take loop; a
   * timed-offer retry loop gains the check.
   */
  @Test
  void replacementCallerConsumerAndTimedOfferRetry() {
    helper
        .addInputLines(
            "Crawler.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class Crawler {
              String findSitemap(List<String> seeds, ExecutorService pool) throws InterruptedException {
                BlockingDeque<String> frontier = new LinkedBlockingDeque<>(4);
                pool.execute(() -> {
                  try {
                    for (String seed : seeds) {
                      while (!frontier.offerLast(seed + "/robots.txt", 1, TimeUnit.SECONDS)) {
                        System.err.println("frontier full");
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                String found = null;
                while (found == null) {
                  String url = frontier.takeFirst();
                  if (url.contains("sitemap")) {
                    found = url;
                  }
                }
                return found;
              }
            }
            """)
        .addOutputLines(
            "Crawler.java",
            """
            import java.util.List;
            import java.util.concurrent.*;
            import java.util.concurrent.atomic.AtomicInteger;

            class Crawler {
              String findSitemap(List<String> seeds, ExecutorService pool) throws InterruptedException {
                BlockingDeque<String> frontier = new LinkedBlockingDeque<>(4);
                AtomicInteger consumersLeft = new AtomicInteger(1);
                pool.execute(() -> {
                  try {
                    for (String seed : seeds) {
                      while (!frontier.offerLast(seed + "/robots.txt", 1, TimeUnit.SECONDS)) {
                        if (consumersLeft.get() == 0) {
                          return;
                        }
                        System.err.println("frontier full");
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                String found = null;
                try {
                  while (found == null) {
                    String url = frontier.takeFirst();
                    if (url.contains("sitemap")) {
                      found = url;
                    }
                  }
                } finally {
                  consumersLeft.decrementAndGet();
                }
                return found;
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /** With the runtime on the classpath, the first fix swaps in the cancellable queue. */
  @Test
  void replacementRuntimeFixFirst() {
    helper
        .addInputLines("Purger.java", PURGER)
        .addOutputLines("Purger.java", PURGER_WITH_CANCELLABLE_QUEUE)
        .doTest(TestMode.TEXT_MATCH);
  }

  @Test
  void runtimeFixOfferedOnlyWhenTheRuntimeIsOnTheClasspath() {
    CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
        .addSourceLines(
            "Purger.java",
            PURGER.replace(
                "toPurge.put(key);", "// BUG: Diagnostic matches: RUNTIME\ntoPurge.put(key);"))
        .expectErrorMessage(
            "RUNTIME",
            m -> m.contains(LeakedProducer.RUNTIME_FIX_FIRST + LeakedProducer.PLAIN_FIX_SECOND))
        .doTest();
    CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
        .withClasspath(LeakFixesTest.class)
        .addSourceLines(
            "Purger.java",
            PURGER.replace(
                "toPurge.put(key);", "// BUG: Diagnostic matches: PLAIN\ntoPurge.put(key);"))
        .expectErrorMessage(
            "PLAIN",
            m -> m.contains(LeakedProducer.FIX_OFFERED) && !m.contains("CancellableBoundedQueue"))
        .doTest();
  }

  /**
   * A queue handed in as a parameter (reported with UnknownQueuesBounded=true): the counter opens
   * the method body.
   */
  @Test
  void replacementQueueParameter() {
    BugCheckerRefactoringTestHelper.newInstance(LeakedProducer.class, getClass())
        .setArgs("-XepOpt:LeakedProducer:UnknownQueuesBounded=true")
        .addInputLines(
            "Drain.java",
            """
            import java.util.List;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;

            class Drain {
              void feed(BlockingQueue<String> sink, List<String> rows, ExecutorService pool) throws InterruptedException {
                pool.execute(() -> {
                  try {
                    for (String row : rows) {
                      sink.put(row);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                while (true) {
                  if (sink.take().isEmpty()) {
                    return;
                  }
                }
              }
            }
            """)
        .addOutputLines(
            "Drain.java",
            """
            import java.util.List;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.TimeUnit;
            import java.util.concurrent.atomic.AtomicInteger;

            class Drain {
              void feed(BlockingQueue<String> sink, List<String> rows, ExecutorService pool) throws InterruptedException {
                AtomicInteger consumersLeft = new AtomicInteger(1);
                pool.execute(() -> {
                  try {
                    for (String row : rows) {
                      while (!sink.offer(row, 10, TimeUnit.MILLISECONDS)) {
                        if (consumersLeft.get() == 0) {
                          return;
                        }
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                try {
                  while (true) {
                    if (sink.take().isEmpty()) {
                      return;
                    }
                  }
                } finally {
                  consumersLeft.decrementAndGet();
                }
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }
}
