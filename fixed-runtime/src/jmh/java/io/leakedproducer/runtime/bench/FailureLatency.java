package io.leakedproducer.runtime.bench;

import io.leakedproducer.runtime.Deleter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Time from the first failure to the return of the call, on 100k items with 50 us deletes. The
 * budget is "in-flight delete time + 5 ms": the failure can only leave deletes that already started
 * running, so the call should return about one delete time after the failure. Prints p50, p90, max
 * per implementation and worker count, and counts distributor threads the leaky fan-out leaves
 * blocked. Args: [reps] (default 40).
 */
public final class FailureLatency {
  private static final int ITEMS = 100_000;
  private static final long WORK_NANOS = 50_000;

  public static void main(String[] args) throws Exception {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    List<Integer> items = new ArrayList<>(ITEMS);
    for (int i = 0; i < ITEMS; i++) {
      items.add(i);
    }
    long deleteNanos = measureDeleteNanos();
    System.out.printf(
        "measured delete time (parkNanos(50us)): %.1f us; budget = that + 5 ms;"
            + " load average %s%n",
        deleteNanos / 1e3, loadAverage());
    Random r = new Random(1);
    int leakedSoFar = 0;
    System.out.printf(
        "%-9s %7s %5s %10s %10s %10s %14s %s%n",
        "impl",
        "workers",
        "reps",
        "p50(us)",
        "p90(us)",
        "max(us)",
        "within budget",
        "leaked threads");
    for (String impl : List.of("bounded", "leaky", "invokeAll")) {
      for (int workers : new int[] {1, 4, 16}) {
        int n = impl.equals("bounded") ? reps : 3;
        long[] lat = new long[n];
        int leaked = 0;
        for (int rep = 0; rep < n; rep++) {
          int failAt = 1000 + r.nextInt(4000);
          long[] failedAt = new long[1];
          Deleter<Integer> d =
              i -> {
                LockSupport.parkNanos(WORK_NANOS);
                if (i == failAt) {
                  failedAt[0] = System.nanoTime();
                  throw new IllegalStateException("injected at " + i);
                }
              };
          Thread distributor = null;
          try {
            switch (impl) {
              case "bounded":
                FanOuts.bounded(items, workers, d);
                break;
              case "leaky":
                distributor = FanOuts.leaky(items, workers, d);
                break;
              default:
                FanOuts.invokeAll(items, workers, d);
            }
            throw new AssertionError("no failure");
          } catch (ExecutionException expected) {
            lat[rep] = System.nanoTime() - failedAt[0];
          }
        }
        long before = System.nanoTime();
        while (System.nanoTime() - before < TimeUnit.MILLISECONDS.toNanos(200)) {
          Thread.onSpinWait(); // give finished distributors time to die before counting
        }
        int alive =
            (int)
                Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("leaky-distributor") && t.isAlive())
                    .count();
        leaked = alive - leakedSoFar;
        leakedSoFar = alive;
        Arrays.sort(lat);
        long budget = deleteNanos + TimeUnit.MILLISECONDS.toNanos(5);
        int within = 0;
        for (long l : lat) {
          if (l <= budget) {
            within++;
          }
        }
        System.out.printf(
            "%-9s %7d %5d %10.0f %10.0f %10.0f %8d of %-3d %d%n",
            impl,
            workers,
            n,
            lat[n / 2] / 1e3,
            lat[(int) (n * 0.9)] / 1e3,
            lat[n - 1] / 1e3,
            within,
            n,
            leaked);
      }
    }
  }

  private static String loadAverage() {
    try {
      return new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg")))
          .trim();
    } catch (java.io.IOException | RuntimeException e) {
      return "n/a";
    }
  }

  private static long measureDeleteNanos() {
    int n = 2000;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      LockSupport.parkNanos(WORK_NANOS);
    }
    return (System.nanoTime() - t0) / n;
  }
}
