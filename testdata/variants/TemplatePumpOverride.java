package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A template-method pump: the base class owns the queue, the feeder and the worker loop; each
 * subclass says how one message is handled. The billing subclass throws on a negative amount,
 * which ends the worker loop of the base class, and the feeder blocks.
 */
public final class TemplatePumpOverride {
  abstract static class Pump<T> {
    private final BlockingQueue<T> inbox = new ArrayBlockingQueue<>(4);

    protected abstract void handle(T message);

    void start(Iterable<T> source) {
      Thread worker = new Thread(this::work, "pump-worker");
      worker.setDaemon(true);
      worker.start();
      Thread feeder = new Thread(() -> {
        try {
          for (T message : source) {
            inbox.put(message); // LEAK
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "pump-feeder");
      feeder.setDaemon(true);
      feeder.start();
    }

    private void work() {
      try {
        while (true) {
          handle(inbox.take());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static final class BillingPump extends Pump<Integer> {
    @Override
    protected void handle(Integer amount) {
      if (amount < 0) {
        throw new IllegalArgumentException("negative amount " + amount);
      }
    }
  }

  public static void main(String[] args) {
    java.util.List<Integer> amounts = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      amounts.add(i == 2 ? -5 : i);
    }
    new BillingPump().start(amounts);
    System.out.println("billing started");
  }
}
