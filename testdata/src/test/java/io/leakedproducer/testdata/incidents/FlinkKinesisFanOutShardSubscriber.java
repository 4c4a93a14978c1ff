// Reduction of the Flink Kinesis connector (enhanced fan-out)
// https://github.com/awslabs/amazon-kinesis-connector-flink/pull/18 (upstream in Flink as
// FLINK-22479, https://github.com/apache/flink/pull/15773): the SDK's network thread puts each
// SubscribeToShard event into a one-slot queue that the shard consumer thread polls; when the
// consumer stops (its record consumer throws, or its poll times out and it resubscribes), nothing
// cancels the subscription, and the network thread, shared by all shards, blocks in put for good.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** The fan-out subscriber of one shard and the record publisher and shard consumer around it. */
public class FlinkKinesisFanOutShardSubscriber {
  /** Reactive-streams subscription, as the SDK hands it out. */
  interface Subscription {
    void request(long n);

    void cancel();
  }

  /** Reactive-streams subscriber; the SDK calls it on its network (event loop) thread. */
  interface Subscriber<T> {
    void onSubscribe(Subscription subscription);

    void onNext(T item);

    void onError(Throwable throwable);

    void onComplete();
  }

  /** One batch of records pushed by Kinesis on the subscription. */
  static final class SubscribeToShardEvent {
    final String continuationSequenceNumber;
    final List<String> records;

    SubscribeToShardEvent(String continuationSequenceNumber, List<String> records) {
      this.continuationSequenceNumber = continuationSequenceNumber;
      this.records = records;
    }
  }

  /** The SDK v2 Kinesis client, reduced to SubscribeToShard. */
  interface KinesisProxyV2Interface {
    /** Subscribes; errors while acquiring go to {@code onAcquireError}, later ones to onError. */
    void subscribeToShard(
        String consumerArn, String shardId, String startingPosition,
        Subscriber<SubscribeToShardEvent> subscriber, Consumer<Throwable> onAcquireError);
  }

  /** What the network thread passes to the consumer thread. */
  abstract static class FanOutSubscriptionEvent {
    boolean isSubscribeToShardEvent() {
      return false;
    }

    boolean isSubscriptionComplete() {
      return false;
    }

    SubscribeToShardEvent getSubscribeToShardEvent() {
      throw new UnsupportedOperationException();
    }

    Throwable getThrowable() {
      throw new UnsupportedOperationException();
    }
  }

  static final class SubscriptionNextEvent extends FanOutSubscriptionEvent {
    private final SubscribeToShardEvent event;

    SubscriptionNextEvent(SubscribeToShardEvent event) {
      this.event = event;
    }

    @Override
    boolean isSubscribeToShardEvent() {
      return true;
    }

    @Override
    SubscribeToShardEvent getSubscribeToShardEvent() {
      return event;
    }
  }

  static final class SubscriptionCompleteEvent extends FanOutSubscriptionEvent {
    @Override
    boolean isSubscriptionComplete() {
      return true;
    }
  }

  static final class SubscriptionErrorEvent extends FanOutSubscriptionEvent {
    private final Throwable throwable;

    SubscriptionErrorEvent(Throwable throwable) {
      this.throwable = throwable;
    }

    @Override
    Throwable getThrowable() {
      return throwable;
    }
  }

  /** An error from the network stack; the publisher backs off and subscribes again. */
  static class FanOutSubscriberException extends Exception {
    FanOutSubscriberException(Throwable cause) {
      super(cause);
    }
  }

  /**
   * Acquires an enhanced fan-out subscription to one shard and hands its events, through a
   * one-slot queue, from the network thread to the shard consumer thread.
   */
  static final class FanOutShardSubscriber {
    private static final int QUEUE_CAPACITY = 1;
    // A sanity timeout: heartbeats arrive even when a shard has no records.
    private static final int DEQUEUE_WAIT_SECONDS = 35;

    private final BlockingQueue<FanOutSubscriptionEvent> queue =
        new LinkedBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicReference<FanOutSubscriptionEvent> subscriptionErrorEvent =
        new AtomicReference<>();
    private final KinesisProxyV2Interface kinesis;
    private final String consumerArn;
    private final String shardId;

    FanOutShardSubscriber(String consumerArn, String shardId, KinesisProxyV2Interface kinesis) {
      this.kinesis = kinesis;
      this.consumerArn = consumerArn;
      this.shardId = shardId;
    }

    /** Returns true when the shard is complete, false when a new subscription is needed. */
    boolean subscribeToShardAndConsumeRecords(
        String startingPosition, Consumer<SubscribeToShardEvent> eventConsumer)
        throws InterruptedException, FanOutSubscriberException {
      openSubscriptionToShard(startingPosition);
      return consumeAllRecordsFromKinesisShard(eventConsumer);
    }

    private void openSubscriptionToShard(String startingPosition)
        throws FanOutSubscriberException, InterruptedException {
      AtomicReference<Throwable> exception = new AtomicReference<>();
      CountDownLatch waitForSubscriptionLatch = new CountDownLatch(1);
      FanOutShardSubscription subscription = new FanOutShardSubscription(waitForSubscriptionLatch);
      kinesis.subscribeToShard(consumerArn, shardId, startingPosition, subscription, e -> {
        if (waitForSubscriptionLatch.getCount() > 0) {
          exception.set(e);
          waitForSubscriptionLatch.countDown();
        }
      });
      waitForSubscriptionLatch.await();
      Throwable throwable = exception.get();
      if (throwable != null) {
        handleError(throwable);
      }
      // The first request starts the flow; the network thread requests the rest.
      subscription.requestRecord();
    }

    private void handleError(Throwable throwable) throws FanOutSubscriberException {
      throw new FanOutSubscriberException(throwable);
    }

    private boolean consumeAllRecordsFromKinesisShard(
        Consumer<SubscribeToShardEvent> eventConsumer)
        throws InterruptedException, FanOutSubscriberException {
      String continuationSequenceNumber;
      do {
        FanOutSubscriptionEvent subscriptionEvent;
        if (queue.isEmpty() && subscriptionErrorEvent.get() != null) {
          subscriptionEvent = subscriptionErrorEvent.get();
        } else {
          subscriptionEvent = queue.poll(DEQUEUE_WAIT_SECONDS, TimeUnit.SECONDS);
        }
        if (subscriptionEvent == null) {
          System.out.println("Timed out polling events from network, reacquiring subscription");
          return false;
        } else if (subscriptionEvent.isSubscribeToShardEvent()) {
          SubscribeToShardEvent event = subscriptionEvent.getSubscribeToShardEvent();
          continuationSequenceNumber = event.continuationSequenceNumber;
          if (!event.records.isEmpty()) {
            eventConsumer.accept(event);
          }
        } else if (subscriptionEvent.isSubscriptionComplete()) {
          if (subscriptionErrorEvent.get() != null) {
            handleError(subscriptionErrorEvent.get().getThrowable());
          }
          // The subscription expired; the shard may still have records.
          return false;
        } else {
          handleError(subscriptionEvent.getThrowable());
          return false;
        }
      } while (continuationSequenceNumber != null);
      return true;
    }

    /** Receives the events on the SDK's network thread and queues them for the consumer. */
    private final class FanOutShardSubscription implements Subscriber<SubscribeToShardEvent> {
      private final CountDownLatch waitForSubscriptionLatch;
      private Subscription subscription;
      private volatile boolean cancelled = false;

      FanOutShardSubscription(CountDownLatch waitForSubscriptionLatch) {
        this.waitForSubscriptionLatch = waitForSubscriptionLatch;
      }

      void requestRecord() {
        if (!cancelled) {
          subscription.request(1);
        }
      }

      @Override
      public void onSubscribe(Subscription subscription) {
        this.subscription = subscription;
        waitForSubscriptionLatch.countDown();
      }

      @Override
      public void onNext(SubscribeToShardEvent event) {
        enqueueEvent(new SubscriptionNextEvent(event));
        requestRecord();
      }

      @Override
      public void onError(Throwable throwable) {
        // Stops onNext from requesting more.
        cancelSubscription();
        if (subscriptionErrorEvent.get() == null) {
          subscriptionErrorEvent.set(new SubscriptionErrorEvent(throwable));
        }
      }

      @Override
      public void onComplete() {
        enqueueEvent(new SubscriptionCompleteEvent());
      }

      private void cancelSubscription() {
        if (!cancelled) {
          cancelled = true;
          subscription.cancel();
        }
      }

      /** Adds the event to the queue, blocking until there is room. */
      private void enqueueEvent(FanOutSubscriptionEvent event) {
        try {
          queue.put(event); // LEAK
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new RuntimeException(e);
        }
      }
    }
  }

  enum RecordPublisherRunResult {
    COMPLETE,
    INCOMPLETE
  }

  /** Deserializes and emits a batch; returns the sequence number to continue from. */
  interface RecordBatchConsumer {
    String accept(SubscribeToShardEvent batch);
  }

  /** Runs one subscription at a time for the shard; backs off after network errors. */
  static final class FanOutRecordPublisher {
    private final String consumerArn;
    private final String shardId;
    private final KinesisProxyV2Interface kinesisProxy;
    private String nextStartingPosition = "TRIM_HORIZON";

    FanOutRecordPublisher(String consumerArn, String shardId, KinesisProxyV2Interface kinesis) {
      this.consumerArn = consumerArn;
      this.shardId = shardId;
      this.kinesisProxy = kinesis;
    }

    RecordPublisherRunResult run(RecordBatchConsumer recordConsumer) throws InterruptedException {
      Consumer<SubscribeToShardEvent> eventConsumer = event -> {
        String sequenceNumber = recordConsumer.accept(event);
        nextStartingPosition = "AFTER_SEQUENCE_NUMBER " + sequenceNumber;
      };
      FanOutShardSubscriber fanOutShardSubscriber =
          new FanOutShardSubscriber(consumerArn, shardId, kinesisProxy);
      try {
        boolean complete =
            fanOutShardSubscriber.subscribeToShardAndConsumeRecords(
                nextStartingPosition, eventConsumer);
        return complete ? RecordPublisherRunResult.COMPLETE : RecordPublisherRunResult.INCOMPLETE;
      } catch (FanOutSubscriberException ex) {
        Thread.sleep(50);
        return RecordPublisherRunResult.INCOMPLETE;
      }
    }
  }

  /** The shard consumer thread: reads the shard through the publisher until it is complete. */
  static final class ShardConsumer implements Runnable {
    private final FanOutRecordPublisher recordPublisher;
    private final AtomicReference<Throwable> error;
    private long emitted;

    ShardConsumer(FanOutRecordPublisher recordPublisher, AtomicReference<Throwable> error) {
      this.recordPublisher = recordPublisher;
      this.error = error;
    }

    @Override
    public void run() {
      try {
        RecordPublisherRunResult result = RecordPublisherRunResult.INCOMPLETE;
        while (result != RecordPublisherRunResult.COMPLETE) {
          result = recordPublisher.run(this::deserializeAndEmit);
        }
      } catch (Throwable t) {
        // The fetcher fails the source with it; the task restarts.
        error.set(t);
      }
    }

    private String deserializeAndEmit(SubscribeToShardEvent batch) {
      for (String record : batch.records) {
        if (!record.startsWith("{")) {
          throw new IllegalArgumentException("Failed to deserialize record " + record);
        }
        emitted++;
      }
      return batch.continuationSequenceNumber;
    }
  }

  /** Stands for the SDK: pushes one event per request(1) on its single network thread. */
  static final class FakeKinesis implements KinesisProxyV2Interface {
    private final ExecutorService eventLoop = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "aws-java-sdk-NettyEventLoop-1-1");
      t.setDaemon(true);
      return t;
    });
    private final AtomicInteger sequence = new AtomicInteger();
    final CountDownLatch cancelled = new CountDownLatch(1);

    @Override
    public void subscribeToShard(
        String consumerArn, String shardId, String startingPosition,
        Subscriber<SubscribeToShardEvent> subscriber, Consumer<Throwable> onAcquireError) {
      eventLoop.execute(() -> subscriber.onSubscribe(new Subscription() {
        private volatile boolean done;

        @Override
        public void request(long n) {
          eventLoop.execute(() -> {
            if (!done) {
              int seq = sequence.incrementAndGet();
              // The second batch holds a record its producer did not encode as JSON.
              String second = seq == 2 ? "<binary>" : "{\"seq\":" + seq + "}";
              subscriber.onNext(new SubscribeToShardEvent(
                  String.valueOf(seq), List.of("{\"seq\":" + seq + "}", second)));
            }
          });
        }

        @Override
        public void cancel() {
          done = true;
          cancelled.countDown();
        }
      }));
    }
  }

  public static void main(String[] args) throws Exception {
    FakeKinesis kinesis = new FakeKinesis();
    AtomicReference<Throwable> error = new AtomicReference<>();
    FanOutRecordPublisher publisher = new FanOutRecordPublisher(
        "arn:aws:kinesis:eu-west-1:000000000000:stream/orders/consumer/flink:1",
        "shardId-000000000000", kinesis);
    Thread shardConsumer = new Thread(new ShardConsumer(publisher, error), "shardConsumers-orders");
    shardConsumer.setDaemon(true);
    shardConsumer.start();
    shardConsumer.join(1_000);
    System.out.println("shard consumer ended with: " + error.get());
    boolean cancelled = kinesis.cancelled.await(500, TimeUnit.MILLISECONDS);
    System.out.println("subscription cancelled: " + cancelled);
  }
}
