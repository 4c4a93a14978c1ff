package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * Consumers behind a {@code poll()} API that waits for a batch and returns it (a Kafka Connect
 * source task), and producers that are callbacks a client library calls on its own thread (a
 * listener registered by method reference, a delivery callback). A loop that only waits until the
 * take brings something is one take, not a take loop: the caller of {@code poll()} stops whenever
 * it stops calling, and the owner's {@code stop()} must then cancel the producer; waiting for the
 * client's thread, which is the producer stuck in put, cancels nothing.
 */
final class PollApiConsumersTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass())
          .setArgs("-XepOpt:LeakedProducer:Strict=true");

  /** A change-data-capture source task: the binlog client calls onEvent() on its reader thread. */
  private static final String SOURCE_TASK =
      """
      import java.util.ArrayList;
      import java.util.List;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.TimeUnit;

      public final class BinlogSourceTask {
        interface BinlogClient {
          void registerListener(EventListener listener);

          void connect();

          /** Closes the socket and waits for the reader thread to finish its current event. */
          void disconnect() throws InterruptedException;
        }

        interface EventListener {
          void onEvent(String event) throws InterruptedException;
        }

        private final BlockingQueue<String> records = new ArrayBlockingQueue<>(1024);
        private final BinlogClient client;
        private volatile boolean running;

        public BinlogSourceTask(BinlogClient client) {
          this.client = client;
        }

        public void start() {
          running = true;
          client.registerListener(this::onEvent);
          client.connect();
        }

        private void onEvent(String event) throws InterruptedException {
          %s
        }

        public List<String> poll() throws InterruptedException {
          List<String> batch = new ArrayList<>();
          while (running && records.drainTo(batch, 100) == 0) {
            TimeUnit.MILLISECONDS.sleep(10);
          }
          return batch;
        }

        public void stop() throws InterruptedException {
          %s
        }
      }
      """;

  @Test
  void sourceTaskWhoseStopWaitsForTheListenerThreadLeaks() {
    helper
        .addSourceLines(
            "BinlogSourceTask.java",
            SOURCE_TASK.formatted(
                """
                // BUG: Diagnostic contains: the thread that runs onEvent() passed to registerListener() (line 31) can block forever in put() on 'records' (new ArrayBlockingQueue<>(1024)): every consumer can stop taking (line 42: the caller of BinlogSourceTask.poll() can stop taking at any time) and stop() (line 48) does not stop the producer.
                    records.put(event);""",
                """
                client.disconnect();
                    running = false;"""))
        .doTest();
  }

  /** The worker of the same unit pulls one batch per call and hands it on: its caller decides. */
  private static final String WORKER =
      """
      import java.util.List;
      import java.util.function.Consumer;

      final class WorkerSourceTask {
        private final BinlogSourceTask task;
        private final Consumer<String> sender;

        WorkerSourceTask(BinlogSourceTask task, Consumer<String> sender) {
          this.task = task;
          this.sender = sender;
        }

        void pollAndSend() throws InterruptedException {
          List<String> batch = task.poll();
          batch.forEach(sender);
        }
      }
      """;

  @Test
  void sourceTaskPolledByAWorkerOfTheUnitLeaksWhenStopDoesNotStopTheListener() {
    helper
        .addSourceLines(
            "BinlogSourceTask.java",
            SOURCE_TASK.formatted(
                """
                // BUG: Diagnostic contains: every consumer can stop taking (line 42: the caller of BinlogSourceTask.poll() can stop taking at any time) and stop() (line 48) does not stop the producer.
                    records.put(event);""",
                """
                client.disconnect();
                    running = false;"""))
        .addSourceLines("WorkerSourceTask.java", WORKER)
        .doTest();
  }

  @Test
  void negativeSourceTaskPolledByAWorkerOfTheUnitWhoseStopClearsTheFlagThenTheQueue() {
    helper
        .addSourceLines(
            "BinlogSourceTask.java",
            SOURCE_TASK.formatted(
                """
                if (!running) {
                      return;
                    }
                    records.put(event);""",
                """
                running = false;
                    records.clear();
                    client.disconnect();"""))
        .addSourceLines("WorkerSourceTask.java", WORKER)
        .doTest();
  }

  @Test
  void sourceTaskWhoseStopDrainsBeforeClearingTheFlagLeaks() {
    // The drain comes before the flag: an event with many rows refills the queue in between.
    helper
        .addSourceLines(
            "BinlogSourceTask.java",
            SOURCE_TASK.formatted(
                """
                if (!running) {
                      return;
                    }
                    // BUG: Diagnostic contains: and stop() (line 51) does not stop the producer.
                    records.put(event);""",
                """
                records.drainTo(new ArrayList<>());
                    client.disconnect();
                    running = false;"""))
        .doTest();
  }

  @Test
  void negativeSourceTaskWhoseStopClearsTheFlagThenTheQueue() {
    helper
        .addSourceLines(
            "BinlogSourceTask.java",
            SOURCE_TASK.formatted(
                """
                if (!running) {
                      return;
                    }
                    records.put(event);""",
                """
                running = false;
                    records.clear();
                    client.disconnect();"""))
        .doTest();
  }

  @Test
  void negativeSourceTaskWhoseListenerOffersUntilStopped() {
    helper
        .addSourceLines(
            "BinlogSourceTask.java",
            SOURCE_TASK.formatted(
                """
                while (!records.offer(event, 100, TimeUnit.MILLISECONDS)) {
                      if (!running) {
                        return;
                      }
                    }""",
                """
                running = false;
                    client.disconnect();"""))
        .doTest();
  }

  /**
   * A change-log shipper: a private helper waits for a batch, and the shipper thread's own loop is
   * the take loop, which a failing sink ends.
   */
  private static final String SHIPPER =
      """
      import java.io.IOException;
      import java.util.ArrayList;
      import java.util.List;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;

      final class ChangeLogShipper {
        interface Sink {
          void write(List<String> batch) throws IOException;
        }

        interface ChangeLog {
          String next();
        }

        private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(500);
        private final Sink sink;
        private final ChangeLog log;

        ChangeLogShipper(Sink sink, ChangeLog log) {
          this.sink = sink;
          this.log = log;
        }

        void start() {
          Thread reader = new Thread(() -> {
            try {
              while (true) {
                %s
                pending.put(log.next());
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }, "changelog-reader");
          reader.start();
          new Thread(this::ship, "changelog-shipper").start();
        }

        private void ship() {
          while (true) {
            List<String> batch;
            try {
              batch = nextBatch();
            } catch (InterruptedException e) {
              return;
            }
            try {
              sink.write(batch);
            } catch (IOException e) {
              %s
            }
          }
        }

        private List<String> nextBatch() throws InterruptedException {
          List<String> batch = new ArrayList<>();
          while (pending.drainTo(batch, 100) == 0) {
            Thread.sleep(20);
          }
          return batch;
        }
      }
      """;

  @Test
  void shipperWhoseLoopAroundABatchHelperStopsOnASinkFailureLeaks() {
    helper
        .addSourceLines(
            "ChangeLogShipper.java",
            SHIPPER.formatted(
                "// BUG: Diagnostic contains: the thread 'reader' (created at line 26) can block"
                    + " forever in put() on 'pending' (new ArrayBlockingQueue<>(500)): every"
                    + " consumer can stop taking (line 52: return in catch (IOException))",
                "System.err.println(\"sink failed, shipper stops: \" + e);\n return;"))
        .doTest();
  }

  @Test
  void negativeShipperThatKeepsTakingWhenTheSinkFails() {
    helper
        .addSourceLines(
            "ChangeLogShipper.java",
            SHIPPER.formatted("//", "System.err.println(\"sink failed, batch dropped: \" + e);"))
        .doTest();
  }

  /** A message-queue client: the connection's thread delivers into a prefetch buffer. */
  private static final String PREFETCHING_CONSUMER =
      """
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.LinkedBlockingQueue;
      import java.util.concurrent.TimeUnit;

      public final class PrefetchingConsumer implements AutoCloseable {
        public interface Channel {
          String basicConsume(String queue, DeliveryCallback callback);

          void basicCancel(String consumerTag);
        }

        public interface DeliveryCallback {
          void handleDelivery(String consumerTag, byte[] body);
        }

        private final BlockingQueue<byte[]> deliveries;
        private final Channel channel;
        private final String consumerTag;
        private volatile boolean closed;

        public PrefetchingConsumer(Channel channel, String queue, int prefetch) {
          this.channel = channel;
          this.deliveries = new LinkedBlockingQueue<>(prefetch);
          this.consumerTag = channel.basicConsume(queue, new InternalConsumer());
        }

        public byte[] nextMessage(long timeoutMillis) throws InterruptedException {
          return deliveries.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
          closed = true;
          %s
          channel.basicCancel(consumerTag);
        }

        private final class InternalConsumer implements DeliveryCallback {
          @Override
          public void handleDelivery(String consumerTag, byte[] body) {
            try {
              if (closed) {
                return;
              }
              %s
              deliveries.put(body);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }
      }
      """;

  @Test
  void prefetchBufferWhoseCloseOnlyCancelsTheSubscriptionLeaks() {
    helper
        .addSourceLines(
            "PrefetchingConsumer.java",
            PREFETCHING_CONSUMER.formatted(
                "//",
                "// BUG: Diagnostic contains: the thread that calls handleDelivery() can block"
                    + " forever in put() on 'deliveries' (new LinkedBlockingQueue<>(prefetch)):"
                    + " every consumer can stop taking (line 28: the caller of"
                    + " PrefetchingConsumer.nextMessage() can stop taking at any time) and close()"
                    + " (line 32) does not stop the producer."))
        .doTest();
  }

  @Test
  void negativePrefetchBufferWhoseCloseSetsTheFlagThenClears() {
    helper
        .addSourceLines(
            "PrefetchingConsumer.java", PREFETCHING_CONSUMER.formatted("deliveries.clear();", "//"))
        .doTest();
  }
}
