package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/** The reference incident (Kubernetes PR 105606) before and after its fix. */
final class LeakedProducerTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  @Test
  void identification() {
    helper
        .addSourceLines(
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
                      // BUG: Diagnostic contains: the thread created at line 12 can block forever in put() on 'toProcess' (new ArrayBlockingQueue<>(2 * workers)): every consumer can stop taking (line 34: return in catch (RuntimeException))
                      toProcess.put(i);
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
        .doTest();
  }

  @Test
  void negativeKubernetesFix() {
    helper
        .addSourceLines(
            "DeleteCollection.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.CountDownLatch;
            import java.util.concurrent.TimeUnit;
            import java.util.concurrent.atomic.AtomicBoolean;
            import java.util.function.Consumer;

            class DeleteCollection {
              static final int DONE = -1;

              static <T> void deleteCollection(List<T> items, int workers, Consumer<T> delete) throws InterruptedException {
                BlockingQueue<Integer> toProcess = new ArrayBlockingQueue<>(2 * workers);
                AtomicBoolean workersExited = new AtomicBoolean();
                new Thread(() -> {
                  try {
                    for (int i = 0; i < items.size(); i++) {
                      while (!toProcess.offer(i, 10, TimeUnit.MILLISECONDS)) {
                        if (workersExited.get()) {
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
                try {
                  wg.await();
                } finally {
                  workersExited.set(true);
                }
              }
            }
            """)
        .doTest();
  }
}
