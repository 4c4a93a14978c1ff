// Reduction of Apache Beam KinesisIO https://github.com/apache/beam/pull/16286 (BEAM-13443), the
// code before that change: shard readers block in put on the shared record queue, and stop() gets
// them out by escalating from shutdown() to shutdownNow(). Safe, only slow to stop. Written for
// leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads several Kinesis shards in the background: one pool task per shard fetches batches and
 * puts every record into one bounded queue, which the source reader polls with
 * {@link #nextRecord()}. The reader may stop polling at any time and call {@link #stop()}, which
 * clears the open flag and calls {@code shutdown()}, which does not wake a reader parked in
 * {@code put}; but when the pool has not terminated after a few waits, {@code stop()} escalates
 * to {@code shutdownNow()}, whose interrupt ends every read loop.
 */
public class BeamKinesisShardReadersPool {
  private static final int ATTEMPTS_TO_SHUTDOWN = 3;

  /** A record read from one shard. */
  record KinesisRecord(String shardId, long sequenceNumber) {}

  /** Iterates one shard; every call returns the next batch of records. */
  static final class ShardRecordsIterator {
    private final String shardId;
    private long sequenceNumber;

    ShardRecordsIterator(String shardId) {
      this.shardId = shardId;
    }

    List<KinesisRecord> readNextBatch() {
      List<KinesisRecord> batch = new ArrayList<>(100);
      for (int i = 0; i < 100; i++) {
        batch.add(new KinesisRecord(shardId, sequenceNumber++));
      }
      return batch;
    }
  }

  private final ExecutorService executorService = Executors.newCachedThreadPool();
  private final AtomicBoolean poolOpened = new AtomicBoolean(true);
  private final List<ShardRecordsIterator> shards;
  private final int queueCapacityPerShard;
  private BlockingQueue<KinesisRecord> recordsQueue;

  BeamKinesisShardReadersPool(List<ShardRecordsIterator> shards, int queueCapacityPerShard) {
    this.shards = shards;
    this.queueCapacityPerShard = queueCapacityPerShard;
  }

  void start() {
    recordsQueue = new ArrayBlockingQueue<>(queueCapacityPerShard * shards.size());
    for (ShardRecordsIterator shard : shards) {
      executorService.submit(() -> readLoop(shard));
    }
  }

  private void readLoop(ShardRecordsIterator shardRecordsIterator) {
    while (poolOpened.get()) {
      try {
        for (KinesisRecord kinesisRecord : shardRecordsIterator.readNextBatch()) {
          recordsQueue.put(kinesisRecord);
        }
      } catch (InterruptedException e) {
        // stop() escalated to shutdownNow(): finish the read loop.
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        System.out.println("Unexpected exception occurred: " + e);
      }
    }
  }

  /** Returns the next record, or null when none arrived within a second. */
  KinesisRecord nextRecord() {
    try {
      return recordsQueue.poll(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  void stop() {
    poolOpened.set(false);
    executorService.shutdown();
    awaitTermination();
    if (!executorService.isTerminated()) {
      System.out.println("readers did not stop; forcing them with shutdownNow()");
      executorService.shutdownNow();
      awaitTermination();
    }
  }

  private void awaitTermination() {
    int attemptsLeft = ATTEMPTS_TO_SHUTDOWN;
    boolean isTerminated = executorService.isTerminated();
    while (!isTerminated && attemptsLeft-- > 0) {
      try {
        isTerminated = executorService.awaitTermination(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  public static void main(String[] args) throws Exception {
    BeamKinesisShardReadersPool pool =
        new BeamKinesisShardReadersPool(
            List.of(
                new ShardRecordsIterator("shardId-000"),
                new ShardRecordsIterator("shardId-001"),
                new ShardRecordsIterator("shardId-002")),
            100);
    pool.start();
    int read = 0;
    while (read < 10 && pool.nextRecord() != null) {
      read++;
    }
    // The runner closes the source reader after a bundle, as the direct runner often does.
    pool.stop();
    System.out.println("read " + read + " records; pool stopped");
  }
}
