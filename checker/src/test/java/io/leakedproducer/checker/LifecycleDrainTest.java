package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * "Consumers drain until the producer is done", in the owner's lifecycle method: a reader whose
 * callers pull through {@code advance()} stop by calling {@code close()}, and a close() that keeps
 * taking until the producer's executor has terminated never leaves the producer without a taker
 * (Beam's KafkaIO reader fix). A single drain is not enough, and neither is a drain in close() for
 * a consumer thread of the unit's own, which can die without anybody calling close().
 */
final class LifecycleDrainTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  /**
   * A split reader: the poll thread hands batches over a SynchronousQueue; the runner pulls with
   * advance() and calls close() when done. {@code drain} replaces the body of close() after the
   * executor's shutdown; {@code marker} marks the put on line 20.
   */
  private static String reader(String marker, String drain) {
    return """
        import java.util.List;
        import java.util.concurrent.*;

        public class SplitReader {
          private final SynchronousQueue<List<String>> batches = new SynchronousQueue<>();
          private final ExecutorService pollThread = Executors.newSingleThreadExecutor();
          private final BlockingQueue<List<String>> broker;
          private volatile boolean closed;
          private List<String> current = List.of();

          public SplitReader(BlockingQueue<List<String>> broker) {
            this.broker = broker;
          }

          private void pollLoop() {
            while (!closed) {
              try {
                List<String> records = broker.take();
                %s
                batches.put(records);
              } catch (InterruptedException e) {
                break;
              }
            }
          }

          public void start() {
            pollThread.submit(this::pollLoop);
          }

          public boolean advance() throws InterruptedException {
            List<String> next = batches.poll(10, TimeUnit.MILLISECONDS);
            if (next == null) {
              return false;
            }
            current = next;
            return true;
          }

          public void close() throws InterruptedException {
            closed = true;
            pollThread.shutdown();
            %s
          }
        }
        """
        .formatted(marker, drain);
  }

  @Test
  void negativeCloseDrainsUntilThePollThreadHasTerminated() {
    helper
        .addSourceLines(
            "SplitReader.java",
            reader(
                "",
                """
                while (true) {
                  batches.poll();
                  if (pollThread.awaitTermination(100, TimeUnit.MILLISECONDS)) {
                    break;
                  }
                }"""))
        .doTest();
  }

  @Test
  void closeDrainsOnceAndThePollThreadCanHandOverAgain() {
    helper
        .addSourceLines(
            "SplitReader.java",
            reader(
                "// BUG: Diagnostic contains: put() on 'batches'",
                """
                batches.poll();
                pollThread.awaitTermination(100, TimeUnit.MILLISECONDS);"""))
        .doTest();
  }
}
