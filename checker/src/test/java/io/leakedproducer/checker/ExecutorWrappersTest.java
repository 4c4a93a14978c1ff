package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * Tasks handed to an executor through a wrapper that runs them on a pool of its own (an {@code
 * ExecutorCompletionService}): the pool's {@code shutdownNow()} interrupts them, as the spec's
 * "follow the handle" asks; another pool's does not.
 */
final class ExecutorWrappersTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
          .setArgs("-XepOpt:LeakedProducer:Strict=true");

  /**
   * An export of a catalogue: crawler tasks on a pool, submitted through a completion service, put
   * rows into a bounded buffer that the caller drains as an Iterator; {@code close()} is the
   * caller's way to stop early. The tail is the body of {@code close()} and the class end.
   */
  private static final String CATALOGUE_EXPORT =
      """
      import java.io.Closeable;
      import java.util.Iterator;
      import java.util.List;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.CompletionService;
      import java.util.concurrent.ExecutorCompletionService;
      import java.util.concurrent.ExecutorService;
      import java.util.concurrent.Executors;
      import java.util.concurrent.LinkedBlockingQueue;

      final class CatalogueExport implements Iterator<String>, Closeable {
        interface Catalogue {
          List<String> rowsOf(String section);
        }

        private final ExecutorService coordinator = Executors.newSingleThreadExecutor();
        private final ExecutorService crawlers = Executors.newFixedThreadPool(4);
        private final CompletionService<Boolean> crawls;
        private final BlockingQueue<String> rows = new LinkedBlockingQueue<>(1_000);
        private String next;

        CatalogueExport(Catalogue catalogue, List<String> sections) {
          crawls = new ExecutorCompletionService<>(crawlers);
          coordinator.submit(() -> {
            for (String section : sections) {
              crawls.submit(() -> {
                for (String row : catalogue.rowsOf(section)) {
                  // BUG_MARKER
                  rows.put(row);
                }
                return true;
              });
            }
            return null;
          });
        }

        @Override
        public boolean hasNext() {
          if (next == null) {
            try {
              next = rows.take();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return false;
            }
          }
          return true;
        }

        @Override
        public String next() {
          hasNext();
          String row = next;
          next = null;
          return row;
        }

        @Override
        public void close() {
      """;

  @Test
  void negativeCloseShutsDownThePoolUnderTheCompletionService() {
    helper
        .addSourceLines(
            "CatalogueExport.java",
            (CATALOGUE_EXPORT
                    + """
                      coordinator.shutdownNow();
                      crawlers.shutdownNow();
                    }
                  }
                  """)
                .replace("// BUG_MARKER", "// the crawlers' pool is shut down now by close()"))
        .doTest();
  }

  @Test
  void closeThatShutsDownOnlyTheCoordinatorLeavesTheCrawlersBlocked() {
    helper
        .addSourceLines(
            "CatalogueExport.java",
            (CATALOGUE_EXPORT
                    + """
                      coordinator.shutdownNow();
                    }
                  }
                  """)
                .replace(
                    "// BUG_MARKER",
                    "// BUG: Diagnostic contains: close() (line 60) does not stop the producer"))
        .doTest();
  }
}
