package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Quotes are streamed by a pool task; the caller reads until it has enough and cancels it. */
public final class PriceQuoteSubmit {
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "quote-stream");
    t.setDaemon(true);
    return t;
  });

  double averageOfFirst(int wanted) throws InterruptedException {
    BlockingQueue<Double> quotes = new ArrayBlockingQueue<>(2);
    Future<?> stream = pool.submit(() -> {
      try {
        for (int i = 0; i < 1_000; i++) {
          quotes.put(100.0 + i % 7);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
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
      stream.cancel(true);
    }
    return sum / wanted;
  }

  public static void main(String[] args) throws Exception {
    System.out.println(new PriceQuoteSubmit().averageOfFirst(5));
  }
}
