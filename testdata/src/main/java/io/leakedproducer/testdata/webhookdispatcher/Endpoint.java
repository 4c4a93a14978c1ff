package io.leakedproducer.testdata.webhookdispatcher;

import java.io.IOException;

/** A subscriber's webhook URL. */
public interface Endpoint {
  void post(String event) throws IOException;
}
