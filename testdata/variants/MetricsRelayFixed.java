package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The fixed relay: the collector's retry loop gives up once its thread is interrupted, and close()
 * interrupts the collector after stopping the sender.
 */
public final class MetricsRelayFixed implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MetricsRelayFixed.class.getName());

  record Sample(String gauge, long seq, double value) {}

  private final BlockingQueue<Sample> outbound = new ArrayBlockingQueue<>(16);
  private final ThreadFactory threads = r -> {
    Thread t = new Thread(r);
    t.setDaemon(true);
    return t;
  };
  private final Thread collector = threads.newThread(this::collectLoop);
  private final Thread sender = threads.newThread(this::sendLoop);
  private final AtomicLong shipped = new AtomicLong();
  private volatile boolean sending = true;

  void start() {
    collector.setName("relay-collector");
    sender.setName("relay-sender");
    collector.start();
    sender.start();
  }

  private void collectLoop() {
    long seq = 0;
    try {
      while (enqueue(new Sample("heap.used", seq++, Runtime.getRuntime().totalMemory()))) {
        Thread.sleep(2);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean enqueue(Sample sample) throws InterruptedException {
    while (!outbound.offer(sample, 200, TimeUnit.MILLISECONDS)) {
      if (Thread.currentThread().isInterrupted()) {
        return false;
      }
      LOG.warning("relay queue full, retrying sample " + sample.seq());
    }
    return true;
  }

  private void sendLoop() {
    while (sending) {
      try {
        Sample s = outbound.poll(50, TimeUnit.MILLISECONDS);
        if (s != null) {
          shipped.incrementAndGet();
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    sending = false;
    sender.join(500);
    collector.interrupt();
    collector.join(500);
  }

  public static void main(String[] args) throws Exception {
    MetricsRelayFixed relay = new MetricsRelayFixed();
    relay.start();
    Thread.sleep(200);
    relay.close();
    System.out.println("shipped " + relay.shipped.get() + " samples, collector alive: "
        + relay.collector.isAlive());
  }
}
