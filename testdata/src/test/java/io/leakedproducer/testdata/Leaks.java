package io.leakedproducer.testdata;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/** Bounded waits and thread/GC probes shared by the run-time leak tests. */
public final class Leaks {
  public static final Duration WAIT = Duration.ofSeconds(20);

  private Leaks() {}

  public static Set<Thread> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
  }

  /** Threads alive now that were not alive in {@code before}: the ones the call under test started. */
  public static List<Thread> startedSince(Set<Thread> before) {
    return liveThreads().stream().filter(t -> !before.contains(t)).collect(Collectors.toList());
  }

  /**
   * Waits, up to {@link #WAIT}, for a condition that the code under test makes true on its own
   * thread and that offers no latch to wait on (a thread's state, a cleared reference).
   */
  public static boolean await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    return true;
  }

  /** True when {@code ref} is cleared after repeated GCs (bounded). */
  public static boolean clearedAfterGc(WeakReference<?> ref) {
    for (int i = 0; i < 50 && ref.get() != null; i++) {
      System.gc();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    return ref.get() == null;
  }

  /** Interrupts leaked threads and waits for them, so one test's leak never outlives it. */
  public static void release(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      t.interrupt();
    }
    for (Thread t : threads) {
      t.join(WAIT.toMillis());
      if (t.isAlive()) {
        fail("could not release " + t.getName());
      }
    }
  }
}
