// Reduction of Neo4j (causal clustering, core-edge) https://github.com/neo4j/neo4j/pull/8144
// ("Fix a deadlock when stopping the batching message handler"), the code before it. The Raft
// server's network thread hands every inbound Raft message to BatchingMessageHandler.handle(),
// which put()s it into a bounded queue; a ContinuousJob thread calls run() over and over to drain
// the queue in batches into the Raft machine. On shutdown the lifecycle stops the job first; a
// message arriving on a full queue then blocks the network thread forever, and the Raft server's
// own stop() waits for that thread. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The core server's inbound Raft path, before the fix: network thread → {@code handle()} →
 * bounded queue → {@code run()} on a continuous job → Raft machine. The job is a separate lifecycle
 * component that the server stops before the network; nothing tells the handler, so a network
 * thread in {@code put()} on a full queue waits for a consumer that has already stopped.
 */
public class Neo4jBatchingMessageHandler {
  interface MessageHandler<M> {
    void handle(M message);
  }

  interface Lifecycle {
    void start() throws Exception;

    void stop() throws Exception;
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
      implements Runnable, MessageHandler<StoreIdAwareMessage> {
    private final MessageHandler<StoreIdAwareMessage> handler;
    private final BlockingQueue<StoreIdAwareMessage> messageQueue;
    private final int maxBatch;
    private final List<StoreIdAwareMessage> batch;

    BatchingMessageHandler(
        MessageHandler<StoreIdAwareMessage> handler, int queueSize, int maxBatch) {
      this.handler = handler;
      this.maxBatch = maxBatch;
      this.batch = new ArrayList<>(maxBatch);
      this.messageQueue = new ArrayBlockingQueue<>(queueSize);
    }

    @Override
    public void handle(StoreIdAwareMessage message) {
      try {
        messageQueue.put(message); // LEAK
      } catch (InterruptedException e) {
        System.out.println("Not expecting to be interrupted: " + e);
      }
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
    BatchingMessageHandler batchingHandler = new BatchingMessageHandler(raftMachine, 16, 8);
    RaftServer raftServer = new RaftServer(batchingHandler);
    LifeSupport life = new LifeSupport();
    life.add(raftServer);
    life.add(new ContinuousJob(batchingHandler));
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
