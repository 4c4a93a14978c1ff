package eval.cases;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/** Crawler workers take a page and put the links they find back into the same frontier. */
public final class LinkCrawlerWorkers {
  private final BlockingQueue<String> frontier = new ArrayBlockingQueue<>(8);

  void crawl(String seed, int workers) throws InterruptedException {
    frontier.put(seed);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      Thread t = new Thread(() -> {
        try {
          while (true) {
            String page = frontier.take();
            for (int i = 0; i < 4; i++) {
              frontier.put(page + "/" + i); // LEAK
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "crawler-" + w);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join(300);
    }
  }

  public static void main(String[] args) throws Exception {
    new LinkCrawlerWorkers().crawl("https://example.org", 2);
  }
}
