package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * A producer that inserts until it is stopped ({@code while (running)}) always has more elements
 * than a counted consumer loop takes, although its own count is unknown; a producer whose loop runs
 * over data may end by itself, so its count stays unknown and the check stays silent.
 */
final class EndlessProducersTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
          .setArgs("-XepOpt:LeakedProducer:Strict=true");

  /**
   * A change-capture source: a listener thread queues row changes, a snapshot job calls {@code
   * poll()} a fixed number of times and then stops the source. The listener's loop is on line 15,
   * the snapshot's loop on line 44 (with a one-line insertion).
   */
  private static String changeCapture(String listenerLoop, String insertion, String marker) {
    return """
        import java.util.ArrayList;
        import java.util.Iterator;
        import java.util.List;
        import java.util.concurrent.ArrayBlockingQueue;
        import java.util.concurrent.BlockingQueue;
        import java.util.concurrent.TimeUnit;

        final class ChangeCapture {
          private final BlockingQueue<String> changes = new ArrayBlockingQueue<>(32);
          private volatile boolean running = true;

          void start(Iterator<String> binlog) {
            Thread listener = new Thread(() -> {
              try {
                %s {
                  String change = binlog.next();
                  %s
                  %s
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }, "binlog-listener");
            listener.setDaemon(true);
            listener.start();
          }

          List<String> poll() throws InterruptedException {
            List<String> batch = new ArrayList<>();
            String first = changes.poll(100, TimeUnit.MILLISECONDS);
            if (first != null) {
              batch.add(first);
              changes.drainTo(batch, 99);
            }
            return batch;
          }

          void stop() {
            running = false;
          }

          static int snapshot(ChangeCapture source, int batches) throws InterruptedException {
            int rows = 0;
            for (int i = 0; i < batches; i++) {
              rows += source.poll().size();
            }
            source.stop();
            return rows;
          }
        }
        """
        .formatted(listenerLoop, marker, insertion);
  }

  @Test
  void listenerThatPutsUntilStoppedOutlivesASnapshotThatPollsAFixedNumberOfTimes() {
    helper
        .addSourceLines(
            "ChangeCapture.java",
            changeCapture(
                "while (running)",
                "changes.put(change);",
                "// BUG: Diagnostic contains: every consumer can stop taking (line 44: stops after"
                    + " batches calls of poll())"))
        .doTest();
  }

  @Test
  void listenerThatPutsUntilInterruptedOutlivesTheSnapshotToo() {
    helper
        .addSourceLines(
            "ChangeCapture.java",
            changeCapture(
                "while (!Thread.currentThread().isInterrupted())",
                "changes.put(change);",
                "// BUG: Diagnostic contains: stops after batches calls of poll()"))
        .doTest();
  }

  /** The listener reads a finite log: it may insert no more than the snapshot polls. */
  @Test
  void negativeListenerThatReadsUntilTheLogEnds() {
    helper
        .addSourceLines(
            "ChangeCapture.java",
            changeCapture("while (binlog.hasNext())", "changes.put(change);", "//"))
        .doTest();
  }

  /** The listener re-reads the flag between timed offers, and stop() clears it. */
  @Test
  void negativeListenerThatOffersUntilStopped() {
    helper
        .addSourceLines(
            "ChangeCapture.java",
            changeCapture(
                "while (running)",
                """
                while (!changes.offer(change, 100, TimeUnit.MILLISECONDS)) {
                  if (!running) {
                    return;
                  }
                }
                """,
                "//"))
        .doTest();
  }

  /** A loop that stops on a marker in the data ends by itself: its count is unknown. */
  @Test
  void negativeListenerThatStopsAtTheEndMarker() {
    helper
        .addSourceLines(
            "ChangeCapture.java",
            changeCapture(
                "while (running)",
                """
                if (change.isEmpty()) {
                  break;
                }
                changes.put(change);
                """,
                "//"))
        .doTest();
  }
}
