package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A prefetching page reader: the fetcher thread belongs to the reader, and close() interrupts it;
 * the fetcher lets the interrupt end its put. A caller that stops reading and closes leaves
 * nothing behind.
 */
public final class OwnedFetcherInterrupted implements AutoCloseable {
  private final BlockingQueue<String> pages = new ArrayBlockingQueue<>(2);
  private final Thread fetcher;

  OwnedFetcherInterrupted(int total) {
    fetcher = new Thread(() -> {
      try {
        for (int i = 0; i < total; i++) {
          pages.put("page-" + i);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "page-fetcher");
    fetcher.setDaemon(true);
    fetcher.start();
  }

  String next() throws InterruptedException {
    return pages.take();
  }

  @Override
  public void close() {
    fetcher.interrupt();
  }

  public static void main(String[] args) throws Exception {
    try (OwnedFetcherInterrupted reader = new OwnedFetcherInterrupted(50)) {
      System.out.println(reader.next());
      System.out.println(reader.next());
    }
  }
}
