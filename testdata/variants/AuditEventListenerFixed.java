package eval.cases;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The audit listener with its fix: the writer marks itself dead on its way out, and onEvent
 * offers with a timeout and rejects the event once the writer is gone.
 */
public final class AuditEventListenerFixed {
  interface Sink {
    void write(String event) throws IOException;
  }

  private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(8);
  private final Sink sink;
  private volatile boolean writerDead;

  AuditEventListenerFixed(Sink sink) {
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
    } finally {
      writerDead = true;
    }
  }

  /** Called by the event bus on the publishing thread. */
  public void onEvent(String event) throws InterruptedException {
    while (!pending.offer(event, 50, TimeUnit.MILLISECONDS)) {
      if (writerDead) {
        throw new IllegalStateException("audit writer is dead; event dropped: " + event);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    AuditEventListenerFixed listener = new AuditEventListenerFixed(event -> {
      if (event.endsWith("-2")) {
        throw new IOException("disk full");
      }
    });
    listener.start();
    try {
      for (int i = 0; i < 100; i++) {
        listener.onEvent("login-" + i);
      }
    } catch (IllegalStateException e) {
      System.out.println("publishing stopped: " + e.getMessage());
    }
  }
}
