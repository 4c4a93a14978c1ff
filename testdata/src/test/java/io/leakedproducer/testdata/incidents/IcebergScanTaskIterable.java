// Reduction of Apache Iceberg https://github.com/apache/iceberg/issues/16758 (REST scan planning,
// open; fix proposed in https://github.com/apache/iceberg/pull/16768): planning workers hand file
// scan tasks to the scan's iterator through a bounded queue with 100 ms offers that re-check a
// shutdown flag, but only the iterator's close() sets it; the engine closes the iterable it got
// from planFiles(), whose close() is empty, so after a LIMIT the workers keep offering for good.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A table scan planned by the REST catalog: the server answers with plan tasks, which worker
 * threads expand into file scan tasks for the engine to iterate.
 */
public class IcebergScanTaskIterable {
  /** An iterator that holds resources. */
  interface CloseableIterator<T> extends Iterator<T>, Closeable {}

  /** An iterable that holds resources; the engine closes it when planning is done. */
  interface CloseableIterable<T> extends Iterable<T>, Closeable {
    @Override
    CloseableIterator<T> iterator();

    /** Runs {@code onCompletion} after the iterable is closed. */
    static <E> CloseableIterable<E> whenComplete(
        CloseableIterable<E> iterable, Runnable onCompletion) {
      return new CloseableIterable<>() {
        @Override
        public void close() throws IOException {
          try {
            iterable.close();
          } finally {
            onCompletion.run();
          }
        }

        @Override
        public CloseableIterator<E> iterator() {
          return iterable.iterator();
        }
      };
    }
  }

  /** One data file to read. */
  static final class FileScanTask {
    final String path;

    FileScanTask(String path) {
      this.path = path;
    }

    @Override
    public String toString() {
      return path;
    }
  }

  /** The server's answer for one plan task: more plan tasks and file scan tasks. */
  static final class FetchScanTasksResponse {
    final List<String> planTasks;
    final List<FileScanTask> fileScanTasks;

    FetchScanTasksResponse(List<String> planTasks, List<FileScanTask> fileScanTasks) {
      this.planTasks = planTasks;
      this.fileScanTasks = fileScanTasks;
    }
  }

  /** The REST catalog client, reduced to the fetchScanTasks endpoint. */
  interface RESTClient {
    FetchScanTasksResponse fetchScanTasks(String planTask);
  }

  /** Expands plan tasks on a pool of workers into a bounded queue the iterator reads. */
  static final class ScanTaskIterable implements CloseableIterable<FileScanTask> {
    private static final int DEFAULT_TASK_QUEUE_CAPACITY = 1000;
    private static final long QUEUE_POLL_TIMEOUT_MS = 100;
    private static final int WORKER_THREAD_POOL_SIZE = 2;
    // Poison pill: no more tasks will come.
    private static final FileScanTask DUMMY_TASK = new FileScanTask("<no more tasks>");

    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final BlockingQueue<FileScanTask> taskQueue;
    private final ConcurrentLinkedQueue<FileScanTask> initialFileScanTasks;
    private final ConcurrentLinkedQueue<String> planTasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger activeWorkers = new AtomicInteger();
    private final AtomicBoolean shutdown = new AtomicBoolean();
    private final ExecutorService executorService;
    private final RESTClient client;

    ScanTaskIterable(
        List<String> initialPlanTasks, List<FileScanTask> initialFileScanTasks,
        RESTClient client, ExecutorService executorService) {
      this.taskQueue = new LinkedBlockingQueue<>(DEFAULT_TASK_QUEUE_CAPACITY);
      this.initialFileScanTasks = new ConcurrentLinkedQueue<>(initialFileScanTasks);
      this.client = client;
      this.executorService = executorService;
      if (initialPlanTasks != null && !initialPlanTasks.isEmpty()) {
        planTasks.addAll(initialPlanTasks);
      } else if (initialFileScanTasks.isEmpty()) {
        // Nothing to do; the queue is empty, so add() cannot fail.
        taskQueue.add(DUMMY_TASK);
        return;
      }
      submitFixedWorkers();
    }

    private void submitFixedWorkers() {
      for (int i = 0; i < WORKER_THREAD_POOL_SIZE; i++) {
        executorService.execute(new PlanTaskWorker());
      }
    }

    @Override
    public CloseableIterator<FileScanTask> iterator() {
      return new ScanTasksIterator();
    }

    @Override
    public void close() throws IOException {}

    private final class PlanTaskWorker implements Runnable {
      @Override
      public void run() {
        activeWorkers.incrementAndGet();
        try {
          while (!shutdown.get() && !Thread.currentThread().isInterrupted()) {
            String planTask = planTasks.poll();
            if (planTask == null) {
              // No plan task left: hand over the remaining initial tasks, then leave.
              offerInitialFileScanTasks();
              return;
            }
            processPlanTask(planTask);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure.compareAndSet(null, new RuntimeException("PlanWorker was interrupted", e));
          shutdown.set(true);
        } catch (Exception e) {
          failure.compareAndSet(null, new RuntimeException("Worker failed processing planTask", e));
          shutdown.set(true);
        } finally {
          handleWorkerExit();
        }
      }

      /**
       * Offers a task, re-checking shutdown between timed offers. Returns false when shutdown was
       * requested.
       */
      private boolean offerWithTimeout(FileScanTask task) throws InterruptedException {
        while (!shutdown.get()) {
          if (taskQueue.offer(task, QUEUE_POLL_TIMEOUT_MS, TimeUnit.MILLISECONDS)) { // LEAK
            return true;
          }
        }
        return false;
      }

      private void handleWorkerExit() {
        boolean isLastWorker = activeWorkers.decrementAndGet() == 0;
        boolean hasWorkLeft = !planTasks.isEmpty() || !initialFileScanTasks.isEmpty();
        boolean isShuttingDown = shutdown.get();
        if (isLastWorker && (!hasWorkLeft || isShuttingDown)) {
          signalCompletion();
        } else if (isLastWorker) {
          failure.compareAndSet(
              null, new IllegalStateException("Workers have exited but there is still work"));
          shutdown.set(true);
        }
      }

      private void signalCompletion() {
        try {
          offerWithTimeout(DUMMY_TASK);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          shutdown.set(true);
        }
      }

      private void offerInitialFileScanTasks() throws InterruptedException {
        while (!initialFileScanTasks.isEmpty() && !Thread.currentThread().isInterrupted()) {
          FileScanTask initialFileScanTask = initialFileScanTasks.poll();
          if (initialFileScanTask != null && !offerWithTimeout(initialFileScanTask)) {
            return;
          }
        }
      }

      private void processPlanTask(String planTask) throws InterruptedException {
        FetchScanTasksResponse response = client.fetchScanTasks(planTask);
        // New plan tasks first, so that idle workers can pick them up.
        if (response.planTasks != null) {
          planTasks.addAll(response.planTasks);
        }
        if (shutdown.get()) {
          return;
        }
        offerInitialFileScanTasks();
        if (response.fileScanTasks != null) {
          for (FileScanTask task : response.fileScanTasks) {
            if (!offerWithTimeout(task)) {
              return;
            }
          }
        }
      }
    }

    private final class ScanTasksIterator implements CloseableIterator<FileScanTask> {
      private FileScanTask nextTask;

      @Override
      public boolean hasNext() {
        if (nextTask != null) {
          return true;
        }
        boolean hasNext = false;
        while (!shutdown.get()) {
          try {
            nextTask = taskQueue.poll(QUEUE_POLL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (nextTask == DUMMY_TASK) {
              nextTask = null;
              shutdown.set(true);
              break;
            } else if (nextTask != null) {
              hasNext = true;
              break;
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdown.set(true);
          }
        }
        RuntimeException workerFailure = failure.get();
        if (workerFailure != null) {
          throw workerFailure;
        }
        return hasNext;
      }

      @Override
      public FileScanTask next() {
        if (!hasNext()) {
          throw new NoSuchElementException("No more scan tasks available");
        }
        FileScanTask result = nextTask;
        nextTask = null;
        return result;
      }

      @Override
      public void close() {
        shutdown.set(true);
        taskQueue.clear();
        planTasks.clear();
      }
    }
  }

  private final RESTClient client;
  private final ExecutorService planExecutor;
  private String planId;

  IcebergScanTaskIterable(RESTClient client, ExecutorService planExecutor) {
    this.client = client;
    this.planExecutor = planExecutor;
  }

  /** Plans the scan on the server; the server answered with plan tasks only. */
  CloseableIterable<FileScanTask> planFiles() {
    this.planId = "plan-42";
    List<String> serverPlanTasks = List.of("plan-task-0", "plan-task-1");
    return CloseableIterable.whenComplete(
        new ScanTaskIterable(serverPlanTasks, List.of(), client, planExecutor), this::cancelPlan);
  }

  /** Cancels the plan on the server (DELETE .../plan/{id}). */
  boolean cancelPlan() {
    if (planId == null) {
      return false;
    }
    System.out.println("cancelled " + planId);
    planId = null;
    return true;
  }

  public static void main(String[] args) throws Exception {
    // The catalog's planning pool in the engine's frontend.
    ExecutorService planningPool = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "catalog-iceberg-worker-pool");
      t.setDaemon(true);
      return t;
    });
    // Each plan task expands into 700 data files.
    RESTClient catalog = planTask -> {
      List<FileScanTask> tasks = new ArrayList<>();
      for (int i = 0; i < 700; i++) {
        tasks.add(new FileScanTask("s3://warehouse/events/" + planTask + "-" + i + ".parquet"));
      }
      return new FetchScanTasksResponse(List.of(), tasks);
    };
    IcebergScanTaskIterable scan = new IcebergScanTaskIterable(catalog, planningPool);
    // The engine plans "SELECT * FROM events LIMIT 2": two splits are enough, then it closes
    // what planFiles() returned (the query would do the same on timeout or cancellation).
    List<FileScanTask> splits = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = scan.planFiles()) {
      Iterator<FileScanTask> it = tasks.iterator();
      while (splits.size() < 2 && it.hasNext()) {
        splits.add(it.next());
      }
    }
    System.out.println("planned splits: " + splits);
    planningPool.shutdown();
    System.out.println("workers done: " + planningPool.awaitTermination(1, TimeUnit.SECONDS));
  }
}
