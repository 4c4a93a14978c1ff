package eval.cases;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TransferQueue;

/**
 * A job handoff where the submitter waits until a worker has taken the job (transfer). Workers
 * retire after an idle period, and nothing restarts them: the next transfer waits forever.
 */
public final class IdleRetiringTransfer {
  private final TransferQueue<Runnable> jobs = new LinkedTransferQueue<>();
  private final CountDownLatch retired;

  IdleRetiringTransfer(int workers) {
    retired = new CountDownLatch(workers);
    for (int i = 0; i < workers; i++) {
      Thread worker = new Thread(this::work, "job-worker-" + i);
      worker.setDaemon(true);
      worker.start();
    }
  }

  private void work() {
    try {
      while (true) {
        Runnable job = jobs.poll(100, TimeUnit.MILLISECONDS);
        if (job == null) {
          return; // idle: retire
        }
        job.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      retired.countDown();
    }
  }

  void submitAndWait(Runnable job) throws InterruptedException {
    jobs.transfer(job); // LEAK
  }

  public static void main(String[] args) throws Exception {
    IdleRetiringTransfer pool = new IdleRetiringTransfer(2);
    pool.submitAndWait(() -> System.out.println("first job"));
    pool.retired.await(2, TimeUnit.SECONDS);
    Thread client = new Thread(() -> {
      try {
        pool.submitAndWait(() -> System.out.println("second job"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "client");
    client.setDaemon(true);
    client.start();
    System.out.println("workers retired; the client is still submitting");
  }
}
