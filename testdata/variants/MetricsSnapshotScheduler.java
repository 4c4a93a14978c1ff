package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A scheduled task snapshots metrics into a buffer; one shipper thread sends them. */
public final class MetricsSnapshotScheduler {
  private final BlockingQueue<long[]> snapshots = new ArrayBlockingQueue<>(3);
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "metrics-snapshot");
        t.setDaemon(true);
        return t;
      });
  private int sent;

  void start() {
    scheduler.scheduleAtFixedRate(this::snapshot, 0, 5, TimeUnit.MILLISECONDS);
    Thread shipper = new Thread(this::ship, "metrics-shipper");
    shipper.setDaemon(true);
    shipper.start();
  }

  private void snapshot() {
    try {
      snapshots.put(new long[] {System.nanoTime(), Runtime.getRuntime().freeMemory()}); // LEAK
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void ship() {
    try {
      while (true) {
        send(snapshots.take());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(long[] snapshot) {
    if (++sent == 3) {
      throw new IllegalStateException("collector rejected the payload: 413");
    }
  }

  public static void main(String[] args) throws Exception {
    new MetricsSnapshotScheduler().start();
    Thread.sleep(300);
  }
}
