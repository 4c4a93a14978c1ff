package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * Consumers that block themselves: a worklist drained only by the thread that fills it, a writer
 * that inserts into the queue it drains, and a pipeline stage that stops when its downstream
 * insertion leaks.
 */
final class SelfBlockingConsumersTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
          .setArgs("-XepOpt:LeakedProducer:Strict=true");

  @Test
  void breadthFirstCrawlerDeadlocksOnItsOwnFrontier() {
    helper
        .addSourceLines(
            "SiteCrawler.java",
            """
            import java.util.HashSet;
            import java.util.List;
            import java.util.Set;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.function.Function;

            final class SiteCrawler {
              private final BlockingQueue<String> frontier = new ArrayBlockingQueue<>(256);
              private final Set<String> visited = new HashSet<>();
              private final Function<String, List<String>> links;

              SiteCrawler(Function<String, List<String>> links) {
                this.links = links;
              }

              int crawl(String start) throws InterruptedException {
                frontier.put(start);
                visited.add(start);
                while (!frontier.isEmpty()) {
                  String page = frontier.take();
                  for (String link : links.apply(page)) {
                    if (visited.add(link)) {
                      enqueue(link);
                    }
                  }
                }
                return visited.size();
              }

              private void enqueue(String link) throws InterruptedException {
                // BUG: Diagnostic contains: the calling thread can block forever in put() on 'frontier' (new ArrayBlockingQueue<>(256)): its only taker is this same thread (line 21) and it cannot take while it waits to insert, so it deadlocks on itself once the queue is full. The suggested fix makes the queue unbounded: a worklist that only its own thread drains must hold everything one step adds.
                frontier.put(link);
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeRetryQueueThatPutsBackAtMostWhatItTook() {
    // One take, at most one put back per round, and nobody else inserts: the queue never grows.
    helper
        .addSourceLines(
            "RetryingSender.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.function.Predicate;

            final class RetryingSender {
              private final Predicate<String> transport;

              RetryingSender(Predicate<String> transport) {
                this.transport = transport;
              }

              int sendAll(List<String> messages, int attempts) throws InterruptedException {
                BlockingQueue<String> pending = new ArrayBlockingQueue<>(messages.size() + 1);
                for (String m : messages) {
                  pending.put(m);
                }
                int sent = 0;
                for (int round = 0; round < attempts * messages.size() && !pending.isEmpty(); round++) {
                  String m = pending.take();
                  if (transport.test(m)) {
                    sent++;
                  } else {
                    pending.put(m);
                  }
                }
                return sent;
              }
            }
            """)
        .doTest();
  }

  @Test
  void loggerThatLogsItsOwnWriteFailuresIntoTheQueueItDrains() {
    helper
        .addSourceLines(
            "AsyncLogger.java",
            """
            import java.io.IOException;
            import java.io.Writer;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            public final class AsyncLogger {
              private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(1024);
              private final Writer out;

              public AsyncLogger(Writer out) {
                this.out = out;
                Thread writer = new Thread(this::drain, "log-writer");
                writer.setDaemon(true);
                writer.start();
              }

              public void log(String line) throws InterruptedException {
                // BUG: Diagnostic contains: can block forever in put() on 'pending' (new ArrayBlockingQueue<>(1024)): the consumer that drains it (line 25) also inserts into it through log() (line 29) and once other producers fill the queue that consumer blocks on itself and nothing takes any more.
                pending.put(line);
              }

              private void drain() {
                try {
                  while (true) {
                    String line = pending.take();
                    try {
                      out.write(line);
                    } catch (IOException e) {
                      log("log write failed: " + e.getMessage());
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
            """)
        .doTest();
  }

  /** The fix logback's users proposed: events logged on the worker thread are not enqueued. */
  @Test
  void negativeLoggerThatNeverEnqueuesFromItsOwnWriterThread() {
    helper
        .addSourceLines(
            "AsyncLogger.java",
            """
            import java.io.IOException;
            import java.io.Writer;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.atomic.AtomicLong;

            public final class AsyncLogger {
              private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(1024);
              private final AtomicLong droppedOnWriter = new AtomicLong();
              private final Writer out;
              private final Thread writer = new Thread(this::drain, "log-writer");

              public AsyncLogger(Writer out) {
                this.out = out;
                writer.setDaemon(true);
                writer.start();
              }

              public void log(String line) throws InterruptedException {
                if (Thread.currentThread() == writer) {
                  droppedOnWriter.incrementAndGet();
                  return;
                }
                pending.put(line);
              }

              private void drain() {
                try {
                  while (true) {
                    String line = pending.take();
                    try {
                      out.write(line);
                    } catch (IOException e) {
                      log("log write failed: " + e.getMessage());
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }

  @Test
  void negativeLoggerThatReportsWriteFailuresElsewhere() {
    helper
        .addSourceLines(
            "AsyncLogger.java",
            """
            import java.io.IOException;
            import java.io.Writer;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            public final class AsyncLogger {
              private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(1024);
              private final Writer out;

              public AsyncLogger(Writer out) {
                this.out = out;
                Thread writer = new Thread(this::drain, "log-writer");
                writer.setDaemon(true);
                writer.start();
              }

              public void log(String line) throws InterruptedException {
                pending.put(line);
              }

              private void drain() {
                try {
                  while (true) {
                    String line = pending.take();
                    try {
                      out.write(line);
                    } catch (IOException e) {
                      System.err.println("log write failed: " + e.getMessage());
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
            """)
        .doTest();
  }

  private static final String PIPELINE_HEAD =
      """
      import java.util.List;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.ExecutorService;

      final class ImportPipeline {
        record Row(String customer, long cents) {}

        private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(100);
        private final BlockingQueue<Row> rows = new ArrayBlockingQueue<>(100);
        private final ExecutorService pool;
        private long totalCents;

        ImportPipeline(ExecutorService pool) {
          this.pool = pool;
        }

        void run(List<String> csv) throws InterruptedException {
          pool.execute(this::parse);
          pool.execute(this::store);
          for (String line : csv) {
      """;

  private static final String PIPELINE_PARSE =
      """
          }
        }

        private void parse() {
          try {
            while (true) {
              String line = lines.take();
      """;

  @Test
  void pipelineStageStopsWhenItsDownstreamInsertionLeaks() {
    helper
        .addSourceLines(
            "ImportPipeline.java",
            PIPELINE_HEAD
                + "// BUG: Diagnostic contains: the calling thread can block forever in put() on"
                + " 'lines' (new ArrayBlockingQueue<>(100)): every consumer can stop taking (line"
                + " 32: it also produces into 'rows', where it can block forever) and nothing"
                + " cancels the producer\n"
                + "lines.put(line);\n"
                + PIPELINE_PARSE
                + "// BUG: Diagnostic contains: every consumer can stop taking (line 44: throw"
                + " IllegalArgumentException on error)\n"
                + """
                      rows.put(new Row(line, line.length()));
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }

                private void store() {
                  try {
                    while (true) {
                      Row row = rows.take();
                      if (row.cents() == 0) {
                        throw new IllegalArgumentException("empty row for " + row.customer());
                      }
                      totalCents += row.cents();
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
  void negativePipelineWhoseLastStageNeverStops() {
    helper
        .addSourceLines(
            "ImportPipeline.java",
            PIPELINE_HEAD
                + "lines.put(line);\n"
                + PIPELINE_PARSE
                + """
                      rows.put(new Row(line, line.length()));
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }

                private void store() {
                  try {
                    while (true) {
                      Row row = rows.take();
                      if (row.cents() == 0) {
                        System.err.println("skipped empty row for " + row.customer());
                        continue;
                      }
                      totalCents += row.cents();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }
              """)
        .doTest();
  }

  /**
   * An export preview reads rows through the job's cursor on the calling thread while a pool task
   * fills the buffer; close() then puts the end marker into the buffer that same thread stopped
   * draining. Line 21 is the take in next(), line 30 the preview's call of close().
   */
  private static String exportJob(String closeBody) {
    return exportJob(
        """
        pool.execute(() -> {
              while (source.hasNext()) {
                rows.offer(source.next());
              }
            });""",
        closeBody);
  }

  private static String exportJob(String startBody, String closeBody) {
    return """
        import java.util.Iterator;
        import java.util.concurrent.BlockingQueue;
        import java.util.concurrent.ExecutorService;
        import java.util.concurrent.Executors;
        import java.util.concurrent.LinkedBlockingQueue;

        final class ExportJob {
          private static final String END = "<end>";
          private final ExecutorService pool = Executors.newFixedThreadPool(2);
          private final BlockingQueue<String> rows = new LinkedBlockingQueue<>(500);

          void start(Iterator<String> source) {
            %s
          }

          String next() throws InterruptedException {
            String row = rows.take();
            return END.equals(row) ? null : row;
          }

          static int preview(ExportJob job, int limit) throws InterruptedException {
            int shown = 0;
            while (shown < limit && job.next() != null) {
              shown++;
            }
            job.close();
            return shown;
          }

          void close() throws InterruptedException {
            %s
            pool.shutdownNow();
          }
        }
        """
        .formatted(startBody, closeBody);
  }

  @Test
  void closeThatPutsTheEndMarkerIntoTheBufferItsOwnThreadStoppedReading() {
    helper
        .addSourceLines(
            "ExportJob.java",
            exportJob(
                """
                // BUG: Diagnostic contains: the calling thread can block forever in put() on 'rows' (new LinkedBlockingQueue<>(500)): the consumer that drains it (line 21) also inserts into it through close() (line 30) and once other producers fill the queue that consumer blocks on itself and nothing takes any more.
                rows.put(END);
                """))
        .doTest();
  }

  /** The fix: the end marker is offered, and dropped when the buffer is full. */
  @Test
  void negativeCloseThatOffersTheEndMarker() {
    helper.addSourceLines("ExportJob.java", exportJob("rows.offer(END);")).doTest();
  }

  /**
   * Nobody else fills the buffer: the reading thread loads it itself, leaving room, before it
   * reads.
   */
  @Test
  void negativeTheOnlyProducerIsTheReadingThreadItself() {
    helper
        .addSourceLines(
            "ExportJob.java",
            exportJob(
                """
                while (source.hasNext() && rows.remainingCapacity() > 1) {
                  rows.offer(source.next());
                }""",
                "rows.put(END);"))
        .doTest();
  }

  /**
   * The end marker, just taken, is put back for the other loaders: a relay into the slot the take
   * freed, not a re-entrant insertion; the loaders stop by the exception that kills them.
   */
  @Test
  void endMarkerPutBackForTheOtherConsumersIsNotReentrant() {
    helper
        .addSourceLines(
            "IdPipeline.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class IdPipeline {
              private static final Object END = new Object();
              private final BlockingQueue<Object> batches = new ArrayBlockingQueue<>(4);

              IdPipeline(int loaders) {
                for (int i = 0; i < loaders; i++) {
                  new Thread(this::load, "entity-loader-" + i).start();
                }
              }

              void produce(List<List<Long>> idBatches) throws InterruptedException {
                for (List<Long> ids : idBatches) {
                  // BUG: Diagnostic contains: every consumer can stop taking (line 39: IdPipeline.index() can throw IllegalStateException (line 49) out of the take loop)
                  batches.put(ids);
                }
                // BUG: Diagnostic contains: every consumer can stop taking (line 39: IdPipeline.index() can throw IllegalStateException (line 49) out of the take loop)
                batches.put(END);
              }

              @SuppressWarnings("unchecked")
              private List<Long> next() throws InterruptedException {
                Object batch = batches.take();
                if (batch == END) {
                  batches.put(END); // the other loaders need it too
                  return null;
                }
                return (List<Long>) batch;
              }

              private void load() {
                try {
                  List<Long> ids;
                  do {
                    ids = next();
                    if (ids != null) {
                      index(ids);
                    }
                  } while (ids != null);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              private void index(List<Long> ids) {
                if (ids.isEmpty()) {
                  throw new IllegalStateException("Connection reset");
                }
              }
            }
            """)
        .doTest();
  }

  /** Putting back something other than the marker it took is a re-entrant insertion. */
  @Test
  void consumerThatPutsANewElementIntoItsOwnQueueBlocksItself() {
    helper
        .addSourceLines(
            "IdPipeline.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class IdPipeline {
              private static final Object END = new Object();
              private final BlockingQueue<Object> batches = new ArrayBlockingQueue<>(4);

              IdPipeline(int loaders) {
                for (int i = 0; i < loaders; i++) {
                  new Thread(this::load, "entity-loader-" + i).start();
                }
              }

              void produce(List<List<Long>> idBatches) throws InterruptedException {
                for (List<Long> ids : idBatches) {
                  // BUG: Diagnostic contains: every consumer can stop taking (line 37: its processing puts into the queue it drains through next() and blocks itself once the queue is full)
                  batches.put(ids);
                }
                // BUG: Diagnostic contains: every consumer can stop taking (line 37: its processing puts into the queue it drains through next() and blocks itself once the queue is full)
                batches.put(END);
              }

              @SuppressWarnings("unchecked")
              private List<Long> next() throws InterruptedException {
                Object batch = batches.take();
                if (batch == END) {
                  batches.put(List.of()); // ask the producer for one more round
                  return null;
                }
                return (List<Long>) batch;
              }

              private void load() {
                try {
                  List<Long> ids;
                  do {
                    ids = next();
                    if (ids != null) {
                      index(ids);
                    }
                  } while (ids != null);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              private void index(List<Long> ids) {
                if (ids.isEmpty()) {
                  throw new IllegalStateException("Connection reset");
                }
              }
            }
            """)
        .doTest();
  }
}
