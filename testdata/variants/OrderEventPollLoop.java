package eval.cases;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Kafka-style consumer: the poll loop fetches batches from the broker and hands each record to
 * the processing thread through a bounded queue. The processor decodes records through the handler
 * and its codec; a record with an unknown magic byte makes the codec throw, the processor dies, and
 * the poll loop blocks in put for good once the queue is full. close() only lowers the flag the
 * blocked poller never gets back to.
 */
public final class OrderEventPollLoop implements AutoCloseable {
  record ConsumerRecord(String topic, int partition, long offset, byte[] value) {}

  record OrderEvent(String orderId, String status) {}

  static final class SerializationException extends RuntimeException {
    SerializationException(String message) {
      super(message);
    }
  }

  static final class OrderEventCodec {
    private static final byte MAGIC = 0x1;

    OrderEvent decode(ConsumerRecord record) {
      byte[] bytes = record.value();
      if (bytes.length < 2 || bytes[0] != MAGIC) {
        throw new SerializationException(
            "unknown magic byte in " + record.topic() + "-" + record.partition() + "@"
                + record.offset());
      }
      String body = new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
      int sep = body.indexOf('|');
      return new OrderEvent(body.substring(0, sep), body.substring(sep + 1));
    }
  }

  static final class OrderStatusHandler {
    private final OrderEventCodec codec = new OrderEventCodec();
    private final AtomicInteger applied = new AtomicInteger();

    void onRecord(ConsumerRecord record) {
      OrderEvent event = codec.decode(record);
      if (!event.status().isEmpty()) {
        applied.incrementAndGet();
      }
    }
  }

  /** Stands in for the broker client: every poll returns the next few records of the partition. */
  static final class FakeBrokerClient {
    private long nextOffset;

    List<ConsumerRecord> poll(int maxRecords) {
      List<ConsumerRecord> batch = new ArrayList<>();
      for (int i = 0; i < maxRecords; i++) {
        long offset = nextOffset++;
        byte[] value = offset == 6
            ? "{\"orderId\":\"o-6\"}".getBytes(StandardCharsets.UTF_8) // written by a JSON producer
            : ("\u0001o-" + offset + "|SHIPPED").getBytes(StandardCharsets.UTF_8);
        batch.add(new ConsumerRecord("orders", 0, offset, value));
      }
      return batch;
    }
  }

  static final class NamedDaemonThreadFactory implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    NamedDaemonThreadFactory(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }

  private final BlockingQueue<ConsumerRecord> pending = new ArrayBlockingQueue<>(8);
  private final FakeBrokerClient broker = new FakeBrokerClient();
  private final OrderStatusHandler handler = new OrderStatusHandler();
  private final ThreadFactory threads = new NamedDaemonThreadFactory("order-events");
  private volatile boolean running = true;

  void start() {
    threads.newThread(this::pollLoop).start();
    threads.newThread(this::processLoop).start();
  }

  private void pollLoop() {
    try {
      while (running) {
        for (ConsumerRecord record : broker.poll(5)) {
          pending.put(record); // LEAK
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void processLoop() {
    try {
      while (running) {
        ConsumerRecord record = pending.take();
        handler.onRecord(record);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
  }

  public static void main(String[] args) throws Exception {
    OrderEventPollLoop consumer = new OrderEventPollLoop();
    consumer.start();
    Thread.sleep(400);
    System.out.println("applied " + consumer.handler.applied.get() + " order events");
    consumer.close();
  }
}
