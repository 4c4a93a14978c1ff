package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * How consumers stop (a throw on a matching element, a record component the unit creates as null)
 * and how producers are started (periodic scheduling, a recursive walk behind a helper, a
 * completion service over a pool), each rule next to the look-alike that it must not change.
 */
final class ConsumerStopsAndSpawnsTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  /** A reindex whose consumer is the calling thread; the comparison on line 22 is given. */
  private static String reindexer(String marker, String onMatch, String pill) {
    return """
        import java.util.concurrent.*;

        class Reindexer {
          private final ExecutorService pool = Executors.newFixedThreadPool(2);

          int reindex(long products) throws Exception {
            BlockingQueue<Long> ids = new ArrayBlockingQueue<>(20);
            int indexed = 0;
            try {
              pool.submit(() -> {
                for (long id = 1; id <= products; id++) {
                  %s
                  ids.put(id);
                }
                %s
                return null;
              });
              while (true) {
                long id = ids.take();
                if (id == -1L) {
                  %s
                }
                indexed++;
              }
            } finally {
              pool.shutdown();
            }
          }
        }
        """
        .formatted(marker, pill, onMatch);
  }

  @Test
  void identificationThrowOnAMatchingElementIsAFailure() {
    helper
        .addSourceLines(
            "Reindexer.java",
            reindexer(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 21: throw"
                    + " IllegalStateException",
                "throw new IllegalStateException(\"mapping conflict\");",
                ""))
        .doTest();
  }

  @Test
  void negativeReturnOnTheInsertedPillIsTheEndOfStream() {
    helper
        .addSourceLines("Reindexer.java", reindexer("//", "return indexed;", "ids.put(-1L);"))
        .doTest();
  }

  private static String indexer(String marker, String record, String loopBody) {
    return """
        import java.util.ArrayList;
        import java.util.List;
        import java.util.concurrent.*;

        class Indexer {
          %s

          private final BlockingQueue<Document> pending = new ArrayBlockingQueue<>(8);
          private long terms;

          void start() {
            new Thread(this::indexLoop).start();
          }

          private void indexLoop() {
            while (true) {
              Document doc;
              try {
                doc = pending.take();
              } catch (InterruptedException e) {
                return;
              }
              %s
            }
          }

          void submitAll(List<Document> docs) throws InterruptedException {
            for (Document doc : docs) {
              %s
              pending.put(doc);
            }
          }

          List<Document> drafts() {
            List<Document> docs = new ArrayList<>();
            docs.add(new Document("draft-1", null));
            return docs;
          }
        }
        """
        .formatted(record, loopBody, marker);
  }

  @Test
  void identificationDereferenceOfAComponentTheUnitCreatesAsNull() {
    helper
        .addSourceLines(
            "Indexer.java",
            indexer(
                "// BUG: Diagnostic contains: (line 23: a null body() can throw"
                    + " NullPointerException out of the take loop)",
                "record Document(String id, String body) {}",
                "terms += doc.body().split(\" \").length;"))
        .doTest();
  }

  @Test
  void negativeComponentTestedForNull() {
    helper
        .addSourceLines(
            "Indexer.java",
            indexer(
                "//",
                "record Document(String id, String body) {}",
                "if (doc.body() != null) { terms += doc.body().split(\" \").length; }"))
        .doTest();
  }

  @Test
  void negativeRecordWithItsOwnConstructorMayReplaceTheNull() {
    helper
        .addSourceLines(
            "Indexer.java",
            indexer(
                "//",
                "record Document(String id, String body) {"
                    + " Document { body = body == null ? \"\" : body; } }",
                "terms += doc.body().split(\" \").length;"))
        .doTest();
  }

  private static String heartbeat(String marker, String cleanup) {
    return """
        import java.util.concurrent.*;

        class Heartbeat {
          private final BlockingQueue<Long> beats = new ArrayBlockingQueue<>(4);
          private final ScheduledExecutorService ticker =
              Executors.newSingleThreadScheduledExecutor();

          void start() {
            ticker.scheduleWithFixedDelay(() -> {
              try {
                %s
                beats.put(System.nanoTime());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }, 0, 10, TimeUnit.MILLISECONDS);
          }

          void publishLoop() throws InterruptedException {
            try {
              while (true) {
                if (!send(beats.take())) {
                  return;
                }
              }
            } finally {
              %s
            }
          }

          boolean send(long beat) {
            return beat > 0;
          }
        }
        """
        .formatted(marker, cleanup);
  }

  @Test
  void negativePeriodicTaskStoppedByShutdownNow() {
    helper.addSourceLines("Heartbeat.java", heartbeat("//", "ticker.shutdownNow();")).doTest();
  }

  @Test
  void identificationPeriodicTaskOnlyShutDown() {
    helper
        .addSourceLines(
            "Heartbeat.java",
            heartbeat("// BUG: Diagnostic contains: put() on 'beats'", "ticker.shutdown();"))
        .doTest();
  }

  private static String scanner(String marker, String cleanup) {
    return """
        import java.util.List;
        import java.util.concurrent.*;

        class LibraryScanner {
          record Dir(String path, List<Dir> subdirs, int files) {}

          private final BlockingQueue<String> found = new ArrayBlockingQueue<>(6);
          private final ExecutorService tasks = Executors.newFixedThreadPool(2);

          private void scan(Dir dir) throws InterruptedException {
            for (int f = 0; f < dir.files(); f++) {
              submit(dir.path() + "/" + f);
            }
            for (Dir sub : dir.subdirs()) {
              scan(sub);
            }
          }

          private void submit(String file) throws InterruptedException {
            %s
            found.put(file);
          }

          int extractAll(Dir root) throws Exception {
            tasks.submit(() -> {
              scan(root);
              return null;
            });
            Callable<Integer> extractor = () -> {
              int extracted = 0;
              while (true) {
                String file = found.take();
                if (file.endsWith(".tmp")) {
                  throw new IllegalStateException("truncated header in " + file);
                }
                extracted++;
              }
            };
            try {
              return tasks.submit(extractor).get();
            } finally {
              %s
            }
          }
        }
        """
        .formatted(marker, cleanup);
  }

  @Test
  void negativeRecursiveWalkOnAPoolThatIsShutDownNow() {
    helper.addSourceLines("LibraryScanner.java", scanner("//", "tasks.shutdownNow();")).doTest();
  }

  @Test
  void identificationRecursiveWalkOnAPoolThatIsOnlyShutDown() {
    helper
        .addSourceLines(
            "LibraryScanner.java",
            scanner(
                "// BUG: Diagnostic contains: put() on 'found' (new ArrayBlockingQueue<>(6)): every"
                    + " consumer can stop taking (line 34: throw IllegalStateException",
                "tasks.shutdown();"))
        .doTest();
  }

  private static String crawler(String marker, String cleanup) {
    return """
        import java.util.List;
        import java.util.concurrent.*;

        class Crawler {
          private final ExecutorService pool = Executors.newFixedThreadPool(4);
          private final CompletionService<Boolean> crawls;
          private final BlockingQueue<String> entries = new ArrayBlockingQueue<>(16);

          Crawler() {
            crawls = new ExecutorCompletionService<>(pool);
          }

          String firstHidden(List<String> dirs) throws InterruptedException {
            for (String dir : dirs) {
              crawls.submit(() -> {
                %s
                entries.put(dir);
                return true;
              });
            }
            try {
              while (true) {
                String entry = entries.take();
                if (entry.startsWith(".")) {
                  return entry;
                }
              }
            } finally {
              %s
            }
          }
        }
        """
        .formatted(marker, cleanup);
  }

  @Test
  void negativeCompletionServicePoolShutDownNow() {
    helper.addSourceLines("Crawler.java", crawler("//", "pool.shutdownNow();")).doTest();
  }

  @Test
  void identificationCompletionServicePoolOnlyShutDown() {
    helper
        .addSourceLines(
            "Crawler.java",
            crawler("// BUG: Diagnostic contains: put() on 'entries'", "pool.shutdown();"))
        .doTest();
  }
}
