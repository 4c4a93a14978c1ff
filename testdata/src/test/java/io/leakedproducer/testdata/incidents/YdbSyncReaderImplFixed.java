// Reduction of YDB Java SDK https://github.com/ydb-platform/ydb-java-sdk/issues/160, the fix
// (commit 241e49a, "Do not use blocking queue and a separate threadpool to put messages into it"):
// batches go into a monitor-guarded list and the stream waits on each batch's future instead.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The synchronous topic reader after the fix: {@link SyncReaderImpl#handleDataReceivedEvent}
 * appends the whole batch to a list and returns at once; back-pressure comes from the server,
 * which sends no more than the memory budget until the batch futures complete. No thread ever
 * blocks on behalf of a reader the application has stopped using.
 */
public class YdbSyncReaderImplFixed {
  /** A message read from a topic partition. */
  record Message(long offset, String data) {}

  /** One batch of messages that arrived on the read stream. */
  record DataReceivedEvent(List<Message> messages) {}

  /** The stream side shared by the sync and async readers. */
  abstract static class ReaderImpl {
    protected final AtomicBoolean isStopped = new AtomicBoolean(false);
    private final ExecutorService streamExecutor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "topic-read-stream");
              t.setDaemon(true);
              return t;
            });
    private final int batches;
    private final int batchSize;

    ReaderImpl(int batches, int batchSize) {
      this.batches = batches;
      this.batchSize = batchSize;
    }

    /** Starts the read stream: the server sends the batches the reader has memory budget for. */
    protected CompletableFuture<Void> initImpl() {
      streamExecutor.execute(
          () -> {
            long offset = 0;
            for (int b = 0; b < batches && !isStopped.get(); b++) {
              List<Message> messages = new ArrayList<>(batchSize);
              for (int i = 0; i < batchSize; i++, offset++) {
                messages.add(new Message(offset, "payload-" + offset));
              }
              handleDataReceivedEvent(new DataReceivedEvent(messages));
            }
          });
      return CompletableFuture.completedFuture(null);
    }

    protected abstract CompletableFuture<Void> handleDataReceivedEvent(DataReceivedEvent event);

    protected CompletableFuture<Void> shutdownImpl() {
      isStopped.set(true);
      streamExecutor.shutdownNow();
      return CompletableFuture.completedFuture(null);
    }
  }

  /** The synchronous reader the application uses. */
  static final class SyncReaderImpl extends ReaderImpl {
    private static final int POLL_INTERVAL_SECONDS = 5;

    /** A batch together with the future that tells the stream it was read. */
    private static final class MessageBatchWrapper {
      private final List<Message> messages;
      private final CompletableFuture<Void> future;

      private MessageBatchWrapper(List<Message> messages, CompletableFuture<Void> future) {
        this.messages = messages;
        this.future = future;
      }
    }

    private final Queue<MessageBatchWrapper> batchesInQueue = new LinkedList<>();
    private int currentMessageIndex = 0;

    SyncReaderImpl(int batches, int batchSize) {
      super(batches, batchSize);
    }

    public void initAndWait() {
      initImpl().join();
    }

    public Message receive(long timeout, TimeUnit unit) throws InterruptedException {
      if (isStopped.get()) {
        throw new IllegalStateException("Reader was stopped");
      }
      synchronized (batchesInQueue) {
        Instant deadline = Instant.now().plusMillis(unit.toMillis(timeout));
        while (batchesInQueue.isEmpty()) {
          Instant now = Instant.now();
          if (now.isAfter(deadline)) {
            return null;
          }
          // At least one millisecond: wait(0) would mean "forever".
          batchesInQueue.wait(Math.max(1, Duration.between(now, deadline).toMillis()));
        }
        MessageBatchWrapper currentBatch = batchesInQueue.element();
        Message result = currentBatch.messages.get(currentMessageIndex++);
        if (currentMessageIndex >= currentBatch.messages.size()) {
          batchesInQueue.remove();
          currentMessageIndex = 0;
          currentBatch.future.complete(null);
        }
        return result;
      }
    }

    public Message receive() throws InterruptedException {
      Message result;
      do {
        result = receive(POLL_INTERVAL_SECONDS, TimeUnit.SECONDS);
      } while (result == null);
      return result;
    }

    @Override
    protected CompletableFuture<Void> handleDataReceivedEvent(DataReceivedEvent event) {
      // Completes when the application has received every message of the batch.
      final CompletableFuture<Void> resultFuture = new CompletableFuture<>();
      if (isStopped.get()) {
        resultFuture.completeExceptionally(new IllegalStateException("Reader was stopped"));
        return resultFuture;
      }
      synchronized (batchesInQueue) {
        batchesInQueue.add(new MessageBatchWrapper(event.messages(), resultFuture));
        batchesInQueue.notifyAll();
      }
      return resultFuture;
    }

    int queuedBatches() {
      synchronized (batchesInQueue) {
        return batchesInQueue.size();
      }
    }

    public void shutdown() {
      shutdownImpl().join();
    }
  }

  public static void main(String[] args) throws Exception {
    SyncReaderImpl reader = new SyncReaderImpl(5, 10);
    reader.initAndWait();
    for (int i = 0; i < 5; i++) {
      System.out.println("received offset " + reader.receive().offset());
    }
    // The application works on what it received while the stream keeps delivering.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (reader.queuedBatches() < 4 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    // It has what it came for and stops reading.
    reader.shutdown();
    System.out.println("reader shut down");
  }
}
