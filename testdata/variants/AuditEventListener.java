package eval.cases;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * An audit listener registered with an event bus: the bus calls onEvent on the publishing thread,
 * and one writer thread ships the events to a sink. A sink failure kills the writer, and the next
 * publishers block in onEvent for good.
 */
public final class AuditEventListener {
  interface Sink {
    void write(String event) throws IOException;
  }

  private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(8);
  private final Sink sink;

  AuditEventListener(Sink sink) {
    this.sink = sink;
  }

  void start() {
    Thread writer = new Thread(this::drain, "audit-writer");
    writer.setDaemon(true);
    writer.start();
  }

  private void drain() {
    try {
      while (true) {
        String event = pending.take();
        try {
          sink.write(event);
        } catch (IOException e) {
          throw new UncheckedIOException("audit sink failed", e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Called by the event bus on the publishing thread. */
  public void onEvent(String event) throws InterruptedException {
    pending.put(event); // LEAK
  }

  public static void main(String[] args) throws Exception {
    AuditEventListener listener = new AuditEventListener(event -> {
      if (event.endsWith("-2")) {
        throw new IOException("disk full");
      }
    });
    listener.start();
    for (int i = 0; i < 100; i++) {
      listener.onEvent("login-" + i);
    }
    System.out.println("published");
  }
}
