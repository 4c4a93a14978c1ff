// Reduction of logback-kafka-appender
// https://github.com/danielwegener/logback-kafka-appender/issues/7 (fixed by PR #8): with the
// broker down the producer's buffer fills, and the producer's own sender thread logs its
// reconnect attempts through the appender into that full buffer, so the only thread that drains
// it blocks there. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A logback appender that ships every log event to a Kafka topic. */
public final class LogbackKafkaAppender {
  record LoggingEvent(String loggerName, String message) {}

  record ProducerRecord(String topic, String value) {}

  /** Whether the broker answers; the test flips it. */
  static final class Cluster {
    volatile boolean available;
  }

  /** A minimal logging facade: every logger writes to the root appender. */
  static final class Logger {
    static volatile LogbackKafkaAppender root;
    private final String name;

    Logger(String name) {
      this.name = name;
    }

    void warn(String message) {
      LogbackKafkaAppender appender = root;
      if (appender != null) {
        appender.doAppend(new LoggingEvent(name, message));
      }
    }
  }

  /** The producer: send() blocks while the buffer is full (block.on.buffer.full=true). */
  static final class KafkaProducer {
    private final BlockingQueue<ProducerRecord> buffer;
    private final Cluster cluster;
    private final Sender sender = new Sender();
    private final AtomicInteger delivered = new AtomicInteger();
    private volatile boolean running = true;

    KafkaProducer(Cluster cluster, int bufferRecords) {
      this.cluster = cluster;
      this.buffer = new ArrayBlockingQueue<>(bufferRecords);
      sender.start();
    }

    void send(ProducerRecord record) throws InterruptedException {
      buffer.put(record); // LEAK
    }

    void close() {
      running = false;
      sender.interrupt();
      try {
        sender.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** The network thread: the only consumer of the buffer. */
    final class Sender extends Thread {
      private final Logger log = new Logger("org.apache.kafka.clients.NetworkClient");

      Sender() {
        super("kafka-producer-network-thread");
        setDaemon(true);
      }

      @Override
      public void run() {
        try {
          while (running) {
            ProducerRecord record = buffer.take();
            while (!cluster.available) {
              log.warn("Connection to node -1 could not be established."
                  + " Broker may not be available.");
              Thread.sleep(20);
            }
            delivered.incrementAndGet();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private final KafkaProducer producer;
  private final String topic;

  LogbackKafkaAppender(KafkaProducer producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  public void doAppend(LoggingEvent event) {
    append(event);
  }

  protected void append(LoggingEvent event) {
    try {
      producer.send(new ProducerRecord(topic, event.loggerName() + " " + event.message()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void main(String[] args) throws Exception {
    Cluster cluster = new Cluster(); // the broker is down
    KafkaProducer producer = new KafkaProducer(cluster, 8);
    Logger.root = new LogbackKafkaAppender(producer, "logs");

    ExecutorService app = Executors.newFixedThreadPool(2, daemon("http"));
    CountDownLatch done = new CountDownLatch(2);
    for (int t = 0; t < 2; t++) {
      Logger log = new Logger("com.example.OrderService");
      app.execute(() -> {
        for (int i = 0; i < 20; i++) {
          log.warn("order " + i + " has no shipping address");
        }
        done.countDown();
      });
    }
    Thread.sleep(300);
    cluster.available = true; // the broker is back: whoever still drains the buffer can deliver
    boolean finished = done.await(500, TimeUnit.MILLISECONDS);
    System.out.println("app threads finished: " + finished + ", delivered: "
        + producer.delivered.get());
    app.shutdown();
  }

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
