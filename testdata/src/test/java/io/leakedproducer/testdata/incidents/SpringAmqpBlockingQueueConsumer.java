// Reduction of Spring AMQP https://github.com/spring-projects/spring-amqp/pull/432 (AMQP-621): the
// container's consumer loop exits as soon as it has cancelled its consumer, but deliveries already
// on the wire arrive before the broker's cancel-ok, and the connection thread blocks in put on
// the full prefetch queue. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Buffers the deliveries of one channel for the listener container's consumer thread. */
public final class SpringAmqpBlockingQueueConsumer {
  record Delivery(String consumerTag, long deliveryTag, String body) {}

  /** The client library's callbacks for one consumer. */
  interface Consumer {
    void handleDelivery(String consumerTag, long deliveryTag, String body);

    void handleCancelOk(String consumerTag);
  }

  /** A channel: every frame from the broker is handled in order on the connection thread. */
  static final class Channel {
    private final BlockingQueue<Runnable> inbound = new LinkedBlockingQueue<>();
    private final List<Runnable> inFlight = new ArrayList<>();
    private Consumer consumer;

    Channel() {
      Thread connection = new Thread(() -> {
        try {
          while (true) {
            inbound.take().run();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "AMQP Connection 127.0.0.1:5672");
      connection.setDaemon(true);
      connection.start();
    }

    void basicConsume(String consumerTag, Consumer consumer) {
      this.consumer = consumer;
    }

    /** The broker sends a message now. */
    void deliver(String consumerTag, long deliveryTag, String body) {
      inbound.add(() -> consumer.handleDelivery(consumerTag, deliveryTag, body));
    }

    /** The broker already sent a message that the network has not handed over yet. */
    void deliverLate(String consumerTag, long deliveryTag, String body) {
      inFlight.add(() -> consumer.handleDelivery(consumerTag, deliveryTag, body));
    }

    /** The broker answers cancel-ok after whatever it had already sent. */
    void basicCancel(String consumerTag) {
      inFlight.add(() -> consumer.handleCancelOk(consumerTag));
    }

    /** The network catches up. */
    void flushNetwork() {
      inbound.addAll(inFlight);
      inFlight.clear();
    }
  }

  private final BlockingQueue<Delivery> queue;
  private final Map<String, String> consumerTags = new ConcurrentHashMap<>();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final Channel channel;

  SpringAmqpBlockingQueueConsumer(Channel channel, int prefetchCount) {
    this.channel = channel;
    this.queue = new LinkedBlockingQueue<>(prefetchCount);
  }

  void start(List<String> queueNames) {
    InternalConsumer consumer = new InternalConsumer();
    for (String name : queueNames) {
      String tag = "amq.ctag-" + name;
      consumerTags.put(tag, name);
      channel.basicConsume(tag, consumer);
    }
  }

  void basicCancel() {
    for (String tag : consumerTags.keySet()) {
      channel.basicCancel(tag);
    }
  }

  boolean hasDelivery() {
    return !queue.isEmpty();
  }

  String nextMessage(long timeoutMillis) throws InterruptedException {
    Delivery delivery = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    return delivery == null ? null : delivery.body();
  }

  void stop() {
    cancelled.set(true);
    consumerTags.clear();
  }

  private final class InternalConsumer implements Consumer {
    @Override
    public void handleDelivery(String consumerTag, long deliveryTag, String body) {
      try {
        queue.put(new Delivery(consumerTag, deliveryTag, body)); // LEAK
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void handleCancelOk(String consumerTag) {
      consumerTags.remove(consumerTag);
    }
  }

  /** The listener container: one consumer thread per BlockingQueueConsumer. */
  static final class ListenerContainer {
    interface MessageListener {
      void onMessage(String body);
    }

    private final SpringAmqpBlockingQueueConsumer consumer;
    private final MessageListener listener;
    private final CountDownLatch consumerExited = new CountDownLatch(1);
    private volatile boolean active = true;

    ListenerContainer(SpringAmqpBlockingQueueConsumer consumer, MessageListener listener) {
      this.consumer = consumer;
      this.listener = listener;
    }

    void start() {
      Thread thread = new Thread(this::consumeLoop, "listenerContainer-1");
      thread.setDaemon(true);
      thread.start();
    }

    private void consumeLoop() {
      try {
        while (active || consumer.hasDelivery()) {
          String body = consumer.nextMessage(50);
          if (body != null) {
            listener.onMessage(body);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        consumer.stop();
        consumerExited.countDown();
      }
    }

    void stop() {
      active = false;
      consumer.basicCancel();
    }
  }

  public static void main(String[] args) throws Exception {
    Channel channel = new Channel();
    SpringAmqpBlockingQueueConsumer consumer = new SpringAmqpBlockingQueueConsumer(channel, 1);
    consumer.start(List.of("orders", "invoices"));
    CountDownLatch first = new CountDownLatch(1);
    ListenerContainer container = new ListenerContainer(consumer, body -> first.countDown());
    container.start();
    channel.deliver("amq.ctag-orders", 1, "order 1");
    first.await(2, TimeUnit.SECONDS);

    // Each queue's next message is already on the wire when the container stops.
    channel.deliverLate("amq.ctag-orders", 2, "order 2");
    channel.deliverLate("amq.ctag-invoices", 3, "invoice 1");
    container.stop();
    boolean exited = container.consumerExited.await(300, TimeUnit.MILLISECONDS);
    channel.flushNetwork();
    Thread.sleep(200);
    System.out.println("consumer loop exited before cancel-ok: " + exited);
  }
}
