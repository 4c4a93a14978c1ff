package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** Order sync: the fetcher offers with a timeout and stops once the writer has gone. */
public final class OrderSyncStopFlag {
  private final BlockingQueue<String> orders = new ArrayBlockingQueue<>(4);
  private volatile boolean writerGone;

  void startFetcher(int count) {
    Thread fetcher = new Thread(() -> {
      try {
        for (int i = 0; i < count; i++) {
          String order = "order-" + i;
          while (!orders.offer(order, 20, TimeUnit.MILLISECONDS)) {
            if (writerGone) {
              return;
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "order-fetcher");
    fetcher.setDaemon(true);
    fetcher.start();
  }

  void write(int limit) throws InterruptedException {
    try {
      for (int i = 0; i < limit; i++) {
        String order = orders.take();
        if (order.endsWith("5")) {
          throw new IllegalStateException("duplicate order " + order);
        }
      }
    } finally {
      writerGone = true;
    }
  }

  public static void main(String[] args) throws Exception {
    OrderSyncStopFlag sync = new OrderSyncStopFlag();
    sync.startFetcher(100);
    try {
      sync.write(100);
    } catch (IllegalStateException e) {
      System.out.println("sync stopped: " + e.getMessage());
    }
  }
}
