package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * A stop signal the producer checks between timed offers cancels it only when it is set on every
 * path by which the consumers stop: in a {@code finally}, in each exit branch, or by another thread
 * after joining them. Set only on the success path, or only by the producer, it is not.
 */
final class SignalExitPathsTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  private static final String LEAK =
      "// BUG: Diagnostic contains: a retry loop around offer() that never checks for cancellation"
          + " on 'pages'";

  /**
   * A backup that streams pages from a reader thread to an uploader thread. The producer's retry
   * loop is on line 17 and checks {@code uploadDone}; the uploader's body starts on line 28.
   */
  private static String backup(String marker, String producerExtra, String upload) {
    return """
        import java.io.IOException;
        import java.util.concurrent.ArrayBlockingQueue;
        import java.util.concurrent.BlockingQueue;
        import java.util.concurrent.TimeUnit;

        class Backup {
          private final BlockingQueue<byte[]> pages = new ArrayBlockingQueue<>(4);
          private volatile boolean uploadDone;

          void readPages(int count) throws InterruptedException {
            for (int i = 0; i < count; i++) {
              byte[] page = new byte[4096];
              %s
              while (!pages.offer(page, 50, TimeUnit.MILLISECONDS)) {
                if (uploadDone) {
                  return;
                }
              }
              %s
            }
          }

          void upload(int count) {
            %s
          }

          void send(byte[] page) throws IOException {
            if (page.length == 0) {
              throw new IOException("backup target closed the stream");
            }
          }

          void run(int count) throws InterruptedException {
            Thread reader = new Thread(() -> {
              try {
                readPages(count);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
            Thread uploader = new Thread(() -> upload(count));
            reader.start();
            uploader.start();
            uploader.join();
          }
        }
        """
        .formatted(marker, producerExtra, upload);
  }

  private void check(String source) {
    helper.addSourceLines("Backup.java", source).doTest();
  }

  @Test
  void negativeSetInFinally() {
    check(
        backup(
            "//",
            "",
            """
            try {
              for (int i = 0; i < count; i++) {
                send(pages.take());
              }
            } catch (IOException | InterruptedException e) {
              System.err.println("upload failed: " + e);
            } finally {
              uploadDone = true;
            }
            """));
  }

  /** Uploaders count themselves out in a finally; the last one to leave sets the flag. */
  @Test
  void negativeTheLastConsumerToLeaveSetsIt() {
    check(
        backup(
                "//",
                "",
                """
            uploaders.incrementAndGet();
            try {
              for (int i = 0; i < count; i++) {
                send(pages.take());
              }
            } catch (IOException | InterruptedException e) {
              System.err.println("upload failed: " + e);
            } finally {
              if (uploaders.decrementAndGet() == 0) {
                uploadDone = true;
              }
            }
            """)
            .replace(
                "private volatile boolean uploadDone;",
                "private volatile boolean uploadDone;\n"
                    + "  private final java.util.concurrent.atomic.AtomicInteger uploaders =\n"
                    + "      new java.util.concurrent.atomic.AtomicInteger();"));
  }

  /** A flag set only when some other test passes is not set on every exit. */
  @Test
  void positiveSetOnlyWhenAConditionHolds() {
    check(
        backup(
            LEAK,
            "",
            """
            try {
              for (int i = 0; i < count; i++) {
                send(pages.take());
              }
            } catch (IOException | InterruptedException e) {
              System.err.println("upload failed: " + e);
            } finally {
              if (count > 100) {
                uploadDone = true;
              }
            }
            """));
  }

  @Test
  void negativeSetInTheCatchAndAfterTheLoop() {
    check(
        backup(
            "//",
            "",
            """
            try {
              for (int i = 0; i < count; i++) {
                send(pages.take());
              }
              uploadDone = true;
            } catch (IOException | InterruptedException e) {
              uploadDone = true;
              System.err.println("upload failed: " + e);
            }
            """));
  }

  @Test
  void negativeSetAfterTheTryThatHandlesTheFailure() {
    check(
        backup(
            "//",
            "",
            """
            try {
              for (int i = 0; i < count; i++) {
                send(pages.take());
              }
            } catch (IOException | InterruptedException e) {
              System.err.println("upload failed: " + e);
            }
            uploadDone = true;
            """));
  }

  @Test
  void negativeSetInEachExitBranch() {
    check(
        backup(
            "//",
            "",
            """
            try {
              for (int i = 0; i < count; i++) {
                byte[] page = pages.take();
                if (page.length == 0) {
                  uploadDone = true;
                  return;
                }
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            uploadDone = true;
            """));
  }

  @Test
  void identificationSetOnlyOnTheSuccessPath() {
    check(
        backup(
            LEAK
                + " (new ArrayBlockingQueue<>(4)): every consumer can stop taking (line 26: send()"
                + " can throw IOException out of the take loop) and 'uploadDone' is checked between"
                + " timed offers, but it is not set on every way the consumers stop",
            "",
            """
            try {
              for (int i = 0; i < count; i++) {
                send(pages.take());
              }
              uploadDone = true;
            } catch (IOException | InterruptedException e) {
              System.err.println("upload failed: " + e);
            }
            """));
  }

  @Test
  void identificationOneExitBranchForgetsTheSignal() {
    check(
        backup(
            LEAK,
            "",
            """
            try {
              for (int i = 0; i < count; i++) {
                byte[] page = pages.take();
                if (page.length == 0) {
                  return;
                }
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            uploadDone = true;
            """));
  }

  @Test
  void identificationSetOnlyByTheProducer() {
    check(
        backup(
            LEAK,
            "uploadDone = i + 1 == count;",
            """
            try {
              for (int i = 0; i < count; i++) {
                send(pages.take());
              }
            } catch (IOException | InterruptedException e) {
              System.err.println("upload failed: " + e);
            }
            """));
  }

  /**
   * The uploader returns how many pages it sent; an {@code if (...) return sent;} after the take
   * loop leaves before the flag below it is set, so that flag is not set on every exit.
   */
  private static String countingBackup(String marker, String afterTheLoop) {
    return backup(
            marker,
            "",
            """
            int sent = 0;
            try {
              for (int i = 0; i < count; i++) {
                send(pages.take());
                sent++;
              }
            } catch (IOException | InterruptedException e) {
              System.err.println("upload failed after " + sent + " pages: " + e);
            }
            %s
            """
                .formatted(afterTheLoop))
        .replace("void upload(int count) {", "int upload(int count) {");
  }

  @Test
  void identificationAReturnAfterTheLoopSkipsTheFlag() {
    check(
        countingBackup(
            LEAK,
            """
            if (sent < count) {
              return sent;
            }
            uploadDone = true;
            return sent;
            """));
  }

  @Test
  void negativeTheReturnAfterTheLoopSetsTheFlagFirst() {
    check(
        countingBackup(
            "//",
            """
            if (sent < count) {
              uploadDone = true;
              return sent;
            }
            uploadDone = true;
            return sent;
            """));
  }

  @Test
  void negativeTheFlagIsSetBeforeTheReturnAfterTheLoop() {
    check(
        countingBackup(
            "//",
            """
            uploadDone = true;
            if (sent < count) {
              return sent;
            }
            return sent;
            """));
  }

  /** A handler that returns when it may retry later leaves without the flag below it. */
  @Test
  void identificationAReturnInTheHandlerSkipsTheFlag() {
    check(
        backup(
            LEAK,
            "",
            """
            try {
              for (int i = 0; i < count; i++) {
                send(pages.take());
              }
            } catch (IOException | InterruptedException e) {
              if (e instanceof IOException) {
                System.err.println("upload failed, the next run retries: " + e);
                return;
              }
              uploadDone = true;
            }
            uploadDone = true;
            """));
  }

  /**
   * The retry loop sits in a static helper that gets the run's error reference as a parameter; the
   * writer records its failure in the same object under another name (spec: "follow the handle, not
   * the name").
   */
  private static String exporter(String writerCatch) {
    return """
        import java.util.List;
        import java.util.concurrent.*;
        import java.util.concurrent.atomic.AtomicReference;

        class Exporter {
          static void enqueue(BlockingQueue<String> rows, String row, AtomicReference<Throwable> runError)
              throws InterruptedException {
            while (!rows.offer(row, 100, TimeUnit.MILLISECONDS)) {
              if (runError.get() != null) {
                throw new CancellationException("export aborted");
              }
            }
          }

          void export(List<String> source, ExecutorService pool) throws Exception {
            BlockingQueue<String> rows = new ArrayBlockingQueue<>(64);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
              try {
                for (int i = 0; i < source.size(); i++) {
                  write(rows.take());
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                %s
              }
            });
            writer.start();
            pool.submit(() -> {
              for (String row : source) {
                enqueue(rows, row, failure);
              }
              return null;
            });
            writer.join();
          }

          void write(String row) {
            if (row.isEmpty()) {
              throw new IllegalStateException("empty row");
            }
          }
        }
        """
        .formatted(writerCatch);
  }

  @Test
  void negativeSignalReachesTheRetryHelperAsAParameter() {
    helper.addSourceLines("Exporter.java", exporter("failure.compareAndSet(null, e);")).doTest();
  }

  @Test
  void identificationSignalPassedAsAParameterButNeverSetOnTheWayOut() {
    helper
        .addSourceLines(
            "Exporter.java",
            exporter("System.err.println(\"writer failed: \" + e);")
                .replace(
                    "    while (!rows.offer(",
                    "    // BUG: Diagnostic contains: a retry loop around offer() that never checks"
                        + " for cancellation on 'rows'\n    while (!rows.offer("))
        .doTest();
  }
}
