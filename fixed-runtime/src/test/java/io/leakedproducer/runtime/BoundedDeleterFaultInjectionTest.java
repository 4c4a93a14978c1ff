package io.leakedproducer.runtime;

import static io.leakedproducer.runtime.TestSupport.liveThreadsNamed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.leakedproducer.runtime.TestSupport.RecordingThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Randomized fault injection: random item counts, worker counts, failure points (runtime, checked,
 * Error, tolerated), caller interrupts, deadlines with deletes that block until interrupted, and a
 * user executor. Every run checks: no item deleted twice, no delete in flight and no thread of ours
 * alive on return, interrupt status clear, the first failure reported with every other failure
 * (none lost, none duplicated), fail-fast handing out only a prefix, and exactly-once on success.
 *
 * <p>Override with {@code -DfaultInjection.runs=N -DfaultInjection.seed=S}.
 */
class BoundedDeleterFaultInjectionTest {

  enum Action {
    OK,
    RUNTIME,
    CHECKED,
    ERROR,
    TOLERATED,
    INTERRUPT_CALLER,
    BLOCK
  }

  static final class Tolerated extends RuntimeException {
    Tolerated() {
      super("tolerated", null, false, false);
    }
  }

  static final class InjectedError extends Error {
    InjectedError(String m) {
      super(m, null, false, false);
    }
  }

  static final class InjectedChecked extends Exception {
    InjectedChecked(String m) {
      super(m, null, false, false);
    }
  }

  @Test
  void tenThousandRandomRuns() {
    int runs = Integer.getInteger("faultInjection.runs", 10_000);
    long seed = Long.getLong("faultInjection.seed", System.nanoTime());
    ExecutorService pool = Executors.newFixedThreadPool(6, new RecordingThreadFactory("fi-pool-"));
    long t0 = System.nanoTime();
    try {
      assertTimeoutPreemptively(
          Duration.ofSeconds(120),
          () -> {
            Random master = new Random(seed);
            for (int run = 0; run < runs; run++) {
              long runSeed = master.nextLong();
              try {
                oneRun(new Random(runSeed), pool);
              } catch (Throwable t) {
                throw new AssertionError(
                    "run "
                        + run
                        + " failed; reproduce with -DfaultInjection.seed="
                        + seed
                        + " (run seed "
                        + runSeed
                        + ")",
                    t);
              }
              if (run % 1000 == 999) {
                assertEquals(Set.of(), liveThreadsNamed(BoundedDeleter.THREAD_NAME_PREFIX));
                assertEquals(Set.of(), liveThreadsNamed("fi-own-"));
              }
            }
          },
          () -> "timed out; seed " + seed);
    } finally {
      pool.shutdownNow();
    }
    System.out.printf(
        "fault injection: %d runs in %d ms, seed %d%n",
        runs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), seed);
  }

  private static void oneRun(Random r, ExecutorService pool) throws Exception {
    int n = r.nextInt(4) == 0 ? r.nextInt(3) : r.nextInt(80);
    int workers = 1 + r.nextInt(r.nextBoolean() ? 3 : 10);
    boolean continueOnError = r.nextInt(5) == 0;
    boolean tolerate = r.nextInt(3) == 0;
    boolean deadline = r.nextInt(25) == 0;
    int threadMode = r.nextInt(5); // 0: static API, 1: executor, else: recording factory
    if (continueOnError || tolerate || deadline) {
      threadMode = Math.max(threadMode, 1);
    }
    double failRate = r.nextInt(3) == 0 ? 0 : r.nextDouble() * 0.1;
    Action[] actions = new Action[n];
    for (int i = 0; i < n; i++) {
      actions[i] = Action.OK;
      if (r.nextDouble() < failRate) {
        Action[] kinds = {
          Action.RUNTIME,
          Action.CHECKED,
          Action.ERROR,
          Action.TOLERATED,
          Action.INTERRUPT_CALLER,
          Action.INTERRUPT_CALLER,
          Action.RUNTIME
        };
        actions[i] = kinds[r.nextInt(kinds.length)];
      }
      if (deadline && r.nextInt(8) == 0) {
        actions[i] = Action.BLOCK; // ends only through the deadline's (or the caller's) interrupt
      }
    }
    List<Integer> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(i);
    }

    Thread caller = Thread.currentThread();
    AtomicIntegerArray count = new AtomicIntegerArray(Math.max(n, 1));
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger interruptsSent = new AtomicInteger();
    List<Throwable> thrown = new CopyOnWriteArrayList<>(); // non-tolerated failures, all of them
    Set<Thread> ran = TestSupport.newThreadSet();
    // Fail fast, checked without timing: a worker that recorded a stopping failure never starts
    // another delete (it sets the stop flag itself before it looks for the next item).
    Set<Thread> stoppedBy = TestSupport.newThreadSet();
    AtomicInteger deletesAfterOwnFailure = new AtomicInteger();
    CountDownLatch never = new CountDownLatch(1);
    Deleter<Integer> deleter =
        i -> {
          inFlight.incrementAndGet();
          try {
            if (stoppedBy.contains(Thread.currentThread())) {
              deletesAfterOwnFailure.incrementAndGet();
            }
            ran.add(Thread.currentThread());
            count.incrementAndGet(i);
            Throwable t;
            switch (actions[i]) {
              case OK:
                if (i % 7 == 0) {
                  Thread.yield();
                }
                return;
              case RUNTIME:
                t = new IllegalStateException("item " + i);
                break;
              case CHECKED:
                t = new InjectedChecked("item " + i);
                break;
              case ERROR:
                t = new InjectedError("item " + i);
                break;
              case TOLERATED:
                t = new Tolerated();
                if (tolerate) {
                  throw (Tolerated) t; // ignored by the run: must not be reported
                }
                break;
              case INTERRUPT_CALLER:
                interruptsSent.incrementAndGet();
                caller.interrupt();
                return;
              case BLOCK:
                try {
                  if (!never.await(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new AssertionError("blocked delete was never interrupted");
                  }
                  return;
                } catch (InterruptedException ie) {
                  thrown.add(ie);
                  if (!continueOnError) {
                    stoppedBy.add(Thread.currentThread());
                  }
                  throw ie;
                }
              default:
                throw new AssertionError();
            }
            thrown.add(t);
            if (!continueOnError || t instanceof Error) {
              stoppedBy.add(Thread.currentThread());
            }
            if (t instanceof Error) {
              throw (Error) t;
            }
            throw (Exception) t;
          } finally {
            inFlight.decrementAndGet();
          }
        };

    RecordingThreadFactory factory = new RecordingThreadFactory("fi-own-");
    Throwable outcome = null;
    try {
      if (threadMode == 0) {
        BoundedDeleter.deleteAll(items, workers, deleter);
      } else {
        BoundedDeleter.Builder<Integer> b =
            BoundedDeleter.<Integer>builder().workers(workers).continueOnError(continueOnError);
        if (threadMode == 1) {
          b.executor(pool);
        } else {
          b.threadFactory(factory);
        }
        if (tolerate) {
          b.tolerate(e -> e instanceof Tolerated);
        }
        if (deadline) {
          b.deadline(Duration.ofMillis(1 + r.nextInt(3)));
        }
        b.build().deleteAll(items, deleter);
      }
    } catch (InterruptedException | ExecutionException e) {
      outcome = e;
    }
    boolean statusAfter = Thread.interrupted();

    // Nothing of ours runs or lives, nothing was deleted twice.
    assertEquals(0, inFlight.get(), "delete still in flight after return");
    if (threadMode != 1) {
      TestSupport.assertNoneAlive(ran);
    }
    assertEquals(List.of(), factory.alive());
    assertTrue(factory.threads.size() <= workers);
    int deleted = 0;
    for (int i = 0; i < n; i++) {
      assertTrue(count.get(i) <= 1, "item " + i + " deleted " + count.get(i) + " times");
      deleted += count.get(i);
    }
    // Handout is a prefix of the snapshot: deletes started for items 0..deleted-1 only.
    for (int i = 0; i < deleted; i++) {
      assertEquals(1, count.get(i), "handout is not a prefix");
    }
    assertFalse(statusAfter, "interrupt status left set");
    assertEquals(0, deletesAfterOwnFailure.get(), "a worker went on after its own failure");

    Set<Throwable> expected = identitySet(thrown);
    assertEquals(thrown.size(), expected.size());
    if (interruptsSent.get() > 0) {
      assertTrue(outcome instanceof InterruptedException, "caller interrupted, got " + outcome);
      assertEquals(expected, identitySet(List.of(outcome.getSuppressed())));
      return;
    }
    if (outcome instanceof InterruptedException) {
      fail("InterruptedException without an interrupt", outcome);
    }
    if (outcome == null) {
      assertEquals(Set.of(), expected, "failures were swallowed");
      assertEquals(n, deleted, "not every item was deleted");
      return;
    }
    ExecutionException ee = (ExecutionException) outcome;
    List<Throwable> reported = new ArrayList<>();
    reported.add(ee.getCause());
    reported.addAll(List.of(ee.getSuppressed()));
    boolean timedOut = reported.removeIf(t -> t instanceof TimeoutException);
    assertEquals(timedOut, deadline && BoundedDeleter.timedOut(ee));
    assertEquals(reported.size(), identitySet(reported).size(), "a failure reported twice");
    assertEquals(expected, identitySet(reported), "reported failures differ from thrown ones");
    if (!timedOut) {
      assertTrue(expected.contains(ee.getCause()), "cause is not a thrown failure");
      if (expected.size() == 1) {
        assertEquals(thrown.get(0), ee.getCause());
      }
      boolean anyError = thrown.stream().anyMatch(t -> t instanceof Error);
      if (continueOnError && !anyError) {
        assertEquals(n, deleted, "continue-on-error skipped items");
      }
    } else {
      assertTrue(deadline);
    }
  }

  private static Set<Throwable> identitySet(List<Throwable> list) {
    Set<Throwable> s = Collections.newSetFromMap(new IdentityHashMap<>());
    s.addAll(list);
    return s;
  }
}
