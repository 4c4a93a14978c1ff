package eval.cases;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A click-stream batch writer: record() queues clicks, the Flusher thread drains them in batches
 * and hands each batch to the listener given to the constructor. The flusher survives any
 * RuntimeException of the listener, but an OutOfMemoryError raised while the uploader serialises
 * a batch kills it, and the clients block in record() for good.
 */
public final class ClickBatchWriter {
  interface BatchListener {
    void onBatch(List<String> clicks);
  }

  static final class WarehouseUploader implements BatchListener {
    private final int maxPayloadChars;
    private int uploaded;

    WarehouseUploader(int maxPayloadChars) {
      this.maxPayloadChars = maxPayloadChars;
    }

    @Override
    public void onBatch(List<String> clicks) {
      StringBuilder payload = serialize(clicks);
      uploaded += clicks.size();
      if (payload.length() == 0) {
        throw new IllegalStateException("empty payload");
      }
    }

    private StringBuilder serialize(List<String> clicks) {
      int estimate = clicks.size() * 64 * (uploaded + 1);
      if (estimate > maxPayloadChars) {
        throw new OutOfMemoryError("Java heap space");
      }
      StringBuilder sb = new StringBuilder(estimate);
      clicks.forEach(c -> sb.append(c).append('\n'));
      return sb;
    }
  }

  private final BlockingQueue<String> buffer = new ArrayBlockingQueue<>(32);
  private final BatchListener listener;
  private final Flusher flusher = new Flusher();

  ClickBatchWriter(BatchListener listener) {
    this.listener = listener;
    flusher.setDaemon(true);
    flusher.start();
  }

  void record(String click) throws InterruptedException {
    buffer.put(click); // LEAK
  }

  private final class Flusher extends Thread {
    Flusher() {
      super("click-flusher");
    }

    @Override
    public void run() {
      List<String> batch = new ArrayList<>();
      while (true) {
        try {
          batch.add(buffer.take());
          buffer.drainTo(batch, 15);
          listener.onBatch(batch);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          System.err.println("dropping batch of " + batch.size() + ": " + e);
        } finally {
          batch.clear();
        }
      }
    }
  }

  public static void main(String[] args) throws Exception {
    ClickBatchWriter writer = new ClickBatchWriter(new WarehouseUploader(64 * 1024));
    Thread ingest = new Thread(() -> {
      try {
        for (int i = 0; i < 5_000; i++) {
          writer.record("click user=" + (i % 97) + " page=/p/" + i);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "click-ingest");
    ingest.setDaemon(true);
    ingest.start();
    ingest.join(1000);
    System.out.println("ingest finished: " + !ingest.isAlive());
  }
}
