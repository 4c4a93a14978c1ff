package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * "Flag, then clear": a consumer that records its failure and then clears the queue releases a
 * producer that tests the failure before each single insertion. Clear before the flag, or several
 * insertions per test, leaves a producer blocked.
 */
final class FlagThenClearTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  /** An async writer; the caller's insertion is on line 19, the writer's failure handler given. */
  private static String writer(String marker, String write, String onFailure) {
    return """
        import java.util.concurrent.*;
        import java.util.concurrent.atomic.AtomicReference;

        class AsyncWriter {
          private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(64);
          private final AtomicReference<Throwable> failure = new AtomicReference<>();

          AsyncWriter() {
            new Thread(this::drain).start();
          }

          private void rethrowFailure() {
            if (failure.get() != null) {
              throw new IllegalStateException(failure.get());
            }
          }

          void write(String... records) throws InterruptedException {
            %s
            %s
          }

          private void drain() {
            try {
              while (true) {
                store(queue.take());
              }
            } catch (Throwable t) {
              %s
            }
          }

          private void store(String record) {
            if (record.isEmpty()) {
              throw new IllegalStateException("No space left on device");
            }
          }
        }
        """
        .formatted(marker, write, onFailure);
  }

  private static final String LEAK = "// BUG: Diagnostic contains: put() on 'queue'";

  @Test
  void negativeFlagThenClearAndATestBeforeEachPut() {
    helper
        .addSourceLines(
            "AsyncWriter.java",
            writer(
                "//",
                "for (String r : records) { rethrowFailure(); queue.put(r); }",
                "failure.compareAndSet(null, t);\nqueue.clear();"))
        .doTest();
  }

  @Test
  void identificationClearBeforeTheFlag() {
    helper
        .addSourceLines(
            "AsyncWriter.java",
            writer(
                LEAK,
                "for (String r : records) { rethrowFailure(); queue.put(r); }",
                "queue.clear();\nfailure.compareAndSet(null, t);"))
        .doTest();
  }

  @Test
  void identificationSeveralPutsPerTest() {
    helper
        .addSourceLines(
            "AsyncWriter.java",
            writer(
                LEAK,
                "rethrowFailure(); for (String r : records) { queue.put(r); }",
                "failure.compareAndSet(null, t);\nqueue.clear();"))
        .doTest();
  }

  @Test
  void identificationFlagWithoutClear() {
    helper
        .addSourceLines(
            "AsyncWriter.java",
            writer(
                LEAK,
                "for (String r : records) { rethrowFailure(); queue.put(r); }",
                "failure.compareAndSet(null, t);"))
        .doTest();
  }

  /**
   * A packetizer's stop() interrupts its sender, resets {@code paused} to false and clears the
   * queue; the producer's test leaves only when {@code paused} is true, so the write lets it in
   * again instead of stopping it: no handshake. With {@code paused = true} it is one.
   */
  private static String packetizer(String marker, String write) {
    return """
        import java.util.concurrent.*;

        class Packetizer {
          private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>(4);
          private final Thread sender = new Thread(this::send);
          private volatile boolean paused;

          void start() {
            sender.start();
          }

          void stop() {
            sender.interrupt();
            %s
            frames.clear();
          }

          void sendFrame(byte[] frame) throws InterruptedException {
            if (paused) {
              return;
            }
            %s
            frames.put(frame);
          }

          private void send() {
            while (true) {
              try {
                transmit(frames.take());
              } catch (InterruptedException e) {
                return;
              }
            }
          }

          private void transmit(byte[] frame) {}
        }
        """
        .formatted(write, marker);
  }

  @Test
  void identificationStopWritesTheValueThatLetsTheProducerIn() {
    helper
        .addSourceLines(
            "Packetizer.java",
            packetizer(
                "// BUG: Diagnostic contains: (line 13: stop() interrupts its thread)",
                "paused = false;"))
        .doTest();
  }

  @Test
  void negativeStopWritesTheValueThatStopsTheProducerThenClears() {
    helper.addSourceLines("Packetizer.java", packetizer("", "paused = true;")).doTest();
  }
}
