package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * A metrics relay: the collector samples gauges every few milliseconds and queues them, the sender
 * ships them upstream. Under back-pressure the collector retries a timed offer and logs; it never
 * asks whether anyone is still sending. close() stops the sender only, so the collector retries
 * for good.
 */
public final class MetricsRelay implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MetricsRelay.class.getName());

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
      while (true) {
        enqueue(new Sample("heap.used", seq++, Runtime.getRuntime().totalMemory()));
        Thread.sleep(2);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void enqueue(Sample sample) throws InterruptedException {
    while (!outbound.offer(sample, 200, TimeUnit.MILLISECONDS)) { // LEAK
      LOG.warning("relay queue full, retrying sample " + sample.seq());
    }
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
  }

  public static void main(String[] args) throws Exception {
    MetricsRelay relay = new MetricsRelay();
    relay.start();
    Thread.sleep(200);
    relay.close();
    System.out.println("shipped " + relay.shipped.get() + " samples");
  }
}
