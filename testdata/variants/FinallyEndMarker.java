package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A log tailer: the scanner task puts matching lines and, in a finally, an end marker so that the
 * reader always sees the end. The reader gives up after the first error line and returns; the
 * scanner blocks on a line, or on the end marker once the queue is full.
 */
public final class FinallyEndMarker {
  private static final String END = "<eof>";

  static String firstError(int lines) throws Exception {
    BlockingQueue<String> matches = new ArrayBlockingQueue<>(2);
    ExecutorService scanner = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "log-scanner");
      t.setDaemon(true);
      return t;
    });
    Future<?> scan = scanner.submit(() -> {
      try {
        for (int i = 0; i < lines; i++) {
          matches.put(i % 3 == 0 ? "ERROR " + i : "WARN " + i); // LEAK
        }
      } finally {
        matches.put(END); // LEAK
      }
      return null;
    });
    try {
      while (true) {
        String line = matches.take();
        if (line.equals(END)) {
          return null;
        }
        if (line.startsWith("ERROR")) {
          return line;
        }
      }
    } finally {
      scanner.shutdown();
    }
  }

  public static void main(String[] args) throws Exception {
    System.out.println(firstError(100));
  }
}
