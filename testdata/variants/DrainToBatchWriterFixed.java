package eval.cases;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The batching writer with its fix: close() marks the writer closed first, and write() offers
 * with a timeout and rejects the record once it is closed.
 */
public final class DrainToBatchWriterFixed implements AutoCloseable {
  private final BlockingQueue<String> records = new ArrayBlockingQueue<>(16);
  private volatile boolean closed;
  private final Thread flusher = new Thread(this::flushLoop, "batch-flusher");

  DrainToBatchWriterFixed() {
    flusher.setDaemon(true);
    flusher.start();
  }

  void write(String record) throws InterruptedException {
    while (!records.offer(record, 10, TimeUnit.MILLISECONDS)) {
      if (closed) {
        throw new IllegalStateException("writer closed; record rejected: " + record);
      }
    }
  }

  private void flushLoop() {
    List<String> batch = new ArrayList<>();
    while (!closed) {
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
    closed = true;
    flusher.join(1000);
  }

  public static void main(String[] args) throws Exception {
    DrainToBatchWriterFixed writer = new DrainToBatchWriterFixed();
    CountDownLatch closedLatch = new CountDownLatch(1);
    Thread client = new Thread(() -> {
      try {
        closedLatch.await(2, TimeUnit.SECONDS);
        for (int i = 0; i < 100; i++) {
          writer.write("record-" + i);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IllegalStateException e) {
        System.out.println(e.getMessage());
      }
    }, "late-client");
    client.setDaemon(true);
    client.start();
    writer.close();
    closedLatch.countDown();
  }
}
