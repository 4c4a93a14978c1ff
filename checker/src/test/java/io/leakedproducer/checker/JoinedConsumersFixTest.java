package io.leakedproducer.checker;

import com.google.errorprone.BugCheckerRefactoringTestHelper;
import com.google.errorprone.BugCheckerRefactoringTestHelper.TestMode;
import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * Producer and consumer classes that share the queue only through their constructors: the method
 * that starts the producer's thread and joins the consumer's interrupts the producer once the join
 * returns.
 */
final class JoinedConsumersFixTest {
  private final BugCheckerRefactoringTestHelper helper =
      BugCheckerRefactoringTestHelper.newInstance(LeakedProducer.class, getClass())
          .setArgs("-XepOpt:LeakedProducer:Strict=true");

  /** The reader thread is started inline: the fix keeps it in a variable to interrupt it. */
  @Test
  void inlineProducerThreadKeptAndInterruptedAfterJoin() {
    helper
        .addInputLines("CatalogImport.java", LeakyPrograms.CONSTRUCTOR_WIRED_IMPORT)
        .addOutputLines(
            "CatalogImport.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            class CatalogImport {
              interface Store {
                boolean write(String row);
              }

              static final class RowReader implements Runnable {
                private final BlockingQueue<String> rows;
                private final List<String> lines;

                RowReader(BlockingQueue<String> rows, List<String> lines) {
                  this.rows = rows;
                  this.lines = lines;
                }

                @Override
                public void run() {
                  try {
                    for (String line : lines) {
                      rows.put(line.trim());
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              static final class RowWriter implements Runnable {
                private final BlockingQueue<String> rows;
                private final Store store;
                int written;

                RowWriter(BlockingQueue<String> rows, Store store) {
                  this.rows = rows;
                  this.store = store;
                }

                @Override
                public void run() {
                  try {
                    while (true) {
                      String row = rows.take();
                      if (!store.write(row)) {
                        return;
                      }
                      written++;
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              int importAll(List<String> lines, Store store) throws InterruptedException {
                BlockingQueue<String> rows = new ArrayBlockingQueue<>(64);
                Thread rowReaderThread = new Thread(new RowReader(rows, lines), "catalog-reader");
                rowReaderThread.start();
                RowWriter writer = new RowWriter(rows, store);
                Thread writerThread = new Thread(writer, "catalog-writer");
                writerThread.start();
                writerThread.join();
                // Every consumer has ended: stop what is still put.
                rowReaderThread.interrupt();
                return writer.written;
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /** The reader thread already has a variable: only the interrupt after the last join is added. */
  @Test
  void namedProducerThreadInterruptedAfterLastJoin() {
    helper
        .addInputLines(
            "ChangeFeed.java",
            """
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.LinkedBlockingQueue;

            class ChangeFeed {
              static final class Tailer extends Thread {
                private final BlockingQueue<Long> offsets;

                Tailer(BlockingQueue<Long> offsets) {
                  this.offsets = offsets;
                }

                @Override
                public void run() {
                  try {
                    for (long offset = 0; offset < 100_000; offset++) {
                      offsets.put(offset);
                    }
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              }

              static final class Applier implements Runnable {
                private final BlockingQueue<Long> offsets;

                Applier(BlockingQueue<Long> offsets) {
                  this.offsets = offsets;
                }

                @Override
                public void run() {
                  try {
                    while (offsets.take() % 1_000 != 999) {
                      Thread.onSpinWait();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              void replay() throws InterruptedException {
                BlockingQueue<Long> offsets = new LinkedBlockingQueue<>(32);
                Tailer tailer = new Tailer(offsets);
                tailer.start();
                Thread first = new Thread(new Applier(offsets));
                Thread second = new Thread(new Applier(offsets));
                first.start();
                second.start();
                first.join();
                second.join();
              }
            }
            """)
        .addOutputLines(
            "ChangeFeed.java",
            """
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.LinkedBlockingQueue;

            class ChangeFeed {
              static final class Tailer extends Thread {
                private final BlockingQueue<Long> offsets;

                Tailer(BlockingQueue<Long> offsets) {
                  this.offsets = offsets;
                }

                @Override
                public void run() {
                  try {
                    for (long offset = 0; offset < 100_000; offset++) {
                      offsets.put(offset);
                    }
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              }

              static final class Applier implements Runnable {
                private final BlockingQueue<Long> offsets;

                Applier(BlockingQueue<Long> offsets) {
                  this.offsets = offsets;
                }

                @Override
                public void run() {
                  try {
                    while (offsets.take() % 1_000 != 999) {
                      Thread.onSpinWait();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              void replay() throws InterruptedException {
                BlockingQueue<Long> offsets = new LinkedBlockingQueue<>(32);
                Tailer tailer = new Tailer(offsets);
                tailer.start();
                Thread first = new Thread(new Applier(offsets));
                Thread second = new Thread(new Applier(offsets));
                first.start();
                second.start();
                first.join();
                second.join();
                // Every consumer has ended: stop what is still put.
                tailer.interrupt();
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * A reader that catches the interrupt inside its loop and goes on would not stop: no fix, and the
   * message says what to do by hand.
   */
  @Test
  void producerThatSwallowsInterruptGetsNoFix() {
    CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
        .setArgs("-XepOpt:LeakedProducer:Strict=true")
        .addSourceLines(
            "CatalogImport.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            class CatalogImport {
              static final class RowReader implements Runnable {
                private final BlockingQueue<String> rows;
                private final List<String> lines;

                RowReader(BlockingQueue<String> rows, List<String> lines) {
                  this.rows = rows;
                  this.lines = lines;
                }

                @Override
                public void run() {
                  for (String line : lines) {
                    try {
                      // BUG: Diagnostic contains: No automatic fix for this shape
                      rows.put(line.trim());
                    } catch (InterruptedException e) {
                      System.err.println("interrupted while reading; going on");
                    }
                  }
                }
              }

              static final class RowWriter implements Runnable {
                private final BlockingQueue<String> rows;

                RowWriter(BlockingQueue<String> rows) {
                  this.rows = rows;
                }

                @Override
                public void run() {
                  try {
                    while (!rows.take().isEmpty()) {
                      Thread.onSpinWait();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              void importAll(List<String> lines) throws InterruptedException {
                BlockingQueue<String> rows = new ArrayBlockingQueue<>(64);
                new Thread(new RowReader(rows, lines), "catalog-reader").start();
                Thread writerThread = new Thread(new RowWriter(rows), "catalog-writer");
                writerThread.start();
                writerThread.join();
              }
            }
            """)
        .doTest();
  }

  /**
   * A second writer thread that nobody joins may still be taking: interrupting the reader after the
   * first join would drop rows, so no fix is offered.
   */
  @Test
  void unjoinedSecondConsumerThreadGetsNoFix() {
    CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
        .setArgs("-XepOpt:LeakedProducer:Strict=true")
        .addSourceLines(
            "CatalogImport.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            class CatalogImport {
              static final class RowReader implements Runnable {
                private final BlockingQueue<String> rows;
                private final List<String> lines;

                RowReader(BlockingQueue<String> rows, List<String> lines) {
                  this.rows = rows;
                  this.lines = lines;
                }

                @Override
                public void run() {
                  try {
                    for (String line : lines) {
                      // BUG: Diagnostic contains: No automatic fix for this shape
                      rows.put(line.trim());
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              static final class RowWriter implements Runnable {
                private final BlockingQueue<String> rows;

                RowWriter(BlockingQueue<String> rows) {
                  this.rows = rows;
                }

                @Override
                public void run() {
                  try {
                    while (!rows.take().isEmpty()) {
                      Thread.onSpinWait();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              void importAll(List<String> lines) throws InterruptedException {
                BlockingQueue<String> rows = new ArrayBlockingQueue<>(64);
                new Thread(new RowReader(rows, lines), "catalog-reader").start();
                Thread writerThread = new Thread(new RowWriter(rows), "catalog-writer");
                writerThread.start();
                new Thread(new RowWriter(rows), "catalog-writer-2").start();
                writerThread.join();
              }
            }
            """)
        .doTest();
  }

  /**
   * The replay waits for the tailer before the appliers: it hangs in that join while the tailer is
   * stuck, so an interrupt after the appliers' joins would never run, and no fix is offered.
   */
  @Test
  void producerJoinedBeforeConsumersGetsNoFix() {
    CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
        .setArgs("-XepOpt:LeakedProducer:Strict=true")
        .addSourceLines(
            "ChangeFeed.java",
            """
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.LinkedBlockingQueue;

            class ChangeFeed {
              static final class Tailer extends Thread {
                private final BlockingQueue<Long> offsets;

                Tailer(BlockingQueue<Long> offsets) {
                  this.offsets = offsets;
                }

                @Override
                public void run() {
                  try {
                    for (long offset = 0; offset < 100_000; offset++) {
                      // BUG: Diagnostic contains: No automatic fix for this shape
                      offsets.put(offset);
                    }
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              }

              static final class Applier implements Runnable {
                private final BlockingQueue<Long> offsets;

                Applier(BlockingQueue<Long> offsets) {
                  this.offsets = offsets;
                }

                @Override
                public void run() {
                  try {
                    while (offsets.take() % 1_000 != 999) {
                      Thread.onSpinWait();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              void replay() throws InterruptedException {
                BlockingQueue<Long> offsets = new LinkedBlockingQueue<>(32);
                Tailer tailer = new Tailer(offsets);
                tailer.start();
                Thread applier = new Thread(new Applier(offsets));
                applier.start();
                tailer.join();
                applier.join();
              }
            }
            """)
        .doTest();
  }
}
