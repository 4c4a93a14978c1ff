// Reduction of Neo4j (causal clustering, core-edge) https://github.com/neo4j/neo4j/pull/8144
// ("Fix a deadlock when stopping the batching message handler"), with the fix: the handler owns
// its continuous job and is a lifecycle component itself; stop() sets a stopped flag before it
// stops the job, and handle() drops messages once stopped and otherwise retries a non-blocking
// offer every 100 ms until it succeeds or the handler is stopped (Predicates.awaitForever).
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The core server's inbound Raft path with the fix, as in {@link Neo4jBatchingMessageHandler}: the
 * handler starts and stops its own job, and its insertion re-reads the {@code stopped} flag that
 * {@code stop()} sets before the job stops, so a network thread waiting on a full queue gives up
 * within 100 ms of the shutdown.
 */
public class Neo4jBatchingMessageHandlerFixed {
  interface MessageHandler<M> {
    void handle(M message);
  }

  interface Lifecycle {
    void start() throws Exception;

    void stop() throws Exception;
  }

  interface LifecycleMessageHandler<M> extends MessageHandler<M>, Lifecycle {}

  /** Neo4j's polling helper: re-tests a condition at an interval until it holds. */
  static final class Predicates {
    private Predicates() {}

    static void awaitForever(BooleanSupplier condition, long checkInterval, TimeUnit unit) {
      while (!condition.getAsBoolean()) {
        try {
          unit.sleep(checkInterval);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** A Raft message tagged with the store it belongs to. */
  static final class StoreIdAwareMessage {
    final String storeId;
    final Object message;

    StoreIdAwareMessage(String storeId, Object message) {
      this.storeId = storeId;
      this.message = message;
    }
  }

  /** A client's new-entry request, which the handler batches. */
  static final class NewEntryRequest {
    final String content;

    NewEntryRequest(String content) {
      this.content = content;
    }
  }

  /** Several new entries sent to the Raft machine at once. */
  static final class BatchRequest {
    final List<String> contents;

    BatchRequest(int size) {
      contents = new ArrayList<>(size);
    }
  }

  static final class BatchingMessageHandler
      implements Runnable, LifecycleMessageHandler<StoreIdAwareMessage> {
    private final MessageHandler<StoreIdAwareMessage> handler;
    private final BlockingQueue<StoreIdAwareMessage> messageQueue;
    private final int maxBatch;
    private final List<StoreIdAwareMessage> batch;
    private final ContinuousJob job;

    private volatile boolean stopped;

    BatchingMessageHandler(
        MessageHandler<StoreIdAwareMessage> handler,
        int queueSize,
        int maxBatch,
        Function<Runnable, ContinuousJob> jobSchedulerFactory) {
      this.handler = handler;
      this.maxBatch = maxBatch;
      this.batch = new ArrayList<>(maxBatch);
      this.messageQueue = new ArrayBlockingQueue<>(queueSize);
      this.job = jobSchedulerFactory.apply(this);
    }

    @Override
    public void start() {
      job.start();
    }

    @Override
    public void stop() throws InterruptedException {
      stopped = true;
      job.stop();
    }

    @Override
    public void handle(StoreIdAwareMessage message) {
      if (stopped) {
        System.out.println("This handler has been stopped, dropping the message");
        return;
      }
      // keep trying to add the message into the queue, give up only if this handler is stopped
      Predicates.awaitForever(
          () -> stopped || messageQueue.offer(message), 100, TimeUnit.MILLISECONDS);
    }

    /** One round of the job: waits up to a second for a message, then handles what is queued. */
    @Override
    public void run() {
      StoreIdAwareMessage message = null;
      try {
        message = messageQueue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        System.out.println("Not expecting to be interrupted: " + e);
      }
      if (message != null) {
        if (messageQueue.isEmpty()) {
          handler.handle(message);
        } else {
          batch.clear();
          batch.add(message);
          messageQueue.drainTo(batch, maxBatch - 1);
          collateAndHandleBatch(batch);
        }
      }
    }

    private void collateAndHandleBatch(List<StoreIdAwareMessage> batch) {
      BatchRequest batchRequest = null;
      String storeId = batch.get(0).storeId;
      for (StoreIdAwareMessage m : batch) {
        if (batchRequest != null && !m.storeId.equals(storeId)) {
          handler.handle(new StoreIdAwareMessage(storeId, batchRequest));
          batchRequest = null;
        }
        storeId = m.storeId;
        if (m.message instanceof NewEntryRequest) {
          if (batchRequest == null) {
            batchRequest = new BatchRequest(batch.size());
          }
          batchRequest.contents.add(((NewEntryRequest) m.message).content);
        } else {
          handler.handle(m);
        }
      }
      if (batchRequest != null) {
        handler.handle(new StoreIdAwareMessage(storeId, batchRequest));
      }
    }
  }

  /** Runs a task again and again on its own thread until stopped. */
  static final class ContinuousJob implements Lifecycle {
    private final Runnable task;
    private volatile boolean running;
    private Thread thread;

    ContinuousJob(Runnable task) {
      this.task = task;
    }

    @Override
    public void start() {
      running = true;
      thread =
          new Thread(
              () -> {
                while (running) {
                  task.run();
                }
              },
              "raft-batch-handler");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void stop() throws InterruptedException {
      running = false;
      thread.join();
    }
  }

  /** The Raft machine: applies what the handler forwards; slow under load. */
  static final class RaftMachine implements MessageHandler<StoreIdAwareMessage> {
    int handled;

    @Override
    public void handle(StoreIdAwareMessage message) {
      handled++;
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The network side: an event loop thread decodes inbound messages and hands them on. */
  static final class RaftServer implements Lifecycle {
    private final MessageHandler<StoreIdAwareMessage> messageHandler;
    private ExecutorService eventLoop;

    RaftServer(MessageHandler<StoreIdAwareMessage> messageHandler) {
      this.messageHandler = messageHandler;
    }

    @Override
    public void start() {
      eventLoop =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "raft-server-worker");
                t.setDaemon(true);
                return t;
              });
    }

    void channelRead(StoreIdAwareMessage message) {
      eventLoop.execute(() -> messageHandler.handle(message));
    }

    @Override
    public void stop() throws InterruptedException {
      eventLoop.shutdown();
      eventLoop.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
    }
  }

  /** Starts components in order and stops them in reverse order. */
  static final class LifeSupport {
    private final List<Lifecycle> components = new ArrayList<>();

    void add(Lifecycle component) {
      components.add(component);
    }

    void start() throws Exception {
      for (Lifecycle c : components) {
        c.start();
      }
    }

    void stop() throws Exception {
      for (int i = components.size() - 1; i >= 0; i--) {
        components.get(i).stop();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    RaftMachine raftMachine = new RaftMachine();
    BatchingMessageHandler batchingHandler =
        new BatchingMessageHandler(raftMachine, 16, 8, ContinuousJob::new);
    RaftServer raftServer = new RaftServer(batchingHandler);
    LifeSupport life = new LifeSupport();
    life.add(raftServer);
    life.add(batchingHandler);
    life.start();
    // A follower keeps appending while the core instance shuts down.
    for (int i = 0; i < 200; i++) {
      raftServer.channelRead(new StoreIdAwareMessage("store-1", new NewEntryRequest("tx-" + i)));
    }
    Thread shutdown =
        new Thread(
            () -> {
              try {
                life.stop();
              } catch (Exception e) {
                System.out.println("shutdown failed: " + e);
              }
            },
            "shutdown");
    shutdown.setDaemon(true);
    shutdown.start();
    shutdown.join(2000);
    System.out.println("shut down: " + !shutdown.isAlive() + ", applied " + raftMachine.handled);
  }
}
