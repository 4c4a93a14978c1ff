package eval.cases;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The fixed blocking stub: the iterator is AutoCloseable, close() marks the call cancelled and
 * frees the buffer, and the callback offers with a timeout and stops once the call is cancelled.
 * The caller closes the iterator in try-with-resources, so an abandoned stream ends the callback.
 */
public final class PriceStreamClientFixed {
  record Quote(String symbol, double price, String venue) {}

  interface StreamObserver<T> {
    void onNext(T value);

    void onError(Throwable t);

    void onCompleted();
  }

  static final class QuoteChannel {
    private final ExecutorService callbackExecutor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "grpc-default-executor-0");
      t.setDaemon(true);
      return t;
    });

    void streamQuotes(String symbol, int count, StreamObserver<Quote> observer) {
      callbackExecutor.execute(() -> {
        for (int i = 0; i < count; i++) {
          observer.onNext(new Quote(symbol, 100.0 + i, i == 2 ? null : "XNYS"));
        }
        observer.onCompleted();
      });
    }

    void shutdown() {
      callbackExecutor.shutdown();
    }
  }

  static final class BlockingQuoteIterator
      implements Iterator<Quote>, StreamObserver<Quote>, AutoCloseable {
    private static final Object END_OF_STREAM = new Object();
    private final BlockingQueue<Object> buffer = new ArrayBlockingQueue<>(3);
    private volatile boolean cancelled;
    private Object last;

    @Override
    public void onNext(Quote value) {
      enqueue(value);
    }

    @Override
    public void onError(Throwable t) {
      enqueue(t);
    }

    @Override
    public void onCompleted() {
      enqueue(END_OF_STREAM);
    }

    private void enqueue(Object message) {
      try {
        while (!cancelled) {
          if (buffer.offer(message, 50, TimeUnit.MILLISECONDS)) {
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public boolean hasNext() {
      if (last == null) {
        try {
          last = buffer.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for a quote", e);
        }
      }
      if (last instanceof Throwable t) {
        throw new IllegalStateException("stream failed", t);
      }
      return last != END_OF_STREAM;
    }

    @Override
    public Quote next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Quote q = (Quote) last;
      last = null;
      return q;
    }

    @Override
    public void close() {
      cancelled = true;
      buffer.clear();
    }
  }

  private final QuoteChannel channel = new QuoteChannel();

  double volumeWeightedPrice(String symbol) {
    try (BlockingQuoteIterator quotes = new BlockingQuoteIterator()) {
      channel.streamQuotes(symbol, 40, quotes);
      double sum = 0;
      int n = 0;
      while (quotes.hasNext()) {
        Quote q = quotes.next();
        sum += q.price() * venueWeight(q);
        n++;
      }
      return n == 0 ? 0 : sum / n;
    }
  }

  private static double venueWeight(Quote q) {
    if (q.venue() == null) {
      throw new IllegalArgumentException("quote without venue for " + q.symbol());
    }
    return q.venue().startsWith("X") ? 1.0 : 0.5;
  }

  public static void main(String[] args) throws Exception {
    PriceStreamClientFixed client = new PriceStreamClientFixed();
    try {
      System.out.println("vwap " + client.volumeWeightedPrice("ACME"));
    } catch (IllegalArgumentException e) {
      System.out.println("pricing failed: " + e.getMessage());
    }
    client.channel.shutdown();
    Thread.sleep(200);
  }
}
