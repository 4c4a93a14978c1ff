package io.leakedproducer.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Randomized producers/consumers on a {@link CancellableBoundedQueue}. Consumers register late,
 * give up at random points (return or throw), or drain to end-of-stream; producers use put, timed
 * offer and add, and the last producer closes the queue. Every scenario checks that no thread is
 * left blocked, no element is received twice or invented, the abandonment never fires before every
 * consumer has registered and left, and that when some consumer drains to the end every element
 * produced is received.
 *
 * <p>Override with {@code -DqueueStress.runs=N -DqueueStress.seed=S}.
 */
class CancellableBoundedQueueStressTest {

  @Test
  void randomizedScenarios() {
    int runs = Integer.getInteger("queueStress.runs", 1500);
    long seed = Long.getLong("queueStress.seed", System.nanoTime());
    long t0 = System.nanoTime();
    assertTimeoutPreemptively(
        Duration.ofSeconds(120),
        () -> {
          Random master = new Random(seed);
          for (int run = 0; run < runs; run++) {
            long runSeed = master.nextLong();
            try {
              scenario(new Random(runSeed));
            } catch (Throwable t) {
              throw new AssertionError(
                  "run "
                      + run
                      + " failed; reproduce with -DqueueStress.seed="
                      + seed
                      + " (run seed "
                      + runSeed
                      + ")",
                  t);
            }
          }
        },
        () -> "timed out; seed " + seed);
    System.out.printf(
        "queue stress: %d scenarios in %d ms, seed %d%n",
        runs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), seed);
  }

  private static void scenario(Random r) throws Exception {
    int capacity = 1 + r.nextInt(4);
    int consumers = 1 + r.nextInt(3);
    int producers = 1 + r.nextInt(2);
    int perProducer = r.nextInt(60);
    CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(capacity, consumers);

    Set<Integer> received = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicates = new AtomicInteger();
    AtomicInteger left = new AtomicInteger();
    AtomicInteger drainedToEnd = new AtomicInteger();
    AtomicInteger producersLeft = new AtomicInteger(producers);
    AtomicInteger inserted = new AtomicInteger();
    List<String> violations = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();

    for (int c = 0; c < consumers; c++) {
      // -1: drain to end-of-stream; otherwise give up after that many elements
      int giveUpAfter = r.nextInt(3) == 0 ? -1 : r.nextInt(perProducer * producers / 2 + 2);
      boolean throwOnGiveUp = r.nextBoolean();
      boolean useTake = r.nextBoolean();
      int registerDelay = r.nextInt(200);
      threads.add(
          start(
              violations,
              "consumer-" + c,
              () -> {
                for (int i = 0; i < registerDelay; i++) {
                  Thread.yield(); // register late: producers may already be blocked
                }
                try (var reg = q.registerConsumer()) {
                  int n = 0;
                  try {
                    for (; ; ) {
                      if (n == giveUpAfter) {
                        if (throwOnGiveUp) {
                          throw new IllegalStateException("consumer failed");
                        }
                        return;
                      }
                      Integer x;
                      if (useTake) {
                        try {
                          x = q.take();
                        } catch (QueueClosedException | QueueAbandonedException end) {
                          x = null;
                        }
                      } else {
                        x = q.receive();
                      }
                      if (x == null) {
                        drainedToEnd.incrementAndGet();
                        return;
                      }
                      if (!received.add(x)) {
                        duplicates.incrementAndGet();
                      }
                      n++;
                    }
                  } finally {
                    left.incrementAndGet(); // before reg.close(): abandonment must come after this
                  }
                } catch (IllegalStateException expected) {
                  // simulated consumer failure: the registration was still closed
                }
                return;
              }));
    }
    for (int p = 0; p < producers; p++) {
      int base = p * 1000;
      int mode = r.nextInt(3);
      threads.add(
          start(
              violations,
              "producer-" + p,
              () -> {
                try {
                  for (int i = 0; i < perProducer; i++) {
                    Integer x = base + i;
                    if (mode == 0) {
                      q.put(x);
                    } else if (mode == 1) {
                      while (!q.offer(x, 1, TimeUnit.MILLISECONDS)) {
                        if (q.isAbandoned()) {
                          throw new QueueAbandonedException("observed via offer");
                        }
                      }
                    } else {
                      while (true) {
                        try {
                          q.add(x);
                          break;
                        } catch (QueueAbandonedException e) {
                          throw e;
                        } catch (IllegalStateException full) {
                          Thread.yield();
                        }
                      }
                    }
                    inserted.incrementAndGet();
                  }
                } catch (QueueAbandonedException e) {
                  if (left.get() != consumers) {
                    violations.add(
                        "abandoned while only " + left.get() + "/" + consumers + " had left");
                  }
                } finally {
                  if (producersLeft.decrementAndGet() == 0) {
                    q.close();
                  }
                }
              }));
    }
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(TestSupport.WAIT_SECONDS));
      if (t.isAlive()) {
        StringBuilder sb =
            new StringBuilder(
                t.getName() + " left blocked in " + t.getState() + ", queue " + q + "\n");
        for (StackTraceElement e : t.getStackTrace()) {
          sb.append("  at ").append(e).append('\n');
        }
        throw new AssertionError(sb.toString());
      }
    }
    assertEquals(List.of(), violations);
    assertEquals(0, duplicates.get(), "element received twice");
    for (int x : received) {
      assertTrue(x % 1000 < perProducer && x / 1000 < producers, "invented element " + x);
    }
    assertTrue(received.size() <= inserted.get());
    assertTrue(q.isAbandoned(), "every consumer left, so the queue must be abandoned: " + q);
    if (drainedToEnd.get() > 0) {
      assertEquals(inserted.get(), received.size(), "a consumer drained to end but lost elements");
      assertEquals(producers * perProducer, inserted.get());
    }
  }

  interface Body {
    void run() throws Exception;
  }

  private static Thread start(List<String> violations, String name, Body body) {
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (Throwable e) {
                violations.add(name + " threw " + e);
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
