package io.leakedproducer.checker;

import com.google.errorprone.BugCheckerRefactoringTestHelper;
import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * Blocking insertions into a pool's own work queue (spec: "a blocking insertion into an executor's
 * own work queue"), the "block the caller instead of rejecting" handler that many services write.
 */
final class ExecutorWorkQueuesTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());
  private final BugCheckerRefactoringTestHelper refactoring =
      BugCheckerRefactoringTestHelper.newInstance(LeakedProducer.class, getClass());

  private static final String BLOCKING_POLICY =
      """
      import java.util.concurrent.*;

      class IngestPool {
        static final class BlockWhenSaturated implements RejectedExecutionHandler {
          @Override
          public void rejectedExecution(Runnable task, ThreadPoolExecutor executor) {
            if (executor.isShutdown()) {
              throw new RejectedExecutionException("pool is shut down");
            }
            try {
              executor.getQueue().put(task);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new RejectedExecutionException(e);
            }
          }
        }

        private final ThreadPoolExecutor pool =
            new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(100), new BlockWhenSaturated());

        void ingest(Runnable batch) {
          pool.execute(batch);
        }

        void close() {
          pool.shutdown();
        }
      }
      """;

  @Test
  void identificationRejectionHandlerThatPutsIntoTheWorkQueue() {
    helper
        .addSourceLines(
            "IngestPool.java",
            BLOCKING_POLICY.replace(
                "        executor.getQueue().put(task);",
                "        // BUG: Diagnostic contains: the submitting thread can block forever in put() on"
                    + " 'executor.getQueue()', the pool's own work queue: only the pool's workers take from it and"
                    + " they stop once the pool shuts down, so an isShutdown() test before the insertion is"
                    + " check-then-act. The suggested fix offers with a timeout and rejects the task once the pool"
                    + " is shut down.\n"
                    + "        executor.getQueue().put(task);"))
        .doTest();
  }

  @Test
  void replacementTimedOfferThatRejectsOnceThePoolIsShutDown() {
    refactoring
        .addInputLines("IngestPool.java", BLOCKING_POLICY)
        .addOutputLines(
            "IngestPool.java",
            BLOCKING_POLICY
                .replace(
                    "import java.util.concurrent.*;\n",
                    """
                    import java.util.concurrent.*;
                    import java.util.concurrent.RejectedExecutionException;
                    import java.util.concurrent.TimeUnit;
                    """)
                .replace(
                    "        executor.getQueue().put(task);",
                    """
                        while (!executor.getQueue().offer(task, 100, TimeUnit.MILLISECONDS)) {
                          if (executor.isShutdown()) {
                            throw new RejectedExecutionException("pool shut down while waiting for queue space");
                          }
                        }\
                """))
        .doTest(BugCheckerRefactoringTestHelper.TestMode.TEXT_MATCH);
  }

  @Test
  void identificationTimedOfferRetryThatNeverLooksAtThePool() {
    helper
        .addSourceLines(
            "RetryingPolicy.java",
            """
            import java.util.concurrent.*;

            class RetryingPolicy implements RejectedExecutionHandler {
              @Override
              public void rejectedExecution(Runnable task, ThreadPoolExecutor executor) {
                try {
                  // BUG: Diagnostic contains: the submitting thread can block forever in a retry loop around offer() on 'executor.getQueue()'
                  while (!executor.getQueue().offer(task, 1, TimeUnit.SECONDS)) {
                    System.err.println("still waiting for room");
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
  void identificationPoolCreatedHereOnABoundedQueue() {
    helper
        .addSourceLines(
            "Dispatcher.java",
            """
            import java.util.concurrent.*;

            class Dispatcher {
              private final ThreadPoolExecutor workers =
                  new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(64));

              void dispatch(Runnable job) throws InterruptedException {
                // BUG: Diagnostic contains: the calling thread can block forever in put() on 'workers.getQueue()'
                workers.getQueue().put(job);
                workers.prestartAllCoreThreads();
              }

              void stop() {
                workers.shutdown();
              }
            }
            """)
        .doTest();
  }

  /** The same policy written as a lambda passed to the pool's constructor. */
  private static final String LAMBDA_POLICY =
      """
      import java.util.concurrent.*;

      class RenderPool {
        private final ThreadPoolExecutor pool =
            new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(2),
                Executors.defaultThreadFactory(),
                (task, executor) -> {
                  try {
                    %s
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });

        void render(Runnable chart) {
          pool.execute(chart);
        }

        void shutdown() {
          pool.shutdownNow();
        }
      }
      """;

  @Test
  void identificationRejectionHandlerLambdaThatPutsIntoTheWorkQueue() {
    helper
        .addSourceLines(
            "RenderPool.java",
            LAMBDA_POLICY.formatted(
                "// BUG: Diagnostic contains: the submitting thread can block forever in put() on"
                    + " 'executor.getQueue()', the pool's own work queue\n"
                    + "executor.getQueue().put(task);"))
        .doTest();
  }

  @Test
  void negativeRejectionHandlerLambdaThatRetestsShutdown() {
    helper
        .addSourceLines(
            "RenderPool.java",
            LAMBDA_POLICY.formatted(
                "while (!executor.getQueue().offer(task, 100, TimeUnit.MILLISECONDS)) {\n"
                    + "  if (executor.isShutdown()) {\n"
                    + "    throw new RejectedExecutionException(\"shut down\");\n"
                    + "  }\n"
                    + "}"))
        .doTest();
  }

  @Test
  void negativeTimedOfferThatRetestsShutdownAndRejects() {
    helper
        .addSourceLines(
            "SafePolicy.java",
            """
            import java.util.concurrent.*;

            class SafePolicy implements RejectedExecutionHandler {
              @Override
              public void rejectedExecution(Runnable task, ThreadPoolExecutor executor) {
                try {
                  while (!executor.getQueue().offer(task, 100, TimeUnit.MILLISECONDS)) {
                    if (executor.isShutdown()) {
                      throw new RejectedExecutionException("shut down");
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  throw new RejectedExecutionException(e);
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativePoolOnAnUnboundedQueue() {
    helper
        .addSourceLines(
            "Dispatcher.java",
            """
            import java.util.concurrent.*;

            class Dispatcher {
              private final ThreadPoolExecutor workers =
                  new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());

              void dispatch(Runnable job) throws InterruptedException {
                workers.getQueue().put(job);
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativePoolFromElsewhere() {
    helper
        .addSourceLines(
            "Dispatcher.java",
            """
            import java.util.concurrent.*;

            class Dispatcher {
              void dispatch(ThreadPoolExecutor workers, Runnable job) throws InterruptedException {
                workers.getQueue().put(job);
              }
            }
            """)
        .doTest();
  }
}
