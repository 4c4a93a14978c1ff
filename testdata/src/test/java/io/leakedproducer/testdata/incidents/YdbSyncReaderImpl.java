// Reduction of YDB Java SDK https://github.com/ydb-platform/ydb-java-sdk/issues/160: a topic
// SyncReader shut down with a full message buffer leaves its handler thread blocked in put forever.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A synchronous topic reader: the read stream hands each server batch to
 * {@code handleDataReceivedEvent}, which moves the messages, one by one, into a small bounded
 * buffer on a handler thread; the application pulls them with {@code receive}. The application
 * may stop calling {@code receive} and call {@code shutdown()} at any time, and that only calls
 * {@code shutdown()} on the handler executor, which does not interrupt the handler parked in
 * {@code put}.
 */
public class YdbSyncReaderImpl {
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
    private static final int DEFAULT_HANDLER_THREAD_COUNT = 1;
    private static final int POLL_INTERVAL_SECONDS = 5;
    private static final int MAX_MESSAGES_IN_BUFFER = 20;

    /** A message together with the future that tells the stream it was read. */
    private static final class MessageWrapper {
      private final Message message;
      private final CompletableFuture<Void> future;

      private MessageWrapper(Message message, CompletableFuture<Void> future) {
        this.message = message;
        this.future = future;
      }
    }

    final BlockingQueue<MessageWrapper> messageBuffer =
        new ArrayBlockingQueue<>(MAX_MESSAGES_IN_BUFFER);
    private final ExecutorService handlerExecutor;

    SyncReaderImpl(int batches, int batchSize) {
      super(batches, batchSize);
      this.handlerExecutor = Executors.newFixedThreadPool(DEFAULT_HANDLER_THREAD_COUNT);
    }

    public void initAndWait() {
      initImpl().join();
    }

    public Message receive(long timeout, TimeUnit unit) throws InterruptedException {
      if (isStopped.get()) {
        throw new IllegalStateException("Reader was stopped");
      }
      MessageWrapper wrapper = messageBuffer.poll(timeout, unit);
      if (wrapper == null) {
        return null;
      }
      wrapper.future.complete(null);
      return wrapper.message;
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
      handlerExecutor.execute(
          () -> {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            event
                .messages()
                .forEach(
                    message -> {
                      CompletableFuture<Void> future = new CompletableFuture<>();
                      futures.add(future);
                      try {
                        messageBuffer.put(new MessageWrapper(message, future)); // LEAK
                      } catch (InterruptedException e) {
                        future.completeExceptionally(e);
                      }
                    });
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .whenComplete(
                    (ignored, error) -> {
                      if (error == null) {
                        resultFuture.complete(null);
                      } else {
                        resultFuture.completeExceptionally(error);
                      }
                    });
          });
      return resultFuture;
    }

    @Override
    protected CompletableFuture<Void> shutdownImpl() {
      return super.shutdownImpl().whenComplete((res, th) -> handlerExecutor.shutdown());
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
    while (reader.messageBuffer.remainingCapacity() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    // It has what it came for and stops reading.
    reader.shutdown();
    System.out.println("reader shut down");
  }
}
