package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A span exporter: spans are offered (dropped when the buffer is full), one exporter thread sends
 * them, and close() puts a pill so the exporter flushes and ends. If the exporter already died,
 * the buffer stays full and close() blocks forever in the pill's put.
 */
public final class ShutdownPillDeadWriter implements AutoCloseable {
  private static final String PILL = "<shutdown>";
  private final BlockingQueue<String> spans = new ArrayBlockingQueue<>(4);
  private final Thread exporter = new Thread(this::export, "span-exporter");

  ShutdownPillDeadWriter() {
    exporter.setDaemon(true);
    exporter.start();
  }

  private void export() {
    try {
      while (true) {
        String span = spans.take();
        if (span == PILL) {
          return;
        }
        if (span.isEmpty()) {
          throw new IllegalStateException("empty span");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean record(String span) {
    return spans.offer(span);
  }

  @Override
  public void close() throws InterruptedException {
    spans.put(PILL); // LEAK
    exporter.join();
  }

  public static void main(String[] args) throws Exception {
    ShutdownPillDeadWriter tracer = new ShutdownPillDeadWriter();
    tracer.record("");
    tracer.exporter.join(2000);
    for (int i = 0; i < 10; i++) {
      tracer.record("span-" + i);
    }
    tracer.close();
  }
}
