// Reduction of Neo4j (causal clustering, read replica catch-up) https://github.com/neo4j/neo4j/pull/8168
// ("Fix deadlock on stopping the BatchingTxApplier"), the code before it. The catch-up client's
// network thread receives pulled transactions and hands each to BatchingTxApplier.queue(), which
// put()s it into a bounded queue; a continuous job calls the applier's run() to apply the queued
// transactions in batches. On shutdown the job is stopped before the catch-up client; a response
// still streaming in fills the queue and the network thread blocks in put() forever, holding up the
// client's stop(). The applier's own stop() is LifecycleAdapter's no-op. Written for
// leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The read replica's transaction pulling, before the fix: catch-up client (network thread) →
 * {@code TxPullResponseListener} → {@link BatchingTxApplier#queue} → bounded queue → {@code run()}
 * on a continuous job → commit process. The applier never learns that the job stopped.
 */
public class Neo4jBatchingTxApplier {
  interface Lifecycle {
    void start() throws Exception;

    void stop() throws Exception;
  }

  /** Lifecycle with empty defaults, as Neo4j's LifecycleAdapter. */
  abstract static class LifecycleAdapter implements Lifecycle {
    @Override
    public void start() throws Exception {}

    @Override
    public void stop() throws Exception {}
  }

  /** A committed transaction pulled from the core. */
  static final class CommittedTransaction {
    final long txId;

    CommittedTransaction(long txId) {
      this.txId = txId;
    }
  }

  /** Commits a batch of transactions to the local store; slow under load. */
  static final class TransactionCommitProcess {
    long lastCommitted;

    void commit(List<CommittedTransaction> batch) {
      lastCommitted = batch.get(batch.size() - 1).txId;
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Collects transactions and commits them in batches of at most maxBatchSize. */
  static final class TransactionQueue {
    private final int maxBatchSize;
    private final TransactionCommitProcess commitProcess;
    private final List<CommittedTransaction> batch = new ArrayList<>();

    TransactionQueue(int maxBatchSize, TransactionCommitProcess commitProcess) {
      this.maxBatchSize = maxBatchSize;
      this.commitProcess = commitProcess;
    }

    void queue(CommittedTransaction tx) {
      batch.add(tx);
      if (batch.size() >= maxBatchSize) {
        empty();
      }
    }

    void empty() {
      if (!batch.isEmpty()) {
        commitProcess.commit(new ArrayList<>(batch));
        batch.clear();
      }
    }
  }

  /** The database's health: a failed apply panics it (the applier keeps running). */
  static final class DatabaseHealth {
    volatile Throwable cause;

    void panic(Throwable e) {
      cause = e;
    }
  }

  /** Accepts transactions and queues them up for being applied in batches. */
  static final class BatchingTxApplier extends LifecycleAdapter implements Runnable {
    private final int maxBatchSize;
    private final Supplier<TransactionCommitProcess> commitProcessSupplier;
    private final Supplier<DatabaseHealth> healthSupplier;
    private final ArrayBlockingQueue<CommittedTransaction> txQueue;

    private TransactionQueue txBatcher;
    private volatile long lastQueuedTxId;
    private volatile long lastAppliedTxId;

    BatchingTxApplier(
        int maxBatchSize,
        Supplier<TransactionCommitProcess> commitProcessSupplier,
        Supplier<DatabaseHealth> healthSupplier) {
      this.maxBatchSize = maxBatchSize;
      this.commitProcessSupplier = commitProcessSupplier;
      this.healthSupplier = healthSupplier;
      this.txQueue = new ArrayBlockingQueue<>(maxBatchSize);
    }

    @Override
    public void start() {
      txBatcher = new TransactionQueue(maxBatchSize, commitProcessSupplier.get());
    }

    /** Queues a transaction for application. */
    void queue(CommittedTransaction tx) {
      long expectedTxId = lastQueuedTxId + 1;
      if (tx.txId != expectedTxId) {
        System.out.println("Out of order transaction. Received: " + tx.txId);
        return;
      }
      try {
        txQueue.put(tx); // LEAK
        lastQueuedTxId = tx.txId;
      } catch (InterruptedException e) {
        System.out.println("Not expecting to be interrupted: " + e);
      }
    }

    @Override
    public void run() {
      CommittedTransaction tx = null;
      try {
        tx = txQueue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        System.out.println("Not expecting to be interrupted: " + e);
      }
      if (tx != null) {
        long txId;
        try {
          do {
            txId = tx.txId;
            txBatcher.queue(tx);
          } while ((tx = txQueue.poll()) != null);
          txBatcher.empty();
          lastAppliedTxId = txId;
        } catch (Exception e) {
          System.out.println("Error during transaction application: " + e);
          healthSupplier.get().panic(e);
        }
      }
    }

    boolean workPending() {
      return lastQueuedTxId > lastAppliedTxId;
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
              "tx-applier");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void stop() throws InterruptedException {
      running = false;
      thread.join();
    }
  }

  /** Called by the catch-up client for every transaction of a pull response. */
  interface TxPullResponseListener {
    void onTxReceived(CommittedTransaction tx);
  }

  /**
   * The catch-up client: its network thread sends a pull request every 100 ms and decodes the
   * response, notifying the listener of each transaction in it.
   */
  static final class CatchUpClient implements Lifecycle {
    private final int txPerResponse;
    private ScheduledExecutorService eventLoop;
    private long nextTxId = 1;

    CatchUpClient(int txPerResponse) {
      this.txPerResponse = txPerResponse;
    }

    @Override
    public void start() {
      eventLoop =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "catchup-client");
                t.setDaemon(true);
                return t;
              });
    }

    void pollTransactions(TxPullResponseListener listener) {
      eventLoop.scheduleWithFixedDelay(
          () -> {
            for (int i = 0; i < txPerResponse; i++) {
              listener.onTxReceived(readNextTx());
            }
          },
          0,
          100,
          TimeUnit.MILLISECONDS);
    }

    /** Decodes the next transaction of a streamed pull response (a few ms of network each). */
    private CommittedTransaction readNextTx() {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new CommittedTransaction(nextTxId++);
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
    TransactionCommitProcess commitProcess = new TransactionCommitProcess();
    DatabaseHealth health = new DatabaseHealth();
    BatchingTxApplier applier = new BatchingTxApplier(16, () -> commitProcess, () -> health);
    CatchUpClient catchUpClient = new CatchUpClient(200);
    LifeSupport life = new LifeSupport();
    life.add(catchUpClient);
    life.add(applier);
    life.add(new ContinuousJob(applier));
    life.start();
    // The read replica keeps pulling from the core while it shuts down.
    catchUpClient.pollTransactions(applier::queue);
    Thread.sleep(250);
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
    System.out.println(
        "shut down: " + !shutdown.isAlive() + ", last committed " + commitProcess.lastCommitted);
  }
}
