package io.leakedproducer.testdata;

import java.lang.ref.WeakReference;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/** One run of a scenario: the request thread, a weak reference to the items, and the outcome. */
public final class Run {
  public final Thread request;
  public final WeakReference<Object> items;
  private final Runnable afterReturn;
  private final AtomicReference<Object> returned = new AtomicReference<>();
  private final AtomicReference<Throwable> thrown = new AtomicReference<>();

  private Run(String name, Object items, Callable<Object> call, Runnable afterReturn) {
    this.items = new WeakReference<>(items);
    this.afterReturn = afterReturn;
    // From JDK 21 on, a finished Thread keeps its Runnable for as long as the Thread is reachable,
    // and this run keeps the Thread: the Runnable must let go of the call (and so of the items).
    AtomicReference<Callable<Object>> pending = new AtomicReference<>(call);
    this.request =
        new Thread(
            () -> {
              try {
                returned.set(pending.getAndSet(null).call());
              } catch (Throwable t) {
                thrown.set(t);
              }
            },
            "request-" + name);
  }

  /**
   * Starts {@code call} on a new thread named {@code request-<name>}. {@code items} should be
   * referenced only by {@code call}, so that the run's weak reference tells whether anything the
   * call left behind still holds them. {@code afterReturn} runs once the call has returned (to let
   * a paused source go on, say).
   */
  public static Run start(String name, Object items, Callable<Object> call, Runnable afterReturn) {
    Run run = new Run(name, items, call, afterReturn);
    run.request.start();
    return run;
  }

  public static Run start(String name, Object items, Callable<Object> call) {
    return start(name, items, call, () -> {});
  }

  public void afterReturn() {
    afterReturn.run();
  }

  public Object returned() {
    return returned.get();
  }

  public Throwable thrown() {
    return thrown.get();
  }

  /** Calls the public static method {@code name} of {@code program}, unwrapping its exception. */
  public static Object invoke(Class<?> program, String name, Object... args) throws Exception {
    Method target = null;
    for (Method m : program.getMethods()) {
      if (m.getName().equals(name) && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == args.length) {
        target = m;
      }
    }
    if (target == null) {
      throw new NoSuchMethodException(program.getName() + "." + name);
    }
    try {
      return target.invoke(null, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception) {
        throw (Exception) e.getCause();
      }
      throw e;
    }
  }
}
