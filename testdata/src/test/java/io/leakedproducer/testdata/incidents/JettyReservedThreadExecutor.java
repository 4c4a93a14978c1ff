// Reduction of Jetty (jetty-util ReservedThreadExecutor) https://github.com/jetty/jetty.project/issues/4575
// ("Stopping ReservedThreadExecutor may hang"), fixed by PR
// https://github.com/jetty/jetty.project/pull/4576. A reserved thread waits for a task on its own
// SynchronousQueue; when it wakes up (an interrupt, an idle timeout) and sees that the executor is
// no longer running it returns STOP and exits, but it stays on the stack of reserved threads.
// doStop() pops it and offers it the STOP task: put() on the SynchronousQueue of a thread that is
// gone blocks the stopping thread forever. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Jetty's executor of reserved threads, before the fix: a pool of threads parked on a
 * {@link SynchronousQueue} each, so that {@link ReservedThreadExecutor#tryExecute} can hand a task
 * to a thread that is already running (the "eat what you kill" strategy). A reserved thread leaves
 * its wait when it sees the executor stopping, without taking itself off the stack; the thread that
 * stops the executor then offers STOP to it and waits for a taker that never comes.
 */
public class JettyReservedThreadExecutor {
  /** Jetty's lifecycle: listeners hear "stopping" before {@code doStop()} runs. */
  abstract static class AbstractLifeCycle {
    private enum State {
      STOPPED,
      STARTING,
      STARTED,
      STOPPING
    }

    private volatile State state = State.STOPPED;
    private final List<Runnable> stoppingListeners = new CopyOnWriteArrayList<>();

    void addStoppingListener(Runnable listener) {
      stoppingListeners.add(listener);
    }

    final void start() throws Exception {
      state = State.STARTING;
      doStart();
      state = State.STARTED;
    }

    final void stop() throws Exception {
      state = State.STOPPING;
      for (Runnable listener : stoppingListeners) {
        listener.run();
      }
      doStop();
      state = State.STOPPED;
    }

    boolean isRunning() {
      State s = state;
      return s == State.STARTED || s == State.STARTING;
    }

    protected void doStart() throws Exception {}

    protected void doStop() throws Exception {}
  }

  /** The poison pill a reserved thread exits on. */
  static final Runnable STOP =
      new Runnable() {
        @Override
        public void run() {}

        @Override
        public String toString() {
          return "STOP!";
        }
      };

  static final class ReservedThreadExecutor extends AbstractLifeCycle {
    private final Executor executor;
    private final int capacity;
    private final ConcurrentLinkedDeque<ReservedThread> stack = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private long idleTime = 1L;
    private TimeUnit idleTimeUnit = TimeUnit.MINUTES;

    ReservedThreadExecutor(Executor executor, int capacity) {
      this.executor = executor;
      this.capacity = capacity;
    }

    int getAvailable() {
      return stack.size();
    }

    void setIdleTimeout(long idleTime, TimeUnit idleTimeUnit) {
      if (isRunning()) {
        throw new IllegalStateException();
      }
      this.idleTime = idleTime;
      this.idleTimeUnit = idleTimeUnit;
    }

    @Override
    protected void doStart() throws Exception {
      size.set(0);
    }

    @Override
    protected void doStop() throws Exception {
      while (true) {
        int s = size.get();
        // No reserved thread left: -1 keeps new ones off the stack.
        if (s == 0 && size.compareAndSet(s, -1)) {
          break;
        }
        ReservedThread thread = stack.pollFirst();
        if (thread == null) {
          // A reserved thread counted itself but is not on the stack yet.
          Thread.yield();
          continue;
        }
        size.decrementAndGet();
        thread.stop();
      }
    }

    /** Runs the task on a reserved thread if one is waiting; otherwise reserves one for later. */
    boolean tryExecute(Runnable task) {
      if (task == null) {
        return false;
      }
      ReservedThread thread = stack.pollFirst();
      if (thread == null) {
        if (task != STOP) {
          startReservedThread();
        }
        return false;
      }
      int s = size.decrementAndGet();
      if (!thread.offer(task)) {
        return false;
      }
      if (s == 0 && task != STOP) {
        startReservedThread();
      }
      return true;
    }

    private void startReservedThread() {
      try {
        while (true) {
          int p = pending.get();
          int s = size.get();
          if (p + s >= capacity) {
            return;
          }
          if (pending.compareAndSet(p, p + 1)) {
            executor.execute(new ReservedThread());
            return;
          }
        }
      } catch (RejectedExecutionException e) {
        // the pool is stopping: no new reserved thread
      }
    }

    private final class ReservedThread implements Runnable {
      private final SynchronousQueue<Runnable> task = new SynchronousQueue<>();
      private boolean starting = true;

      boolean offer(Runnable t) {
        try {
          task.put(t); // LEAK
          return true;
        } catch (Throwable e) {
          size.getAndIncrement();
          stack.addFirst(this);
          return false;
        }
      }

      void stop() {
        offer(STOP);
      }

      private Runnable reservedWait() {
        while (true) {
          if (!isRunning()) {
            // Leaves without taking itself off the stack: the bug.
            return STOP;
          }
          try {
            Runnable t = idleTime <= 0 ? task.take() : task.poll(idleTime, idleTimeUnit);
            if (t != null) {
              return t;
            }
            // Idle: stop the thread on top of the stack.
            tryExecute(STOP);
          } catch (InterruptedException e) {
            // try again
          }
        }
      }

      @Override
      public void run() {
        while (isRunning()) {
          // Count ourselves BEFORE giving up pending, so that no extra thread is started.
          while (true) {
            int s = size.get();
            if (s < 0) {
              return;
            }
            if (s >= capacity) {
              if (starting) {
                pending.decrementAndGet();
              }
              return;
            }
            if (size.compareAndSet(s, s + 1)) {
              break;
            }
          }
          if (starting) {
            pending.decrementAndGet();
            starting = false;
          }
          stack.offerFirst(this);
          Runnable t = reservedWait();
          if (t == STOP) {
            break;
          }
          try {
            t.run();
          } catch (Throwable e) {
            System.out.println("task failed: " + e);
          }
        }
      }
    }
  }

  public static void main(String[] args) throws Exception {
    ExecutorService qtp =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "qtp");
              t.setDaemon(true);
              return t;
            });
    ReservedThreadExecutor reserved = new ReservedThreadExecutor(qtp, 1);
    reserved.start();
    // The first dispatch finds no reserved thread and reserves one.
    reserved.tryExecute(() -> {});
    while (reserved.getAvailable() == 0) {
      Thread.sleep(10);
    }
    // The server stops: its thread pool interrupts its threads and waits for them before the
    // reserved-thread executor, one of its beans, runs doStop().
    reserved.addStoppingListener(
        () -> {
          qtp.shutdownNow();
          try {
            qtp.awaitTermination(1, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    Thread stopper =
        new Thread(
            () -> {
              try {
                reserved.stop();
              } catch (Exception e) {
                System.out.println("stop failed: " + e);
              }
            },
            "server-stop");
    stopper.setDaemon(true);
    stopper.start();
    stopper.join(2000);
    System.out.println("server stopped: " + !stopper.isAlive());
  }
}
