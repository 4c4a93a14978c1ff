package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The metrics forwarder with its fix: the sender marks itself stopped in a finally, and the
 * collector gives up between timed offers once it has.
 */
public final class RetryingOfferForwarderFixed {
  private final BlockingQueue<String> samples = new ArrayBlockingQueue<>(16);
  private final AtomicBoolean senderStopped = new AtomicBoolean();
  private long retries;

  void startSender() {
    Thread sender = new Thread(() -> {
      try {
        while (true) {
          String sample;
          try {
            sample = samples.take();
          } catch (InterruptedException e) {
            return;
          }
          if (!sample.contains("=")) {
            throw new IllegalArgumentException("malformed sample " + sample);
          }
        }
      } finally {
        senderStopped.set(true);
      }
    }, "metrics-sender");
    sender.setDaemon(true);
    sender.start();
  }

  void startCollector() {
    Thread collector = new Thread(() -> {
      try {
        for (int i = 0; ; i++) {
          String sample = i == 7 ? "broken" : "cpu=" + i;
          boolean accepted;
          do {
            accepted = samples.offer(sample, 25, TimeUnit.MILLISECONDS);
            if (!accepted) {
              retries++;
            }
          } while (!accepted && !senderStopped.get());
          if (!accepted) {
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "metrics-collector");
    collector.setDaemon(true);
    collector.start();
  }

  public static void main(String[] args) throws Exception {
    RetryingOfferForwarderFixed forwarder = new RetryingOfferForwarderFixed();
    forwarder.startSender();
    forwarder.startCollector();
    System.out.println("forwarding");
  }
}
