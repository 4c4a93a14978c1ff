package eval.cases;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A batching writer: the flusher drains up to 16 records at a time. close() tells the flusher to
 * stop after its current batch, but callers that are still writing are not told: once the queue
 * is full they block in write() for good.
 */
public final class DrainToBatchWriter implements AutoCloseable {
  private final BlockingQueue<String> records = new ArrayBlockingQueue<>(16);
  private volatile boolean stopping;
  private final Thread flusher = new Thread(this::flushLoop, "batch-flusher");

  DrainToBatchWriter() {
    flusher.setDaemon(true);
    flusher.start();
  }

  void write(String record) throws InterruptedException {
    records.put(record); // LEAK
  }

  private void flushLoop() {
    List<String> batch = new ArrayList<>();
    while (!stopping) {
      try {
        String first = records.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        records.drainTo(batch, 15);
        System.out.println("flushed " + batch.size());
        batch.clear();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    flusher.join(1000);
  }

  public static void main(String[] args) throws Exception {
    DrainToBatchWriter writer = new DrainToBatchWriter();
    CountDownLatch closed = new CountDownLatch(1);
    Thread client = new Thread(() -> {
      try {
        closed.await(2, TimeUnit.SECONDS);
        for (int i = 0; i < 100; i++) {
          writer.write("record-" + i);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "late-client");
    client.setDaemon(true);
    client.start();
    writer.close();
    closed.countDown();
  }
}
