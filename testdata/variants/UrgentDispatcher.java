package eval.cases;

import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * A notification dispatcher: urgent messages jump the deque, normal ones queue at the back. The
 * drainer thread is a Thread subclass given the deque; shutdown() stops it, but a ticker that is
 * still submitting then blocks on the full deque forever.
 */
public final class UrgentDispatcher {
  static final class Drainer extends Thread {
    private final BlockingDeque<String> deque;
    private volatile boolean running = true;

    Drainer(BlockingDeque<String> deque) {
      super("notification-drainer");
      this.deque = deque;
      setDaemon(true);
    }

    void halt() {
      running = false;
      interrupt();
    }

    @Override
    public void run() {
      while (running) {
        try {
          String message = deque.take();
          System.out.println("sent " + message);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private final BlockingDeque<String> deque = new LinkedBlockingDeque<>(4);
  private final Drainer drainer = new Drainer(deque);

  void start() {
    drainer.start();
  }

  void submitUrgent(String message) throws InterruptedException {
    deque.putFirst(message); // LEAK
  }

  void submit(String message) throws InterruptedException {
    deque.putLast(message); // LEAK
  }

  void shutdown() {
    drainer.halt();
  }

  public static void main(String[] args) throws Exception {
    UrgentDispatcher dispatcher = new UrgentDispatcher();
    dispatcher.start();
    dispatcher.shutdown();
    drainerGone(dispatcher);
    CountDownLatch submitted = new CountDownLatch(1);
    Thread ticker = new Thread(() -> {
      try {
        for (int i = 0; ; i++) {
          if (i % 5 == 0) {
            dispatcher.submitUrgent("urgent-" + i);
          } else {
            dispatcher.submit("tick-" + i);
          }
          submitted.countDown();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "ticker");
    ticker.setDaemon(true);
    ticker.start();
    submitted.await(2, TimeUnit.SECONDS);
    System.out.println("dispatcher shut down while the ticker submits");
  }

  private static void drainerGone(UrgentDispatcher dispatcher) throws InterruptedException {
    dispatcher.drainer.join(2000);
  }
}
