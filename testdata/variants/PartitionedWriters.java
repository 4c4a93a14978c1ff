package eval.cases;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Rows are routed to one writer per partition by key hash. Each writer takes until its pill and
 * survives every failure of a single row, so the router can never be left blocked.
 */
public final class PartitionedWriters {
  private static final String PILL = "<pill>";

  void write(List<String> rows, int partitions) throws InterruptedException {
    List<BlockingQueue<String>> queues = new ArrayList<>();
    List<Thread> writers = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      BlockingQueue<String> queue = new ArrayBlockingQueue<>(2);
      queues.add(queue);
      Thread writer = new Thread(() -> {
        while (true) {
          String row;
          try {
            row = queue.take();
          } catch (InterruptedException e) {
            return;
          }
          if (row == PILL) {
            return;
          }
          try {
            persist(row);
          } catch (RuntimeException e) {
            System.out.println("skipped " + row + ": " + e.getMessage());
          }
        }
      }, "partition-writer-" + p);
      writers.add(writer);
      writer.start();
    }
    for (String row : rows) {
      queues.get(Math.floorMod(row.hashCode(), partitions)).put(row);
    }
    for (BlockingQueue<String> queue : queues) {
      queue.put(PILL);
    }
    for (Thread writer : writers) {
      writer.join();
    }
  }

  private static void persist(String row) {
    if (row.endsWith("3")) {
      throw new IllegalStateException("constraint violation");
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      rows.add("row-" + i);
    }
    new PartitionedWriters().write(rows, 3);
    System.out.println("written");
  }
}
