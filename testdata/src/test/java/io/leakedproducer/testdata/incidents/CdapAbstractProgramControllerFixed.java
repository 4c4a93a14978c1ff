// Reduction of CDAP (AbstractProgramController) https://github.com/cdapio/cdap/pull/14663
// (CDAP-19827, "Fix a race condition in AbstractProgramController"), merged, with the fix: the
// Cancellable is handed over through an ArrayBlockingQueue of capacity 1 instead of a
// SynchronousQueue. Each call puts exactly one element into its own fresh queue, so the executor
// thread's put() never waits for the caller, whether or not the caller is still there to take it.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * CDAP's program controller with the fix, as in {@link CdapAbstractProgramController}, except that
 * {@code addListener} uses a one-slot queue: the single insertion into it always finds room.
 */
public class CdapAbstractProgramControllerFixed {
  enum State {
    STARTING,
    ALIVE,
    STOPPING,
    KILLED,
    COMPLETED,
    ERROR
  }

  /** Notified of the program's state changes. */
  interface Listener {
    void init(State currentState, Throwable cause);

    void alive();

    void stopping();

    void completed();

    void killed();

    void error(Throwable cause);
  }

  interface Cancellable {
    void cancel();
  }

  abstract static class AbstractProgramController {
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private final String programRunId;
    private final Map<ListenerCaller, Cancellable> listeners = new HashMap<>();
    private final Listener caller = new MultiListenerCaller();
    private final ExecutorService executor;
    private Throwable failureCause;

    AbstractProgramController(String programRunId) {
      this.programRunId = programRunId;
      // No core thread: the thread goes away when there is no pending task.
      this.executor =
          new ThreadPoolExecutor(
              0,
              1,
              0,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              r -> {
                Thread t = new Thread(r, "pcontroller-" + programRunId);
                t.setDaemon(true);
                return t;
              });
    }

    final CompletableFuture<AbstractProgramController> stop() {
      if (!state.compareAndSet(State.STARTING, State.STOPPING)
          && !state.compareAndSet(State.ALIVE, State.STOPPING)) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("Stopping not allowed for " + programRunId));
      }
      CompletableFuture<AbstractProgramController> result = new CompletableFuture<>();
      executor.execute(
          () -> {
            try {
              caller.stopping();
              doStop();
              state.set(State.KILLED);
              result.complete(this);
              caller.killed();
            } catch (Throwable t) {
              error(t, result);
            }
          });
      return result;
    }

    final CompletableFuture<AbstractProgramController> command(String name, Object value) {
      CompletableFuture<AbstractProgramController> result = new CompletableFuture<>();
      executor.execute(
          () -> {
            try {
              doCommand(name, value);
              result.complete(this);
            } catch (Throwable t) {
              error(t, result);
            }
          });
      return result;
    }

    /** Children call this to signal the program started. */
    protected final void started() {
      if (!state.compareAndSet(State.STARTING, State.ALIVE)) {
        return;
      }
      executor.execute(caller::alive);
    }

    final Cancellable addListener(Listener listener, Executor listenerExecutor) {
      ListenerCaller listenerCaller = new ListenerCaller(listener, listenerExecutor);
      // Removes the listener through the executor and waits for it.
      Cancellable cancellable =
          () -> {
            try {
              executor.submit(() -> listeners.remove(listenerCaller)).get();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          };
      try {
        // Use a blocking queue to communicate the Cancellable to return
        BlockingQueue<Cancellable> result = new ArrayBlockingQueue<>(1);
        // Use the single thread executor to add the listener and call init
        executor.submit(
            () -> {
              Cancellable existing = listeners.get(listenerCaller);
              if (existing == null) {
                listeners.put(listenerCaller, cancellable);
                result.put(cancellable);
                listenerCaller.init(state.get(), failureCause);
              } else {
                result.put(existing);
              }
              return null;
            });
        return result.take();
      } catch (Exception e) {
        // Not expecting exceptions: the task only touches the map and calls init.
        throw new RuntimeException(e);
      }
    }

    protected abstract void doStop() throws Exception;

    protected abstract void doCommand(String name, Object value) throws Exception;

    private void error(Throwable t, CompletableFuture<?> future) {
      failureCause = t;
      state.set(State.ERROR);
      if (future != null) {
        future.completeExceptionally(t);
      }
      caller.error(t);
    }

    /** Calls every registered listener. */
    private final class MultiListenerCaller implements Listener {
      @Override
      public void init(State currentState, Throwable cause) {
        listeners.keySet().forEach(c -> c.init(currentState, cause));
      }

      @Override
      public void alive() {
        listeners.keySet().forEach(ListenerCaller::alive);
      }

      @Override
      public void stopping() {
        listeners.keySet().forEach(ListenerCaller::stopping);
      }

      @Override
      public void completed() {
        listeners.keySet().forEach(ListenerCaller::completed);
      }

      @Override
      public void killed() {
        listeners.keySet().forEach(ListenerCaller::killed);
      }

      @Override
      public void error(Throwable cause) {
        listeners.keySet().forEach(c -> c.error(cause));
      }
    }

    /** Calls one listener through its executor. */
    private static final class ListenerCaller implements Listener {
      private final Listener listener;
      private final Executor executor;

      ListenerCaller(Listener listener, Executor executor) {
        this.listener = listener;
        this.executor = executor;
      }

      private void execute(Runnable runnable, String methodName) {
        try {
          executor.execute(runnable);
        } catch (Throwable t) {
          System.out.println("Exception while executing " + methodName + ": " + t);
        }
      }

      @Override
      public void init(State currentState, Throwable cause) {
        execute(() -> listener.init(currentState, cause), "init");
      }

      @Override
      public void alive() {
        execute(listener::alive, "alive");
      }

      @Override
      public void stopping() {
        execute(listener::stopping, "stopping");
      }

      @Override
      public void completed() {
        execute(listener::completed, "completed");
      }

      @Override
      public void killed() {
        execute(listener::killed, "killed");
      }

      @Override
      public void error(Throwable cause) {
        execute(() -> listener.error(cause), "error");
      }

      @Override
      public boolean equals(Object o) {
        return o instanceof ListenerCaller
            && Objects.equals(listener, ((ListenerCaller) o).listener);
      }

      @Override
      public int hashCode() {
        return Objects.hashCode(listener);
      }
    }
  }

  /** A running workflow's controller. */
  static final class WorkflowProgramController extends AbstractProgramController {
    WorkflowProgramController(String programRunId) {
      super(programRunId);
    }

    @Override
    protected void doStop() {
      System.out.println("stopping the workflow driver");
    }

    @Override
    protected void doCommand(String name, Object value) throws InterruptedException {
      // Changing the number of instances waits for the cluster to resize.
      Thread.sleep(100);
      System.out.println("command " + name + "=" + value + " done");
    }
  }

  /** Records the program's final state in the run record store. */
  static final class RunRecordListener implements Listener {
    @Override
    public void init(State currentState, Throwable cause) {
      System.out.println("run record: " + currentState);
    }

    @Override
    public void alive() {
      System.out.println("run record: RUNNING");
    }

    @Override
    public void stopping() {}

    @Override
    public void completed() {
      System.out.println("run record: COMPLETED");
    }

    @Override
    public void killed() {
      System.out.println("run record: KILLED");
    }

    @Override
    public void error(Throwable cause) {
      System.out.println("run record: FAILED");
    }
  }

  public static void main(String[] args) throws Exception {
    WorkflowProgramController controller = new WorkflowProgramController("default.app.wf.run-1");
    controller.started();
    controller.command("instances", 2);
    ExecutorService listenerExecutor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "listener");
              t.setDaemon(true);
              return t;
            });
    // The program runtime service is shutting down: the thread that registers the run-record
    // listener has been interrupted, while the controller's executor is still busy with the
    // resize command.
    Thread launcher =
        new Thread(
            () -> {
              Thread.currentThread().interrupt();
              try {
                controller.addListener(new RunRecordListener(), listenerExecutor);
              } catch (RuntimeException e) {
                System.out.println("addListener failed: " + e.getCause());
              }
            },
            "program-launcher");
    launcher.setDaemon(true);
    launcher.start();
    launcher.join();
    CompletableFuture<AbstractProgramController> stopped = controller.stop();
    Thread.sleep(300);
    System.out.println("program stopped: " + stopped.isDone());
  }
}
