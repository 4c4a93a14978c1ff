package io.leakedproducer.testdata.logshipper;

import java.io.IOException;

/** Tails a log file: the next line, blocking until one is written; null at the end of the file. */
public interface LogReader {
  String readLine() throws IOException, InterruptedException;
}
