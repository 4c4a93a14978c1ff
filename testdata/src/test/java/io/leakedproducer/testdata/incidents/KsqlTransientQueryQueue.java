// Reduction of ksqlDB https://github.com/confluentinc/ksql/issues/4296 (fixed by PR
// https://github.com/confluentinc/ksql/pull/4297): the Kafka Streams thread of a push query
// puts rows into a bounded queue that the HTTP writer thread polls; when the client disconnects
// the writer stops polling and closes the query, which only stops the streams runtime, and the
// stream thread stays blocked in put. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A transient push query: a streams topology feeds rows to the connection that asked for them. */
public class KsqlTransientQueryQueue {
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
    private final BlockingQueue<String> rowQueue = new LinkedBlockingQueue<>(100);

    TransientQueryQueue(StreamsRuntime kstream) {
      kstream.foreach(new QueuePopulator<>(rowQueue));
    }

    BlockingQueue<String> getQueue() {
      return rowQueue;
    }
  }

  /** Runs on the stream thread, once per output row. */
  static final class QueuePopulator<K> implements ForeachAction<K, String> {
    private final BlockingQueue<String> queue;

    QueuePopulator(BlockingQueue<String> queue) {
      this.queue = Objects.requireNonNull(queue, "queue");
    }

    @Override
    public void apply(K key, String row) {
      if (row == null) {
        return;
      }
      try {
        queue.put(key + " : " + row); // LEAK
      } catch (InterruptedException e) {
        throw new IllegalStateException("InterruptedException while enqueueing: " + key);
      }
    }
  }

  /** What the engine hands to the REST layer for a running push query. */
  static final class TransientQueryMetadata {
    private final StreamsRuntime kafkaStreams;
    private final BlockingQueue<String> rowQueue;
    private final AtomicBoolean isRunning = new AtomicBoolean(true);
    private final long closeTimeoutMs;

    TransientQueryMetadata(StreamsRuntime kafkaStreams, BlockingQueue<String> rowQueue,
        long closeTimeoutMs) {
      this.kafkaStreams = kafkaStreams;
      this.rowQueue = rowQueue;
      this.closeTimeoutMs = closeTimeoutMs;
    }

    boolean isRunning() {
      return isRunning.get();
    }

    BlockingQueue<String> getRowQueue() {
      return rowQueue;
    }

    void start() {
      kafkaStreams.start();
    }

    void close() {
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
    TransientQueryQueue queue = new TransientQueryQueue(streams);
    TransientQueryMetadata query = new TransientQueryMetadata(streams, queue.getQueue(), 300);
    // The CLI user presses Ctrl-C after a few rows.
    new QueryStreamWriter(query, 100).write(new DisconnectingClient(5));
    Thread.sleep(300);
    System.out.println("query closed; rows left in the queue: " + queue.getQueue().size());
  }
}
