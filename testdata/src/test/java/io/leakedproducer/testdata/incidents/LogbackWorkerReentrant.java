// Reduction of logback https://github.com/qos-ch/logback/issues/788 (open): an encoder of the
// attached appender publishes to Kafka, whose client logs a warning through the root logger; that
// event reaches the AsyncAppender on its own worker thread, which blocks in put on the queue only
// it drains. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An AsyncAppender in front of a file appender whose encoder also publishes to Kafka. */
public class LogbackWorkerReentrant {
  record LoggingEvent(String level, String loggerName, String message) {}

  /** Every logger writes to the root appender. */
  static final class Logger {
    static volatile LogbackWorkerReentrant root;
    private final String name;

    Logger(String name) {
      this.name = name;
    }

    void info(String message) {
      root.doAppend(new LoggingEvent("INFO", name, message));
    }

    void warn(String message) {
      root.doAppend(new LoggingEvent("WARN", name, message));
    }
  }

  /** Masks sensitive data and sends a copy of every masked line to Kafka. */
  static final class SensitiveEncoder {
    private final Logger kafkaLog = new Logger("org.apache.kafka.clients.producer.KafkaProducer");
    private final AtomicInteger encoded = new AtomicInteger();

    byte[] encode(LoggingEvent event) {
      if (encoded.incrementAndGet() % 5 == 0) {
        kafkaLog.warn("Error while fetching metadata with correlation id " + encoded.get());
      }
      return event.message().replaceAll("[0-9]{4}", "****").getBytes();
    }
  }

  private final SensitiveEncoder encoder = new SensitiveEncoder();
  private final BlockingQueue<LoggingEvent> blockingQueue;
  private final int discardingThreshold;
  private final Thread worker = new Thread(this::work, "AsyncAppender-Worker-ASYNC_FILE");
  private final AtomicInteger written = new AtomicInteger();
  private volatile boolean started;

  LogbackWorkerReentrant(int queueSize) {
    this.blockingQueue = new ArrayBlockingQueue<>(queueSize);
    this.discardingThreshold = 0;
  }

  public void start() {
    started = true;
    worker.setDaemon(true);
    worker.start();
  }

  public void doAppend(LoggingEvent event) {
    if (!started) {
      return;
    }
    if (blockingQueue.remainingCapacity() < discardingThreshold && isDiscardable(event)) {
      return;
    }
    put(event);
  }

  protected boolean isDiscardable(LoggingEvent event) {
    return event.level().equals("INFO");
  }

  private void put(LoggingEvent event) {
    boolean interrupted = false;
    while (true) {
      try {
        blockingQueue.put(event); // LEAK
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void work() {
    while (started) {
      try {
        List<LoggingEvent> elements = new ArrayList<>();
        elements.add(blockingQueue.take());
        blockingQueue.drainTo(elements);
        for (LoggingEvent event : elements) {
          byte[] line = encoder.encode(event); // the rolling file appender's encoder
          if (line.length > 0) {
            written.incrementAndGet();
          }
        }
      } catch (InterruptedException e) {
        break;
      }
    }
  }

  public static void main(String[] args) throws Exception {
    LogbackWorkerReentrant appender = new LogbackWorkerReentrant(8);
    Logger.root = appender;
    appender.start();
    ExecutorService http = Executors.newFixedThreadPool(3, daemon("http-nio-8080-exec"));
    CountDownLatch done = new CountDownLatch(3);
    for (int t = 0; t < 3; t++) {
      Logger log = new Logger("com.example.PaymentController");
      http.execute(() -> {
        for (int i = 0; i < 200; i++) {
          log.info("charged card 4111 1111 1111 " + (1000 + i));
        }
        done.countDown();
      });
    }
    boolean finished = done.await(500, TimeUnit.MILLISECONDS);
    System.out.println("requests finished: " + finished + ", lines written: "
        + appender.written.get());
    http.shutdown();
  }

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
