package io.leakedproducer.testdata.crawler;

/** A fetched page. Identity matters: {@link #DONE} marks the end of a crawl. */
public final class Page {
  public static final Page DONE = new Page("", "");

  private final String url;
  private final String body;

  public Page(String url, String body) {
    this.url = url;
    this.body = body;
  }

  public String url() {
    return url;
  }

  public String body() {
    return body;
  }
}
