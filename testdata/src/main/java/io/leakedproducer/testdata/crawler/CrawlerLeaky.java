package io.leakedproducer.testdata.crawler;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * Finds the first page that mentions a phrase. A fetcher thread downloads the candidate URLs and
 * pushes each page at the head of a small deque (freshest first); the caller takes pages and
 * breaks out at the first match. The fetcher, still holding the rest of the URL list, then fills
 * the deque and stays parked in {@code putFirst}.
 */
public final class CrawlerLeaky {
  private CrawlerLeaky() {}

  /** The URL of a page whose body contains {@code phrase}, or null if none does. */
  public static String findFirst(List<String> urls, Fetcher fetcher, String phrase) throws InterruptedException {
    BlockingDeque<Page> pages = new LinkedBlockingDeque<>(4);
    Thread fetching =
        new Thread(
            new Runnable() {
              @Override
              public void run() {
                try {
                  for (String url : urls) {
                    String body;
                    try {
                      body = fetcher.fetch(url);
                    } catch (IOException e) {
                      continue; // a dead link is no match
                    }
                    pages.putFirst(new Page(url, body));
                  }
                  pages.putLast(Page.DONE);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            },
            "crawler-fetcher");
    fetching.start();

    String found = null;
    while (true) {
      Page page = pages.take();
      if (page == Page.DONE) {
        break;
      }
      if (page.body().contains(phrase)) {
        found = page.url();
        break;
      }
    }
    return found;
  }
}
