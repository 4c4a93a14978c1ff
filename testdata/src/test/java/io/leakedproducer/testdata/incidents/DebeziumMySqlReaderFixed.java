// Reduction of Debezium https://github.com/debezium/debezium/pull/750 (DBZ-1099, after DBZ-604),
// the merged fixes: stop() drains the queue before disconnecting and clears `running` after it;
// enqueueRecord skips records once not running. The drain comes before the flag, so a multi-row
// event refills the queue and blocks again, as the maintainers noted. Still a leak. Written for
// leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A MySQL source task: Kafka Connect polls it, a binlog reader fills it. */
public final class DebeziumMySqlReaderFixed {
  record SourceRecord(String table, int row) {}

  /** A binlog event carrying several changed rows. */
  record RowsEvent(String table, int rows) {}

  /** The binlog client: one thread reads events from the server and hands them to a listener. */
  static final class BinaryLogClient {
    interface EventListener {
      void onEvent(RowsEvent event) throws InterruptedException;
    }

    final BlockingQueue<RowsEvent> fromServer = new LinkedBlockingQueue<>();
    private volatile boolean connected;
    private Thread thread;

    void connect(EventListener listener) {
      connected = true;
      thread = new Thread(() -> {
        try {
          while (connected) {
            RowsEvent event = fromServer.poll(20, TimeUnit.MILLISECONDS);
            if (event != null) {
              listener.onEvent(event);
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "blc-mysql:3306");
      thread.setDaemon(true);
      thread.start();
    }

    /** Closes the connection and waits for the reading thread to finish its event. */
    void disconnect() throws InterruptedException {
      connected = false;
      thread.join();
    }
  }

  /** Queue and lifecycle shared by the snapshot and binlog readers. */
  abstract static class AbstractReader {
    private final BlockingQueue<SourceRecord> records;
    private final AtomicBoolean running = new AtomicBoolean();
    private final int maxBatchSize;

    AbstractReader(int maxQueueSize, int maxBatchSize) {
      this.records = new ArrayBlockingQueue<>(maxQueueSize);
      this.maxBatchSize = maxBatchSize;
    }

    void start() {
      running.set(true);
      doStart();
    }

    void stop() throws InterruptedException {
      // Empty the queue so that enqueueRecord cannot block once poll() is no longer called.
      List<SourceRecord> unsent = new ArrayList<>();
      records.drainTo(unsent);
      System.out.println("Discarding " + unsent.size() + " unsent record(s) due to shutdown");
      doStop();
      running.set(false);
    }

    List<SourceRecord> poll() throws InterruptedException {
      List<SourceRecord> batch = new ArrayList<>(maxBatchSize);
      while (running.get() && records.drainTo(batch, maxBatchSize) == 0) {
        Thread.sleep(10); // the metronome between empty polls
      }
      return batch;
    }

    /** Blocks while the queue is full. */
    protected void enqueueRecord(SourceRecord record) throws InterruptedException {
      if (record != null && running.get()) {
        records.put(record); // LEAK
      }
    }

    protected abstract void doStart();

    protected abstract void doStop() throws InterruptedException;
  }

  /** Turns binlog row events into source records. */
  static final class BinlogReader extends AbstractReader {
    final BinaryLogClient client = new BinaryLogClient();

    BinlogReader(int maxQueueSize, int maxBatchSize) {
      super(maxQueueSize, maxBatchSize);
    }

    @Override
    protected void doStart() {
      client.connect(this::handleEvent);
    }

    @Override
    protected void doStop() throws InterruptedException {
      client.disconnect();
    }

    private void handleEvent(RowsEvent event) throws InterruptedException {
      for (int row = 0; row < event.rows(); row++) {
        enqueueRecord(new SourceRecord(event.table(), row));
      }
    }
  }

  private final BinlogReader reader = new BinlogReader(4, 4);

  public void start() {
    reader.start();
  }

  public List<SourceRecord> poll() throws InterruptedException {
    return reader.poll();
  }

  public void stop() throws InterruptedException {
    reader.stop();
  }

  public static void main(String[] args) throws Exception {
    DebeziumMySqlReaderFixed task = new DebeziumMySqlReaderFixed();
    task.start();
    task.reader.client.fromServer.add(new RowsEvent("inventory.orders", 20)); // a bulk insert
    // The worker polls two batches, then a rebalance stops polling and stops the task.
    System.out.println("polled " + task.poll().size() + " + " + task.poll().size() + " records");
    CountDownLatch stopped = new CountDownLatch(1);
    Thread stopper = new Thread(() -> {
      try {
        task.stop();
        stopped.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "task-stop");
    stopper.setDaemon(true);
    stopper.start();
    System.out.println("task stopped: " + stopped.await(500, TimeUnit.MILLISECONDS));
  }
}
