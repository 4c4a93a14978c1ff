package io.leakedproducer.checker;

import static io.leakedproducer.checker.ShipperSource.leaky;
import static io.leakedproducer.checker.ShipperSource.of;
import static io.leakedproducer.checker.ShipperSource.safe;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * Every cancellation path the specification names, each next to the look-alike that does not
 * cancel.
 */
final class CancellationPathsTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  /** A consumer that gives up on the first failed send. */
  private static final String GIVES_UP =
      """
      try {
        while (true) {
          String line = outbox.take();
          if (!send(line)) {
            return "rejected";
          }
        }
      } finally {
        %s
      }
      """;

  private static final String LEAK =
      "every consumer can stop taking (line 29: send() can throw IOException out of the take loop)";

  private void check(String source) {
    helper.addSourceLines("Shipper.java", source).doTest();
  }

  @Test
  void negativeFutureCancelTrue() {
    check(safe(GIVES_UP.formatted("producer.cancel(true);")));
  }

  @Test
  void identificationFutureCancelFalse() {
    check(leaky(GIVES_UP.formatted("producer.cancel(false);"), LEAK));
  }

  @Test
  void negativeShutdownNow() {
    check(safe(GIVES_UP.formatted("pool.shutdownNow();")));
  }

  @Test
  void identificationShutdownDoesNotInterrupt() {
    check(leaky(GIVES_UP.formatted("pool.shutdown();"), LEAK));
  }

  @Test
  void identificationShutdownNowOfAnotherExecutor() {
    check(
        leaky(
            GIVES_UP.formatted(
                "ExecutorService other = Executors.newCachedThreadPool();\nother.shutdownNow();"),
            LEAK));
  }

  @Test
  void identificationInterruptingTheConsumerItself() {
    check(leaky(GIVES_UP.formatted("Thread.currentThread().interrupt();"), LEAK));
  }

  @Test
  void negativeFuturesCollectionCancelled() {
    check(
        of(
            "BlockingQueue<String> outbox = new ArrayBlockingQueue<>(16);\nList<Future<?>> tasks = new ArrayList<>();",
            "//",
            "outbox.put(line);",
            """
            tasks.add(pool.submit(() -> {
              while (true) {
                if (!send(outbox.take())) {
                  return null;
                }
              }
            }));
            tasks.add(producer);
            try {
              for (Future<?> t : tasks) {
                t.get();
              }
            } finally {
              for (Future<?> t : tasks) {
                t.cancel(true);
              }
            }
            """));
  }

  @Test
  void identificationProducerSwallowsInterrupt() {
    check(
        of(
            "BlockingQueue<String> outbox = new ArrayBlockingQueue<>(16);",
            "// BUG: Diagnostic contains: reaches it, but it catches the InterruptedException and"
                + " goes on inserting",
            "try { outbox.put(line); } catch (InterruptedException e) { log(e); }\nThread.sleep(0);",
            GIVES_UP.formatted("producer.cancel(true);")));
  }

  /**
   * Two cancels of the producer: one only when a warm-up check fails, before the take loop, and one
   * in the consumer's finally. The message names the one on the consumers' way out, which the
   * producer swallows, not the first in the text.
   */
  @Test
  void identificationNamesTheInterruptOnTheConsumersWayOut() {
    check(
        of(
            "BlockingQueue<String> outbox = new ArrayBlockingQueue<>(16);",
            "// BUG: Diagnostic contains: the cancel() at line 39 reaches it, but it catches the"
                + " InterruptedException and goes on inserting",
            "try { outbox.put(line); } catch (InterruptedException e) { log(e); }\nThread.sleep(0);",
            "if (!send(\"warm-up\")) {\n  producer.cancel(true);\n  return \"offline\";\n}\n"
                + GIVES_UP.formatted("producer.cancel(true);")));
  }

  @Test
  void negativeProducerRestoresInterruptAndLeaves() {
    check(
        of(
            "BlockingQueue<String> outbox = new ArrayBlockingQueue<>(16);",
            "//",
            "try { outbox.put(line); } catch (InterruptedException e) { Thread.currentThread().interrupt(); return; }\nThread.sleep(0);",
            GIVES_UP.formatted("producer.cancel(true);")));
  }

  @Test
  void negativeStopFlagBetweenTimedOffers() {
    check(
        of(
            "BlockingQueue<String> outbox = new ArrayBlockingQueue<>(16);\nAtomicBoolean consumerGone = new AtomicBoolean();",
            "//",
            "while (!outbox.offer(line, 50, TimeUnit.MILLISECONDS)) { if (consumerGone.get()) { return; } }",
            GIVES_UP.formatted("consumerGone.set(true);")));
  }

  @Test
  void identificationStopFlagBetweenPlainPuts() {
    check(
        of(
            "BlockingQueue<String> outbox = new ArrayBlockingQueue<>(16);\nAtomicBoolean consumerGone = new AtomicBoolean();",
            "// BUG: Diagnostic contains: put() on 'outbox'",
            "if (consumerGone.get()) { return; } outbox.put(line);",
            GIVES_UP.formatted("consumerGone.set(true);")));
  }

  @Test
  void identificationStopFlagThatNobodySets() {
    check(
        of(
            "BlockingQueue<String> outbox = new ArrayBlockingQueue<>(16);\nfinal boolean stop = false;",
            "// BUG: Diagnostic contains: a retry loop around offer() that never checks for cancellation",
            "while (!outbox.offer(line, 50, TimeUnit.MILLISECONDS)) { if (stop) { return; } }",
            GIVES_UP.formatted("log(null);")));
  }

  @Test
  void negativeLatchCountedDownOnConsumerExit() {
    check(
        of(
            "BlockingQueue<String> outbox = new ArrayBlockingQueue<>(16);\nCountDownLatch consumerExited = new CountDownLatch(1);",
            "//",
            "while (!outbox.offer(line, 50, TimeUnit.MILLISECONDS)) { if (consumerExited.getCount() == 0) { return; } }",
            GIVES_UP.formatted("consumerExited.countDown();")));
  }

  @Test
  void negativeDrainUntilProducerDoneInFinally() {
    check(
        safe(
            GIVES_UP.formatted(
                "while (!producer.isDone()) { outbox.poll(10, TimeUnit.MILLISECONDS); }")));
  }

  @Test
  void identificationOneTimeClearInFinally() {
    check(leaky(GIVES_UP.formatted("outbox.clear();"), LEAK));
  }

  @Test
  void identificationDrainWhileNotEmptyIsNotEnough() {
    check(leaky(GIVES_UP.formatted("while (outbox.poll() != null) { log(null); }"), LEAK));
  }

  @Test
  void negativeCapacityCoversEveryElement() {
    check(
        of(
            "BlockingQueue<String> outbox = new ArrayBlockingQueue<>(lines.size());",
            "//",
            "outbox.put(line);",
            GIVES_UP.formatted("log(null);")));
  }

  @Test
  void negativeCapacityCoversElementsAndPill() {
    check(
        of(
            "BlockingQueue<String> outbox = new ArrayBlockingQueue<>(lines.size() + 1);",
            "//",
            "outbox.put(line);",
            "outbox.put(EOF);\n" + GIVES_UP.formatted("log(null);")));
  }

  @Test
  void identificationCapacityOneShortOfThePill() {
    check(
        of(
            "BlockingQueue<String> outbox = new ArrayBlockingQueue<>(lines.size());",
            "// BUG: Diagnostic contains: put() on 'outbox' (new ArrayBlockingQueue<>(lines.size()))",
            "outbox.put(line);",
            "// BUG: Diagnostic contains: the calling thread can block forever in put() on 'outbox'"
                + " (new ArrayBlockingQueue<>(lines.size())): its only taker is this same thread"
                + " (line 30), which does not take while it waits\n"
                + "outbox.put(EOF);\n"
                + GIVES_UP.formatted("log(null);")));
  }

  @Test
  void negativeTimedInvokeAll() {
    helper
        .addSourceLines(
            "Importer.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class Importer {
              void importAll(List<String> rows, ExecutorService pool) throws InterruptedException {
                BlockingQueue<String> staged = new ArrayBlockingQueue<>(4);
                Callable<Void> reader = () -> {
                  for (String row : rows) {
                    staged.put(row);
                  }
                  return null;
                };
                Callable<Void> writer = () -> {
                  while (true) {
                    if (staged.take().isEmpty()) {
                      return null;
                    }
                  }
                };
                pool.invokeAll(List.of(reader, writer), 30, TimeUnit.SECONDS);
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationInvokeAllWithoutTimeout() {
    helper
        .addSourceLines(
            "Importer.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class Importer {
              void importAll(List<String> rows, ExecutorService pool) throws InterruptedException {
                BlockingQueue<String> staged = new ArrayBlockingQueue<>(4);
                Callable<Void> reader = () -> {
                  for (String row : rows) {
                    // BUG: Diagnostic contains: put() on 'staged' (new ArrayBlockingQueue<>(4)): every consumer can stop taking (line 17: return after a matching element)
                    staged.put(row);
                  }
                  return null;
                };
                Callable<Void> writer = () -> {
                  while (true) {
                    if (staged.take().isEmpty()) {
                      return null;
                    }
                  }
                };
                pool.invokeAll(List.of(reader, writer));
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeThreadInterruptedAfterJoin() {
    helper
        .addSourceLines(
            "Tailer.java",
            """
            import java.io.BufferedReader;
            import java.io.IOException;
            import java.util.concurrent.*;

            class Tailer {
              void tail(BufferedReader in) throws InterruptedException {
                BlockingQueue<String> lines = new ArrayBlockingQueue<>(100);
                Thread reader = new Thread(() -> {
                  try {
                    String line;
                    while ((line = in.readLine()) != null) {
                      lines.put(line);
                    }
                  } catch (IOException | InterruptedException e) {
                    return;
                  }
                });
                reader.start();
                Thread printer = new Thread(() -> {
                  try {
                    while (print(lines.take())) {
                      System.out.println("tail");
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                printer.start();
                printer.join();
                reader.interrupt();
              }

              boolean print(String line) {
                return !line.isEmpty();
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationThreadNeverInterrupted() {
    helper
        .addSourceLines(
            "Tailer.java",
            """
            import java.io.BufferedReader;
            import java.io.IOException;
            import java.util.concurrent.*;

            class Tailer {
              void tail(BufferedReader in) throws InterruptedException {
                BlockingQueue<String> lines = new ArrayBlockingQueue<>(100);
                Thread reader = new Thread(() -> {
                  try {
                    String line;
                    while ((line = in.readLine()) != null) {
                      // BUG: Diagnostic contains: put() on 'lines' (new ArrayBlockingQueue<>(100)): every consumer can stop taking (line 22: leaves the take loop when its condition on an element is false)
                      lines.put(line);
                    }
                  } catch (IOException | InterruptedException e) {
                    return;
                  }
                });
                reader.start();
                Thread printer = new Thread(() -> {
                  try {
                    while (print(lines.take())) {
                      System.out.println("tail");
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                printer.start();
                printer.join();
              }

              boolean print(String line) {
                return !line.isEmpty();
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeSuppressed() {
    helper
        .addSourceLines(
            "Tailer.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class Tailer {
              @SuppressWarnings("LeakedProducer") // the caller always interrupts the whole thread group
              void tail(List<String> in) throws InterruptedException {
                BlockingQueue<String> lines = new ArrayBlockingQueue<>(1);
                new Thread(() -> {
                  try {
                    for (String line : in) {
                      lines.put(line);
                    }
                  } catch (InterruptedException e) {
                    return;
                  }
                }).start();
                lines.take();
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationForkJoinTaskCancelDoesNotInterrupt() {
    helper
        .addSourceLines(
            "Resizer.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class Resizer {
              void resize(List<byte[]> images, ForkJoinPool pool) throws InterruptedException {
                BlockingQueue<byte[]> resized = new ArrayBlockingQueue<>(2);
                ForkJoinTask<?> producer = pool.submit(() -> {
                  try {
                    for (byte[] image : images) {
                      // BUG: Diagnostic contains: put() on 'resized'
                      resized.put(image);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                try {
                  while (resized.take().length > 0) {
                    System.out.println("stored");
                  }
                } finally {
                  producer.cancel(true);
                }
              }
            }
            """)
        .doTest();
  }
}
