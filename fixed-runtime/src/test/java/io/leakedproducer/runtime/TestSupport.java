package io.leakedproducer.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** Helpers shared by the runtime tests. */
final class TestSupport {
  private TestSupport() {}

  /** Upper bound for every wait in a test: a regression fails instead of hanging. */
  static final long WAIT_SECONDS = 10;

  /** A thread factory that remembers every thread it made. */
  static final class RecordingThreadFactory implements ThreadFactory {
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final String prefix;
    private final AtomicInteger n = new AtomicInteger();

    RecordingThreadFactory(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, prefix + n.getAndIncrement());
      t.setDaemon(true);
      threads.add(t);
      return t;
    }

    List<Thread> alive() {
      return threads.stream().filter(Thread::isAlive).collect(Collectors.toList());
    }
  }

  /** Live threads whose name starts with {@code prefix}, found through the JVM's thread table. */
  static Set<Thread> liveThreadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .collect(Collectors.toSet());
  }

  /** Records the threads that ran deletes. */
  static Set<Thread> newThreadSet() {
    return ConcurrentHashMap.newKeySet();
  }

  static void assertNoneAlive(Iterable<Thread> threads) {
    for (Thread t : threads) {
      assertTrue(!t.isAlive(), () -> "thread still alive: " + t + " state " + t.getState());
    }
  }

  static void await(CountDownLatch latch) throws InterruptedException {
    if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
      throw new AssertionError("latch not released within " + WAIT_SECONDS + " s");
    }
  }

  /** Joins {@code t}, bounded; fails if it is still alive afterwards. */
  static void join(Thread t) throws InterruptedException {
    t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    if (t.isAlive()) {
      throw new AssertionError("thread did not terminate: " + t);
    }
  }

  /**
   * Asserts that {@code ref} is cleared after a bounded number of GCs. The caller must not hold a
   * strong reference to the referent.
   */
  static void assertCollected(WeakReference<?> ref, ReferenceQueue<?> queue, String what)
      throws InterruptedException {
    for (int i = 0; i < 50 && !ref.refersTo(null); i++) {
      System.gc();
      queue.remove(100); // a timed wait on the reference queue, not a sleep
    }
    if (!ref.refersTo(null)) {
      fail(what + " still strongly reachable after 50 GCs");
    }
    Reference.reachabilityFence(queue);
  }
}
