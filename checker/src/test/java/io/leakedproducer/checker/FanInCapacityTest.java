package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * "Capacity covers every element" counted over all producer tasks: the per-task count times the
 * number of tasks spawned. A fan-in of one task per item inserts as many elements as there are
 * items, whatever each task inserts on its own.
 */
final class FanInCapacityTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  @Test
  void negativeOneTaskPerServiceAndRoomForEveryProbe() {
    helper
        .addSourceLines(
            "HealthProbes.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class HealthProbes {
              private final ExecutorService pool = Executors.newFixedThreadPool(4);

              String firstDown(List<String> services) throws InterruptedException {
                BlockingQueue<String> down = new ArrayBlockingQueue<>(services.size());
                for (String service : services) {
                  pool.execute(() -> {
                    try {
                      down.put(probe(service) ? "" : service);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
                }
                for (int i = 0; i < services.size(); i++) {
                  String failed = down.take();
                  if (!failed.isEmpty()) {
                    return failed;
                  }
                }
                return null;
              }

              boolean probe(String service) {
                return !service.isEmpty();
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationOneTaskPerShardOutnumbersTheCapacity() {
    helper
        .addSourceLines(
            "ShardChecks.java",
            """
            import java.util.concurrent.*;

            class ShardChecks {
              private final ExecutorService pool = Executors.newFixedThreadPool(8);

              Integer firstCorrupt(int shards) throws InterruptedException {
                BlockingQueue<Integer> results = new ArrayBlockingQueue<>(4);
                for (int s = 0; s < shards; s++) {
                  int shard = s;
                  pool.execute(() -> {
                    try {
                      // BUG: Diagnostic contains: put() on 'results' (new ArrayBlockingQueue<>(4)): every consumer can stop taking (line 22: return
                      results.put(verify(shard) ? -1 : shard);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
                }
                for (int i = 0; i < shards; i++) {
                  int bad = results.take();
                  if (bad >= 0) {
                    return bad;
                  }
                }
                return null;
              }

              boolean verify(int shard) {
                return shard != 0;
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeAnonymousTaskPerFileWithRoomForEach() {
    helper
        .addSourceLines(
            "ChecksumScan.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class ChecksumScan {
              private final ExecutorService pool = Executors.newCachedThreadPool();

              String firstMismatch(List<String> files) throws InterruptedException {
                BlockingQueue<String> mismatches = new LinkedBlockingQueue<>(files.size());
                for (String file : files) {
                  pool.execute(new Runnable() {
                    @Override
                    public void run() {
                      try {
                        mismatches.put(matches(file) ? "" : file);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }
                  });
                }
                for (int i = 0; i < files.size(); i++) {
                  String file = mismatches.take();
                  if (!file.isEmpty()) {
                    return file;
                  }
                }
                return null;
              }

              boolean matches(String file) {
                return file.endsWith(".ok");
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeStoredTaskStartedOncePerWorker() {
    helper
        .addSourceLines(
            "WarmUp.java",
            """
            import java.util.concurrent.*;

            class WarmUp {
              private final ExecutorService pool = Executors.newCachedThreadPool();

              boolean allWarm(int workers) throws InterruptedException {
                BlockingQueue<Boolean> ready = new ArrayBlockingQueue<>(workers);
                Runnable warmUp = () -> {
                  try {
                    ready.put(load());
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                };
                for (int i = 0; i < workers; i++) {
                  pool.execute(warmUp);
                }
                for (int i = 0; i < workers; i++) {
                  if (!ready.take()) {
                    return false;
                  }
                }
                return true;
              }

              boolean load() {
                return true;
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationTasksThatEachInsertALoopOutnumberTheCapacity() {
    helper
        .addSourceLines(
            "WarmUp.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class WarmUp {
              private final ExecutorService pool = Executors.newCachedThreadPool();

              boolean allWarm(int workers, List<String> keys) throws InterruptedException {
                BlockingQueue<Boolean> ready = new ArrayBlockingQueue<>(workers);
                for (int i = 0; i < workers; i++) {
                  pool.execute(() -> {
                    try {
                      for (String key : keys) {
                        // BUG: Diagnostic contains: put() on 'ready' (new ArrayBlockingQueue<>(workers))
                        ready.put(load(key));
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
                }
                for (int i = 0; i < workers; i++) {
                  if (!ready.take()) {
                    return false;
                  }
                }
                return true;
              }

              boolean load(String key) {
                return !key.isEmpty();
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationTasksSpawnedFromForEachAreUncounted() {
    helper
        .addSourceLines(
            "HealthProbes.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class HealthProbes {
              private final ExecutorService pool = Executors.newFixedThreadPool(4);

              String firstDown(List<String> regions, List<String> services)
                  throws InterruptedException {
                BlockingQueue<String> down = new ArrayBlockingQueue<>(services.size());
                regions.forEach(region -> {
                  for (String service : services) {
                    pool.execute(() -> {
                      try {
                        // BUG: Diagnostic contains: put() on 'down' (new ArrayBlockingQueue<>(services.size()))
                        down.put(probe(region, service) ? "" : service);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    });
                  }
                });
                for (int i = 0; i < services.size(); i++) {
                  String failed = down.take();
                  if (!failed.isEmpty()) {
                    return failed;
                  }
                }
                return null;
              }

              boolean probe(String region, String service) {
                return !service.isEmpty();
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeOneSlotResultQueueFilledOnceOnEitherBranch() {
    // One put per pass into a fresh one-slot queue never waits, whether the caller is still there.
    helper
        .addSourceLines(
            "ListenerRegistry.java",
"""
            import java.util.Map;
            import java.util.concurrent.*;

            class ListenerRegistry {
              private final ExecutorService events = Executors.newSingleThreadExecutor();
              private final Map<String, Runnable> listeners = new java.util.HashMap<>();

              Runnable register(String name, Runnable listener) {
                BlockingQueue<Runnable> result = new ArrayBlockingQueue<>(1);
                events.submit(() -> {
                  Runnable existing = listeners.get(name);
                              if (existing == null) {
                    listeners.put(name, listener);
                    result.put(listener);
                  } else {
                    result.put(existing);
                  }
                  return null;
                });
                try {
                  return result.take();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return null;
                }
              }
            }
""")
        .doTest();
  }

  @Test
  void identificationOneSlotResultQueueFilledTwiceOnOnePath() {
    // The then branch puts twice: the second put waits for a caller who may have left.
    helper
        .addSourceLines(
            "ListenerRegistry.java",
"""
            import java.util.Map;
            import java.util.concurrent.*;

            class ListenerRegistry {
              private final ExecutorService events = Executors.newSingleThreadExecutor();
              private final Map<String, Runnable> listeners = new java.util.HashMap<>();

              Runnable register(String name, Runnable listener) {
                BlockingQueue<Runnable> result = new ArrayBlockingQueue<>(1);
                events.submit(() -> {
                  Runnable existing = listeners.get(name);
                              if (existing == null) {
                    listeners.put(name, listener);
                    // BUG: Diagnostic contains: the executor thread that runs the task passed to submit() (line 10) can block forever in put() on 'result' (new ArrayBlockingQueue<>(1)): every consumer can stop taking (line 25: takes a single element and stops)
                    result.put(listener);
                    // BUG: Diagnostic contains: the executor thread that runs the task passed to submit() (line 10) can block forever in put() on 'result' (new ArrayBlockingQueue<>(1)): every consumer can stop taking (line 25: takes a single element and stops)
                    result.put(listener);
                  } else {
                    // BUG: Diagnostic contains: the executor thread that runs the task passed to submit() (line 10) can block forever in put() on 'result' (new ArrayBlockingQueue<>(1)): every consumer can stop taking (line 25: takes a single element and stops)
                    result.put(existing);
                  }
                  return null;
                });
                try {
                  return result.take();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return null;
                }
              }
            }
""")
        .doTest();
  }

  @Test
  void identificationTwoPutsInSequenceIntoAOneSlotQueue() {
    // Sites count together unless they sit in opposite branches: a put after the if adds up.
    helper
        .addSourceLines(
            "ListenerRegistry.java",
"""
            import java.util.Map;
            import java.util.concurrent.*;

            class ListenerRegistry {
              private final ExecutorService events = Executors.newSingleThreadExecutor();
              private final Map<String, Runnable> listeners = new java.util.HashMap<>();

              Runnable register(String name, Runnable listener) {
                BlockingQueue<Runnable> result = new ArrayBlockingQueue<>(1);
                events.submit(() -> {
                  Runnable existing = listeners.get(name);
                              if (existing == null) {
                    listeners.put(name, listener);
                  } else {
                    // BUG: Diagnostic contains: the executor thread that runs the task passed to submit() (line 10) can block forever in put() on 'result' (new ArrayBlockingQueue<>(1)): every consumer can stop taking (line 23: takes a single element and stops)
                    result.put(existing);
                  }
                  // BUG: Diagnostic contains: the executor thread that runs the task passed to submit() (line 10) can block forever in put() on 'result' (new ArrayBlockingQueue<>(1)): every consumer can stop taking (line 23: takes a single element and stops)
                  result.put(listener);
                  return null;
                });
                try {
                  return result.take();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return null;
                }
              }
            }
""")
        .doTest();
  }
}
