package io.leakedproducer.runtime;

import static io.leakedproducer.runtime.TestSupport.assertCollected;
import static io.leakedproducer.runtime.TestSupport.assertNoneAlive;
import static io.leakedproducer.runtime.TestSupport.await;
import static io.leakedproducer.runtime.TestSupport.join;
import static io.leakedproducer.runtime.TestSupport.liveThreadsNamed;
import static io.leakedproducer.runtime.TestSupport.newThreadSet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakedproducer.runtime.TestSupport.RecordingThreadFactory;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BoundedDeleterTest {
  private static final Duration LIMIT = Duration.ofSeconds(20);
  private static final Pattern WORKER_NAME = Pattern.compile("bounded-deleter-\\d+-worker-\\d+");

  @AfterEach
  void noThreadOfOursIsLeftAndInterruptIsClear() {
    assertEquals(Set.of(), liveThreadsNamed(BoundedDeleter.THREAD_NAME_PREFIX));
    assertFalse(Thread.interrupted(), "test thread left interrupted");
  }

  static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().collect(Collectors.toList());
  }

  static final class Injected extends RuntimeException {
    Injected(String m) {
      super(m, null, false, false);
    }
  }

  static final class NotFound extends Exception {
    NotFound(String m) {
      super(m);
    }
  }

  // ---- Guarantee 1: bounded, exactly once -------------------------------------------------------

  @ParameterizedTest
  @CsvSource({"1,1", "1,5", "5,1", "100,1", "100,4", "1000,16", "3,64", "10000,7"})
  void deletesEveryItemExactlyOnce(int items, int workers) {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          AtomicIntegerArray count = new AtomicIntegerArray(items);
          Set<Thread> ran = newThreadSet();
          BoundedDeleter.deleteAll(
              range(items),
              workers,
              i -> {
                ran.add(Thread.currentThread());
                count.incrementAndGet(i);
              });
          for (int i = 0; i < items; i++) {
            assertEquals(1, count.get(i), "item " + i);
          }
          assertTrue(ran.size() <= Math.min(items, workers), "threads used: " + ran.size());
          assertNoneAlive(ran);
        });
  }

  @Test
  void atMostWorkersDeletesRunAtOnceAndTheBoundIsReached() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          int workers = 4;
          AtomicInteger active = new AtomicInteger();
          AtomicInteger max = new AtomicInteger();
          CountDownLatch allIn = new CountDownLatch(workers);
          BoundedDeleter.deleteAll(
              range(200),
              workers,
              i -> {
                int a = active.incrementAndGet();
                max.accumulateAndGet(a, Math::max);
                allIn.countDown();
                await(allIn); // the first `workers` deletes meet here: proves they run at once
                Thread.yield();
                active.decrementAndGet();
              });
          assertEquals(workers, max.get());
        });
  }

  // ---- Guarantee 2: fail fast
  // --------------------------------------------------------------------

  @Test
  void afterFirstFailureNoNewItemIsHandedOutAndInFlightDeletesFinish() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Set<Integer> started = new ConcurrentSkipListSet<>();
          AtomicBoolean inFlightFinished = new AtomicBoolean();
          AtomicInteger inFlightInterrupted = new AtomicInteger();
          CountDownLatch thrown = new CountDownLatch(1);
          Thread[] failingThread = new Thread[1];
          Injected failure = new Injected("item 1");
          ExecutionException e =
              assertThrows(
                  ExecutionException.class,
                  () ->
                      BoundedDeleter.deleteAll(
                          range(100),
                          2,
                          i -> {
                            started.add(i);
                            if (i == 0) {
                              // In flight while item 1 fails. The failing worker exits only once
                              // the failure is
                              // recorded, so after this join the run is stopped; then we finish
                              // normally.
                              await(thrown);
                              try {
                                join(failingThread[0]);
                              } catch (InterruptedException ie) {
                                inFlightInterrupted.incrementAndGet();
                                throw ie;
                              }
                              inFlightFinished.set(true);
                            } else if (i == 1) {
                              failingThread[0] = Thread.currentThread();
                              thrown.countDown();
                              throw failure;
                            }
                          }));
          assertSame(failure, e.getCause());
          assertEquals(0, e.getSuppressed().length);
          assertEquals(Set.of(0, 1), started, "items handed out");
          assertTrue(inFlightFinished.get(), "in-flight delete was not allowed to finish");
          assertEquals(0, inFlightInterrupted.get(), "in-flight delete was interrupted");
        });
  }

  @Test
  void firstFailureIsTheCauseAndLaterFailuresAreSuppressedInOrder() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch allIn = new CountDownLatch(3);
          Thread[] thread = new Thread[3];
          CountDownLatch[] threw = {
            new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1)
          };
          Injected[] failures = {new Injected("0"), new Injected("1"), new Injected("2")};
          ExecutionException e =
              assertThrows(
                  ExecutionException.class,
                  () ->
                      BoundedDeleter.deleteAll(
                          range(30),
                          3,
                          i -> {
                            thread[i] = Thread.currentThread();
                            allIn.countDown();
                            await(allIn); // items 0, 1, 2 are in flight together
                            if (i > 0) {
                              await(threw[i - 1]);
                              join(
                                  thread[
                                      i - 1]); // its failure has been recorded: the worker exited
                              // after it
                            }
                            threw[i].countDown();
                            throw failures[i];
                          }));
          assertSame(failures[0], e.getCause());
          assertArrayEquals(new Throwable[] {failures[1], failures[2]}, e.getSuppressed());
        });
  }

  @Test
  void errorsAreReportedNotSwallowedAndStopEvenContinueOnError() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          OutOfMemoryError oom = new OutOfMemoryError("injected");
          List<Integer> deleted = new CopyOnWriteArrayList<>();
          ExecutionException e =
              assertThrows(
                  ExecutionException.class,
                  () ->
                      BoundedDeleter.<Integer>builder()
                          .workers(1)
                          .continueOnError(true)
                          .tolerate(t -> true) // Errors are never tolerated
                          .build()
                          .deleteAll(
                              range(10),
                              i -> {
                                deleted.add(i);
                                if (i == 3) {
                                  throw oom;
                                }
                              }));
          assertSame(oom, e.getCause());
          assertEquals(List.of(0, 1, 2, 3), deleted);
        });
  }

  @Test
  void checkedExceptionIsTheCause() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          NotFound nf = new NotFound("x");
          ExecutionException e =
              assertThrows(
                  ExecutionException.class,
                  () ->
                      BoundedDeleter.deleteAll(
                          List.of("a"),
                          1,
                          s -> {
                            throw nf;
                          }));
          assertSame(nf, e.getCause());
        });
  }

  // ---- Guarantee 3: nothing leaks
  // ----------------------------------------------------------------

  @Test
  void workerThreadsAreNamedDaemonAndDeadWhenTheCallReturns() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Set<Thread> ran = newThreadSet();
          Set<Thread> seenDuringRun = newThreadSet();
          BoundedDeleter.deleteAll(
              range(1000),
              4,
              i -> {
                ran.add(Thread.currentThread());
                if (i == 500) {
                  seenDuringRun.addAll(liveThreadsNamed(BoundedDeleter.THREAD_NAME_PREFIX));
                }
              });
          assertFalse(ran.isEmpty());
          for (Thread t : ran) {
            assertTrue(WORKER_NAME.matcher(t.getName()).matches(), t.getName());
            assertTrue(t.isDaemon(), t.getName());
          }
          for (Thread t : seenDuringRun) {
            assertTrue(WORKER_NAME.matcher(t.getName()).matches(), t.getName());
          }
          assertFalse(seenDuringRun.isEmpty(), "prefix scan found our workers while running");
          assertNoneAlive(ran);
          assertNoneAlive(seenDuringRun);
        });
  }

  @Test
  void noThreadLeftAfterFailure() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          RecordingThreadFactory f = new RecordingThreadFactory("leak-check-fail-");
          assertThrows(
              ExecutionException.class,
              () ->
                  BoundedDeleter.<Integer>builder()
                      .workers(8)
                      .threadFactory(f)
                      .build()
                      .deleteAll(
                          range(1000),
                          i -> {
                            if (i % 97 == 5) {
                              throw new Injected("x");
                            }
                          }));
          // after a failure no further worker is started, so 1..8 threads were made
          assertTrue(f.threads.size() >= 1 && f.threads.size() <= 8, "threads " + f.threads.size());
          assertEquals(List.of(), f.alive());
        });
  }

  @Test
  void releasesTheItemsAfterSuccessFailureAndTimeout() throws Exception {
    for (String mode : List.of("success", "failure", "timeout", "interrupt")) {
      assertTimeoutPreemptively(LIMIT, () -> releasesItems(mode), mode);
    }
  }

  private static void releasesItems(String mode) throws Exception {
    ReferenceQueue<Object> q = new ReferenceQueue<>();
    List<Object> items = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      items.add(new byte[1024]);
    }
    WeakReference<Object> listRef = new WeakReference<>(items, q);
    WeakReference<Object> itemRef = new WeakReference<>(items.get(42), q);
    Thread caller = Thread.currentThread();
    AtomicInteger n = new AtomicInteger();
    Deleter<Object> deleter =
        item -> {
          int k = n.getAndIncrement();
          if (mode.equals("failure") && k == 10) {
            throw new Injected("x");
          }
          if (mode.equals("timeout") && k == 10) {
            Thread.sleep(TimeUnit.SECONDS.toMillis(TestSupport.WAIT_SECONDS));
          }
          if (mode.equals("interrupt") && k == 10) {
            caller.interrupt();
            Thread.sleep(TimeUnit.SECONDS.toMillis(TestSupport.WAIT_SECONDS));
          }
        };
    BoundedDeleter<Object> d =
        BoundedDeleter.builder().workers(3).deadline(Duration.ofMillis(200)).build();
    try {
      d.deleteAll(items, deleter);
    } catch (ExecutionException | InterruptedException expected) {
      assertFalse(mode.equals("success"), expected.toString());
    }
    items =
        null; // drop the caller's reference; the deleter (still reachable here) must not hold any
    assertCollected(itemRef, q, mode + ": item");
    assertCollected(listRef, q, mode + ": list");
    assertTrue(n.get() > 0);
    assertTrue(deleter != null && d != null);
  }

  @Test
  void releasesItemsEvenIfAnExecutorStillHoldsACancelledTask() {
    ExecutorService single = Executors.newSingleThreadExecutor();
    try {
      assertTimeoutPreemptively(LIMIT, () -> releasesItemsWithQueuedCancelledTask(single));
    } finally {
      single.shutdownNow();
    }
  }

  private static void releasesItemsWithQueuedCancelledTask(ExecutorService single)
      throws Exception {
    ReferenceQueue<Object> q = new ReferenceQueue<>();
    List<Object> items = new ArrayList<>(List.of(new Object(), new Object(), new Object()));
    WeakReference<Object> listRef = new WeakReference<>(items, q);
    WeakReference<Object> itemRef = new WeakReference<>(items.get(2), q);
    CountDownLatch never = new CountDownLatch(1);
    // A saturated executor: the first task runs, later ones stay queued (here: forever).
    List<Runnable> queued = new CopyOnWriteArrayList<>();
    java.util.concurrent.Executor saturated =
        r -> {
          if (queued.isEmpty() && single != null) {
            queued.add(() -> {}); // marker: the first task was handed to the real executor
            single.execute(r);
          } else {
            queued.add(r);
          }
        };
    // Worker 1 blocks until the deadline interrupts it; worker 2 stays queued and is cancelled.
    BoundedDeleter<Object> d =
        BoundedDeleter.builder()
            .workers(2)
            .executor(saturated)
            .deadline(Duration.ofMillis(100))
            .build();
    try {
      d.deleteAll(items, item -> await(never));
      throw new AssertionError("expected a timeout");
    } catch (ExecutionException e) {
      assertInstanceOf(TimeoutException.class, e.getCause());
    }
    assertEquals(2, queued.size(), "worker 2 is still held by the executor");
    items = null;
    assertCollected(itemRef, q, "item");
    assertCollected(listRef, q, "list");
    Reference.reachabilityFence(queued);
  }

  // ---- Guarantee 4: interruption
  // -----------------------------------------------------------------

  @Test
  void callerInterruptInterruptsWorkersWaitsForThemAndThrowsWithStatusCleared() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Thread caller = Thread.currentThread();
          int workers = 4;
          CountDownLatch allIn = new CountDownLatch(workers);
          AtomicInteger interrupted = new AtomicInteger();
          AtomicInteger finishedCleanup = new AtomicInteger();
          Set<Thread> ran = newThreadSet();
          InterruptedException ie =
              assertThrows(
                  InterruptedException.class,
                  () ->
                      BoundedDeleter.deleteAll(
                          range(100),
                          workers,
                          i -> {
                            ran.add(Thread.currentThread());
                            try {
                              allIn.countDown();
                              await(allIn); // our interrupt may already arrive here
                              if (i == 0) {
                                caller.interrupt();
                              }
                              Thread.sleep(TimeUnit.SECONDS.toMillis(TestSupport.WAIT_SECONDS));
                            } catch (InterruptedException e) {
                              interrupted.incrementAndGet();
                              // slow cleanup after the interrupt: the call must wait for it
                              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                              finishedCleanup.incrementAndGet();
                              throw e;
                            }
                          }));
          assertFalse(Thread.currentThread().isInterrupted(), "interrupt status must be cleared");
          assertEquals(workers, interrupted.get(), "every in-flight delete was interrupted");
          assertEquals(workers, finishedCleanup.get(), "the call waited for the workers");
          assertEquals(
              workers, ie.getSuppressed().length, "failures of interrupted deletes attached");
          assertNoneAlive(ran);
        });
  }

  @Test
  void alreadyInterruptedCallerThrowsAtOnceAndStartsNothing() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          RecordingThreadFactory f = new RecordingThreadFactory("pre-interrupted-");
          BoundedDeleter<Integer> d =
              BoundedDeleter.<Integer>builder().workers(2).threadFactory(f).build();
          Thread.currentThread().interrupt();
          assertThrows(InterruptedException.class, () -> d.deleteAll(range(5), i -> {}));
          assertFalse(Thread.currentThread().isInterrupted());
          assertEquals(0, f.threads.size());
          // empty input returns at once and leaves the status alone
          Thread.currentThread().interrupt();
          d.deleteAll(List.of(), i -> {});
          assertTrue(Thread.interrupted());
        });
  }

  // ---- Guarantee 5: bad input
  // --------------------------------------------------------------------

  @Test
  void badInput() {
    NullPointerException npe =
        assertThrows(NullPointerException.class, () -> BoundedDeleter.deleteAll(null, 1, x -> {}));
    assertEquals("items", npe.getMessage());
    npe =
        assertThrows(
            NullPointerException.class, () -> BoundedDeleter.deleteAll(List.of(1), 1, null));
    assertEquals("deleter", npe.getMessage());
    IllegalArgumentException iae =
        assertThrows(
            IllegalArgumentException.class, () -> BoundedDeleter.deleteAll(List.of(1), 0, x -> {}));
    assertEquals("workers must be >= 1, was 0", iae.getMessage());
    iae =
        assertThrows(
            IllegalArgumentException.class,
            () -> BoundedDeleter.deleteAll(List.of(1), -3, x -> {}));
    assertEquals("workers must be >= 1, was -3", iae.getMessage());
    BoundedDeleter<Object> d = BoundedDeleter.builder().workers(1).build();
    assertEquals(
        "items",
        assertThrows(NullPointerException.class, () -> d.deleteAll(null, x -> {})).getMessage());
    assertEquals(
        "deleter",
        assertThrows(NullPointerException.class, () -> d.deleteAll(List.of(), null)).getMessage());
  }

  @Test
  void emptyCollectionReturnsAtOnceAndStartsNoThread() throws Exception {
    RecordingThreadFactory f = new RecordingThreadFactory("empty-");
    AtomicInteger calls = new AtomicInteger();
    BoundedDeleter.<Object>builder()
        .workers(4)
        .threadFactory(f)
        .build()
        .deleteAll(List.of(), x -> calls.incrementAndGet());
    Collection<Integer> none = new TreeSet<>();
    BoundedDeleter.deleteAll(none, 4, x -> calls.incrementAndGet());
    assertEquals(0, calls.get());
    assertEquals(0, f.threads.size());
  }

  @Test
  void builderValidation() {
    assertEquals(
        "workers not set",
        assertThrows(IllegalStateException.class, () -> BoundedDeleter.builder().build())
            .getMessage());
    assertEquals(
        "workers must be >= 1, was 0",
        assertThrows(IllegalArgumentException.class, () -> BoundedDeleter.builder().workers(0))
            .getMessage());
    assertThrows(
        IllegalStateException.class,
        () ->
            BoundedDeleter.builder()
                .workers(1)
                .executor(Runnable::run)
                .threadFactory(Thread::new)
                .build());
    assertThrows(
        IllegalArgumentException.class, () -> BoundedDeleter.builder().deadline(Duration.ZERO));
    assertThrows(NullPointerException.class, () -> BoundedDeleter.builder().tolerate(null));
  }

  // ---- Options
  // -----------------------------------------------------------------------------------

  @Test
  void userExecutorRunsTheWorkersAndNoTaskOfOursRunsAfterReturn() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4, new RecordingThreadFactory("pool-"));
    try {
      assertTimeoutPreemptively(
          LIMIT,
          () -> {
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger max = new AtomicInteger();
            Set<Thread> ran = newThreadSet();
            BoundedDeleter<Integer> d =
                BoundedDeleter.<Integer>builder().workers(3).executor(pool).build();
            Deleter<Integer> del =
                i -> {
                  ran.add(Thread.currentThread());
                  max.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                  Thread.yield();
                  inFlight.decrementAndGet();
                  if (i == 777) {
                    throw new Injected("x");
                  }
                };
            d.deleteAll(range(500), del);
            assertEquals(0, inFlight.get());
            assertThrows(ExecutionException.class, () -> d.deleteAll(range(5000), del));
            assertEquals(0, inFlight.get());
            assertTrue(max.get() <= 3);
            assertTrue(ran.stream().allMatch(t -> t.getName().startsWith("pool-")));
            // The pool threads carry no stray interrupt from us.
            for (int k = 0; k < 8; k++) {
              assertFalse(pool.submit(() -> Thread.currentThread().isInterrupted()).get());
            }
          });
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anInterruptWeSentIsNotLeftOnTheExecutorsThread() {
    // A bare executor that, unlike ThreadPoolExecutor, does not clear interrupts between tasks.
    java.util.concurrent.BlockingQueue<Runnable> tasks =
        new java.util.concurrent.LinkedBlockingQueue<>();
    AtomicBoolean strayInterrupt = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    Thread executorThread =
        new Thread(
            () -> {
              while (!stop.get()) {
                Runnable r;
                try {
                  r = tasks.take();
                } catch (InterruptedException e) {
                  strayInterrupt.set(true);
                  continue;
                }
                r.run();
              }
            },
            "bare-executor");
    executorThread.setDaemon(true);
    executorThread.start();
    try {
      assertTimeoutPreemptively(
          LIMIT,
          () -> {
            // The delete swallows the deadline's interrupt but restores the status and returns.
            ExecutionException e =
                assertThrows(
                    ExecutionException.class,
                    () ->
                        BoundedDeleter.<Integer>builder()
                            .workers(1)
                            .executor(tasks::add)
                            .deadline(Duration.ofMillis(50))
                            .build()
                            .deleteAll(
                                range(3),
                                i -> {
                                  while (!Thread.currentThread().isInterrupted()) {
                                    LockSupport.park();
                                  }
                                }));
            assertInstanceOf(TimeoutException.class, e.getCause());
            CountDownLatch probed = new CountDownLatch(1);
            AtomicBoolean flagInNextTask = new AtomicBoolean();
            tasks.add(
                () -> {
                  flagInNextTask.set(Thread.currentThread().isInterrupted());
                  probed.countDown();
                });
            await(probed);
            assertFalse(
                strayInterrupt.get() || flagInNextTask.get(),
                "our interrupt leaked into the executor's next task");
          });
    } finally {
      stop.set(true);
      tasks.add(() -> {});
    }
  }

  @Test
  void rejectedWorkerStopsTheRunWaitsForStartedOnesAndRethrows() {
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try {
      assertTimeoutPreemptively(
          LIMIT,
          () -> {
            AtomicInteger submitted = new AtomicInteger();
            AtomicInteger inFlight = new AtomicInteger();
            CountDownLatch firstRunning = new CountDownLatch(1);
            java.util.concurrent.Executor rejectSecond =
                r -> {
                  if (submitted.incrementAndGet() > 1) {
                    throw new RejectedExecutionException("full");
                  }
                  pool.execute(r);
                };
            RejectedExecutionException e =
                assertThrows(
                    RejectedExecutionException.class,
                    () ->
                        BoundedDeleter.<Integer>builder()
                            .workers(2)
                            .executor(rejectSecond)
                            .build()
                            .deleteAll(
                                range(1_000_000),
                                i -> {
                                  inFlight.incrementAndGet();
                                  firstRunning.countDown();
                                  inFlight.decrementAndGet();
                                }));
            assertEquals("full", e.getMessage());
            assertEquals(0, inFlight.get());
          });
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void toleratedFailuresAreIgnoredAndDoNotStopTheRun() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          AtomicIntegerArray count = new AtomicIntegerArray(100);
          BoundedDeleter.<Integer>builder()
              .workers(4)
              .tolerate(e -> e instanceof NotFound)
              .build()
              .deleteAll(
                  range(100),
                  i -> {
                    count.incrementAndGet(i);
                    if (i % 2 == 1) {
                      throw new NotFound("gone " + i);
                    }
                  });
          for (int i = 0; i < 100; i++) {
            assertEquals(1, count.get(i));
          }
          // a non-tolerated failure still fails fast, and tolerated ones are not reported
          Injected bad = new Injected("bad");
          ExecutionException e =
              assertThrows(
                  ExecutionException.class,
                  () ->
                      BoundedDeleter.<Integer>builder()
                          .workers(1)
                          .tolerate(x -> x instanceof NotFound)
                          .build()
                          .deleteAll(
                              range(100),
                              i -> {
                                if (i == 50) {
                                  throw bad;
                                }
                                throw new NotFound("gone");
                              }));
          assertSame(bad, e.getCause());
          assertEquals(0, e.getSuppressed().length);
        });
  }

  @Test
  void aThrowingTolerancePredicateBecomesTheFailure() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Injected original = new Injected("original");
          Injected fromPredicate = new Injected("predicate");
          ExecutionException e =
              assertThrows(
                  ExecutionException.class,
                  () ->
                      BoundedDeleter.<Integer>builder()
                          .workers(1)
                          .tolerate(
                              x -> {
                                throw fromPredicate;
                              })
                          .build()
                          .deleteAll(
                              range(3),
                              i -> {
                                throw original;
                              }));
          assertSame(fromPredicate, e.getCause());
        });
  }

  @Test
  void deadlineInterruptsInFlightWaitsAndThrowsTimeoutCause() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          RecordingThreadFactory f = new RecordingThreadFactory("deadline-");
          Set<Integer> started = new ConcurrentSkipListSet<>();
          AtomicInteger interrupted = new AtomicInteger();
          CountDownLatch never = new CountDownLatch(1);
          long t0 = System.nanoTime();
          ExecutionException e =
              assertThrows(
                  ExecutionException.class,
                  () ->
                      BoundedDeleter.<Integer>builder()
                          .workers(2)
                          .threadFactory(f)
                          .deadline(Duration.ofMillis(100))
                          .build()
                          .deleteAll(
                              range(10),
                              i -> {
                                started.add(i);
                                try {
                                  await(never);
                                } catch (InterruptedException ie) {
                                  interrupted.incrementAndGet();
                                  throw ie;
                                }
                              }));
          long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
          assertInstanceOf(TimeoutException.class, e.getCause());
          assertTrue(BoundedDeleter.timedOut(e));
          assertTrue(ms >= 100 && ms < 5000, "took " + ms + " ms");
          assertEquals(Set.of(0, 1), started);
          assertEquals(2, interrupted.get());
          assertEquals(2, e.getSuppressed().length);
          assertEquals(List.of(), f.alive());
        });
  }

  @Test
  void deadlineAfterAFailureKeepsTheFailureAsCause() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Injected failure = new Injected("first");
          CountDownLatch never = new CountDownLatch(1);
          CountDownLatch allIn = new CountDownLatch(2);
          ExecutionException e =
              assertThrows(
                  ExecutionException.class,
                  () ->
                      BoundedDeleter.<Integer>builder()
                          .workers(2)
                          .deadline(Duration.ofMillis(100))
                          .build()
                          .deleteAll(
                              range(10),
                              i -> {
                                allIn.countDown();
                                await(allIn);
                                if (i == 0) {
                                  throw failure;
                                }
                                await(never); // in flight until the deadline interrupts it
                              }));
          assertSame(failure, e.getCause());
          assertTrue(BoundedDeleter.timedOut(e));
        });
  }

  @Test
  void deadlineNotReachedReturnsNormally() throws Exception {
    AtomicInteger n = new AtomicInteger();
    BoundedDeleter.<Integer>builder()
        .workers(2)
        .deadline(Duration.ofSeconds(30))
        .build()
        .deleteAll(range(1000), i -> n.incrementAndGet());
    assertEquals(1000, n.get());
  }

  @Test
  void continueOnErrorAttemptsEveryItemAndReportsAllFailures() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          AtomicIntegerArray count = new AtomicIntegerArray(20);
          List<Throwable> thrown = new CopyOnWriteArrayList<>();
          ExecutionException e =
              assertThrows(
                  ExecutionException.class,
                  () ->
                      BoundedDeleter.<Integer>builder()
                          .workers(1)
                          .continueOnError(true)
                          .build()
                          .deleteAll(
                              range(20),
                              i -> {
                                count.incrementAndGet(i);
                                if (i % 5 == 0) {
                                  Injected x = new Injected("item " + i);
                                  thrown.add(x);
                                  throw x;
                                }
                              }));
          for (int i = 0; i < 20; i++) {
            assertEquals(1, count.get(i));
          }
          assertSame(thrown.get(0), e.getCause());
          assertEquals(thrown.subList(1, 4), List.of(e.getSuppressed()));
          // with several workers every failure is still reported exactly once
          List<Throwable> thrown4 = new CopyOnWriteArrayList<>();
          ExecutionException e4 =
              assertThrows(
                  ExecutionException.class,
                  () ->
                      BoundedDeleter.<Integer>builder()
                          .workers(4)
                          .continueOnError(true)
                          .build()
                          .deleteAll(
                              range(1000),
                              i -> {
                                if (i % 10 == 0) {
                                  Injected x = new Injected("item " + i);
                                  thrown4.add(x);
                                  throw x;
                                }
                              }));
          List<Throwable> reported = new ArrayList<>();
          reported.add(e4.getCause());
          reported.addAll(List.of(e4.getSuppressed()));
          assertEquals(100, reported.size());
          assertEquals(Set.copyOf(thrown4), Set.copyOf(reported));
        });
  }
}
