// Reduction of ksqlDB https://github.com/confluentinc/ksql/issues/4296, as fixed by PR
// https://github.com/confluentinc/ksql/pull/4297: the queue gets a closed flag, the stream thread
// offers with a short timeout until the row is taken or the queue is closed, and closing the
// query closes the queue before it stops the streams runtime. Written for leaked-producer; no
// upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A transient push query: a streams topology feeds rows to the connection that asked for them. */
public class KsqlTransientQueryQueueFixed {
  /** The streams callback that every record reaching the end of the topology is given to. */
  interface ForeachAction<K, V> {
    void apply(K key, V value);
  }

  /** Stands in for KafkaStreams: one stream thread runs the topology until it is closed. */
  static final class StreamsRuntime {
    private final int records;
    private volatile boolean running = true;
    private ForeachAction<String, String> sink;
    private Thread streamThread;

    StreamsRuntime(int records) {
      this.records = records;
    }

    void foreach(ForeachAction<String, String> action) {
      this.sink = action;
    }

    void start() {
      streamThread = new Thread(() -> {
        for (int offset = 0; offset < records && running; offset++) {
          sink.apply("user-" + (offset % 7), "pageview " + offset);
        }
      }, "_confluent-ksql-transient_1-StreamThread-1");
      streamThread.setDaemon(true);
      streamThread.start();
    }

    /** Asks the stream thread to stop between records and waits for it, at most closeTimeout. */
    void close(long closeTimeoutMs) throws InterruptedException {
      running = false;
      streamThread.join(closeTimeoutMs);
    }
  }

  /** The rows of one transient query, between the topology and the client connection. */
  static final class TransientQueryQueue {
    private final BlockingQueue<String> rowQueue;
    private final int offerTimeoutMs;
    private volatile boolean closed = false;

    TransientQueryQueue(StreamsRuntime kstream, int queueSizeLimit, int offerTimeoutMs) {
      this.rowQueue = new LinkedBlockingQueue<>(queueSizeLimit);
      this.offerTimeoutMs = offerTimeoutMs;
      kstream.foreach(new QueuePopulator<>());
    }

    String poll(long timeout, TimeUnit unit) throws InterruptedException {
      return rowQueue.poll(timeout, unit);
    }

    int size() {
      return rowQueue.size();
    }

    void close() {
      closed = true;
    }

    /** Runs on the stream thread, once per output row. */
    final class QueuePopulator<K> implements ForeachAction<K, String> {
      @Override
      public void apply(K key, String row) {
        if (row == null) {
          return;
        }
        String kv = key + " : " + row;
        try {
          while (!closed) {
            if (rowQueue.offer(kv, offerTimeoutMs, TimeUnit.MILLISECONDS)) {
              break;
            }
          }
        } catch (InterruptedException e) {
          throw new IllegalStateException("InterruptedException while enqueueing: " + key);
        }
      }
    }
  }

  /** What the engine hands to the REST layer for a running push query. */
  static final class TransientQueryMetadata {
    private final StreamsRuntime kafkaStreams;
    private final TransientQueryQueue rowQueue;
    private final AtomicBoolean isRunning = new AtomicBoolean(true);
    private final long closeTimeoutMs;

    TransientQueryMetadata(StreamsRuntime kafkaStreams, TransientQueryQueue rowQueue,
        long closeTimeoutMs) {
      this.kafkaStreams = kafkaStreams;
      this.rowQueue = rowQueue;
      this.closeTimeoutMs = closeTimeoutMs;
    }

    boolean isRunning() {
      return isRunning.get();
    }

    TransientQueryQueue getRowQueue() {
      return rowQueue;
    }

    void start() {
      kafkaStreams.start();
    }

    void close() {
      // Close the queue first, so that a stream thread waiting for room gives up; only then can
      // the streams runtime stop.
      rowQueue.close();
      try {
        kafkaStreams.close(closeTimeoutMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      isRunning.set(false);
    }
  }

  /** Streams the rows of a push query to one HTTP connection, on the server's request thread. */
  static final class QueryStreamWriter {
    private final TransientQueryMetadata queryMetadata;
    private final long disconnectCheckInterval;

    QueryStreamWriter(TransientQueryMetadata queryMetadata, long disconnectCheckInterval) {
      this.queryMetadata = queryMetadata;
      this.disconnectCheckInterval = disconnectCheckInterval;
      queryMetadata.start();
    }

    void write(OutputStream out) {
      try {
        out.write("[".getBytes(StandardCharsets.UTF_8));
        while (queryMetadata.isRunning()) {
          String row = queryMetadata.getRowQueue().poll(disconnectCheckInterval,
              TimeUnit.MILLISECONDS);
          if (row != null) {
            out.write((row + ",\n").getBytes(StandardCharsets.UTF_8));
          } else {
            // No row for a while: probe the connection with a newline.
            out.write("\n".getBytes(StandardCharsets.UTF_8));
          }
          out.flush();
        }
      } catch (EOFException e) {
        System.out.println("Query terminated due to exception: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        System.out.println("Exception occurred while writing to connection stream: " + e);
      } finally {
        queryMetadata.close();
      }
    }
  }

  /** A client that reads a few rows, stalls, and then closes its connection. */
  static final class DisconnectingClient extends OutputStream {
    private int writesLeft;

    DisconnectingClient(int writesLeft) {
      this.writesLeft = writesLeft;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (writesLeft-- <= 0) {
        try {
          // The socket buffer is full while the user walks away; then the connection resets.
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new EOFException("client closed the connection (injected)");
      }
    }
  }

  public static void main(String[] args) throws Exception {
    StreamsRuntime streams = new StreamsRuntime(10_000);
    TransientQueryQueue queue = new TransientQueryQueue(streams, 100, 100);
    TransientQueryMetadata query = new TransientQueryMetadata(streams, queue, 300);
    // The CLI user presses Ctrl-C after a few rows.
    new QueryStreamWriter(query, 100).write(new DisconnectingClient(5));
    Thread.sleep(300);
    System.out.println("query closed; rows left in the queue: " + queue.size());
  }
}
