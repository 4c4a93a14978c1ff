package io.leakedproducer.testdata.crawler;

import java.io.IOException;

/** Fetches a page body over HTTP. */
public interface Fetcher {
  String fetch(String url) throws IOException;
}
