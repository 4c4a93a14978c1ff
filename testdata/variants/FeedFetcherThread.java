package eval.cases;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/** A fetcher thread subclass fills a buffer; the caller searches it and stops at the first hit. */
public final class FeedFetcherThread {
  static final class Fetcher extends Thread {
    private final BlockingQueue<String> buffer;
    private final List<String> urls;

    Fetcher(BlockingQueue<String> buffer, List<String> urls) {
      super("feed-fetcher");
      setDaemon(true);
      this.buffer = buffer;
      this.urls = urls;
    }

    @Override
    public void run() {
      try {
        for (String url : urls) {
          buffer.put("<feed of " + url + ">"); // LEAK
        }
        buffer.put(""); // LEAK
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static String firstMatching(List<String> urls, String needle) throws InterruptedException {
    BlockingQueue<String> buffer = new ArrayBlockingQueue<>(4);
    new Fetcher(buffer, urls).start();
    while (true) {
      String feed = buffer.take();
      if (feed.isEmpty()) {
        return null;
      }
      if (feed.contains(needle)) {
        return feed;
      }
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> urls = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      urls.add("https://example.org/feed/" + i);
    }
    System.out.println(firstMatching(urls, "feed/2"));
  }
}
