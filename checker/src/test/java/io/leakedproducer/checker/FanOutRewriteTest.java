package io.leakedproducer.checker;

import com.google.errorprone.BugCheckerRefactoringTestHelper;
import com.google.errorprone.BugCheckerRefactoringTestHelper.TestMode;
import org.junit.jupiter.api.Test;

/**
 * The DeleteCollection fan-out, with the runtime on the classpath: the first fix rewrites it to
 * BoundedDeleter, keeping the workers' per-item code and the caller's report of the first error.
 */
final class FanOutRewriteTest {
  private final BugCheckerRefactoringTestHelper helper =
      BugCheckerRefactoringTestHelper.newInstance(LeakedProducer.class, getClass());

  private static final String LATCH_REWRITTEN =
      """
      import io.leakedproducer.runtime.BoundedDeleter;
      import java.util.List;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.CancellationException;
      import java.util.concurrent.CountDownLatch;
      import java.util.concurrent.ExecutionException;

      class DeleteAll {
        interface Store<T> {
          List<T> list();

          void delete(T item) throws Exception;

          boolean isNotFound(Exception e);
        }

        static <T> Exception deleteCollection(Store<T> store, int workers) throws InterruptedException {
          List<T> items = store.list();
          BlockingQueue<Exception> errs = new ArrayBlockingQueue<>(workers + 1);
          try {
            BoundedDeleter.deleteAll(
                items,
                workers,
                item -> {
                  try {
                    store.delete(item);
                  } catch (Exception e) {
                    if (!store.isNotFound(e)) {
                      errs.offer(e);
                      throw new CancellationException("a worker stopped");
                    }
                  }
                });
          } catch (ExecutionException failure) {
            // A worker stopped after recording its error, which stopped the run; a failure
            // it did not record went unreported before too, with the thread it killed.
          }
          return errs.poll();
        }
      }
      """;

  @Test
  void replacementLatchJoinedFanOut() {
    helper
        .addInputLines("DeleteAll.java", LeakyPrograms.DELETE_COLLECTION_LATCH)
        .addOutputLines("DeleteAll.java", LATCH_REWRITTEN)
        .doTest(TestMode.TEXT_MATCH);
  }

  /** The removed end-of-stream constant takes its javadoc with it. */
  @Test
  void replacementRemovesTheSentinelsJavadoc() {
    String documented =
        LeakyPrograms.DELETE_COLLECTION_LATCH.replace(
            "  private static final int NO_MORE_ITEMS = -1;",
            "  /** Sent once per worker: the end of the stream. */\n"
                + "  private static final int NO_MORE_ITEMS = -1;");
    helper
        .addInputLines("DeleteAll.java", documented)
        .addOutputLines("DeleteAll.java", LATCH_REWRITTEN)
        .doTest(TestMode.TEXT_MATCH);
  }

  @Test
  void replacementFutureJoinedFanOut() {
    helper
        .addInputLines("Purge.java", LeakyPrograms.DELETE_COLLECTION_FUTURES)
        .addOutputLines(
            "Purge.java",
            """
            import io.leakedproducer.runtime.BoundedDeleter;
            import java.util.ArrayList;
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.CancellationException;
            import java.util.concurrent.ExecutionException;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Future;
            import java.util.concurrent.atomic.AtomicReference;

            class Purge {
              interface Store {
                void delete(String key) throws Exception;
              }

              static Exception purge(List<String> keys, int workers, Store store, ExecutorService pool)
                  throws InterruptedException {
                AtomicReference<Exception> firstError = new AtomicReference<>();
                try {
                  BoundedDeleter.deleteAll(
                      keys,
                      workers,
                      item -> {
                        try {
                          store.delete(item);
                        } catch (Exception e) {
                          firstError.compareAndSet(null, e);
                          throw new CancellationException("a worker stopped");
                        }
                      });
                } catch (ExecutionException e) {
                  // A worker that stopped after recording its error stopped the run; other failures
                  // are handled as the join handled them.
                  if (!(e.getCause() instanceof CancellationException)) {
                    firstError.compareAndSet(null, e);
                  }
                }
                return firstError.get();
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }
}
