package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * Consumers that are the callers of an API (an Iterator, a Stream, a {@code receive()} method): a
 * caller can stop at any time, so the producer must be stopped by every lifecycle method of what
 * the caller holds, and an owner without one leaks as soon as a caller walks away.
 */
final class ExternalConsumersTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
          .setArgs("-XepOpt:LeakedProducer:Strict=true");

  /** A paged REST client: iterator() starts a prefetch thread; close() only marks it closed. */
  private static final String PAGED_CLIENT_HEAD =
      """
      import java.util.Iterator;
      import java.util.List;
      import java.util.NoSuchElementException;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;

      final class InvoiceClient implements Iterable<String>, AutoCloseable {
        private static final String LAST = "";
        interface PageSource {
          List<String> page(int number);
        }

        private final PageSource api;
        private final BlockingQueue<String> prefetched = new ArrayBlockingQueue<>(100);
        private volatile boolean closed;
        private Thread prefetcher;

        InvoiceClient(PageSource api) {
          this.api = api;
        }

        @Override
        public Iterator<String> iterator() {
          prefetcher = new Thread(() -> {
            try {
              for (int n = 0; !closed; n++) {
                List<String> page = api.page(n);
                if (page.isEmpty()) {
                  break;
                }
                for (String invoice : page) {
      """;

  private static final String PAGED_CLIENT_ITERATOR =
      """
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }, "invoice-prefetch");
          prefetcher.start();
          return new Iterator<>() {
            private String next;

            @Override
            public boolean hasNext() {
              if (next == null) {
                try {
                  next = prefetched.take();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return false;
                }
              }
              return !next.equals(LAST);
            }

            @Override
            public String next() {
              if (!hasNext()) {
                throw new NoSuchElementException();
              }
              String invoice = next;
              next = null;
              return invoice;
            }
          };
        }

        @Override
        public void close() {
      """;

  @Test
  void pagedClientWhoseCloseForgetsThePrefetcher() {
    helper
        .addSourceLines(
            "InvoiceClient.java",
            PAGED_CLIENT_HEAD
                + "// BUG: Diagnostic contains: the thread 'prefetcher' (created at line 24) can block forever in put() on"
                + " 'prefetched' (new ArrayBlockingQueue<>(100)): every consumer can stop taking"
                + " (line 50: the caller of iterator() can stop taking at any time) and close()"
                + " (line 72) does not stop the producer.\n"
                + "prefetched.put(invoice);\n"
                + "}\n"
                + "}\n"
                + "// BUG: Diagnostic contains: close() (line 72) does not stop the producer\n"
                + "prefetched.put(LAST);\n"
                + PAGED_CLIENT_ITERATOR
                + """
                      closed = true;
                    }
                  }
                  """)
        .doTest();
  }

  @Test
  void negativePagedClientWhoseCloseInterruptsThePrefetcher() {
    helper
        .addSourceLines(
            "InvoiceClient.java",
            PAGED_CLIENT_HEAD
                + "prefetched.put(invoice);\n"
                + "}\n"
                + "}\n"
                + "prefetched.put(LAST);\n"
                + PAGED_CLIENT_ITERATOR
                + """
                      closed = true;
                      prefetcher.interrupt();
                    }
                  }
                  """)
        .doTest();
  }

  @Test
  void negativePagedClientWhoseCloseSetsTheFlagThenClears() {
    helper
        .addSourceLines(
            "InvoiceClient.java",
            PAGED_CLIENT_HEAD
                + "if (closed) return;\n"
                + "prefetched.put(invoice);\n"
                + "}\n"
                + "}\n"
                + "prefetched.put(LAST);\n"
                + PAGED_CLIENT_ITERATOR
                + """
                      closed = true;
                      prefetched.clear();
                    }
                  }
                  """)
        .doTest();
  }

  /**
   * Clear, then set: the clear lets a prefetcher parked on the full queue in, it fills the queue
   * again before its next test and parks for good, since nothing clears a second time.
   */
  @Test
  void pagedClientWhoseCloseClearsBeforeSettingTheFlag() {
    helper
        .addSourceLines(
            "InvoiceClient.java",
            PAGED_CLIENT_HEAD
                + "if (closed) return;\n"
                + "// BUG: Diagnostic contains: close() (line 73) does not stop the producer\n"
                + "prefetched.put(invoice);\n"
                + "}\n"
                + "}\n"
                + "// BUG: Diagnostic contains: close() (line 73) does not stop the producer\n"
                + "prefetched.put(LAST);\n"
                + PAGED_CLIENT_ITERATOR
                + """
                      prefetched.clear();
                      closed = true;
                    }
                  }
                  """)
        .doTest();
  }

  @Test
  void pagedClientWithNoCloseLeaksWhenTheCallerStopsIterating() {
    helper
        .addSourceLines(
            "AuditTrail.java",
            """
            import java.util.Iterator;
            import java.util.NoSuchElementException;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.function.IntFunction;

            final class AuditTrail implements Iterable<String> {
              private static final String END = "<end>";
              private final IntFunction<String> fetchEntry;
              private final int entries;

              AuditTrail(IntFunction<String> fetchEntry, int entries) {
                this.fetchEntry = fetchEntry;
                this.entries = entries;
              }

              @Override
              public Iterator<String> iterator() {
                BlockingQueue<String> buffer = new ArrayBlockingQueue<>(32);
                Thread fetcher = new Thread(() -> {
                  try {
                    for (int i = 0; i < entries; i++) {
                      // BUG: Diagnostic contains: every consumer can stop taking (line 58: the caller of iterator() can stop taking at any time) and a caller that stops iterating abandons the producer; neither AuditTrail nor its Iterator has a close().
                      buffer.put(fetchEntry.apply(i));
                    }
                    // BUG: Diagnostic contains: neither AuditTrail nor its Iterator has a close()
                    buffer.put(END);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                fetcher.setDaemon(true);
                fetcher.start();
                return new Iterator<>() {
                  private String next;

                  @Override
                  public boolean hasNext() {
                    if (next == null) {
                      next = takeUninterruptibly();
                    }
                    return next != END;
                  }

                  @Override
                  public String next() {
                    if (!hasNext()) {
                      throw new NoSuchElementException();
                    }
                    String entry = next;
                    next = null;
                    return entry;
                  }

                  private String takeUninterruptibly() {
                    while (true) {
                      try {
                        return buffer.take();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }
                  }
                };
              }
            }
            """)
        .doTest();
  }

  @Test
  void streamWhoseOnCloseCancelsThePrefetchTaskIsSafe() {
    helper
        .addSourceLines(
            "OrderExport.java",
            """
            import java.util.Optional;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Future;
            import java.util.stream.Stream;

            final class OrderExport {
              private static final Optional<String> DONE = Optional.empty();
              private final ExecutorService io;

              OrderExport(ExecutorService io) {
                this.io = io;
              }

              Stream<String> orders(int count) {
                BlockingQueue<Optional<String>> rows = new ArrayBlockingQueue<>(64);
                Future<?> reader = io.submit(() -> {
                  for (int i = 0; i < count; i++) {
                    rows.put(Optional.of("order-" + i));
                  }
                  rows.put(DONE);
                  return null;
                });
                return Stream.generate(() -> {
                      try {
                        return rows.take();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return DONE;
                      }
                    })
                    .takeWhile(Optional::isPresent)
                    .map(Optional::get)
                    .onClose(() -> reader.cancel(true));
              }
            }
            """)
        .doTest();
  }

  @Test
  void streamWithoutOnCloseAbandonsThePrefetchTask() {
    helper
        .addSourceLines(
            "OrderExport.java",
            """
            import java.util.Optional;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;
            import java.util.stream.Stream;

            final class OrderExport {
              private static final Optional<String> DONE = Optional.empty();
              private final ExecutorService io;

              OrderExport(ExecutorService io) {
                this.io = io;
              }

              Stream<String> orders(int count) {
                BlockingQueue<Optional<String>> rows = new ArrayBlockingQueue<>(64);
                io.execute(() -> {
                  try {
                    for (int i = 0; i < count; i++) {
                      // BUG: Diagnostic contains: (line 31: the caller of orders() can stop taking at any time) and a caller that stops iterating abandons the producer; neither the stream nor OrderExport has a close().
                      rows.put(Optional.of("order-" + i));
                    }
                    // BUG: Diagnostic contains: neither the stream nor OrderExport has a close()
                    rows.put(DONE);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                return Stream.generate(() -> {
                      try {
                        return rows.take();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return DONE;
                      }
                    })
                    .takeWhile(Optional::isPresent)
                    .map(Optional::get);
              }
            }
            """)
        .doTest();
  }

  /** A broker subscription: the client library calls the handler on its own thread. */
  private static final String SUBSCRIPTION_HEAD =
      """
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;

      final class PriceSubscription implements AutoCloseable {
        interface Broker {
          void subscribe(String topic, Handler handler);

          void unsubscribe(String topic);
        }

        interface Handler {
          void onMessage(String message);
        }

        private final BlockingQueue<String> inbox = new ArrayBlockingQueue<>(256);
        private final Broker broker;
        private final String topic;
        private volatile boolean closed;

        PriceSubscription(Broker broker, String topic) {
          this.broker = broker;
          this.topic = topic;
          broker.subscribe(topic, message -> {
            try {
      """;

  private static final String SUBSCRIPTION_TAIL =
      """
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
        }

        public String receive() throws InterruptedException {
          return inbox.take();
        }

        @Override
        public void close() {
          closed = true;
          broker.unsubscribe(topic);
      """;

  @Test
  void brokerCallbackLeaksWhenCloseOnlyUnsubscribes() {
    helper
        .addSourceLines(
            "PriceSubscription.java",
            SUBSCRIPTION_HEAD
                + "// BUG: Diagnostic contains: the thread that runs the lambda passed to"
                + " subscribe() (line 23) can block forever in put() on 'inbox' (new"
                + " ArrayBlockingQueue<>(256)): every consumer can stop taking (line 34: the"
                + " caller of PriceSubscription.receive() can stop taking at any time) and close()"
                + " (line 38) does not stop the producer.\n"
                + "inbox.put(message);\n"
                + SUBSCRIPTION_TAIL
                + """
                    }
                  }
                  """)
        .doTest();
  }

  @Test
  void negativeBrokerCallbackWhenCloseSetsTheFlagThenClearsTheInbox() {
    helper
        .addSourceLines(
            "PriceSubscription.java",
            SUBSCRIPTION_HEAD
                + "if (closed) return;\n"
                + "inbox.put(message);\n"
                + SUBSCRIPTION_TAIL
                + """
                      inbox.clear();
                    }
                  }
                  """)
        .doTest();
  }

  @Test
  void negativeCursorThatCloseInterrupts() {
    // The corpus's CursorExporter shape: the iterator is itself AutoCloseable and close() stops it.
    helper
        .addSourceLines(
            "Cursor.java",
            """
            import java.util.Iterator;
            import java.util.NoSuchElementException;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            final class Cursor implements Iterator<String>, AutoCloseable {
              private static final String END = "\\u0000end";
              private final BlockingQueue<String> prefetched = new ArrayBlockingQueue<>(16);
              private final Thread fetcher;
              private String next;

              Cursor(long rows) {
                fetcher = new Thread(() -> {
                  try {
                    for (long id = 0; id < rows; id++) {
                      prefetched.put("row-" + id);
                    }
                    prefetched.put(END);
                  } catch (InterruptedException e) {
                    // closed early
                  }
                });
                fetcher.start();
              }

              @Override
              public boolean hasNext() {
                if (next == null) {
                  try {
                    next = prefetched.take();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                  }
                }
                return !next.equals(END);
              }

              @Override
              public String next() {
                if (!hasNext()) {
                  throw new NoSuchElementException();
                }
                String row = next;
                next = null;
                return row;
              }

              @Override
              public void close() {
                fetcher.interrupt();
              }
            }
            """)
        .doTest();
  }

  @Test
  void cursorWithAStopThatDoesNotInterruptLeaks() {
    helper
        .addSourceLines(
            "Cursor.java",
            """
            import java.util.Iterator;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            final class Cursor implements Iterator<String>, AutoCloseable {
              private final BlockingQueue<String> prefetched = new ArrayBlockingQueue<>(16);
              private final Thread fetcher;

              Cursor(long rows) {
                fetcher = new Thread(() -> {
                  try {
                    for (long id = 0; id < rows; id++) {
                      // BUG: Diagnostic contains: (line 31: the caller of Cursor.next() can stop taking at any time) and stop() (line 37) does not stop the producer.
                      prefetched.put("row-" + id);
                    }
                  } catch (InterruptedException e) {
                    // closed early
                  }
                });
                fetcher.start();
              }

              @Override
              public boolean hasNext() {
                return !prefetched.isEmpty() || fetcher.isAlive();
              }

              @Override
              public String next() {
                try {
                  return prefetched.take();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              }

              public void stop() {
                System.err.println("cursor stopped");
              }

              @Override
              public void close() {
                fetcher.interrupt();
              }
            }
            """)
        .doTest();
  }

  private static final String TICKER_FEED =
      """
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.ExecutorService;
      import java.util.concurrent.Executors;
      import java.util.function.LongSupplier;

      public final class TickerFeed {
        private final BlockingQueue<Long> ticks = new ArrayBlockingQueue<>(1000);
        private final ExecutorService io = Executors.newSingleThreadExecutor();
        private final LongSupplier exchange;

        public TickerFeed(LongSupplier exchange) {
          this.exchange = exchange;
        }

        public void start() {
          io.execute(() -> {
            try {
              while (true) {
                %s
                ticks.put(exchange.getAsLong());
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
        }

        public BlockingQueue<Long> ticks() {
          return ticks;
        }

        public void stop() {
          %s
        }
      }
      """;

  @Test
  void queueHandedOutByAGetterWhoseOwnerStopDoesNotStopTheProducer() {
    helper
        .addSourceLines(
            "TickerFeed.java",
            TICKER_FEED.formatted(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 30: the caller of"
                    + " ticks() can stop taking at any time) and stop() (line 33) does not stop the"
                    + " producer.",
                "io.shutdown();"))
        .doTest();
  }

  @Test
  void negativeQueueHandedOutByAGetterWhoseOwnerStopShutsThePoolDownNow() {
    helper
        .addSourceLines("TickerFeed.java", TICKER_FEED.formatted("//", "io.shutdownNow();"))
        .doTest();
  }
}
