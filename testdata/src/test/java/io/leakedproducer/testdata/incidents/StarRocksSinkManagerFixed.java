// Reduction of the StarRocks Flink connector
// https://github.com/StarRocks/starrocks-connector-for-apache-flink/pull/17 (commit f89084b, fix of
// issue 14): an uncaught-exception handler records the flush thread's death, producers skip the
// queue once it is gone and otherwise offer with a timeout that fails the sink, and the flush
// thread polls with a timeout and exits on an EOF marker that close() offers.
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
public class StarRocksSinkManagerFixed {
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
    /** sink.buffer-offer.timeout-ms, 600000 by default. */
    final long sinkOfferTimeoutMillis;

    StarRocksSinkOptions(
        long sinkMaxRows, int sinkMaxRetries, long sinkMaxFlushIntervalMillis,
        long sinkOfferTimeoutMillis) {
      this.sinkMaxRows = sinkMaxRows;
      this.sinkMaxRetries = sinkMaxRetries;
      this.sinkMaxFlushIntervalMillis = sinkMaxFlushIntervalMillis;
      this.sinkOfferTimeoutMillis = sinkOfferTimeoutMillis;
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
  static final String EOF = "EOF";
  private volatile boolean closed = false;
  private volatile boolean flushThreadAlive = false;
  private volatile Throwable flushException;
  private ScheduledExecutorService scheduler;
  private ScheduledFuture<?> scheduledFuture;

  StarRocksSinkManagerFixed(StarRocksSinkOptions sinkOptions, StreamLoadTransport transport) {
    this.sinkOptions = sinkOptions;
    this.starrocksStreamLoadVisitor = new StarRocksStreamLoadVisitor(transport);
  }

  public void startAsyncFlushing() {
    Thread flushThread = new Thread(() -> {
      while (true) {
        try {
          if (!asyncFlush()) {
            System.out.println("StarRocks flush thread is about to exit.");
            flushThreadAlive = false;
            break;
          }
        } catch (Exception e) {
          flushException = e;
        }
      }
    });
    flushThread.setUncaughtExceptionHandler((t, e) -> {
      System.out.println("StarRocks flush thread uncaught exception occurred: " + e);
      flushException = e;
      flushThreadAlive = false;
    });
    flushThread.setName("starrocks-flush");
    flushThread.setDaemon(true);
    flushThread.start();
    flushThreadAlive = true;
  }

  public void startScheduler() {
    stopScheduler();
    this.scheduler = Executors.newScheduledThreadPool(1, r -> {
      Thread t = new Thread(r, "starrocks-interval-sink");
      t.setDaemon(true);
      return t;
    });
    this.scheduledFuture = this.scheduler.schedule(() -> {
      synchronized (StarRocksSinkManagerFixed.this) {
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
    offer(new Tuple3<>(label, batchSize, new ArrayList<>(buffer)));
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
      if (flushException != null) {
        offerEOF();
        checkFlushException();
        return;
      }
      try {
        flush(createBatchLabel(), true);
      } catch (Exception e) {
        throw new RuntimeException("Writing records to StarRocks failed.", e);
      } finally {
        offerEOF();
      }
    }
    checkFlushException();
  }

  String createBatchLabel() {
    return UUID.randomUUID().toString();
  }

  private void waitAsyncFlushingDone() throws InterruptedException {
    // Two empty markers: once the second is in, the flush thread has finished the batch before.
    offer(new Tuple3<>("", 0L, null));
    offer(new Tuple3<>("", 0L, null));
    checkFlushException();
  }

  /** Hands a batch to the flush thread, unless it is gone; fails the sink after the timeout. */
  void offer(Tuple3<String, Long, ArrayList<byte[]>> tuple3) throws InterruptedException {
    if (!flushThreadAlive) {
      System.out.println("Flush thread already exit, ignore offer request for label " + tuple3.f0);
      return;
    }
    if (!flushQueue.offer(tuple3, sinkOptions.sinkOfferTimeoutMillis, TimeUnit.MILLISECONDS)) {
      throw new RuntimeException("Timeout while offering data to flushQueue, exceed "
          + sinkOptions.sinkOfferTimeoutMillis + " ms, see sink.buffer-offer.timeout-ms");
    }
  }

  private void offerEOF() {
    try {
      offer(new Tuple3<>(EOF, 0L, null));
    } catch (Exception e) {
      System.out.println("Writing EOF failed: " + e);
    }
  }

  /** Returns false on the EOF marker, when the flush thread must exit. */
  private boolean asyncFlush() throws Exception {
    Tuple3<String, Long, ArrayList<byte[]>> flushData = flushQueue.poll(3L, TimeUnit.SECONDS);
    if (flushData == null || flushData.f0.isEmpty()) {
      return true;
    }
    if (EOF.equals(flushData.f0)) {
      return false;
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
    return true;
  }

  private void checkFlushException() {
    if (flushException != null) {
      throw new RuntimeException("Writing records to StarRocks failed.", flushException);
    }
  }

  /** The sink function of one subtask: rows go to the manager, checkpoints flush it. */
  static final class StarRocksDynamicSinkFunction {
    private final StarRocksSinkManagerFixed sinkManager;

    StarRocksDynamicSinkFunction(StarRocksSinkManagerFixed sinkManager) {
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
    StarRocksSinkManagerFixed manager =
        new StarRocksSinkManagerFixed(new StarRocksSinkOptions(3, 1, 60_000, 600_000), frontend);
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
    try {
      manager.close();
    } catch (RuntimeException e) {
      System.out.println("sink closed with: " + e.getMessage());
    }
  }
}
