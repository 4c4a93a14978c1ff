package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * An interrupt ({@code cancel(true)}, {@code shutdownNow()}, {@code interrupt()}) saves the
 * producer only when it runs on the way every consumer stops: in a {@code finally} of the consumer,
 * after joining the consumers, in a lifecycle method the callers hold. One that runs only on
 * success, only after waiting for the stuck producer, only after waiting for room in a full queue,
 * or only in code the caller reaches while it keeps iterating, never comes.
 */
final class InterruptExitPathsTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  /**
   * An import job: a reader task fills a bounded queue with rows, a loader task stores them and
   * gives up on the first rejected row; {@code %s} is how the job waits and cancels.
   */
  private static final String IMPORT_JOB =
      """
      import java.util.List;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.ExecutionException;
      import java.util.concurrent.ExecutorService;
      import java.util.concurrent.Executors;
      import java.util.concurrent.Future;

      class ImportJob {
        private static final String EOF = "";
        private final ExecutorService pool = Executors.newFixedThreadPool(2);

        void importAll(List<String> rows) throws Exception {
          BlockingQueue<String> pending = new ArrayBlockingQueue<>(64);
          Future<?> reader = pool.submit(() -> {
            for (String row : rows) {
              %s
            }
            %s
            return null;
          });
          Future<?> loader = pool.submit(() -> {
            while (true) {
              String row = pending.take();
              if (row.equals(EOF)) {
                return null;
              }
              if (row.isBlank()) {
                throw new IllegalArgumentException("empty row");
              }
              store(row);
            }
          });
          %s
        }

        private void store(String row) {}
      }
      """;

  /** The finding when the reader's cancel(true) on line {@code cancelLine} comes too late. */
  private static String[] readerLeaks(int cancelLine) {
    String loaderFails =
        "// BUG: Diagnostic contains: every consumer can stop taking (line 31: throw"
            + " IllegalArgumentException on error) and the cancel() at line "
            + cancelLine
            + " does not run once every consumer has stopped, and nothing else cancels the"
            + " producer\n";
    return new String[] {loaderFails + "pending.put(row);", loaderFails + "pending.put(EOF);"};
  }

  private static final String[] READER = {"pending.put(row);", "pending.put(EOF);"};

  private void check(String file, String source) {
    helper.addSourceLines(file, source).doTest();
  }

  @Test
  void identificationCancelOnlyAfterWaitingForTheStuckProducer() {
    check(
        "ImportJob.java",
        IMPORT_JOB.formatted(
            readerLeaks(40)[0],
            readerLeaks(40)[1],
            """
            try {
              reader.get();
              loader.get();
            } catch (ExecutionException e) {
              reader.cancel(true);
              throw e;
            }
            """));
  }

  @Test
  void negativeCancelAfterJoiningTheConsumer() {
    check(
        "ImportJob.java",
        IMPORT_JOB.formatted(
            READER[0],
            READER[1],
            """
            try {
              loader.get();
            } finally {
              reader.cancel(true);
            }
            """));
  }

  @Test
  void identificationCancelOnlyOnTheSuccessPath() {
    check(
        "ImportJob.java",
        IMPORT_JOB.formatted(
            readerLeaks(38)[0],
            readerLeaks(38)[1],
            """
            try {
              loader.get();
              reader.cancel(true);
            } catch (ExecutionException e) {
              throw new IllegalStateException("import failed", e.getCause());
            }
            """));
  }

  /**
   * A pipeline whose futures are joined in a loop, then shut down on failure; {@code %s} lists the
   * order in which the stages are submitted.
   */
  private static final String STAGED_PIPELINE =
      """
      import java.util.ArrayList;
      import java.util.List;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.Callable;
      import java.util.concurrent.ExecutorService;
      import java.util.concurrent.Executors;
      import java.util.concurrent.Future;

      class StagedPipeline {
        private static final String DONE = "";
        private final BlockingQueue<String> batches = new ArrayBlockingQueue<>(4);
        private final ExecutorService executor = Executors.newFixedThreadPool(2);

        void run(int count) throws Exception {
          List<Future<Void>> futures = new ArrayList<>();
          %s
          try {
            for (Future<Void> future : futures) {
              future.get();
            }
          } catch (Exception failed) {
            executor.shutdownNow();
            throw failed;
          }
        }

        class Reader implements Callable<Void> {
          private final int count;

          Reader(int count) {
            this.count = count;
          }

          @Override
          public Void call() throws Exception {
            for (int i = 0; i < count; i++) {
              %s
            }
            %s
            return null;
          }
        }

        class Writer implements Callable<Void> {
          @Override
          public Void call() throws Exception {
            String batch = batches.take();
            while (!batch.equals(DONE)) {
              write(batch);
              batch = batches.take();
            }
            return null;
          }
        }

        void write(String batch) throws java.io.IOException {
          if (batch.length() > 80) {
            throw new java.io.IOException("batch too large for the store");
          }
        }
      }
      """;

  @Test
  void identificationShutdownNowOnlyAfterTheProducersFutureIsJoined() {
    check(
        "StagedPipeline.java",
        STAGED_PIPELINE.formatted(
            """
            futures.add(executor.submit(new Reader(count)));
            futures.add(executor.submit(new Writer()));
            """,
            "// BUG: Diagnostic contains: and the shutdownNow() at line 25 does not run once every"
                + " consumer has stopped\n"
                + "batches.put(\"batch-\" + i);",
            "// BUG: Diagnostic contains: and the shutdownNow() at line 25 does not run once every"
                + " consumer has stopped\n"
                + "batches.put(DONE);"));
  }

  @Test
  void negativeShutdownNowOnceTheConsumersFutureFails() {
    check(
        "StagedPipeline.java",
        STAGED_PIPELINE.formatted(
            """
            futures.add(executor.submit(new Writer()));
            futures.add(executor.submit(new Reader(count)));
            """,
            "batches.put(\"batch-\" + i);",
            "batches.put(DONE);"));
  }

  /**
   * A log shipper: a tailer thread feeds lines to the sender, which returns as soon as the
   * collector rejects a line; {@code %s} is what the sender does on its way out.
   */
  private static final String SHIPPER =
      """
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;

      class Shipper {
        private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(100);

        void ship(Iterable<String> file) throws InterruptedException {
          Thread tailer = new Thread(() -> {
            try {
              for (String line : file) {
                %s
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }, "tailer");
          tailer.start();
          %s
        }

        private boolean send(String line) {
          return !line.contains("secret");
        }
      }
      """;

  @Test
  void negativeInterruptInAFinallyAroundTheConsumerLoop() {
    check(
        "Shipper.java",
        SHIPPER.formatted(
            "lines.put(line);",
            """
            try {
              while (true) {
                if (!send(lines.take())) {
                  return;
                }
              }
            } finally {
              tailer.interrupt();
            }
            """));
  }

  @Test
  void identificationInterruptOnlyAfterTheLoopEndsNormally() {
    check(
        "Shipper.java",
        SHIPPER.formatted(
            "// BUG: Diagnostic contains: every consumer can stop taking (line 22: break after a"
                + " matching element) and the interrupt() at line 28 does not run once every"
                + " consumer has stopped, and nothing else cancels the producer\n"
                + "lines.put(line);",
            """
            while (true) {
              String line = lines.take();
              if (line.isEmpty()) {
                break;
              }
              if (!send(line)) {
                return;
              }
            }
            tailer.interrupt();
            """));
  }

  /**
   * A prefetching cursor the callers hold: one producer task per cursor, and {@code close()} stops
   * it; {@code %s} is what close() does.
   */
  private static final String CURSOR =
      """
      import java.util.Iterator;
      import java.util.List;
      import java.util.NoSuchElementException;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.ExecutorService;
      import java.util.concurrent.Executors;

      public class Cursor implements Iterator<String>, AutoCloseable {
        private static final String END = "";
        private final BlockingQueue<String> prefetched = new ArrayBlockingQueue<>(32);
        private final ExecutorService prefetcher = Executors.newSingleThreadExecutor();
        private String next;

        public Cursor(List<String> keys) {
          prefetcher.execute(() -> {
            try {
              for (String key : keys) {
                prefetched.put(key);
              }
              prefetched.put(END);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
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
          String key = next;
          next = null;
          return key;
        }

        @Override
        public void close() {
          %s
        }

        static int countMatches(List<String> keys, String prefix) {
          int n = 0;
          try (Cursor cursor = new Cursor(keys)) {
            while (cursor.hasNext()) {
              if (!cursor.next().startsWith(prefix)) {
                break;
              }
              n++;
            }
          }
          return n;
        }
      }
      """;

  @Test
  void negativeShutdownNowInTheCloseOfAnOwnerItsCallersClose() {
    check("Cursor.java", CURSOR.formatted("prefetcher.shutdownNow();"));
  }

  /**
   * The union of two key sources, each prefetched on its own thread by a source the union keeps in
   * a private field. The sources' close() stops their producers, but the union closes them only
   * once the caller has read it to the end; {@code %s} is the union's own close(), if any.
   */
  private static final String MERGED_KEYS =
      """
      import java.util.Iterator;
      import java.util.List;
      import java.util.NoSuchElementException;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.ExecutorService;
      import java.util.concurrent.Executors;

      public class MergedKeys {
        static final long END = Long.MIN_VALUE;

        /** Template iterator: subclasses say how to fetch the next key, or END. */
        abstract static class KeySource implements Iterator<Long> {
          private long head = END;
          private boolean fetched;

          @Override
          public boolean hasNext() {
            if (!fetched) {
              head = fetchNext();
              fetched = true;
            }
            return head != END;
          }

          @Override
          public Long next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            fetched = false;
            return head;
          }

          protected abstract long fetchNext();

          protected long end() {
            return END;
          }
        }

        static final class PrefetchedSource extends KeySource {
          private final BlockingQueue<Long> buffer = new ArrayBlockingQueue<>(128);
          private final ExecutorService reader = Executors.newSingleThreadExecutor();
          private final List<Long> keys;
          private boolean started;

          PrefetchedSource(List<Long> keys) {
            this.keys = keys;
          }

          @Override
          protected long fetchNext() {
            if (!started) {
              started = true;
              reader.submit(() -> {
                for (long key : keys) {
                  %s
                }
                %s
                return null;
              });
            }
            long key = END;
            try {
              key = buffer.take();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return key;
          }

          void close() {
            reader.shutdownNow();
          }
        }

        /** The keys of both sources, left first. */
        public static final class Union extends KeySource {
          private final PrefetchedSource left;
          private final PrefetchedSource right;

          public Union(List<Long> a, List<Long> b) {
            left = new PrefetchedSource(a);
            right = new PrefetchedSource(b);
          }

          @Override
          protected long fetchNext() {
            if (left.hasNext()) {
              return left.next();
            }
            if (right.hasNext()) {
              return right.next();
            }
            left.close();
            right.close();
            return end();
          }
          %s
        }
      }
      """;

  private static final String NEVER_CLOSED =
      "// BUG: Diagnostic contains: close() (line 75) stops the producer, but every"
          + " PrefetchedSource is kept in a private field here and nothing calls it when the"
          + " caller stops\n";

  @Test
  void identificationSourcesClosedOnlyWhenTheCallerReadsToTheEnd() {
    check(
        "MergedKeys.java",
        MERGED_KEYS.formatted(
            NEVER_CLOSED + "buffer.put(key);", NEVER_CLOSED + "buffer.put(END);", ""));
  }

  @Test
  void negativeSourcesClosedByTheUnionsOwnClose() {
    check(
        "MergedKeys.java",
        MERGED_KEYS.formatted(
            "buffer.put(key);",
            "buffer.put(END);",
            """
            public void close() {
              left.close();
              right.close();
            }
            """));
  }

  /**
   * A cursor over rows prefetched on a worker thread; its close() wakes a reader blocked in next()
   * with an end marker, and stops the worker: {@code %s} is close().
   */
  private static final String RESULT_SET =
      """
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.ExecutorService;
      import java.util.concurrent.Executors;

      public class PagedResults implements AutoCloseable {
        private static final String END = "";
        private final ExecutorService workers = Executors.newSingleThreadExecutor();
        private final BlockingQueue<String> rows = new ArrayBlockingQueue<>(1000);

        public PagedResults(int rowCount) {
          workers.execute(() -> {
            try {
              for (int r = 0; r < rowCount; r++) {
                %s
              }
              %s
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
        }

        public String next() throws InterruptedException {
          return rows.take();
        }

        @Override
        public void close() throws InterruptedException {
          %s
        }
      }
      """;

  @Test
  void identificationInterruptOnlyAfterWaitingForRoomInTheFullBuffer() {
    String leaks = "// BUG: Diagnostic contains: close() (line 31) does not stop the producer\n";
    check(
        "PagedResults.java",
        RESULT_SET.formatted(
            leaks + "rows.put(\"row-\" + r);",
            leaks + "rows.put(END);",
            "// BUG: Diagnostic contains: the thread that calls close() can block forever\n"
                + "rows.put(END);\nworkers.shutdownNow();"));
  }

  @Test
  void negativeInterruptBeforeTheEndMarker() {
    check(
        "PagedResults.java",
        RESULT_SET.formatted(
            "rows.put(\"row-\" + r);",
            "rows.put(END);",
            "workers.shutdownNow();\nrows.offer(END);"));
  }

  /** A crawler that fetches every page of a site with a deadline: invokeAll with a timeout. */
  @Test
  void negativeInvokeAllWithATimeout() {
    check(
        "SiteCrawler.java",
        """
        import java.util.List;
        import java.util.concurrent.ArrayBlockingQueue;
        import java.util.concurrent.BlockingQueue;
        import java.util.concurrent.Callable;
        import java.util.concurrent.ExecutorService;
        import java.util.concurrent.Executors;
        import java.util.concurrent.TimeUnit;

        class SiteCrawler {
          private final ExecutorService pool = Executors.newFixedThreadPool(2);

          void crawl(List<String> urls) throws InterruptedException {
            BlockingQueue<String> bodies = new ArrayBlockingQueue<>(8);
            Callable<Void> fetcher = () -> {
              for (String url : urls) {
                bodies.put("<html>" + url);
              }
              return null;
            };
            Callable<Void> indexer = () -> {
              while (true) {
                String body = bodies.take();
                if (body.contains("noindex")) {
                  throw new IllegalStateException("crawl forbidden");
                }
              }
            };
            pool.invokeAll(List.of(fetcher, indexer), 30, TimeUnit.SECONDS);
          }
        }
        """);
  }

  /** A service with its own worker threads and a stop() that shuts them down now. */
  @Test
  void negativeShutdownNowInTheServicesStop() {
    check(
        "MetricsReporter.java",
        """
        import java.util.concurrent.ArrayBlockingQueue;
        import java.util.concurrent.BlockingQueue;
        import java.util.concurrent.ExecutorService;
        import java.util.concurrent.Executors;

        public class MetricsReporter {
          private final BlockingQueue<String> samples = new ArrayBlockingQueue<>(256);
          private final ExecutorService threads = Executors.newFixedThreadPool(2);

          public void start() {
            threads.execute(() -> {
              try {
                while (true) {
                  samples.put("cpu " + System.nanoTime());
                  Thread.sleep(100);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
            threads.execute(() -> {
              try {
                while (true) {
                  String sample = samples.take();
                  if (sample.length() > 64) {
                    throw new IllegalStateException("malformed sample");
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
          }

          public void stop() {
            threads.shutdownNow();
          }
        }
        """);
  }

  /** A price collector that cancels every supplier call in a finally, whatever way it stops. */
  @Test
  void negativeEveryFutureCancelledInAFinallyLoop() {
    check(
        "PriceCollector.java",
        """
        import java.util.ArrayList;
        import java.util.List;
        import java.util.concurrent.ArrayBlockingQueue;
        import java.util.concurrent.BlockingQueue;
        import java.util.concurrent.ExecutorService;
        import java.util.concurrent.Future;
        import java.util.concurrent.TimeUnit;

        class PriceCollector {
          List<String> collect(ExecutorService pool, List<List<String>> suppliers, int wanted)
              throws InterruptedException {
            BlockingQueue<String> prices = new ArrayBlockingQueue<>(wanted);
            List<Future<?>> calls = new ArrayList<>();
            for (List<String> supplier : suppliers) {
              calls.add(pool.submit(() -> {
                try {
                  for (String price : supplier) {
                    prices.put(price);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }));
            }
            List<String> collected = new ArrayList<>();
            try {
              while (collected.size() < wanted) {
                String price = prices.poll(200, TimeUnit.MILLISECONDS);
                if (price == null) {
                  break;
                }
                collected.add(price);
              }
            } finally {
              calls.forEach(call -> call.cancel(true));
            }
            return collected;
          }
        }
        """);
  }
}
