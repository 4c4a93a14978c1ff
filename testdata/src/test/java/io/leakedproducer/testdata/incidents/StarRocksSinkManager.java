// Reduction of the StarRocks Flink connector
// https://github.com/StarRocks/starrocks-connector-for-apache-flink/issues/14 (fixed by PR #17,
// commit f89084b): the sink's single flush thread catches only Exception around each stream load;
// an OutOfMemoryError during a load ends it, and the Flink task thread then blocks for good in put
// on the one-slot flush queue while snapshotState waits for the flushes.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Buffers the rows of a StarRocks sink and loads them asynchronously: a batch goes through a
 * one-slot queue to a flush thread that sends it with an HTTP stream load.
 */
public class StarRocksSinkManager {
  /** Label, byte size and rows of one stream load. */
  static final class Tuple3<A, B, C> {
    final A f0;
    final B f1;
    final C f2;

    Tuple3(A f0, B f1, C f2) {
      this.f0 = f0;
      this.f1 = f1;
      this.f2 = f2;
    }
  }

  /** The HTTP PUT of a stream load to the frontend. */
  interface StreamLoadTransport {
    void put(String label, byte[] body) throws IOException;
  }

  /** The sink options this reduction uses. */
  static final class StarRocksSinkOptions {
    final long sinkMaxRows;
    final int sinkMaxRetries;
    final long sinkMaxFlushIntervalMillis;

    StarRocksSinkOptions(long sinkMaxRows, int sinkMaxRetries, long sinkMaxFlushIntervalMillis) {
      this.sinkMaxRows = sinkMaxRows;
      this.sinkMaxRetries = sinkMaxRetries;
      this.sinkMaxFlushIntervalMillis = sinkMaxFlushIntervalMillis;
    }
  }

  /** Joins a batch into one request body and sends it. */
  static final class StarRocksStreamLoadVisitor {
    private final StreamLoadTransport transport;

    StarRocksStreamLoadVisitor(StreamLoadTransport transport) {
      this.transport = transport;
    }

    void doStreamLoad(Tuple3<String, Long, ArrayList<byte[]>> flushData) throws IOException {
      ByteBuffer body = ByteBuffer.allocate((int) (flushData.f1 + flushData.f2.size()));
      for (byte[] row : flushData.f2) {
        body.put(row).put((byte) '\n');
      }
      transport.put(flushData.f0, body.array());
    }
  }

  private final StarRocksSinkOptions sinkOptions;
  private final StarRocksStreamLoadVisitor starrocksStreamLoadVisitor;
  private final LinkedBlockingDeque<Tuple3<String, Long, ArrayList<byte[]>>> flushQueue =
      new LinkedBlockingDeque<>(1);
  private final ArrayList<byte[]> buffer = new ArrayList<>();
  private int batchCount = 0;
  private long batchSize = 0;
  private volatile boolean closed = false;
  private volatile Exception flushException;
  private ScheduledExecutorService scheduler;
  private ScheduledFuture<?> scheduledFuture;

  StarRocksSinkManager(StarRocksSinkOptions sinkOptions, StreamLoadTransport transport) {
    this.sinkOptions = sinkOptions;
    this.starrocksStreamLoadVisitor = new StarRocksStreamLoadVisitor(transport);
  }

  public void startAsyncFlushing() {
    Thread flushThread = new Thread(new Runnable() {
      @Override
      public void run() {
        while (true) {
          try {
            asyncFlush();
          } catch (Exception e) {
            flushException = e;
          }
        }
      }
    });
    flushThread.setDaemon(true);
    flushThread.start();
  }

  public void startScheduler() {
    stopScheduler();
    this.scheduler = Executors.newScheduledThreadPool(1, r -> {
      Thread t = new Thread(r, "starrocks-interval-sink");
      t.setDaemon(true);
      return t;
    });
    this.scheduledFuture = this.scheduler.schedule(() -> {
      synchronized (StarRocksSinkManager.this) {
        if (!closed) {
          try {
            String label = createBatchLabel();
            if (batchCount == 0) {
              startScheduler();
            }
            flush(label, false);
          } catch (Exception e) {
            flushException = e;
          }
        }
      }
    }, sinkOptions.sinkMaxFlushIntervalMillis, TimeUnit.MILLISECONDS);
  }

  public void stopScheduler() {
    if (this.scheduledFuture != null) {
      scheduledFuture.cancel(false);
      this.scheduler.shutdown();
    }
  }

  public final synchronized void writeRecord(String record) throws IOException {
    checkFlushException();
    try {
      byte[] bts = record.getBytes(StandardCharsets.UTF_8);
      buffer.add(bts);
      batchCount++;
      batchSize += bts.length;
      if (batchCount >= sinkOptions.sinkMaxRows) {
        flush(createBatchLabel(), false);
      }
    } catch (Exception e) {
      throw new IOException("Writing records to StarRocks failed.", e);
    }
  }

  public synchronized void flush(String label, boolean waitUntilDone) throws Exception {
    checkFlushException();
    if (batchCount == 0) {
      if (waitUntilDone) {
        waitAsyncFlushingDone();
      }
      return;
    }
    flushQueue.put(new Tuple3<>(label, batchSize, new ArrayList<>(buffer))); // LEAK
    if (waitUntilDone) {
      waitAsyncFlushingDone();
    }
    buffer.clear();
    batchCount = 0;
    batchSize = 0;
  }

  public synchronized void close() {
    if (!closed) {
      closed = true;
      stopScheduler();
      try {
        flush(createBatchLabel(), true);
      } catch (Exception e) {
        throw new RuntimeException("Writing records to StarRocks failed.", e);
      }
    }
    checkFlushException();
  }

  String createBatchLabel() {
    return UUID.randomUUID().toString();
  }

  private void waitAsyncFlushingDone() throws InterruptedException {
    // Two empty markers: once the second is in, the flush thread has finished the batch before.
    flushQueue.put(new Tuple3<>("", 0L, null)); // LEAK
    flushQueue.put(new Tuple3<>("", 0L, null)); // LEAK
    checkFlushException();
  }

  private void asyncFlush() throws Exception {
    Tuple3<String, Long, ArrayList<byte[]>> flushData = flushQueue.take();
    if (flushData.f0.isEmpty()) {
      return;
    }
    stopScheduler();
    for (int i = 0; i <= sinkOptions.sinkMaxRetries; i++) {
      try {
        starrocksStreamLoadVisitor.doStreamLoad(flushData);
        startScheduler();
        break;
      } catch (Exception e) {
        System.out.println("Failed to flush batch data to StarRocks, retry times = " + i);
        if (i >= sinkOptions.sinkMaxRetries) {
          throw new IOException(e);
        }
        Thread.sleep(100L * (i + 1));
      }
    }
  }

  private void checkFlushException() {
    if (flushException != null) {
      throw new RuntimeException("Writing records to StarRocks failed.", flushException);
    }
  }

  /** The sink function of one subtask: rows go to the manager, checkpoints flush it. */
  static final class StarRocksDynamicSinkFunction {
    private final StarRocksSinkManager sinkManager;

    StarRocksDynamicSinkFunction(StarRocksSinkManager sinkManager) {
      this.sinkManager = sinkManager;
    }

    void open() {
      sinkManager.startAsyncFlushing();
      sinkManager.startScheduler();
    }

    void invoke(String row) throws IOException {
      sinkManager.writeRecord(row);
    }

    void snapshotState(long checkpointId) throws Exception {
      sinkManager.flush(sinkManager.createBatchLabel(), true);
    }
  }

  public static void main(String[] args) throws Exception {
    CountDownLatch firstLoadFailed = new CountDownLatch(1);
    // The first load runs into an old-gen GC that ends in an OutOfMemoryError.
    StreamLoadTransport frontend = (label, body) -> {
      firstLoadFailed.countDown();
      throw new OutOfMemoryError("Java heap space (injected)");
    };
    StarRocksSinkManager manager =
        new StarRocksSinkManager(new StarRocksSinkOptions(3, 1, 60_000), frontend);
    StarRocksDynamicSinkFunction sink = new StarRocksDynamicSinkFunction(manager);
    sink.open();
    CountDownLatch checkpointed = new CountDownLatch(1);
    Thread task = new Thread(() -> {
      try {
        for (int i = 0; i < 3; i++) {
          sink.invoke("{\"id\":" + i + ",\"name\":\"order-" + i + "\"}");
        }
        firstLoadFailed.await(1, TimeUnit.SECONDS);
        Thread.sleep(100);
        sink.invoke("{\"id\":3,\"name\":\"order-3\"}");
        sink.snapshotState(1L);
        System.out.println("checkpoint 1 done");
      } catch (Exception e) {
        System.out.println("checkpoint 1 failed: " + e);
      } finally {
        checkpointed.countDown();
      }
    }, "Sink: StarRocks (1/1)");
    task.setDaemon(true);
    task.start();
    System.out.println("snapshotState returned: " + checkpointed.await(1, TimeUnit.SECONDS));
  }
}
