// Reduction of rabbitmq-amqp-java-client
// https://github.com/rabbitmq/rabbitmq-amqp-java-client/issues/328, the merged fix (commit
// 0f14533): the work pool queue holds as many deliveries as the initial credits, and credit is
// replenished counting the deliveries still waiting in the pool, so the broker never sends more
// than the pool holds. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A pre-settled consumer whose handler republishes every message on the same connection. */
public final class RabbitMqAmqpWorkPoolFixed {
  /** One connection: broker frames and publish requests are all handled on its I/O thread. */
  static final class Connection {
    final BlockingQueue<Runnable> ioTasks = new LinkedBlockingQueue<>();

    Connection() {
      Thread io = new Thread(() -> {
        try {
          while (true) {
            ioTasks.take().run();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "multiThreadIoEventLoopGroup-5-1");
      io.setDaemon(true);
      io.start();
    }
  }

  /** The work pool: one bounded queue of deliveries per consumer. */
  static final class WorkPool {
    final BlockingQueue<String> queue;

    /** The queue holds a whole credit window: the broker never sends more than that. */
    WorkPool(int queueLength) {
      this.queue = new LinkedBlockingQueue<>(queueLength);
    }

    void addWorkItem(String item) {
      try {
        queue.put(item);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The broker end of the consumer's link: sends while it has credit. */
  static final class Broker {
    private final Connection connection;
    private final int messages;
    private int sent;
    private int linkCredit;
    private AmqpConsumer consumer;

    Broker(Connection connection, int messages) {
      this.connection = connection;
      this.messages = messages;
    }

    /** A flow frame granting credit; runs on the I/O thread. */
    void grant(int credit) {
      connection.ioTasks.add(() -> {
        linkCredit += credit;
        while (linkCredit > 0 && sent < messages) {
          linkCredit--;
          String message = "order " + sent++;
          connection.ioTasks.add(() -> consumer.onDelivery(message));
        }
      });
    }
  }

  /** The consumer: deliveries arrive on the I/O thread, the handler runs on a worker thread. */
  static final class AmqpConsumer {
    interface MessageHandler {
      void handle(String message) throws InterruptedException;
    }

    private final WorkPool workPool;
    private final AtomicInteger pendingWorkItems = new AtomicInteger();
    private final Broker broker;
    private final MessageHandler handler;
    private final int creditWindow;
    /** Credit granted and not yet used by a delivery that reached this client. */
    private final AtomicInteger currentCredit = new AtomicInteger();
    final AtomicInteger handled = new AtomicInteger();

    AmqpConsumer(Broker broker, int initialCredits, MessageHandler handler) {
      this.broker = broker;
      this.creditWindow = initialCredits;
      this.handler = handler;
      this.workPool = new WorkPool(initialCredits);
    }

    void start() {
      broker.consumer = this;
      Thread worker = new Thread(this::work, "rabbitmq-amqp-consumer-1");
      worker.setDaemon(true);
      worker.start();
      currentCredit.addAndGet(creditWindow);
      broker.grant(creditWindow);
    }

    void onDelivery(String message) {
      // Counted as pending before the credit it used is given up: the sum never dips.
      pendingWorkItems.incrementAndGet();
      currentCredit.decrementAndGet();
      workPool.addWorkItem(message);
    }

    private void work() {
      try {
        while (true) {
          try {
            handler.handle(workPool.queue.take());
            handled.incrementAndGet();
          } finally {
            pendingWorkItems.decrementAndGet();
          }
          replenishCredit();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Tops the credit up when it runs low, counting the deliveries still in the work pool. */
    private void replenishCredit() {
      int totalInFlight = currentCredit.get() + pendingWorkItems.get();
      if (totalInFlight <= creditWindow * 0.7) {
        currentCredit.addAndGet(creditWindow - totalInFlight);
        broker.grant(creditWindow - totalInFlight);
      }
    }
  }

  /** Publishes on the connection and waits until the I/O thread has sent the message. */
  static void publish(Connection connection, String message) throws InterruptedException {
    CountDownLatch sent = new CountDownLatch(1);
    connection.ioTasks.add(sent::countDown);
    sent.await();
  }

  public static void main(String[] args) throws Exception {
    Connection connection = new Connection();
    Broker broker = new Broker(connection, 100);
    AmqpConsumer consumer = new AmqpConsumer(broker, 20,
        message -> publish(connection, "audit of " + message));
    consumer.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (consumer.handled.get() < 100 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    System.out.println("handled " + consumer.handled.get() + " of 100 messages");
  }
}
