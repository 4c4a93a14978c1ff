package eval.cases;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** A Runnable loader reads ledger lines; the importer parses them and fails on a malformed one. */
public final class LedgerLoaderRunnable {
  static final class Loader implements Runnable {
    private final BlockingQueue<String> lines;
    private final int count;

    Loader(BlockingQueue<String> lines, int count) {
      this.lines = lines;
      this.count = count;
    }

    @Override
    public void run() {
      try {
        for (int i = 0; i < count; i++) {
          lines.put(i == 7 ? "garbage" : i + ";" + (i * 10)); // LEAK
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static long parseAmount(String line) throws IOException {
    String[] parts = line.split(";");
    if (parts.length != 2) {
      throw new IOException("malformed ledger line: " + line);
    }
    return Long.parseLong(parts[1]);
  }

  static long importLedger(int count) throws IOException, InterruptedException {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>(8);
    Thread loader = new Thread(new Loader(lines, count), "ledger-loader");
    loader.setDaemon(true);
    loader.start();
    long total = 0;
    for (int i = 0; i < count; i++) {
      total += parseAmount(lines.take());
    }
    return total;
  }

  public static void main(String[] args) throws Exception {
    try {
      System.out.println(importLedger(100));
    } catch (IOException e) {
      System.out.println("import failed: " + e.getMessage());
    }
  }
}
