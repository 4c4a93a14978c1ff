package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * A reader that takes a counted number of elements through the owner's receive method ({@code while
 * (shown < 10 && query.next() != null)}, {@code for (int i = 0; i < 3; i++) copy(next())}) stops
 * after that many calls, whatever the method does inside: early when the producer can insert more
 * (a constant against a count the data decides, or a different known count).
 */
final class CountedReadersTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
          .setArgs("-XepOpt:LeakedProducer:Strict=true");

  /**
   * A paged query: a pool task puts the rows of every page into a buffer, the caller reads rows
   * through next(). The reader's loop is on line 36.
   */
  private static String pagedQuery(String marker, String readerLoop) {
    return """
        import java.util.List;
        import java.util.concurrent.ArrayBlockingQueue;
        import java.util.concurrent.BlockingQueue;
        import java.util.concurrent.ExecutorService;
        import java.util.function.Function;

        final class PagedQuery {
          record Page(List<String> rows, String nextToken) {}

          private final BlockingQueue<String> rows = new ArrayBlockingQueue<>(100);

          void start(ExecutorService pool, Function<String, Page> fetch) {
            pool.execute(() -> {
              try {
                String token = "0";
                while (token != null) {
                  Page page = fetch.apply(token);
                  for (String row : page.rows()) {
                    %s
                    rows.put(row);
                  }
                  token = page.nextToken();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
          }

          String next() throws InterruptedException {
            return rows.take();
          }

          static int preview(PagedQuery query, int limit) throws InterruptedException {
            int shown = 0;
            %s {
              shown++;
            }
            return shown;
          }
        }
        """
        .formatted(marker, readerLoop);
  }

  @Test
  void previewOfTheFirstTenRowsLeavesThePageFetcherBehind() {
    helper
        .addSourceLines(
            "PagedQuery.java",
            pagedQuery(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 36: stops after"
                    + " 10 calls of next())",
                "while (shown < 10 && query.next() != null)"))
        .doTest();
  }

  /** The limit is the caller's: it may be as large as the result, whose size is not known here. */
  @Test
  void negativePreviewUpToTheCallersLimit() {
    helper
        .addSourceLines(
            "PagedQuery.java", pagedQuery("//", "while (shown < limit && query.next() != null)"))
        .doTest();
  }

  /**
   * A migration: a loader thread puts every id, the calling thread copies them one call of nextId()
   * at a time. The copy loop is on line 28.
   */
  private static String migration(String marker, String copyLoop) {
    return """
        import java.util.List;
        import java.util.concurrent.ArrayBlockingQueue;
        import java.util.concurrent.BlockingQueue;

        final class Migration {
          private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(16);

          private String nextId() throws InterruptedException {
            return pending.take();
          }

          private void copy(String id) {
            System.out.println("copied " + id);
          }

          void migrate(List<String> ids) throws InterruptedException {
            Thread loader = new Thread(() -> {
              try {
                for (String id : ids) {
                  %s
                  pending.put(id);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
            loader.start();
            %s {
              copy(nextId());
            }
          }
        }
        """
        .formatted(marker, copyLoop);
  }

  @Test
  void migrationThatCopiesOnlyTheFirstBatchLeavesTheLoaderBehind() {
    helper
        .addSourceLines(
            "Migration.java",
            migration(
                "// BUG: Diagnostic contains: every consumer can stop taking (line 28: stops after"
                    + " 3 calls of nextId())",
                "for (int i = 0; i < 3; i++)"))
        .doTest();
  }

  @Test
  void negativeMigrationThatCopiesEveryId() {
    helper
        .addSourceLines("Migration.java", migration("//", "for (int i = 0; i < ids.size(); i++)"))
        .doTest();
  }
}
