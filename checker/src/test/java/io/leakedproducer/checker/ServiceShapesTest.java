package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * Whole service classes, the shapes real code has: lifecycle methods, field queues, thread pools.
 */
final class ServiceShapesTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  @Test
  void identificationServiceWithFieldQueueAndNoShutdownNow() {
    helper
        .addSourceLines(
            "AuditLog.java",
            """
            import java.io.IOException;
            import java.util.concurrent.*;

            class AuditLog implements AutoCloseable {
              private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(1024);
              private final ExecutorService writer = Executors.newSingleThreadExecutor();

              void start() {
                writer.execute(this::drain);
              }

              void record(String event) throws InterruptedException {
                // BUG: Diagnostic contains: the calling thread can block forever in put() on 'pending' (new ArrayBlockingQueue<>(1024)): every consumer can stop taking (line 20: append() can throw IOException out of the take loop)
                pending.put(event);
              }

              private void drain() {
                try {
                  while (true) {
                    append(pending.take());
                  }
                } catch (InterruptedException | IOException e) {
                  Thread.currentThread().interrupt();
                }
              }

              private void append(String event) throws IOException {}

              @Override
              public void close() {
                writer.shutdown();
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeServiceThatStopsItsWriterWithShutdownNow() {
    helper
        .addSourceLines(
            "AuditLog.java",
            """
            import java.io.IOException;
            import java.util.concurrent.*;

            class AuditLog implements AutoCloseable {
              private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(1024);
              private final ExecutorService pool = Executors.newFixedThreadPool(2);

              void start(Iterable<String> backlog) {
                pool.execute(() -> {
                  try {
                    for (String event : backlog) {
                      pending.put(event);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                pool.execute(() -> {
                  try {
                    while (true) {
                      append(pending.take());
                    }
                  } catch (InterruptedException | IOException e) {
                    Thread.currentThread().interrupt();
                  }
                });
              }

              private void append(String event) throws IOException {}

              @Override
              public void close() throws InterruptedException {
                pool.shutdown();
                if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                  pool.shutdownNow();
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeWorkersCatchEveryFailureAndStopOnTheirPill() {
    helper
        .addSourceLines(
            "Reindexer.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class Reindexer {
              private static final Object STOP = new Object();

              void reindex(List<Object> docs, int workers, ExecutorService pool) throws Exception {
                BlockingQueue<Object> work = new ArrayBlockingQueue<>(workers);
                Future<?> feeder = pool.submit(() -> {
                  for (Object doc : docs) {
                    work.put(doc);
                  }
                  for (int i = 0; i < workers; i++) {
                    work.put(STOP);
                  }
                  return null;
                });
                CountDownLatch done = new CountDownLatch(workers);
                for (int i = 0; i < workers; i++) {
                  pool.execute(() -> {
                    try {
                      for (Object doc = work.take(); doc != STOP; doc = work.take()) {
                        try {
                          index(doc);
                        } catch (Throwable t) {
                          System.err.println("skipping " + doc + ": " + t);
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    } finally {
                      done.countDown();
                    }
                  });
                }
                done.await();
                feeder.get();
              }

              void index(Object doc) throws Exception {}
            }
            """)
        .doTest();
  }

  @Test
  void negativeDroppingProducerNeverBlocks() {
    helper
        .addSourceLines(
            "Telemetry.java",
            """
            import java.util.concurrent.*;
            import java.util.concurrent.atomic.AtomicLong;

            class Telemetry {
              private final BlockingQueue<String> spans = new ArrayBlockingQueue<>(512);
              private final AtomicLong dropped = new AtomicLong();

              void emit(String span) throws InterruptedException {
                if (!spans.offer(span, 5, TimeUnit.MILLISECONDS)) {
                  dropped.incrementAndGet();
                }
              }

              void export() throws InterruptedException {
                String span = spans.take();
                if (span.isEmpty()) {
                  return;
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeQueueHandedToAThreadPool() {
    helper
        .addSourceLines(
            "Jobs.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class Jobs {
              void run(List<Runnable> jobs) throws InterruptedException {
                BlockingQueue<Runnable> backlog = new ArrayBlockingQueue<>(8);
                ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, backlog);
                for (Runnable job : jobs) {
                  backlog.put(job);
                }
                Runnable first = backlog.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                  pool.shutdown();
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeDrainToUntilProducerFinishes() {
    helper
        .addSourceLines(
            "Batcher.java",
            """
            import java.util.ArrayList;
            import java.util.List;
            import java.util.concurrent.*;

            class Batcher {
              List<List<String>> batch(List<String> rows, ExecutorService pool) throws Exception {
                BlockingQueue<String> incoming = new LinkedBlockingQueue<>(100);
                Future<?> reader = pool.submit(() -> {
                  for (String row : rows) {
                    incoming.put(row);
                  }
                  return null;
                });
                List<List<String>> batches = new ArrayList<>();
                while (!reader.isDone() || !incoming.isEmpty()) {
                  List<String> batch = new ArrayList<>();
                  incoming.drainTo(batch, 10);
                  if (!batch.isEmpty()) {
                    batches.add(batch);
                  }
                }
                return batches;
              }
            }
            """)
        .doTest();
  }
}
