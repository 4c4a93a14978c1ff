// Reduction of Apache SeaTunnel's Doris source https://github.com/apache/seatunnel/pull/12325
// (open fix PR): the async fetch thread holds the scan lock while it blocks in put on the row-batch
// queue, so cancelling the job cannot even reach it: close() waits for that lock. Written for
// leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads one Doris tablet scan. With asynchronous Arrow deserialization on, a dedicated thread
 * fetches batches from the backend and puts them into a bounded queue that the task thread drains
 * in {@link #hasNext()}. That thread takes the client lock once and holds it for the whole scan,
 * and nothing interrupts it or tells it the reader is gone: when the job stops reading, the thread
 * blocks in {@code put} for good, and {@link #close()}, which needs the same lock to close the
 * scanner, waits behind it.
 */
public class SeaTunnelDorisValueReader {
  /** A deserialized Arrow batch of rows. */
  static final class RowBatch {
    private final List<String> rows;
    private int position;

    RowBatch(List<String> rows) {
      this.rows = rows;
    }

    boolean hasNext() {
      return position < rows.size();
    }

    String next() {
      return rows.get(position++);
    }

    int getReadRowCount() {
      return rows.size();
    }
  }

  /** The result of one get_next call to the backend. */
  record ScanBatchResult(boolean eos, List<String> rows) {}

  /** Stands for the Thrift client of one Doris backend. */
  static final class BackendClient {
    private final int totalRows;
    private final int batchSize;

    BackendClient(int totalRows, int batchSize) {
      this.totalRows = totalRows;
      this.batchSize = batchSize;
    }

    ScanBatchResult getNext(int offset) {
      if (offset >= totalRows) {
        return new ScanBatchResult(true, List.of());
      }
      List<String> rows = new ArrayList<>(batchSize);
      for (int i = offset; i < Math.min(totalRows, offset + batchSize); i++) {
        rows.add("row-" + i);
      }
      return new ScanBatchResult(false, rows);
    }

    void closeScanner() {}
  }

  protected final BackendClient client;
  protected final Lock clientLock = new ReentrantLock();
  protected int offset = 0;
  protected final AtomicBoolean eos = new AtomicBoolean(false);
  protected RowBatch rowBatch;
  protected final boolean deserializeArrowToRowBatchAsync;
  protected BlockingQueue<RowBatch> rowBatchBlockingQueue;
  protected boolean asyncThreadStarted;

  protected final Thread asyncThread =
      new Thread(
          new Runnable() {
            @Override
            public void run() {
              clientLock.lock();
              try {
                while (!eos.get()) {
                  ScanBatchResult nextResult = client.getNext(offset);
                  eos.set(nextResult.eos());
                  if (!eos.get()) {
                    RowBatch batch = new RowBatch(nextResult.rows());
                    offset += batch.getReadRowCount();
                    try {
                      rowBatchBlockingQueue.put(batch); // LEAK
                    } catch (InterruptedException e) {
                      throw new IllegalStateException("failed to queue a row batch", e);
                    }
                  }
                }
              } finally {
                clientLock.unlock();
              }
            }
          },
          "doris-async-reader");

  SeaTunnelDorisValueReader(BackendClient client, boolean async, int deserializeQueueSize) {
    this.client = client;
    this.deserializeArrowToRowBatchAsync = async;
    if (async) {
      this.rowBatchBlockingQueue = new ArrayBlockingQueue<>(deserializeQueueSize);
    }
    asyncThread.setDaemon(true);
    this.asyncThreadStarted = asyncThreadStarted();
  }

  protected boolean asyncThreadStarted() {
    if (deserializeArrowToRowBatchAsync) {
      asyncThread.start();
      return true;
    }
    return false;
  }

  public boolean hasNext() {
    if (deserializeArrowToRowBatchAsync && asyncThreadStarted) {
      if (rowBatch != null && rowBatch.hasNext()) {
        return true;
      }
      while (!eos.get() || !rowBatchBlockingQueue.isEmpty()) {
        if (!rowBatchBlockingQueue.isEmpty()) {
          try {
            rowBatch = rowBatchBlockingQueue.take();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("failed to take a row batch", e);
          }
          return true;
        }
        try {
          // Wait for a batch to arrive or for the end of the scan.
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return false;
    }
    clientLock.lock();
    try {
      if (!eos.get() && (rowBatch == null || !rowBatch.hasNext())) {
        ScanBatchResult nextResult = client.getNext(offset);
        eos.set(nextResult.eos());
        if (!eos.get()) {
          rowBatch = new RowBatch(nextResult.rows());
          offset += rowBatch.getReadRowCount();
        }
      }
      return !eos.get();
    } finally {
      clientLock.unlock();
    }
  }

  public String next() {
    if (!hasNext()) {
      throw new IllegalStateException("never happen error.");
    }
    return rowBatch.next();
  }

  public void close() {
    clientLock.lock();
    try {
      client.closeScanner();
    } finally {
      clientLock.unlock();
    }
  }

  public static void main(String[] args) throws Exception {
    SeaTunnelDorisValueReader reader =
        new SeaTunnelDorisValueReader(new BackendClient(1_000_000, 1_024), true, 64);
    for (int i = 0; i < 3 && reader.hasNext(); i++) {
      System.out.println("emitted " + reader.next());
    }
    // The downstream sink stalls; meanwhile the fetch thread fills the queue.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (reader.rowBatchBlockingQueue.remainingCapacity() > 0
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    // The job is cancelled: the engine closes the split reader from its own thread.
    Thread canceller = new Thread(reader::close, "task-cancel");
    canceller.setDaemon(true);
    canceller.start();
    canceller.join(TimeUnit.SECONDS.toMillis(1));
    System.out.println(
        canceller.isAlive() ? "close() is waiting for the scan lock" : "reader closed");
  }
}
