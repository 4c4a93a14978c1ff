package io.leakedproducer.checker;

/**
 * A log shipper used by the consumer-exit and cancellation tests: a producer task reads lines into
 * a bounded outbox and the test supplies the consumer and the code after it. The producer's
 * insertion is always on {@link #INSERTION_LINE}.
 */
final class ShipperSource {
  static final int INSERTION_LINE = 18;

  private ShipperSource() {}

  /**
   * @param queue the outbox declaration
   * @param insertion the producer's insertion statement(s), on {@link #INSERTION_LINE}
   * @param consumer the consumer code, starting on line 26
   * @param marker "// BUG: Diagnostic contains: ..." or an empty comment
   */
  static String of(String queue, String marker, String insertion, String consumer) {
    return """
        import java.io.IOException;
        import java.io.UncheckedIOException;
        import java.util.ArrayList;
        import java.util.List;
        import java.util.concurrent.*;
        import java.util.concurrent.atomic.*;

        class Shipper {
          static final String EOF = "<eof>";
          final AtomicBoolean producerDone = new AtomicBoolean();

          String ship(List<String> lines, ExecutorService pool) throws Exception {
            %s
            Future<?> producer = pool.submit(() -> {
              try {
                for (String line : lines) {
                  %s
                  %s
                }
                producerDone.set(true);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
            if (lines != null) { // the consumer, in a block so that any code after it stays reachable
            %s
            }
            return null;
          }

          boolean send(String line) throws IOException {
            return !line.isEmpty();
          }

          void log(Exception e) {}
        }
        """
        .formatted(queue, marker, insertion, consumer);
  }

  static String leaky(String consumer, String expected) {
    return of(
        "BlockingQueue<String> outbox = new ArrayBlockingQueue<>(16);",
        "// BUG: Diagnostic contains: " + expected,
        "outbox.put(line);",
        consumer);
  }

  static String safe(String consumer) {
    return of(
        "BlockingQueue<String> outbox = new ArrayBlockingQueue<>(16);",
        "//",
        "outbox.put(line);",
        consumer);
  }
}
