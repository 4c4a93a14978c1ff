// Reduction of Hibernate Search https://hibernate.atlassian.net/browse/HSEARCH-4236, as fixed by
// PR https://github.com/hibernate/hibernate-search/pull/2589 (commit 5b0311f46e): the identifier
// producer calls producerStopping() only when it stops normally, not in a finally block, because
// that put() blocks while the queue is full and only a working consumer or an interrupt from the
// workspace can release it. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** The mass indexer's pipeline for one entity type: identifiers in, indexed documents out. */
public class HibernateSearchMassIndexerFixed {

  /** A bounded queue that can also carry the "no more batches" token to every consumer. */
  static final class ProducerConsumerQueue<T> {
    private static final Object exitToken = new Object();

    // Not BlockingQueue<T>: the exit token goes through it too.
    private final BlockingQueue<Object> queue;
    private final AtomicInteger producersToWaitFor;

    ProducerConsumerQueue(int queueLength, int producersToWaitFor) {
      this.queue = new ArrayBlockingQueue<>(queueLength);
      this.producersToWaitFor = new AtomicInteger(producersToWaitFor);
    }

    /** Returns the next batch, or null when the producers are done. */
    @SuppressWarnings("unchecked")
    T take() throws InterruptedException {
      Object obj = queue.take();
      if (obj == exitToken) {
        // Put the token back for the other consumers.
        queue.put(exitToken);
        return null;
      }
      return (T) obj;
    }

    void put(T obj) throws InterruptedException {
      queue.put(obj);
    }

    /** Each producer calls this when it is done; the last one wakes the consumers. */
    void producerStopping() {
      int activeProducers = producersToWaitFor.decrementAndGet();
      if (activeProducers == 0) {
        try {
          queue.put(exitToken);
        } catch (InterruptedException e) {
          // Consumers will be interrupted anyway if this is a shutdown.
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Reports failures and interruptions of a mass indexing task, and lets it clean up. */
  abstract static class FailureHandledRunnable implements Runnable {
    static final List<String> failures = new ArrayList<>();

    @Override
    public final void run() {
      boolean interrupted = false;
      try {
        runWithFailureHandler();
      } catch (InterruptedException e) {
        interrupted = true;
        cleanUpOnInterruption();
        notify(operationName() + " interrupted");
      } catch (RuntimeException e) {
        cleanUpOnFailure();
        notify(operationName() + " failed: " + e.getMessage());
        throw new IllegalStateException("handled: " + e.getMessage(), e);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private static synchronized void notify(String failure) {
      failures.add(failure);
    }

    protected abstract void runWithFailureHandler() throws InterruptedException;

    protected abstract String operationName();

    protected void cleanUpOnInterruption() {}

    protected void cleanUpOnFailure() {}
  }

  /** The database: identifiers of the entities to index, and a connection that gets reset. */
  static final class Database {
    private final int rows;
    private final int failOnBatch;
    private final AtomicInteger batchesLoaded = new AtomicInteger();

    Database(int rows, int failOnBatch) {
      this.rows = rows;
      this.failOnBatch = failOnBatch;
    }

    List<Long> scrollIdentifiers() {
      List<Long> ids = new ArrayList<>();
      for (long id = 1; id <= rows; id++) {
        ids.add(id);
      }
      return ids;
    }

    List<String> loadEntities(List<Long> ids) throws InterruptedException {
      if (batchesLoaded.incrementAndGet() == failOnBatch) {
        Thread.sleep(100); // the connection hangs for a while, then resets
        throw new IllegalStateException("Connection reset (injected)");
      }
      List<String> entities = new ArrayList<>();
      for (Long id : ids) {
        entities.add("Book#" + id);
      }
      return entities;
    }
  }

  /** Loads all identifiers in one transaction and hands them over in batches. */
  static final class IdentifierProducer extends FailureHandledRunnable {
    private final Database database;
    private final ProducerConsumerQueue<List<Long>> destination;
    private final int batchSize;

    IdentifierProducer(Database database, ProducerConsumerQueue<List<Long>> destination,
        int batchSize) {
      this.database = database;
      this.destination = destination;
      this.batchSize = batchSize;
    }

    @Override
    protected void runWithFailureHandler() throws InterruptedException {
      loadAllIdentifiers();
      // Only when stopping normally: this put blocks while the queue is full, and is released
      // only by a working consumer or by the workspace interrupting this thread.
      destination.producerStopping();
    }

    private void loadAllIdentifiers() throws InterruptedException {
      List<Long> destinationList = new ArrayList<>(batchSize);
      for (Long id : database.scrollIdentifiers()) {
        destinationList.add(id);
        if (destinationList.size() == batchSize) {
          enqueueList(destinationList);
          destinationList = new ArrayList<>(batchSize);
        }
      }
      enqueueList(destinationList);
    }

    private void enqueueList(List<Long> idsList) throws InterruptedException {
      if (!idsList.isEmpty()) {
        destination.put(idsList);
      }
    }

    @Override
    protected String operationName() {
      return "Fetching identifiers of Book";
    }
  }

  /** Takes batches of identifiers, loads the entities and indexes them. */
  static final class IdentifierConsumerDocumentProducer extends FailureHandledRunnable {
    private final Database database;
    private final ProducerConsumerQueue<List<Long>> source;
    private final List<String> index;

    IdentifierConsumerDocumentProducer(Database database,
        ProducerConsumerQueue<List<Long>> source, List<String> index) {
      this.database = database;
      this.source = source;
      this.index = index;
    }

    @Override
    protected void runWithFailureHandler() throws InterruptedException {
      List<Long> idList;
      do {
        idList = source.take();
        if (idList != null) {
          List<String> entities = database.loadEntities(idList);
          synchronized (index) {
            index.addAll(entities);
          }
        }
      } while (idList != null);
    }

    @Override
    protected String operationName() {
      return "Loading and extracting entity data for Book";
    }
  }

  /** Futures whose cancel(true) does interrupt the thread running the task. */
  static final class Futures {
    static CompletableFuture<Void> runAsync(Runnable runnable, ExecutorService executor) {
      CompletableFuture<Void> result = new CompletableFuture<Void>() {
        private volatile Future<?> execution;

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
          Future<?> running = execution;
          if (running != null) {
            running.cancel(mayInterruptIfRunning);
          }
          return super.cancel(mayInterruptIfRunning);
        }

        CompletableFuture<Void> start() {
          execution = executor.submit(() -> {
            try {
              runnable.run();
              complete(null);
            } catch (Throwable t) {
              completeExceptionally(t);
            }
          });
          return this;
        }
      }.start();
      return result;
    }

    /** Completes with the first failure, or when all the futures are done. */
    static CompletableFuture<Void> firstFailureOrAllOf(List<CompletableFuture<?>> futures) {
      CompletableFuture<Void> result = new CompletableFuture<>();
      for (CompletableFuture<?> future : futures) {
        future.whenComplete((r, t) -> {
          if (t != null) {
            result.completeExceptionally(t);
          }
        });
      }
      CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
          .whenComplete((r, t) -> result.complete(null));
      return result;
    }
  }

  /** Prepares the pipeline for one entity type and manages its thread pools. */
  static final class BatchIndexingWorkspace extends FailureHandledRunnable {
    private final Database database;
    private final ProducerConsumerQueue<List<Long>> primaryKeyStream;
    private final int documentBuilderThreads;
    private final int batchSize;
    private final List<String> index = new ArrayList<>();
    private final List<CompletableFuture<?>> identifierProducingFutures = new ArrayList<>();
    private final List<CompletableFuture<?>> indexingFutures = new ArrayList<>();

    BatchIndexingWorkspace(Database database, int documentBuilderThreads, int batchSize,
        int queueLength) {
      this.database = database;
      this.documentBuilderThreads = documentBuilderThreads;
      this.batchSize = batchSize;
      this.primaryKeyStream = new ProducerConsumerQueue<>(queueLength, 1);
    }

    @Override
    protected void runWithFailureHandler() throws InterruptedException {
      // First start the consumers, then the producer.
      startIndexing();
      startProducingPrimaryKeys();
      List<CompletableFuture<?>> allFutures = new ArrayList<>();
      allFutures.addAll(identifierProducingFutures);
      allFutures.addAll(indexingFutures);
      try {
        Futures.firstFailureOrAllOf(allFutures).get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("mass indexing failed: " + e.getCause().getMessage());
      }
    }

    @Override
    protected void cleanUpOnInterruption() {
      cancelPendingTasks();
    }

    @Override
    protected void cleanUpOnFailure() {
      cancelPendingTasks();
    }

    private void cancelPendingTasks() {
      // The threads running the tasks must be interrupted.
      for (Future<?> task : identifierProducingFutures) {
        task.cancel(true);
      }
      for (Future<?> task : indexingFutures) {
        task.cancel(true);
      }
    }

    private void startProducingPrimaryKeys() {
      ExecutorService identifierProducingExecutor = Executors.newFixedThreadPool(1,
          daemon("Hibernate Search - Mass indexing - Book - ID loading"));
      try {
        identifierProducingFutures.add(Futures.runAsync(
            new IdentifierProducer(database, primaryKeyStream, batchSize),
            identifierProducingExecutor));
      } finally {
        identifierProducingExecutor.shutdown();
      }
    }

    private void startIndexing() {
      ExecutorService indexingExecutor = Executors.newFixedThreadPool(documentBuilderThreads,
          daemon("Hibernate Search - Mass indexing - Book - Entity loading"));
      try {
        for (int i = 0; i < documentBuilderThreads; i++) {
          indexingFutures.add(Futures.runAsync(
              new IdentifierConsumerDocumentProducer(database, primaryKeyStream, index),
              indexingExecutor));
        }
      } finally {
        indexingExecutor.shutdown();
      }
    }

    @Override
    protected String operationName() {
      return "Indexing Book";
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
      return r -> {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
      };
    }
  }

  public static void main(String[] args) throws Exception {
    // 1000 books in batches of 10, a queue of 4 batches, one loading thread whose database
    // connection resets on the second batch.
    BatchIndexingWorkspace workspace = new BatchIndexingWorkspace(new Database(1000, 2), 1, 10, 4);
    try {
      workspace.run();
    } catch (IllegalStateException e) {
      System.out.println("massIndexer.startAndWait() failed: " + e.getMessage());
    }
    Thread.sleep(200);
    System.out.println("reported: " + FailureHandledRunnable.failures);
  }
}
