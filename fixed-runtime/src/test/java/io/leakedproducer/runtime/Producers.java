package io.leakedproducer.runtime;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Threads that a verifier test parks on purpose, and their cleanup: {@link #close()} interrupts
 * every one and joins it (bounded), failing if one is still alive.
 */
final class Producers implements AutoCloseable {
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  /** The body of a test thread; {@code line.at(x)} records the source line it is called on. */
  interface Body {
    void run(Line line) throws InterruptedException;
  }

  /** The source line of the insertion under test, recorded by the thread itself. */
  static final class Line {
    private volatile int number = -1;

    /** Records the caller's line and returns {@code value}: {@code queue.put(line.at(item))}. */
    <T> T at(T value) {
      number = new Throwable().getStackTrace()[1].getLineNumber();
      return value;
    }

    int number() {
      return number;
    }
  }

  /** A started test thread and the line of its insertion. */
  record Started(Thread thread, Line line) {
    /** Waits (bounded) until the thread is parked inside a frame named {@code method}. */
    Started awaitParkedIn(String method) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestSupport.WAIT_SECONDS);
      // No latch can say "now parked inside put": poll the thread's own state, bounded.
      while (!parkedIn(thread, method)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              thread.getName()
                  + " never parked in "
                  + method
                  + "(): "
                  + thread.getState()
                  + " "
                  + Arrays.toString(thread.getStackTrace()));
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
      return this;
    }

    long id() {
      return thread.getId();
    }
  }

  static boolean parkedIn(Thread thread, String method) {
    Thread.State state = thread.getState();
    if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
      return false;
    }
    return Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getMethodName().equals(method));
  }

  /** Starts a daemon platform thread named {@code name} that runs {@code body}. */
  Started start(String name, Body body) {
    Line line = new Line();
    Thread thread = new Thread(() -> runQuietly(body, line), name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
    return new Started(thread, line);
  }

  /**
   * Starts a virtual thread named {@code name} that runs {@code body}. JDK 21+ only; reached by
   * reflection because this module compiles with {@code --release 17}.
   */
  Started startVirtual(String name, Body body) throws ReflectiveOperationException {
    Line line = new Line();
    Class<?> builderType = Class.forName("java.lang.Thread$Builder");
    Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
    builder = builderType.getMethod("name", String.class).invoke(builder, name);
    Method unstarted = builderType.getMethod("unstarted", Runnable.class);
    Thread thread;
    try {
      thread = (Thread) unstarted.invoke(builder, (Runnable) () -> runQuietly(body, line));
    } catch (InvocationTargetException e) {
      throw new AssertionError(e.getCause());
    }
    threads.add(thread);
    thread.start();
    return new Started(thread, line);
  }

  private static void runQuietly(Body body, Line line) {
    try {
      body.run(line);
    } catch (InterruptedException e) {
      // The test's cleanup: the thread ends.
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (Thread thread : threads) {
      thread.interrupt();
    }
    for (Thread thread : threads) {
      TestSupport.join(thread);
    }
  }
}
