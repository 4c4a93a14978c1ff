package io.leakedproducer.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.errorprone.CompilationTestHelper;
import com.google.errorprone.ErrorProneFlags;
import org.junit.jupiter.api.Test;

/**
 * Consumers that die of an exception thrown somewhere their take loop reaches (a callee, an
 * override, a handler passed in, the loop condition), each next to the same service made to survive
 * it, and what each {@code -XepOpt:LeakedProducer:ConsumerDeath} level adds. Every compilation runs
 * the check in strict mode.
 */
final class ConsumerDeathTest {
  private static final String STRICT = "-XepOpt:LeakedProducer:Strict=true";

  private CompilationTestHelper helper(String... levelFlags) {
    String[] args = new String[levelFlags.length + 1];
    args[0] = STRICT;
    System.arraycopy(levelFlags, 0, args, 1, levelFlags.length);
    return CompilationTestHelper.newInstance(LeakedProducer.class, getClass()).setArgs(args);
  }

  private static String level(String name) {
    return "-XepOpt:LeakedProducer:ConsumerDeath=" + name;
  }

  /**
   * An async log writer: request threads put lines, one writer thread appends them through the
   * appender it was given. {@code appenderBody} is the body of the appender implemented in this
   * file, {@code loopBody} the writer's loop body (it takes into {@code line}).
   */
  private static String asyncLogWriter(String marker, String appenderBody, String loopBody) {
    return """
    import java.util.concurrent.*;
    import java.util.concurrent.atomic.AtomicLong;

    class AsyncLogWriter {
      interface Appender {
        void append(String line);
      }

      static final class RollingFileAppender implements Appender {
        private volatile boolean closed;

        @Override
        public void append(String line) {
          %s
        }

        void close() {
          closed = true;
        }
      }

      private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(256);
      private final AtomicLong dropped = new AtomicLong();
      private final Appender appender;

      AsyncLogWriter(Appender appender) {
        this.appender = appender;
        Thread writer = new Thread(this::drain, "log-writer");
        writer.setDaemon(true);
        writer.start();
      }

      void log(String line) throws InterruptedException {
        %s
        lines.put(line);
      }

      private void drain() {
        try {
          while (true) {
            String line = lines.take();
            %s
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    """
        .formatted(appenderBody, marker, loopBody);
  }

  private static final String THROWING_APPENDER =
      """
      if (closed) {
                throw new IllegalStateException("appender closed");
              }
      """;

  @Test
  void identificationOverrideInTheUnitThrows() {
    helper()
        .addSourceLines(
            "AsyncLogWriter.java",
            asyncLogWriter(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 45:"
                    + " RollingFileAppender.append() can throw IllegalStateException (line 15) out"
                    + " of the take loop)",
                THROWING_APPENDER,
                "appender.append(line);"))
        .doTest();
  }

  @Test
  void negativeCatchThrowableAndContinue() {
    // Survives under every level, BROAD included: nothing escapes a catch (Throwable).
    for (String level : new String[] {"STRICT", "CALLBACKS", "BROAD"}) {
      helper(level(level))
          .addSourceLines(
              "AsyncLogWriter.java",
              asyncLogWriter(
                  "//",
                  THROWING_APPENDER,
                  """
                  try {
                            appender.append(line);
                          } catch (Throwable t) {
                            dropped.incrementAndGet(); // keep draining: callers must not block
                          }
                  """))
          .doTest();
    }
  }

  @Test
  void negativeInterruptionIsACancellation() {
    // The only exceptions out of the loop are InterruptedException: someone is cancelling it.
    for (String level : new String[] {"STRICT", "CALLBACKS"}) {
      helper(level(level))
          .addSourceLines(
              "ThrottledWriter.java",
              """
              import java.util.concurrent.*;

              class ThrottledWriter {
                private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(256);
                private final Semaphore permits = new Semaphore(10);

                void start(ExecutorService pool) {
                  pool.execute(this::drain);
                }

                void log(String line) throws InterruptedException {
                  lines.put(line);
                }

                private void drain() {
                  try {
                    while (true) {
                      write(lines.take());
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }

                private void write(String line) throws InterruptedException {
                  if (Thread.interrupted()) {
                    throw new InterruptedException("writer cancelled");
                  }
                  permits.acquire();
                  try {
                    System.out.println(line);
                  } finally {
                    permits.release();
                  }
                }
              }
              """)
          .doTest();
    }
  }

  /** An indexer whose worker calls a helper that fails three calls deep. */
  private static String invoiceIndexer(String marker, String amountOfBody) {
    return """
    import java.util.concurrent.*;

    class InvoiceIndexer {
      record Invoice(String id, long cents) {}

      private final BlockingQueue<Invoice> pending = new LinkedBlockingQueue<>(64);
      private final ExecutorService workers = Executors.newFixedThreadPool(2);
      private long totalCents;

      void start() {
        for (int i = 0; i < 2; i++) {
          workers.execute(this::indexLoop);
        }
      }

      void submit(Invoice invoice) throws InterruptedException {
        %s
        pending.put(invoice);
      }

      private void indexLoop() {
        try {
          while (true) {
            index(pending.take());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      private void index(Invoice invoice) {
        synchronized (this) {
          totalCents += amountOf(invoice);
        }
      }

      private long amountOf(Invoice invoice) {
        %s
      }

      private Invoice validated(Invoice invoice) {
        if (invoice.cents() < 0) {
          throw new IllegalStateException("negative amount in invoice " + invoice.id());
        }
        return invoice;
      }

      void close() {
        workers.shutdown();
      }
    }
    """
        .formatted(marker, amountOfBody);
  }

  @Test
  void identificationHelperThrowsThreeCallsDeep() {
    helper()
        .addSourceLines(
            "InvoiceIndexer.java",
            invoiceIndexer(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 24:"
                    + " InvoiceIndexer.validated() can throw IllegalStateException (line 43) out of"
                    + " the take loop)",
                "return validated(invoice).cents();"))
        .doTest();
  }

  @Test
  void negativeExceptionCaughtInTheCallee() {
    helper()
        .addSourceLines(
            "InvoiceIndexer.java",
            invoiceIndexer(
                "//",
                """
                try {
                      return validated(invoice).cents();
                    } catch (IllegalStateException e) {
                      return 0; // a bad invoice is counted as zero, the worker keeps going
                    }
                """))
        .doTest();
  }

  @Test
  void identificationHandlerLambdaThrows() {
    helper()
        .addSourceLines(
            "OrderEvents.java",
            """
            import java.util.concurrent.*;
            import java.util.function.Consumer;

            class OrderEvents {
              private final BlockingQueue<String> events = new ArrayBlockingQueue<>(32);
              private final Consumer<String> handler;

              OrderEvents(Consumer<String> handler) {
                this.handler = handler;
                new Thread(this::dispatchLoop, "order-events").start();
              }

              static OrderEvents forWarehouse() {
                return new OrderEvents(event -> {
                  if (event.isBlank()) {
                    throw new IllegalArgumentException("empty order event");
                  }
                });
              }

              void publish(String event) throws InterruptedException {
                // BUG: Diagnostic contains: every consumer can stop taking (line 29: Consumer.accept() can throw IllegalArgumentException (line 16) out of the take loop)
                events.put(event);
              }

              private void dispatchLoop() {
                try {
                  while (true) {
                    handler.accept(events.take());
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationLoopConditionThrows() {
    helper()
        .addSourceLines(
            "QuotaUploader.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class QuotaUploader {
              private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(8);
              private volatile long bytesLeft = 1 << 20;

              void upload(List<byte[]> parts, ExecutorService pool) throws InterruptedException {
                pool.execute(this::sendLoop);
                for (byte[] part : parts) {
                  // BUG: Diagnostic contains: every consumer can stop taking (line 18: QuotaUploader.withinQuota() can throw IllegalStateException (line 28) out of the take loop)
                  chunks.put(part);
                }
              }

              private void sendLoop() {
                try {
                  while (withinQuota()) {
                    send(chunks.take());
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              private boolean withinQuota() {
                if (bytesLeft < 0) {
                  throw new IllegalStateException("upload quota exceeded");
                }
                return true;
              }

              private void send(byte[] chunk) {
                bytesLeft -= chunk.length;
              }
            }
            """)
        .doTest();
  }

  /** A metrics exporter whose whole loop sits in a try; {@code handler} is what its catch does. */
  private static String metricsExporter(String marker, String handler) {
    return """
    import java.util.concurrent.*;

    class MetricsExporter {
      record Sample(String name, double value) {}

      private final BlockingQueue<Sample> samples = new ArrayBlockingQueue<>(128);
      private final StringBuilder wire = new StringBuilder();
      private volatile boolean running = true;

      void start(ExecutorService pool) {
        pool.execute(this::exportLoop);
      }

      void record(Sample sample) throws InterruptedException {
        %s
        samples.put(sample);
      }

      private void exportLoop() {
        while (running) {
          try {
            while (true) {
              wire.append(encode(samples.take()));
            }
          } catch (InterruptedException e) {
            return;
          } catch (Exception e) {
            %s
          }
        }
      }

      private String encode(Sample sample) {
        if (Double.isNaN(sample.value())) {
          throw new IllegalArgumentException("NaN sample " + sample.name());
        }
        return sample.name() + " " + sample.value() + "\\n";
      }
    }
    """
        .formatted(marker, handler);
  }

  @Test
  void identificationTryAroundTheLoopCatchesAndReturns() {
    helper()
        .addSourceLines(
            "MetricsExporter.java",
            metricsExporter(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 23:"
                    + " MetricsExporter.encode() can throw IllegalArgumentException (line 35) out"
                    + " of the take loop)",
                "return; // gives up on the first bad sample"))
        .doTest();
  }

  @Test
  void negativeRestartLoopAroundTheTryKeepsTaking() {
    helper()
        .addSourceLines(
            "MetricsExporter.java",
            metricsExporter("//", "wire.setLength(0); // drop the batch, go round and take again"))
        .doTest();
  }

  // --- What each level adds ------------------------------------------------------------------

  /** The appender is handed in; this file has no implementation of it. */
  private static String writerWithForeignAppender(String marker, String loopBody) {
    return """
    import java.util.concurrent.*;

    class AuditTrail {
      interface Appender {
        void append(String line);

        void flush();
      }

      private final BlockingQueue<String> events = new ArrayBlockingQueue<>(64);
      private final Appender appender;

      AuditTrail(Appender appender) {
        this.appender = appender;
        new Thread(this::writeLoop, "audit-writer").start();
      }

      void record(String event) throws InterruptedException {
        %s
        events.put(event);
      }

      private void writeLoop() {
        while (true) {
          String event;
          try {
            event = events.take();
          } catch (InterruptedException e) {
            return;
          }
          %s
        }
      }
    }
    """
        .formatted(marker, loopBody);
  }

  @Test
  void strictLevelTrustsCodeItCannotSee() {
    helper(level("STRICT"))
        .addSourceLines(
            "AuditTrail.java", writerWithForeignAppender("//", "appender.append(event);"))
        .doTest();
  }

  @Test
  void callbacksLevelCountsAHandlerPassedIn() {
    helper(level("CALLBACKS"))
        .addSourceLines(
            "AuditTrail.java",
            writerWithForeignAppender(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 31:"
                    + " Appender.append() is a callback and can throw any RuntimeException or Error"
                    + " out of the take loop)",
                "appender.append(event);"))
        .doTest();
  }

  @Test
  void callbacksLevelSaysWhenAnErrorPassesCatchRuntimeException() {
    helper(level("CALLBACKS"))
        .addSourceLines(
            "AuditTrail.java",
            writerWithForeignAppender(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 32:"
                    + " Appender.append() is a callback and can throw an Error out of the take loop"
                    + " (catch (RuntimeException) does not stop an Error))",
                """
                try {
                        appender.append(event);
                      } catch (RuntimeException e) {
                        System.err.println("audit event lost: " + e);
                      }
                """))
        .doTest();
  }

  @Test
  void callbacksLevelTrustsACatchOfThrowable() {
    helper(level("CALLBACKS"))
        .addSourceLines(
            "AuditTrail.java",
            writerWithForeignAppender(
                "//",
                """
                try {
                        appender.append(event);
                      } catch (RuntimeException | Error e) {
                        System.err.println("audit event lost: " + e);
                      }
                """))
        .doTest();
  }

  /** A CSV parser thread: the only risky code is a JDK call that declares nothing. */
  private static String csvImport(String marker, String loopBody) {
    return """
    import java.util.concurrent.*;
    import java.util.concurrent.atomic.AtomicInteger;

    class CsvImport {
      private final BlockingQueue<String> rows = new ArrayBlockingQueue<>(16);
      private final AtomicInteger imported = new AtomicInteger();

      void read(Iterable<String> file, ExecutorService pool) throws InterruptedException {
        pool.execute(this::parseLoop);
        for (String row : file) {
          %s
          rows.put(row);
        }
      }

      private void parseLoop() {
        while (true) {
          String row;
          try {
            row = rows.take();
          } catch (InterruptedException e) {
            return;
          }
          %s
        }
      }
    }
    """
        .formatted(marker, loopBody);
  }

  @Test
  void callbacksLevelTrustsTheJdk() {
    helper(level("CALLBACKS"))
        .addSourceLines(
            "CsvImport.java", csvImport("//", "imported.addAndGet(row.split(\",\").length);"))
        .doTest();
  }

  @Test
  void broadLevelCountsAnyCallItCannotSeeInto() {
    helper(level("BROAD"))
        .addSourceLines(
            "CsvImport.java",
            csvImport(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 24:"
                    + " String.split() can throw any RuntimeException or Error out of the take"
                    + " loop)",
                "imported.addAndGet(row.split(\",\").length);"))
        .doTest();
  }

  @Test
  void broadLevelSaysWhenAnErrorPassesCatchException() {
    helper(level("BROAD"))
        .addSourceLines(
            "CsvImport.java",
            csvImport(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 25:"
                    + " String.split() can throw an Error out of the take loop (catch (Exception)"
                    + " does not stop an Error))",
                """
                try {
                        imported.addAndGet(row.split(",").length);
                      } catch (Exception e) {
                        System.err.println("bad row: " + row);
                      }
                """))
        .doTest();
  }

  @Test
  void broadLevelTrustsCallsListedAsUnableToFail() {
    helper(level("BROAD"))
        .addSourceLines(
            "CsvImport.java", csvImport("//", "imported.addAndGet(row.isEmpty() ? 0 : 1);"))
        .doTest();
  }

  @Test
  void badLevelIsNamedWithTheAllowedValues() {
    IllegalArgumentException thrown =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new LeakedProducer(
                    ErrorProneFlags.builder()
                        .putFlag("LeakedProducer:ConsumerDeath", "SOMETIMES")
                        .build()));
    assertEquals(
        "-XepOpt:LeakedProducer:ConsumerDeath expects one of STRICT, CALLBACKS, BROAD, got"
            + " 'SOMETIMES'",
        thrown.getMessage());
  }

  @Test
  void levelNamesIgnoreCase() {
    helper(level("broad"))
        .addSourceLines(
            "CsvImport.java",
            csvImport(
                "// BUG: Diagnostic contains: String.split() can throw any RuntimeException or"
                    + " Error",
                "imported.addAndGet(row.split(\",\").length);"))
        .doTest();
  }
}
