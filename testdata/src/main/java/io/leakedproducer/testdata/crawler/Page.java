package io.leakedproducer.testdata.crawler;

/** A fetched page. Identity matters: {@link #DONE} marks the end of a crawl. */
public final class Page {
  static final Page DONE = new Page("", "");

  final String url;
  final String body;

  Page(String url, String body) {
    this.url = url;
    this.body = body;
  }
}
