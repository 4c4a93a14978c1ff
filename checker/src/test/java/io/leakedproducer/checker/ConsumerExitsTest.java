package io.leakedproducer.checker;

import static io.leakedproducer.checker.ShipperSource.leaky;
import static io.leakedproducer.checker.ShipperSource.safe;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/** How consumers stop taking early, each next to the same consumer made to keep taking. */
final class ConsumerExitsTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  private void check(String source) {
    helper.addSourceLines("Shipper.java", source).doTest();
  }

  @Test
  void identificationReturnThatIsNotEndOfStream() {
    check(
        leaky(
            LeakyPrograms.RETURN_THAT_IS_NOT_END_OF_STREAM,
            "every consumer can stop taking (line 29: return after a matching element)"));
  }

  @Test
  void negativeReturnOnPoisonPill() {
    check(
        safe(
            """
        while (true) {
          String line = outbox.take();
          if (line == EOF) {
            return line;
          }
        }
        """));
  }

  @Test
  void identificationBreakInCatch() {
    check(leaky(LeakyPrograms.BREAK_IN_CATCH, "(line 31: break in catch (IOException))"));
  }

  @Test
  void negativeCatchLogAndContinue() {
    check(
        safe(
            """
        while (true) {
          String line = outbox.take();
          if (EOF.equals(line)) {
            break;
          }
          try {
            send(line);
          } catch (IOException e) {
            log(e);
            continue;
          }
        }
        """));
  }

  @Test
  void identificationThrowFromCatch() {
    check(
        leaky(
            LeakyPrograms.THROW_FROM_CATCH,
            "(line 32: throw UncheckedIOException in catch (IOException))"));
  }

  @Test
  void negativeThrowCaughtInsideTheLoop() {
    check(
        safe(
            """
        while (true) {
          String line = outbox.take();
          if (line == EOF) {
            return null;
          }
          try {
            if (!send(line)) {
              throw new IllegalStateException("rejected");
            }
          } catch (IllegalStateException | IOException e) {
            log(e);
          }
        }
        """));
  }

  @Test
  void identificationCatchExceptionReturn() {
    check(leaky(LeakyPrograms.CATCH_EXCEPTION_RETURN, "(line 33: return in catch (Exception))"));
  }

  @Test
  void identificationCheckedExceptionEscapesTheLoop() {
    check(
        leaky(
            LeakyPrograms.CHECKED_EXCEPTION_ESCAPES_THE_LOOP,
            "(line 31: send() can throw IOException out of the take loop)"));
  }

  @Test
  void negativeCheckedExceptionCaughtInsideTheLoop() {
    check(
        safe(
            """
        while (true) {
          String line = outbox.take();
          if (line == EOF) {
            break;
          }
          try {
            send(line);
          } catch (IOException e) {
            log(e);
          }
        }
        """));
  }

  @Test
  void identificationFindFirst() {
    check(leaky(LeakyPrograms.FIND_FIRST, "(line 30: clears its loop flag 'found')"));
  }

  @Test
  void identificationPollTimeoutGivesUp() {
    check(leaky(LeakyPrograms.POLL_TIMEOUT_GIVES_UP, "(line 29: return when poll() returns null)"));
  }

  @Test
  void negativePollTimeoutChecksProducerDone() {
    check(
        safe(
            """
        while (true) {
          String line = outbox.poll(5, TimeUnit.SECONDS);
          if (line == null && producerDone.get()) {
            return "done";
          }
        }
        """));
  }

  @Test
  void identificationPollLoopStopsWhenEmpty() {
    check(
        leaky(LeakyPrograms.POLL_LOOP_STOPS_WHEN_EMPTY, "(line 27: stops when poll() times out)"));
  }

  @Test
  void identificationIsEmptyLoop() {
    check(
        leaky(
            LeakyPrograms.IS_EMPTY_LOOP,
            "(line 26: stops as soon as the queue is momentarily empty)"));
  }

  @Test
  void negativeDrainUntilProducerDone() {
    check(
        safe(
            """
        while (!producerDone.get() || !outbox.isEmpty()) {
          String line = outbox.poll(10, TimeUnit.MILLISECONDS);
          if (line != null) {
            log(new Exception(line));
          }
        }
        """));
  }

  @Test
  void identificationDeclaredUncheckedExceptionKillsConsumerThread() {
    check(
        leaky(
            LeakyPrograms.DECLARED_UNCHECKED_EXCEPTION_KILLS_CONSUMER_THREAD,
            "(line 31: parseInt() can throw NumberFormatException out of the take loop)"));
  }

  @Test
  void negativeUndeclaredUncheckedExceptionsAreNotCounted() {
    check(
        safe(
            """
        new Thread(() -> {
          long total = 0;
          try {
            while (true) {
              String line = outbox.take();
              total += line.trim().charAt(0);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }).start();
        """));
  }

  @Test
  void identificationSingleTake() {
    check(leaky(LeakyPrograms.SINGLE_TAKE, "(line 26: takes a single element and stops)"));
  }

  @Test
  void identificationCountedConsumerTakesFewer() {
    check(leaky(LeakyPrograms.COUNTED_CONSUMER_TAKES_FEWER, "(line 27: stops after 10 elements)"));
  }

  @Test
  void negativeCountedConsumerTakesEverything() {
    check(
        safe(
            """
        List<String> all = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
          all.add(outbox.take());
        }
        """));
  }

  /** A while loop over a local counter is a counted loop too. */
  @Test
  void identificationCountedWhileConsumerTakesFewer() {
    check(
        leaky(
            """
        List<String> firstTen = new ArrayList<>();
        int taken = 0;
        while (taken < 10) {
          firstTen.add(outbox.take());
          taken++;
        }
        """,
            "(line 28: stops after 10 elements)"));
  }

  @Test
  void negativeCountedWhileConsumerTakesEverything() {
    check(
        safe(
            """
        List<String> all = new ArrayList<>();
        int taken = 0;
        while (taken < lines.size()) {
          all.add(outbox.take());
          taken++;
        }
        """));
  }

  @Test
  void identificationLoopFlagClearedOnError() {
    check(
        leaky(
            LeakyPrograms.LOOP_FLAG_CLEARED_ON_ERROR, "(line 32: clears its loop flag 'running')"));
  }

  @Test
  void identificationLabeledBreakLeavesBothLoops() {
    check(
        leaky(
            LeakyPrograms.LABELED_BREAK_LEAVES_BOTH_LOOPS,
            "(line 32: break after a matching element)"));
  }

  @Test
  void negativeLabeledContinueKeepsTaking() {
    check(
        safe(
            """
        lines:
        while (true) {
          String line = outbox.take();
          for (char c : line.toCharArray()) {
            if (c == '#') {
              continue lines;
            }
          }
          if (line == EOF) {
            break;
          }
        }
        """));
  }

  @Test
  void negativeInterruptedConsumerIsCancellationNotFailure() {
    check(
        safe(
            """
        pool.execute(() -> {
          while (true) {
            try {
              String line = outbox.take();
              if (line == EOF) {
                return;
              }
            } catch (InterruptedException e) {
              return;
            }
          }
        });
        """));
  }

  @Test
  void negativeOneOfTwoConsumersNeverStops() {
    check(
        safe(
            """
        pool.execute(() -> {
          try {
            while (true) {
              if (!send(outbox.take())) {
                return;
              }
            }
          } catch (InterruptedException | IOException e) {
            Thread.currentThread().interrupt();
          }
        });
        pool.execute(() -> {
          while (true) {
            try {
              String line = outbox.take();
              if (line == EOF) {
                return;
              }
              send(line);
            } catch (Exception e) {
              log(e);
            }
          }
        });
        """));
  }

  @Test
  void identificationTimeoutOrPillIsStillATimeout() {
    check(
        leaky(
            """
        while (true) {
          String line = outbox.poll(5, TimeUnit.SECONDS);
          if (line == null || line.equals(EOF)) {
            return "stopped";
          }
        }
        """,
            "(line 29: return when poll() returns null)"));
  }

  @Test
  void negativeEmptyStringIsThePill() {
    helper
        .addSourceLines(
            "Dispatcher.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class Dispatcher {
              void dispatch(List<String> events, int senders) {
                TransferQueue<String> outbox = new LinkedTransferQueue<>();
                new Thread(() -> {
                  try {
                    for (String event : events) {
                      outbox.transfer(event);
                    }
                    for (int w = 0; w < senders; w++) {
                      outbox.transfer("");
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }).start();
                for (int w = 0; w < senders; w++) {
                  new Thread(() -> {
                    try {
                      while (true) {
                        String event = outbox.take();
                        if (event.isEmpty()) {
                          return;
                        }
                        try {
                          post(event);
                        } catch (RuntimeException e) {
                          System.err.println("dead-lettered " + event);
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }).start();
                }
              }

              void post(String event) {}
            }
            """)
        .doTest();
  }

  @Test
  void negativeNullTestOnBlockingTakeNeverEndsTheLoop() {
    check(
        safe(
            """
        String line;
        while ((line = outbox.take()) != null) {
          try {
            send(line);
          } catch (IOException e) {
            log(e);
          }
        }
        """));
  }

  @Test
  void identificationRetryFlagDerivedFromTheTakenElement() {
    helper
        .addSourceLines(
            "JobRunner.java",
            """
            import java.util.concurrent.*;

            class JobRunner {
              private final BlockingQueue<String> jobs = new ArrayBlockingQueue<>(16);

              JobRunner(ExecutorService pool) {
                pool.execute(this::work);
              }

              void submit(String job) throws InterruptedException {
                // BUG: Diagnostic contains: every consumer can stop taking (line 22: clears its loop flag 'waiting')
                jobs.put(job);
              }

              private void work() {
                try {
                  boolean waiting;
                  int idlePolls = 0;
                  do {
                    String job = jobs.poll(1, TimeUnit.SECONDS);
                    // Gives up after three empty polls while producers may still submit.
                    waiting = job == null ? ++idlePolls < 3 : run(job);
                  } while (waiting);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              private boolean run(String job) {
                return true;
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeWaitLoopOnTheElementReturnedByTheUnitsReceive() {
    helper
        .addSourceLines(
            "JobRunner.java",
            """
            import java.util.concurrent.*;

            class JobRunner {
              private final BlockingQueue<String> jobs = new ArrayBlockingQueue<>(16);

              JobRunner(ExecutorService pool) {
                pool.execute(this::work);
              }

              void submit(String job) throws InterruptedException {
                jobs.put(job);
              }

              private String receive(long timeout, TimeUnit unit) throws InterruptedException {
                return jobs.poll(timeout, unit);
              }

              private void work() {
                try {
                  while (true) {
                    String job;
                    // Waits for the next job: 'job' is the element received, not a flag.
                    do {
                      job = receive(1, TimeUnit.SECONDS);
                    } while (job == null);
                    try {
                      run(job);
                    } catch (RuntimeException e) {
                      System.err.println("job failed: " + e);
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              private void run(String job) {}
            }
            """)
        .doTest();
  }

  @Test
  void identificationTakeHelperJudgedByItsCallersLoop() {
    // nextJob() returns one job per call: the exit that matters is the caller's, on a failed job.
    check(
        """
            import java.util.concurrent.*;

            class JobRunner {
              private final BlockingQueue<Runnable> jobs = new ArrayBlockingQueue<>(32);
              private final long idleMillis;

              JobRunner(ExecutorService pool, long idleMillis) {
                this.idleMillis = idleMillis;
                pool.execute(this::work);
              }

              void submit(Runnable job) throws InterruptedException {
                // BUG: Diagnostic contains: can block forever in put() on 'jobs' (new ArrayBlockingQueue<>(32)): every consumer can stop taking (line 37: return in catch (RuntimeException))
                jobs.put(job);
              }

              /** Waits until one job arrives and returns it; idle rounds just wait again. */
              private Runnable nextJob() {
                while (true) {
                  try {
                    Runnable job = idleMillis <= 0 ? jobs.take() : jobs.poll(idleMillis, TimeUnit.MILLISECONDS);
                    if (job != null) {
                      return job;
                    }
                  } catch (InterruptedException e) {
                    // keep waiting: this runner lives as long as the process
                  }
                }
              }

              private void work() {
                while (true) {
                  Runnable job = nextJob();
                  try {
                    job.run();
                  } catch (RuntimeException e) {
                    return;
                  }
                }
              }
            }
            """);
  }

  @Test
  void negativeTakeHelperWhoseCallerNeverStops() {
    // The helper's `return job` hands one element back; the caller loops forever: nobody stops.
    check(
        """
            import java.util.concurrent.*;

            class JobRunner {
              private final BlockingQueue<Runnable> jobs = new ArrayBlockingQueue<>(32);
              private final long idleMillis;

              JobRunner(ExecutorService pool, long idleMillis) {
                this.idleMillis = idleMillis;
                pool.execute(this::work);
              }

              void submit(Runnable job) throws InterruptedException {
                jobs.put(job);
              }

              /** Waits until one job arrives and returns it; idle rounds just wait again. */
              private Runnable nextJob() {
                while (true) {
                  try {
                    Runnable job = idleMillis <= 0 ? jobs.take() : jobs.poll(idleMillis, TimeUnit.MILLISECONDS);
                    if (job != null) {
                      return job;
                    }
                  } catch (InterruptedException e) {
                    // keep waiting: this runner lives as long as the process
                  }
                }
              }

              private void work() {
                while (true) {
                  Runnable job = nextJob();
                  try {
                    job.run();
                  } catch (RuntimeException e) {
                    System.err.println("job failed: " + e);
                  }
                }
              }
            }
            """);
  }
}
