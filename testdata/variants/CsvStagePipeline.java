package eval.cases;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Function;

/**
 * A CSV import built from generic stages wired through constructors: a reader thread feeds the
 * parse stage, the parse stage feeds the loader on the caller's thread. The loader rejects a
 * duplicate key by throwing; the parse stage and the reader then block forever.
 */
public final class CsvStagePipeline {
  static final String END = "<end>";

  /** One stage: takes from {@code in}, maps, puts into {@code out}, until the end marker. */
  static final class Stage implements Runnable {
    private final BlockingQueue<String> in;
    private final BlockingQueue<String> out;
    private final Function<String, String> fn;

    Stage(BlockingQueue<String> in, BlockingQueue<String> out, Function<String, String> fn) {
      this.in = in;
      this.out = out;
      this.fn = fn;
    }

    @Override
    public void run() {
      try {
        while (true) {
          String line = in.take();
          if (line.equals(END)) {
            out.put(END); // LEAK
            return;
          }
          out.put(fn.apply(line)); // LEAK
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private final BlockingQueue<String> rawLines = new ArrayBlockingQueue<>(4);
  private final BlockingQueue<String> parsedRows = new ArrayBlockingQueue<>(4);

  int load(List<String> lines) throws InterruptedException {
    Thread reader = new Thread(() -> {
      try {
        for (String line : lines) {
          rawLines.put(line); // LEAK
        }
        rawLines.put(END); // LEAK
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "csv-reader");
    Thread parser = new Thread(new Stage(rawLines, parsedRows, String::trim), "csv-parser");
    reader.setDaemon(true);
    parser.setDaemon(true);
    reader.start();
    parser.start();

    java.util.Set<String> keys = new java.util.HashSet<>();
    int loaded = 0;
    while (true) {
      String row = parsedRows.take();
      if (row.equals(END)) {
        return loaded;
      }
      String key = row.substring(0, row.indexOf(','));
      if (!keys.add(key)) {
        throw new IllegalArgumentException("duplicate key " + key);
      }
      loaded++;
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      lines.add(" k" + (i == 3 ? 1 : i) + ",value" + i + " ");
    }
    try {
      new CsvStagePipeline().load(lines);
    } catch (IllegalArgumentException e) {
      System.out.println("import failed: " + e.getMessage());
    }
  }
}
