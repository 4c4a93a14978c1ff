package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Report rendering pool whose rejection policy makes the submitter wait for room. */
public final class ReportRenderPool {
  private final ThreadPoolExecutor pool =
      new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(2),
          r -> {
            Thread t = new Thread(r, "report-renderer");
            t.setDaemon(true);
            return t;
          },
          (task, executor) -> {
            try {
              executor.getQueue().put(task); // LEAK
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });

  void render(String report) {
    pool.execute(() -> {
      try {
        Thread.sleep(100); // a slow chart
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  void shutdown() {
    pool.shutdownNow();
  }

  public static void main(String[] args) throws Exception {
    ReportRenderPool service = new ReportRenderPool();
    CountDownLatch waiting = new CountDownLatch(1);
    Thread scheduler = new Thread(() -> {
      for (int i = 0; i < 10; i++) {
        if (i == 4) {
          waiting.countDown();
        }
        service.render("report-" + i);
      }
    }, "report-scheduler");
    scheduler.setDaemon(true);
    scheduler.start();
    waiting.await(1, TimeUnit.SECONDS);
    Thread.sleep(50);
    service.shutdown(); // the scheduler is still waiting for room in the pool's queue
  }
}
