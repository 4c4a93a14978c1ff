package io.leakedproducer.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Deletes every item of a collection with a bounded number of concurrent workers, and never leaks a
 * thread, a blocked producer or a reference to the items.
 *
 * <p>This is the leak-free form of the "distributor feeds a bounded queue, N workers take and
 * delete" pattern (Kubernetes PR 105606). There is no distributor and no queue: the items are
 * copied once into a snapshot array, and each worker claims the next index from a shared atomic
 * counter. Stopping is a flag that the workers check before they claim an index, so nothing can be
 * left blocked on a handoff.
 *
 * <h2>Guarantees</h2>
 *
 * For every call of {@link #deleteAll(Collection, int, Deleter)} or {@link #deleteAll(Collection,
 * Deleter)}:
 *
 * <ol>
 *   <li><b>Bounded.</b> At most {@code workers} deletes run at the same time. Each item of the
 *       snapshot is handed out at most once; when no delete fails, every item is deleted exactly
 *       once and the call returns normally.
 *   <li><b>Fail fast.</b> After the first failure (any {@link Throwable} thrown by {@link
 *       Deleter#delete}), no further item is handed out. Deletes already in flight run to their
 *       end; they are not interrupted. Then the call throws an {@link ExecutionException} whose
 *       {@linkplain Throwable#getCause() cause} is the first failure and whose {@linkplain
 *       Throwable#getSuppressed() suppressed} exceptions are the later failures, in the order they
 *       were recorded. {@link Error}s ({@code OutOfMemoryError}, {@code AssertionError}, ...) are
 *       never swallowed, never tolerated, and always stop the run, even in continue-on-error mode.
 *   <li><b>Nothing leaks.</b> When the call returns or throws, every worker it started has
 *       finished: with the default thread source each worker thread has terminated ({@link
 *       Thread#join()}); with a caller-supplied {@link Executor} no task of this call is still
 *       running (a task that never started is cancelled and does nothing if the executor runs it
 *       later). The call keeps no reference to the collection or its items after it returns: the
 *       snapshot array is cleared on exit.
 *   <li><b>Interruption.</b> If the calling thread is interrupted while it waits (or is already
 *       interrupted when a non-empty call starts), no further item is handed out, every in-flight
 *       delete is interrupted, the call waits until all workers have exited, and then throws {@link
 *       InterruptedException} with the thread's interrupt status cleared, as the JDK's blocking
 *       methods do. Failures recorded during the run are attached to it as suppressed exceptions. A
 *       delete that ignores interrupts delays the return until it finishes.
 *   <li><b>Bad input.</b> A {@code null} collection or deleter throws {@link NullPointerException}
 *       with the message {@code "items"} or {@code "deleter"}; {@code workers < 1} throws {@link
 *       IllegalArgumentException} ({@code "workers must be >= 1, was 0"}). An empty collection
 *       returns at once and starts no thread. {@code null} elements are passed to the deleter as
 *       they are.
 * </ol>
 *
 * <h2>Memory consistency</h2>
 *
 * Actions in the calling thread before {@code deleteAll} starts happen-before every {@link
 * Deleter#delete} call of that run (the snapshot is published to the workers when they start).
 * Actions of every delete of the run happen-before {@code deleteAll} returns or throws: the call
 * joins its worker threads (or, with a caller-supplied executor, waits on a latch each task counts
 * down last), so the caller sees everything the deletes wrote, including on the failure path.
 *
 * <h2>Options</h2>
 *
 * Build a reusable, immutable, thread-safe instance with {@link #builder()}:
 *
 * <pre>{@code
 * BoundedDeleter<Pod> deleter = BoundedDeleter.<Pod>builder()
 *     .workers(16)
 *     .tolerate(e -> e instanceof NotFoundException)   // ignored, run continues
 *     .deadline(Duration.ofSeconds(30))
 *     .build();
 * deleter.deleteAll(pods, pod -> api.delete(pod));
 * }</pre>
 *
 * <ul>
 *   <li>{@link Builder#executor(Executor)}: run the workers as tasks of your executor instead of on
 *       new daemon threads. The executor must be able to run {@code workers} tasks at once for the
 *       bound to be reached; it is never shut down. If it rejects a task, the call stops handing
 *       out items, waits for the workers already running, and rethrows the {@link
 *       RejectedExecutionException}.
 *   <li>{@link Builder#threadFactory(ThreadFactory)}: create the worker threads with your factory.
 *       By default threads are daemon threads named {@code "bounded-deleter-<run>-worker-<i>"} (see
 *       {@link #THREAD_NAME_PREFIX}).
 *   <li>{@link Builder#tolerate(Predicate)}: failures that match are ignored; they neither stop the
 *       run nor appear in the result. Errors are never passed to the predicate. If the predicate
 *       itself throws, that exception is the failure (with the original one suppressed).
 *   <li>{@link Builder#deadline(Duration)}: measured from the start of the call. When it expires
 *       before all workers are done, the call stops handing out items, interrupts in-flight
 *       deletes, waits for the workers to exit, and throws an {@link ExecutionException}. If a
 *       non-tolerated failure was recorded before the deadline expired, its cause is that first
 *       failure and a {@link TimeoutException} is among its suppressed exceptions; otherwise its
 *       cause is a {@link TimeoutException} and failures recorded after expiry (typically the
 *       interrupted deletes) are suppressed. Use {@link #timedOut(ExecutionException)} to test for
 *       either shape.
 *   <li>{@link Builder#continueOnError(boolean)}: a failure does not stop the run; every item is
 *       attempted, then the call throws an {@link ExecutionException} with the first failure as
 *       cause and the others suppressed. An {@link Error} still stops the run.
 * </ul>
 *
 * @param <T> the item type
 */
public final class BoundedDeleter<T> {

  /** Name prefix of the worker threads created when no thread factory or executor is given. */
  public static final String THREAD_NAME_PREFIX = "bounded-deleter-";

  private static final AtomicLong RUN_IDS = new AtomicLong();

  private final int workers;
  private final Executor executor;
  private final ThreadFactory threadFactory;
  private final Predicate<? super Throwable> tolerate;
  private final Duration deadline;
  private final boolean continueOnError;

  private BoundedDeleter(Builder<T> b) {
    this.workers = b.workers;
    this.executor = b.executor;
    this.threadFactory = b.threadFactory;
    this.tolerate = b.tolerate;
    this.deadline = b.deadline;
    this.continueOnError = b.continueOnError;
  }

  /**
   * Deletes every item of {@code items} with at most {@code workers} deletes at once, on new daemon
   * threads, failing fast. See the class documentation for the guarantees.
   *
   * @param items the items; copied once at the start, the collection is not referenced afterwards
   * @param workers the maximum number of concurrent deletes, at least 1
   * @param deleter deletes one item
   * @param <T> the item type
   * @throws NullPointerException if {@code items} or {@code deleter} is null
   * @throws IllegalArgumentException if {@code workers < 1}
   * @throws ExecutionException if a delete failed; the cause is the first failure, later failures
   *     are suppressed
   * @throws InterruptedException if the calling thread was interrupted; all workers have exited
   */
  public static <T> void deleteAll(
      Collection<? extends T> items, int workers, Deleter<? super T> deleter)
      throws InterruptedException, ExecutionException {
    Objects.requireNonNull(items, "items");
    checkWorkers(workers);
    Objects.requireNonNull(deleter, "deleter");
    BoundedDeleter.<T>builder().workers(workers).build().deleteAll(items, deleter);
  }

  /** Returns a new builder. {@link Builder#workers(int)} is required. */
  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  /**
   * Returns whether {@code e}, thrown by a {@code deleteAll} call, reports an expired deadline: its
   * cause or one of its suppressed exceptions is a {@link TimeoutException}.
   */
  public static boolean timedOut(ExecutionException e) {
    if (e.getCause() instanceof TimeoutException) {
      return true;
    }
    for (Throwable s : e.getSuppressed()) {
      if (s instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Deletes every item of {@code items} with this instance's options. See the class documentation
   * for the guarantees.
   *
   * @throws NullPointerException if {@code items} or {@code deleter} is null
   * @throws ExecutionException if a delete failed or the deadline expired
   * @throws InterruptedException if the calling thread was interrupted; all workers have exited
   * @throws RejectedExecutionException if the executor rejected a worker; all started workers have
   *     exited
   */
  public void deleteAll(Collection<? extends T> items, Deleter<? super T> deleter)
      throws InterruptedException, ExecutionException {
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(deleter, "deleter");
    Object[] snapshot = items.toArray();
    if (snapshot.length == 0) {
      return;
    }
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before any item was handed out");
    }
    new Run<T>(this, snapshot, deleter).execute();
  }

  /** Returns the configured maximum number of concurrent deletes. */
  public int workers() {
    return workers;
  }

  @Override
  public String toString() {
    return "BoundedDeleter[workers="
        + workers
        + (executor != null ? ", executor=" + executor : "")
        + (tolerate != null ? ", tolerate" : "")
        + (deadline != null ? ", deadline=" + deadline : "")
        + (continueOnError ? ", continueOnError" : "")
        + "]";
  }

  private static int checkWorkers(int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, was " + workers);
    }
    return workers;
  }

  /**
   * Builds a {@link BoundedDeleter}. Not thread-safe; the built instance is.
   *
   * @param <T> the item type
   */
  public static final class Builder<T> {
    private int workers;
    private Executor executor;
    private ThreadFactory threadFactory;
    private Predicate<? super Throwable> tolerate;
    private Duration deadline;
    private boolean continueOnError;

    private Builder() {}

    /**
     * Sets the maximum number of concurrent deletes (required).
     *
     * @throws IllegalArgumentException if {@code workers < 1}
     */
    public Builder<T> workers(int workers) {
      this.workers = checkWorkers(workers);
      return this;
    }

    /**
     * Runs the workers as tasks of {@code executor} (for example an {@link ExecutorService})
     * instead of on new threads. Not combinable with {@link #threadFactory}.
     */
    public Builder<T> executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Creates the worker threads with {@code factory}. Not combinable with {@link #executor}. */
    public Builder<T> threadFactory(ThreadFactory factory) {
      this.threadFactory = Objects.requireNonNull(factory, "threadFactory");
      return this;
    }

    /**
     * Ignores failures that match {@code predicate} (like ignoring NotFound when deleting). Calling
     * it again replaces the predicate.
     */
    public Builder<T> tolerate(Predicate<? super Throwable> predicate) {
      this.tolerate = Objects.requireNonNull(predicate, "predicate");
      return this;
    }

    /**
     * Sets a deadline for the whole call, measured from its start.
     *
     * @throws IllegalArgumentException if {@code deadline} is zero or negative
     */
    public Builder<T> deadline(Duration deadline) {
      Objects.requireNonNull(deadline, "deadline");
      if (deadline.isZero() || deadline.isNegative()) {
        throw new IllegalArgumentException("deadline must be positive, was " + deadline);
      }
      this.deadline = deadline;
      return this;
    }

    /** If {@code true}, a failure does not stop the run; all failures are reported at the end. */
    public Builder<T> continueOnError(boolean continueOnError) {
      this.continueOnError = continueOnError;
      return this;
    }

    /**
     * Returns the configured deleter.
     *
     * @throws IllegalStateException if workers was not set, or both an executor and a thread
     *     factory were set
     */
    public BoundedDeleter<T> build() {
      if (workers < 1) {
        throw new IllegalStateException("workers not set");
      }
      if (executor != null && threadFactory != null) {
        throw new IllegalStateException("set either executor or threadFactory, not both");
      }
      return new BoundedDeleter<>(this);
    }
  }

  /** One call: the snapshot, the handout counter, the failures and the workers. */
  private static final class Run<T> {
    private final BoundedDeleter<T> config;
    private final long id = RUN_IDS.incrementAndGet();
    private Object[] snapshot; // cleared on exit; read by workers only before they count down
    private Deleter<? super T> deleter; // cleared on exit
    private final AtomicLong next = new AtomicLong();
    private volatile boolean stopped;
    private final Object lock = new Object();
    private final List<Throwable> failures = new ArrayList<>(); // guarded by lock
    private int failuresBeforeCancel = -1; // guarded by lock
    private final CountDownLatch done;
    private final Worker[] workers;
    private final Thread[] threads;
    private final int snapshotLength;

    Run(BoundedDeleter<T> config, Object[] snapshot, Deleter<? super T> deleter) {
      this.config = config;
      this.snapshot = snapshot;
      this.snapshotLength = snapshot.length;
      this.deleter = deleter;
      int n = Math.min(config.workers, snapshot.length);
      this.done = new CountDownLatch(n);
      this.workers = new Worker[n];
      for (int i = 0; i < n; i++) {
        workers[i] = new Worker(this);
      }
      this.threads = config.executor == null ? new Thread[n] : null;
    }

    void execute() throws InterruptedException, ExecutionException {
      final long start = System.nanoTime();
      Throwable startFailure = null;
      try {
        for (int i = 0; i < workers.length && !stopped; i++) {
          if (config.executor != null) {
            config.executor.execute(workers[i]);
          } else {
            Thread t;
            if (config.threadFactory != null) {
              t = config.threadFactory.newThread(workers[i]);
              if (t == null) {
                throw new RejectedExecutionException("thread factory returned null");
              }
            } else {
              t = new Thread(workers[i], THREAD_NAME_PREFIX + id + "-worker-" + i);
              t.setDaemon(true);
            }
            threads[i] = t;
            t.start();
          }
        }
      } catch (Throwable t) {
        startFailure = t;
        stopped = true;
      }
      // Workers that were not started (stopped early, or start failed) count themselves down here.
      for (Worker w : workers) {
        w.cancelIfNew(done);
      }

      boolean interrupted = false;
      boolean timedOut = false;
      long deadlineNanos = config.deadline == null ? 0 : start + saturatedNanos(config.deadline);
      for (; ; ) {
        try {
          if (config.deadline == null || timedOut || interrupted) {
            done.await();
            break;
          }
          long remaining = deadlineNanos - System.nanoTime();
          if (remaining > 0 && done.await(remaining, TimeUnit.NANOSECONDS)) {
            break;
          }
          if (done.getCount() == 0) {
            break;
          }
          timedOut = true;
          cancel();
        } catch (InterruptedException e) {
          interrupted = true;
          cancel();
        }
      }
      if (threads != null) {
        for (Thread t : threads) {
          while (t != null) {
            try {
              t.join();
              t = null;
            } catch (InterruptedException e) {
              interrupted = true; // all workers have already counted down; just finish joining
            }
          }
        }
      }
      // An interrupt that arrived while we were finishing (for example after a timed wait gave up,
      // or while joining a thread that had already died) is still an interrupt of this call.
      if (Thread.interrupted()) {
        interrupted = true;
      }
      // Nothing of ours runs any more: drop the references to the items.
      snapshot = null;
      deleter = null;

      List<Throwable> failed;
      int beforeCancel;
      synchronized (lock) {
        failed = new ArrayList<>(failures);
        beforeCancel = failuresBeforeCancel < 0 ? failures.size() : failuresBeforeCancel;
        failures.clear();
      }
      if (interrupted) {
        // The interrupt status is clear here: we consumed it through InterruptedException.
        InterruptedException ie =
            new InterruptedException("interrupted; all " + workers.length + " workers have exited");
        failed.forEach(ie::addSuppressed);
        throw ie;
      }
      if (startFailure != null) {
        for (Throwable f : failed) {
          if (f != startFailure) {
            startFailure.addSuppressed(f);
          }
        }
        if (startFailure instanceof RuntimeException) {
          throw (RuntimeException) startFailure;
        }
        if (startFailure instanceof Error) {
          throw (Error) startFailure;
        }
        throw new ExecutionException("could not start workers", startFailure);
      }
      int n = snapshotLength;
      long handedOut = Math.min(next.get(), n);
      if (beforeCancel > 0) {
        ExecutionException ee =
            new ExecutionException(
                "delete failed: "
                    + failed.size()
                    + " failure(s), "
                    + handedOut
                    + " of "
                    + n
                    + " items handed out",
                failed.get(0));
        for (int i = 1; i < failed.size(); i++) {
          ee.addSuppressed(failed.get(i));
        }
        if (timedOut) {
          ee.addSuppressed(timeout(handedOut, n));
        }
        throw ee;
      }
      if (timedOut) {
        ExecutionException ee = new ExecutionException("deadline expired", timeout(handedOut, n));
        failed.forEach(ee::addSuppressed);
        throw ee;
      }
    }

    private TimeoutException timeout(long handedOut, int n) {
      return new TimeoutException(
          "deadline of "
              + config.deadline
              + " expired; "
              + handedOut
              + " of "
              + n
              + " items were handed out");
    }

    /** Stops the handout and interrupts in-flight deletes (deadline or caller interrupt). */
    private void cancel() {
      synchronized (lock) {
        if (failuresBeforeCancel < 0) {
          failuresBeforeCancel = failures.size();
        }
        stopped = true;
      }
      for (Worker w : workers) {
        w.cancel(done);
      }
    }

    /** The worker loop. */
    void work() {
      final Object[] items = snapshot;
      final Deleter<? super T> d = deleter;
      final long n = items.length;
      while (!stopped) {
        long i = next.getAndIncrement();
        if (i >= n) {
          return;
        }
        @SuppressWarnings("unchecked")
        T item = (T) items[(int) i];
        try {
          d.delete(item);
        } catch (Throwable t) {
          fail(t);
        }
      }
    }

    private void fail(Throwable t) {
      Predicate<? super Throwable> tolerate = config.tolerate;
      if (tolerate != null && !(t instanceof Error)) {
        try {
          if (tolerate.test(t)) {
            return;
          }
        } catch (Throwable p) {
          if (p != t) {
            p.addSuppressed(t);
          }
          t = p;
        }
      }
      synchronized (lock) {
        failures.add(t);
        if (!config.continueOnError || t instanceof Error) {
          stopped = true;
        }
      }
    }

    private static long saturatedNanos(Duration d) {
      try {
        return d.toNanos();
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE / 2;
      }
    }
  }

  /**
   * One worker task. Its state moves NEW -> RUNNING -> DONE, or NEW -> CANCELLED if it is cancelled
   * before it starts; a cancelled task does nothing when it runs.
   */
  private static final class Worker implements Runnable {
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;
    private static final int CANCELLED = 3;

    private Run<?> run; // guarded by this; cleared when done or cancelled
    private int state = NEW; // guarded by this
    private Thread thread; // guarded by this; set while RUNNING
    private boolean interruptSent; // guarded by this

    Worker(Run<?> run) {
      this.run = run;
    }

    @Override
    public void run() {
      Run<?> r;
      synchronized (this) {
        if (state != NEW) {
          return;
        }
        state = RUNNING;
        thread = Thread.currentThread();
        r = run;
      }
      try {
        r.work();
      } finally {
        synchronized (this) {
          state = DONE;
          thread = null;
          run = null;
          if (interruptSent) {
            // Do not leave our interrupt on a thread that may belong to the caller's executor.
            Thread.interrupted();
          }
        }
        r.done.countDown();
      }
    }

    /** Marks a worker that never started as done. */
    synchronized void cancelIfNew(CountDownLatch done) {
      if (state == NEW && run != null && run.stopped) {
        state = CANCELLED;
        run = null;
        done.countDown();
      }
    }

    /** Cancels a worker that has not started, or interrupts one that is running. */
    synchronized void cancel(CountDownLatch done) {
      if (state == NEW) {
        state = CANCELLED;
        run = null;
        done.countDown();
      } else if (state == RUNNING) {
        interruptSent = true;
        thread.interrupt();
      }
    }
  }
}
