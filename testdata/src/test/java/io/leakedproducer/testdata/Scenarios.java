package io.leakedproducer.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakedproducer.runtime.LeakedProducers;
import io.leakedproducer.runtime.LeakedProducers.StuckProducer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/** The two verdicts a scenario can get: the call strands a producer, or it leaves nothing behind. */
public final class Scenarios {
  private Scenarios() {}

  /**
   * The leaky verdict: after the call returned (or, when the caller produces, while it hangs), the
   * leaked-producer verifier finds a thread the call started stuck in the insertion, called from
   * the program's own code, and the items stay reachable. Releases the stranded threads at the
   * end.
   */
  public static void assertLeaks(Scenario scenario, Class<?> program) throws Exception {
    Set<Thread> before = Leaks.liveThreads();
    LeakedProducers.Verifier verifier = LeakedProducers.verifier().ignoreCurrent();
    Run run = scenario.start(program);
    try {
      if (!scenario.callHangs()) {
        run.request.join(Leaks.WAIT.toMillis());
        assertFalse(run.request.isAlive(), "the call should have returned");
        scenario.verify(run, false);
        run.afterReturn();
      }
      // The producer may not have reached the insertion yet: ask again until it has. Each answer
      // that finds it comes after the verifier's own retry window, so it is stuck, not leaving.
      AtomicReference<StuckProducer> found = new AtomicReference<>();
      assertTrue(
          Leaks.await(
              () -> {
                for (StuckProducer stuck : verifier.stuckProducers()) {
                  if (stuck.insertionFrame().getMethodName().equals(scenario.insertion())) {
                    found.set(stuck);
                    return true;
                  }
                }
                return false;
              }),
          "a thread should be stuck in "
              + scenario.insertion()
              + "(); threads: "
              + describe(Leaks.startedSince(before)));
      StuckProducer stuck = found.get();
      assertTrue(
          stuck.threadName().startsWith(scenario.producerThread()), "stuck thread: " + stuck);
      assertTrue(
          stuck.callerFrame().getClassName().startsWith(program.getPackageName() + "."),
          "the insertion should be called from the program: " + stuck);
      if (scenario.callerProduces()) {
        assertEquals(
            run.request.getId(),
            stuck.threadId(),
            "the request thread itself should hang in " + scenario.insertion());
      }
      if (scenario.callHangs()) {
        assertTrue(run.request.isAlive(), "the call should hang");
      }
      assertFalse(
          Leaks.clearedAfterGc(run.items), "the stranded producer should keep the items reachable");
    } finally {
      Leaks.release(Leaks.startedSince(before));
    }
  }

  /**
   * The fixed verdict: the call ends within a bounded time, no thread it started stays alive, and
   * the items become unreachable.
   */
  public static void assertClean(Scenario scenario, Class<?> program, boolean patched) throws Exception {
    Set<Thread> before = Leaks.liveThreads();
    LeakedProducers.Verifier verifier = LeakedProducers.verifier().ignoreCurrent();
    Run run = scenario.start(program);
    try {
      run.request.join(Leaks.WAIT.toMillis());
      assertFalse(run.request.isAlive(), "the call should end within " + Leaks.WAIT + "; it is at "
          + describe(List.of(run.request)));
      scenario.verify(run, patched);
      run.afterReturn();
      // A stuck producer first, by name and call site; then no thread of the call at all.
      verifier.verify();
      assertTrue(Leaks.await(() -> Leaks.startedSince(before).isEmpty()),
          "threads left running: " + describe(Leaks.startedSince(before)));
      assertTrue(Leaks.clearedAfterGc(run.items), "the items should be unreachable once the call ended");
    } finally {
      Leaks.release(Leaks.startedSince(before));
    }
  }

  /** Asserts that the run threw {@code type} (or returned, when {@code type} is null). */
  public static void assertOutcome(Run run, Class<? extends Throwable> type) {
    if (type == null) {
      assertEquals(null, run.thrown(), "the call should have returned");
    } else {
      assertNotNull(run.thrown(), "the call should have thrown " + type.getSimpleName());
      assertTrue(type.isInstance(run.thrown()), "unexpected: " + run.thrown());
    }
  }

  private static String describe(List<Thread> threads) {
    StringBuilder out = new StringBuilder();
    for (Thread t : threads) {
      out.append('\n').append(t.getName()).append(' ').append(t.getState());
      for (StackTraceElement frame : t.getStackTrace()) {
        out.append("\n    at ").append(frame);
      }
    }
    return out.toString();
  }
}
