package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A metrics forwarder: the collector retries a timed offer until the queue accepts the sample,
 * counting retries for a gauge. The sender dies on a malformed sample and the collector retries
 * forever.
 */
public final class RetryingOfferForwarder {
  private final BlockingQueue<String> samples = new ArrayBlockingQueue<>(16);
  private long retries;

  void startSender() {
    Thread sender = new Thread(() -> {
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
            accepted = samples.offer(sample, 25, TimeUnit.MILLISECONDS); // LEAK
            if (!accepted) {
              retries++;
            }
          } while (!accepted);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "metrics-collector");
    collector.setDaemon(true);
    collector.start();
  }

  public static void main(String[] args) {
    RetryingOfferForwarder forwarder = new RetryingOfferForwarder();
    forwarder.startSender();
    forwarder.startCollector();
    System.out.println("forwarding");
  }
}
