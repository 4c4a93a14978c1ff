package io.leakedproducer.checker;

import com.google.errorprone.BugCheckerRefactoringTestHelper;
import com.google.errorprone.BugCheckerRefactoringTestHelper.TestMode;
import org.junit.jupiter.api.Test;

/** The plain-Java fix: consumers count themselves out, the producer stops when none is left. */
final class LeakFixesTest {
  private final BugCheckerRefactoringTestHelper helper =
      BugCheckerRefactoringTestHelper.newInstance(LeakedProducer.class, getClass());

  @Test
  void replacementConsumerCount() {
    helper
        .addInputLines(
            "DeleteCollection.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.CountDownLatch;
            import java.util.function.Consumer;

            class DeleteCollection {
              static final int DONE = -1;

              static <T> void deleteCollection(List<T> items, int workers, Consumer<T> delete) throws InterruptedException {
                BlockingQueue<Integer> toProcess = new ArrayBlockingQueue<>(2 * workers);
                new Thread(() -> {
                  try {
                    for (int i = 0; i < items.size(); i++) {
                      toProcess.put(i);
                    }
                    for (int w = 0; w < workers; w++) {
                      toProcess.put(DONE);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }).start();
                CountDownLatch wg = new CountDownLatch(workers);
                for (int w = 0; w < workers; w++) {
                  new Thread(() -> {
                    try {
                      while (true) {
                        int index = toProcess.take();
                        if (index == DONE) {
                          return;
                        }
                        try {
                          delete.accept(items.get(index));
                        } catch (RuntimeException e) {
                          return;
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    } finally {
                      wg.countDown();
                    }
                  }).start();
                }
                wg.await();
              }
            }
            """)
        .addOutputLines(
            "DeleteCollection.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.CountDownLatch;
            import java.util.concurrent.TimeUnit;
            import java.util.concurrent.atomic.AtomicInteger;
            import java.util.function.Consumer;

            class DeleteCollection {
              static final int DONE = -1;

              static <T> void deleteCollection(List<T> items, int workers, Consumer<T> delete) throws InterruptedException {
                BlockingQueue<Integer> toProcess = new ArrayBlockingQueue<>(2 * workers);
                AtomicInteger consumersLeft = new AtomicInteger(workers);
                new Thread(() -> {
                  try {
                    for (int i = 0; i < items.size(); i++) {
                      while (!toProcess.offer(i, 10, TimeUnit.MILLISECONDS)) {
                        if (consumersLeft.get() == 0) {
                          return;
                        }
                      }
                    }
                    for (int w = 0; w < workers; w++) {
                      while (!toProcess.offer(DONE, 10, TimeUnit.MILLISECONDS)) {
                        if (consumersLeft.get() == 0) {
                          return;
                        }
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }).start();
                CountDownLatch wg = new CountDownLatch(workers);
                for (int w = 0; w < workers; w++) {
                  new Thread(() -> {
                    try {
                      try {
                        while (true) {
                          int index = toProcess.take();
                          if (index == DONE) {
                            return;
                          }
                          try {
                            delete.accept(items.get(index));
                          } catch (RuntimeException e) {
                            return;
                          }
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      } finally {
                        wg.countDown();
                      }
                    } finally {
                      consumersLeft.decrementAndGet();
                    }
                  }).start();
                }
                wg.await();
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }
}
