package eval.cases;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Webhook delivery on a direct-handoff pool: when both delivery threads are busy, the rejection
 * policy makes the dispatcher wait until a worker takes the task. It refuses once the pool is shut
 * down, but the test comes before the wait: a dispatcher already waiting when shutdown() begins is
 * never served, because idle workers of a shut-down pool exit instead of taking.
 */
public final class WebhookDeliveryPool {
  static final class WaitForIdleWorkerPolicy implements RejectedExecutionHandler {
    private final AtomicInteger waits = new AtomicInteger();

    @Override
    public void rejectedExecution(Runnable task, ThreadPoolExecutor executor) {
      if (executor.isShutdown()) {
        throw new RejectedExecutionException("webhook pool is shut down");
      }
      waits.incrementAndGet();
      try {
        executor.getQueue().put(task); // LEAK
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RejectedExecutionException("interrupted while waiting for a delivery thread", e);
      }
    }
  }

  static final class DeliveryThreadFactory implements ThreadFactory {
    private final AtomicInteger n = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "webhook-delivery-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }

  private final WaitForIdleWorkerPolicy saturation = new WaitForIdleWorkerPolicy();
  private final ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS,
      new SynchronousQueue<>(), new DeliveryThreadFactory(), saturation);
  private final AtomicInteger delivered = new AtomicInteger();

  void deliver(String endpoint, String payload) {
    pool.execute(() -> post(endpoint, payload));
  }

  private void post(String endpoint, String payload) {
    try {
      Thread.sleep(150); // a slow subscriber
      delivered.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean shutdown() throws InterruptedException {
    pool.shutdown();
    return pool.awaitTermination(1, TimeUnit.SECONDS);
  }

  public static void main(String[] args) throws Exception {
    WebhookDeliveryPool webhooks = new WebhookDeliveryPool();
    Thread dispatcher = new Thread(() -> {
      for (int i = 0; i < 20; i++) {
        try {
          webhooks.deliver("https://hooks.example.com/orders", "{\"order\":" + i + "}");
        } catch (RejectedExecutionException e) {
          System.out.println("dropped event " + i + ": " + e.getMessage());
          return;
        }
      }
    }, "event-dispatcher");
    dispatcher.setDaemon(true);
    dispatcher.start();
    for (int i = 0; i < 100 && webhooks.saturation.waits.get() == 0; i++) {
      Thread.sleep(10); // deploy hook: shut down once the dispatcher is waiting for a slot
    }
    boolean terminated = webhooks.shutdown();
    System.out.println("terminated=" + terminated + " delivered=" + webhooks.delivered.get());
  }
}
