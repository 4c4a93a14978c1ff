package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Quotes are streamed by a CompletableFuture task; the caller reads until it has enough. */
public final class PriceQuoteAsync {
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "quote-stream");
    t.setDaemon(true);
    return t;
  });

  double averageOfFirst(int wanted) throws InterruptedException {
    BlockingQueue<Double> quotes = new ArrayBlockingQueue<>(2);
    CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
      try {
        for (int i = 0; i < 1_000; i++) {
          quotes.put(100.0 + i % 7); // LEAK
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, pool);
    double sum = 0;
    try {
      for (int i = 0; i < wanted; i++) {
        Double q = quotes.poll(1, TimeUnit.SECONDS);
        if (q == null) {
          break;
        }
        sum += q;
      }
    } finally {
      stream.cancel(true); // does not interrupt a CompletableFuture's task
    }
    return sum / wanted;
  }

  public static void main(String[] args) throws Exception {
    System.out.println(new PriceQuoteAsync().averageOfFirst(5));
  }
}
