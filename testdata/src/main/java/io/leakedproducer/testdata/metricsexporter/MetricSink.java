package io.leakedproducer.testdata.metricsexporter;

import java.io.IOException;

/** Where exported samples go: a remote-write endpoint, a file, a socket. */
public interface MetricSink {
  void write(String line) throws IOException;
}
