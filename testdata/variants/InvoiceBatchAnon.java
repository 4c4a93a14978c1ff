package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** An anonymous Runnable renders invoices; the mailer waits a bounded time for each one. */
public final class InvoiceBatchAnon {
  static int mailAll(final int count) throws InterruptedException {
    final BlockingQueue<String> rendered = new ArrayBlockingQueue<>(2);
    Thread renderer = new Thread(new Runnable() {
      @Override
      public void run() {
        try {
          for (int i = 0; i < count; i++) {
            if (i == 3) {
              Thread.sleep(300); // one slow PDF
            }
            rendered.put("invoice-" + i + ".pdf"); // LEAK
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, "invoice-renderer");
    renderer.setDaemon(true);
    renderer.start();
    int mailed = 0;
    while (mailed < count) {
      String pdf = rendered.poll(100, TimeUnit.MILLISECONDS);
      if (pdf == null) {
        return mailed; // renderer too slow: report the partial batch
      }
      mailed++;
    }
    return mailed;
  }

  public static void main(String[] args) throws Exception {
    System.out.println(mailAll(50));
  }
}
