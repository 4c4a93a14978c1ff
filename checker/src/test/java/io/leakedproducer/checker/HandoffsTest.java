package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/** Which queues are bounded handoffs, which insertions block, and the flags that extend both. */
final class HandoffsTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  @Test
  void identificationLinkedBlockingQueueWithCapacity() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "BlockingQueue<String> frontier = new LinkedBlockingQueue<>(50);",
                "// BUG: Diagnostic contains: put() on 'frontier' (new LinkedBlockingQueue<>(50)): every consumer can stop taking (line 21: break after a matching element)\n"
                    + "frontier.put(url);"))
        .doTest();
  }

  @Test
  void negativeLinkedBlockingQueueWithoutCapacity() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "BlockingQueue<String> frontier = new LinkedBlockingQueue<>();",
                "frontier.put(url);"))
        .doTest();
  }

  @Test
  void identificationLinkedBlockingDequePutLast() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "BlockingDeque<String> frontier = new LinkedBlockingDeque<>(8);",
                "// BUG: Diagnostic contains: putLast() on 'frontier' (new LinkedBlockingDeque<>(8))\n"
                    + "frontier.putLast(url);"))
        .doTest();
  }

  @Test
  void identificationLinkedBlockingDequePutFirst() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "LinkedBlockingDeque<String> frontier = new LinkedBlockingDeque<>(8);",
                "// BUG: Diagnostic contains: putFirst() on 'frontier' (new LinkedBlockingDeque<>(8))\n"
                    + "frontier.putFirst(url);"))
        .doTest();
  }

  @Test
  void negativeLinkedBlockingDequeWithoutCapacity() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "BlockingDeque<String> frontier = new LinkedBlockingDeque<>();",
                "frontier.putLast(url);"))
        .doTest();
  }

  @Test
  void identificationSynchronousQueue() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "BlockingQueue<String> frontier = new SynchronousQueue<>(true);",
                "// BUG: Diagnostic contains: put() on 'frontier' (a synchronous handoff: new SynchronousQueue<>(true))\n"
                    + "frontier.put(url);"))
        .doTest();
  }

  @Test
  void identificationTransferOnUnboundedTransferQueue() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "TransferQueue<String> frontier = new LinkedTransferQueue<>();",
                "// BUG: Diagnostic contains: transfer() on 'frontier' (a synchronous handoff: new LinkedTransferQueue<>())\n"
                    + "frontier.transfer(url);"))
        .doTest();
  }

  @Test
  void negativePutOnUnboundedTransferQueue() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "TransferQueue<String> frontier = new LinkedTransferQueue<>();",
                "frontier.put(url);"))
        .doTest();
  }

  @Test
  void negativePriorityBlockingQueue() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "BlockingQueue<String> frontier = new PriorityBlockingQueue<>(16);",
                "frontier.put(url);"))
        .doTest();
  }

  @Test
  void negativeAddAndHandledOfferNeverBlock() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "BlockingQueue<String> frontier = new ArrayBlockingQueue<>(4);",
                "boolean queued = frontier.offer(url, 1, TimeUnit.SECONDS);\n"
                    + "if (!queued && !frontier.offer(url)) { frontier.add(url); }"))
        .doTest();
  }

  @Test
  void identificationTimedOfferRetryLoop() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "BlockingQueue<String> frontier = new ArrayBlockingQueue<>(4);",
                "// BUG: Diagnostic contains: the executor thread that runs the task passed to execute() (line 8) can block forever in a retry loop around offer() that never checks for cancellation on 'frontier'\n"
                    + "while (!frontier.offer(url, 100, TimeUnit.MILLISECONDS)) {}"))
        .doTest();
  }

  @Test
  void identificationTimedOfferRetryWithBreak() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "BlockingQueue<String> frontier = new ArrayBlockingQueue<>(4);",
                "while (true) {\n"
                    + "// BUG: Diagnostic contains: a retry loop around offer()\n"
                    + "if (frontier.offer(url, 1, TimeUnit.SECONDS)) { break; }\n"
                    + "System.err.println(\"frontier full, retrying\");\n"
                    + "}"))
        .doTest();
  }

  @Test
  void negativeTimedOfferThatGivesUp() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "BlockingQueue<String> frontier = new ArrayBlockingQueue<>(4);",
                "if (!frontier.offer(url, 5, TimeUnit.SECONDS)) { return; }"))
        .doTest();
  }

  @Test
  void negativeTimedOfferWithBoundedRetries() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "BlockingQueue<String> frontier = new ArrayBlockingQueue<>(4);",
                "int attempts = 0;\n"
                    + "while (!frontier.offer(url, 1, TimeUnit.SECONDS)) {\n"
                    + "  if (++attempts == 3) { throw new IllegalStateException(\"frontier stuck\"); }\n"
                    + "}"))
        .doTest();
  }

  @Test
  void identificationQueueSubclassWithCapacity() {
    helper
        .addSourceLines(
            "Crawler.java",
            LeakyPrograms.crawler(
                "",
                "class Frontier extends ArrayBlockingQueue<String> { Frontier() { super(16); } }\n"
                    + "BlockingQueue<String> frontier = new Frontier();",
                "// BUG: Diagnostic contains: put() on 'frontier' (new Frontier())\n"
                    + "frontier.put(url);"))
        .doTest();
  }

  @Test
  void negativeQueueOfUnknownOriginByDefault() {
    helper
        .addSourceLines(
            "Drain.java",
            """
            import java.util.List;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;

            class Drain {
              void feed(BlockingQueue<String> sink, List<String> rows, ExecutorService pool) throws InterruptedException {
                pool.execute(() -> {
                  try {
                    for (String row : rows) {
                      sink.put(row);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                while (true) {
                  if (sink.take().isEmpty()) {
                    return;
                  }
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationQueueOfUnknownOriginWithFlag() {
    helper
        .setArgs("-XepOpt:LeakedProducer:UnknownQueuesBounded=true")
        .addSourceLines(
            "Drain.java",
            """
            import java.util.List;
            import java.util.concurrent.BlockingQueue;

            class Drain {
              BlockingQueue<String> sink(int n) {
                return new java.util.concurrent.ArrayBlockingQueue<>(n);
              }

              void feed(List<String> rows) throws InterruptedException {
                BlockingQueue<String> sink = sink(4);
                new Thread(() -> {
                  try {
                    for (String row : rows) {
                      // BUG: Diagnostic contains: put() on 'sink' (sink(4)): every consumer can stop taking (line 23: return after a matching element)
                      sink.put(row);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }).start();
                while (true) {
                  if (sink.take().isEmpty()) {
                    return;
                  }
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationQueueParameterWithFlag() {
    helper
        .setArgs("-XepOpt:LeakedProducer:UnknownQueuesBounded=true")
        .addSourceLines(
            "Drain.java",
            """
            import java.util.List;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;

            class Drain {
              void feed(BlockingQueue<String> sink, List<String> rows, ExecutorService pool) throws InterruptedException {
                pool.execute(() -> {
                  try {
                    for (String row : rows) {
                      // BUG: Diagnostic contains: put() on 'sink' (a queue created elsewhere): every consumer can stop taking (line 19: return after a matching element)
                      sink.put(row);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                while (true) {
                  if (sink.take().isEmpty()) {
                    return;
                  }
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationExtraFactoryFlag() {
    helper
        .setArgs("-XepOpt:LeakedProducer:BoundedQueueFactories=Queues2#bounded")
        .addSourceLines(
            "Queues2.java",
            """
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            final class Queues2 {
              static <T> BlockingQueue<T> bounded(int capacity) {
                return new ArrayBlockingQueue<>(capacity);
              }
            }
            """)
        .addSourceLines(
            "Feeder.java",
            """
            import java.util.List;
            import java.util.concurrent.BlockingQueue;

            class Feeder {
              void feed(List<String> rows) throws InterruptedException {
                BlockingQueue<String> sink = Queues2.bounded(4);
                new Thread(() -> {
                  try {
                    for (String row : rows) {
                      // BUG: Diagnostic contains: put() on 'sink' (Queues2.bounded(4))
                      sink.put(row);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }).start();
                while (true) {
                  if (sink.take().isEmpty()) {
                    return;
                  }
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationExtraInsertionMethodFlag() {
    helper
        .setArgs("-XepOpt:LeakedProducer:BlockingInsertionMethods=WorkQueue#submitWork")
        .addSourceLines(
            "WorkQueue.java",
            """
            import java.util.concurrent.ArrayBlockingQueue;

            class WorkQueue extends ArrayBlockingQueue<String> {
              WorkQueue(int capacity) {
                super(capacity);
              }

              void submitWork(String work) throws InterruptedException {
                put(work);
              }
            }
            """)
        .addSourceLines(
            "Scheduler.java",
            """
            import java.util.List;

            class Scheduler {
              void schedule(List<String> jobs) throws InterruptedException {
                WorkQueue work = new WorkQueue(2);
                new Thread(() -> {
                  try {
                    for (String job : jobs) {
                      // BUG: Diagnostic contains: submitWork() on 'work' (new WorkQueue(2))
                      work.submitWork(job);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }).start();
                while (true) {
                  if (work.take().isEmpty()) {
                    return;
                  }
                }
              }
            }
            """)
        .doTest();
  }
}
