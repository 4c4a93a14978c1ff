package io.leakedproducer.testdata.crawler;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * The crawler fixed with {@code Thread.interrupt()}: whatever way the caller leaves its take loop,
 * a {@code finally} interrupts the fetcher (which lets {@code InterruptedException} end it) and
 * joins it.
 */
public final class CrawlerFixed {
  private CrawlerFixed() {}

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
                      continue;
                    }
                    pages.putFirst(new Page(url, body));
                  }
                  pages.putLast(Page.DONE);
                } catch (InterruptedException e) {
                  // the caller has its answer
                }
              }
            },
            "crawler-fetcher");
    fetching.start();
    try {
      while (true) {
        Page page = pages.take();
        if (page == Page.DONE) {
          return null;
        }
        if (page.body().contains(phrase)) {
          return page.url();
        }
      }
    } finally {
      fetching.interrupt();
      fetching.join();
    }
  }
}
