package io.leakedproducer.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakedproducer.runtime.LeakedProducers.Kind;
import io.leakedproducer.runtime.LeakedProducers.StuckProducer;
import io.leakedproducer.runtime.LeakedProducers.Verifier;
import io.leakedproducer.runtime.Producers.Started;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/** What the verifier reports, what it leaves alone, and how it retries. */
@Timeout(120)
final class LeakedProducersTest {
  /** Retry window for checks that are expected to report (they retry for all of it). */
  private static final Duration SHORT = Duration.ofMillis(200);

  /** A window no passing check may sit out: the ones expected to be clean return at once. */
  private static final Duration LONG = Duration.ofSeconds(60);

  private final Producers producers = new Producers();

  @AfterEach
  void releaseProducers() throws InterruptedException {
    producers.close();
  }

  private static <Q extends BlockingQueue<String>> Q full(Q queue) {
    while (queue.offer("filler")) {
      // fill to capacity
    }
    return queue;
  }

  /**
   * Asserts that {@code verifier} (whose timeout is {@code timeout}) finds exactly {@code
   * producer}, stuck in {@code insertion} (a {@code Class.method} name) and called from this file
   * at the producer's recorded line, and that {@code verify()} fails with a message naming all
   * three.
   */
  private static void assertReportedAlone(
      Verifier verifier,
      Duration timeout,
      Started producer,
      boolean virtual,
      Kind kind,
      String insertion) {
    List<StuckProducer> stuck = verifier.stuckProducers();
    assertEquals(1, stuck.size(), "stuck: " + stuck);
    StuckProducer found = stuck.get(0);
    assertEquals(producer.thread().getName(), found.threadName());
    assertEquals(producer.id(), found.threadId());
    assertEquals(virtual, found.virtual());
    assertEquals(kind, found.kind());
    assertEquals(
        insertion,
        found.insertionFrame().getClassName() + "." + found.insertionFrame().getMethodName());
    assertEquals(LeakedProducersTest.class.getName(), found.callerFrame().getClassName());
    assertEquals("LeakedProducersTest.java", found.callerFrame().getFileName());
    assertEquals(producer.line().number(), found.callerFrame().getLineNumber());

    AssertionError error = assertThrows(AssertionError.class, verifier::verify);
    String message = error.getMessage();
    assertTrue(
        message.startsWith(
            "1 thread is stuck in a blocking queue insertion (still there after retrying for "
                + timeout.toMillis()
                + " ms):\n  thread \""
                + producer.thread().getName()
                + "\" (id "
                + producer.id()
                + (virtual ? ", virtual" : "")
                + ") "
                + (kind == Kind.BLOCKING_INSERTION ? "is parked in " : "keeps re-entering a timed ")
                + insertion
                + "("),
        message);
    assertTrue(
        message.contains(", called from " + LeakedProducersTest.class.getName() + ".lambda$"),
        message);
    assertTrue(
        message.contains("(LeakedProducersTest.java:" + producer.line().number() + ")\n"), message);
  }

  @Test
  void arrayBlockingQueuePutIsReportedWithItsThreadAndCaller() {
    Verifier verifier = LeakedProducers.verifier().ignoreCurrent().timeout(SHORT);
    ArrayBlockingQueue<String> queue = full(new ArrayBlockingQueue<>(1));
    Started producer = producers.start("abq-producer", line -> queue.put(line.at("item")));
    producer.awaitParkedIn("put");

    assertReportedAlone(
        verifier,
        SHORT,
        producer,
        false,
        Kind.BLOCKING_INSERTION,
        ArrayBlockingQueue.class.getName() + ".put");
  }

  @Test
  void linkedBlockingDequePutLastIsReported() {
    Verifier verifier = LeakedProducers.verifier().ignoreCurrent().timeout(SHORT);
    LinkedBlockingDeque<String> deque = full(new LinkedBlockingDeque<>(2));
    Started producer = producers.start("deque-producer", line -> deque.putLast(line.at("item")));
    producer.awaitParkedIn("putLast");

    assertReportedAlone(
        verifier,
        SHORT,
        producer,
        false,
        Kind.BLOCKING_INSERTION,
        LinkedBlockingDeque.class.getName() + ".putLast");
  }

  @Test
  void synchronousQueuePutIsReported() {
    Verifier verifier = LeakedProducers.verifier().ignoreCurrent().timeout(SHORT);
    SynchronousQueue<String> handoff = new SynchronousQueue<>();
    Started producer = producers.start("sync-producer", line -> handoff.put(line.at("item")));
    producer.awaitParkedIn("put");

    assertReportedAlone(
        verifier,
        SHORT,
        producer,
        false,
        Kind.BLOCKING_INSERTION,
        SynchronousQueue.class.getName() + ".put");
  }

  @Test
  void linkedTransferQueueTransferIsReported() {
    Verifier verifier = LeakedProducers.verifier().ignoreCurrent().timeout(SHORT);
    LinkedTransferQueue<String> queue = new LinkedTransferQueue<>();
    Started producer =
        producers.start("transfer-producer", line -> queue.transfer(line.at("item")));
    producer.awaitParkedIn("transfer");

    assertReportedAlone(
        verifier,
        SHORT,
        producer,
        false,
        Kind.BLOCKING_INSERTION,
        LinkedTransferQueue.class.getName() + ".transfer");
  }

  @Test
  void cancellableBoundedQueuePutIsReportedWithTheCallerOutsideTheLibrary() {
    Verifier verifier = LeakedProducers.verifier().ignoreCurrent().timeout(SHORT);
    CancellableBoundedQueue<String> queue = full(new CancellableBoundedQueue<>(1));
    Started producer = producers.start("cbq-producer", line -> queue.put(line.at("item")));
    producer.awaitParkedIn("put");

    assertReportedAlone(
        verifier,
        SHORT,
        producer,
        false,
        Kind.BLOCKING_INSERTION,
        CancellableBoundedQueue.class.getName() + ".put");
  }

  @Test
  void timedOfferRetryLoopIsReported() {
    Duration timeout = Duration.ofMillis(500);
    Verifier verifier = LeakedProducers.verifier().ignoreCurrent().timeout(timeout);
    LinkedBlockingQueue<String> queue = full(new LinkedBlockingQueue<>(1));
    Started producer =
        producers.start(
            "offer-loop",
            line -> {
              // 100 ms per offer: on a loaded machine each wake-up can wait tens of milliseconds
              // to be scheduled, and with 10 ms offers that RUNNABLE time was once more than half
              // of the window, so the verifier rightly did not call the loop parked.
              while (!queue.offer(line.at("item"), 100, TimeUnit.MILLISECONDS)) {
                // retry until a consumer takes: nothing ever will
              }
            });
    producer.awaitParkedIn("offer");

    assertReportedAlone(
        verifier,
        timeout,
        producer,
        false,
        Kind.TIMED_OFFER_LOOP,
        LinkedBlockingQueue.class.getName() + ".offer");
  }

  @Test
  @EnabledForJreRange(min = JRE.JAVA_21, disabledReason = "virtual threads need JDK 21+")
  void virtualThreadParkedInPutIsReported() throws ReflectiveOperationException {
    Verifier verifier = LeakedProducers.verifier().ignoreCurrent().timeout(SHORT);
    ArrayBlockingQueue<String> queue = full(new ArrayBlockingQueue<>(1));
    Started producer =
        producers.startVirtual("virtual-producer", line -> queue.put(line.at("item")));
    producer.awaitParkedIn("put");

    assertReportedAlone(
        verifier,
        SHORT,
        producer,
        true,
        Kind.BLOCKING_INSERTION,
        ArrayBlockingQueue.class.getName() + ".put");
  }

  @Test
  void consumersAreNeverReportedAndACleanCheckTakesOneSample() {
    Started[] consumers = {
      producers.start("abq-take", line -> new ArrayBlockingQueue<String>(1).take()),
      producers.start(
          "lbq-poll", line -> new LinkedBlockingQueue<String>(1).poll(1, TimeUnit.HOURS)),
      producers.start("deque-take", line -> new LinkedBlockingDeque<String>(1).takeFirst()),
      // JDK 17's SynchronousQueue.take parks in an internal method named transfer.
      producers.start("sync-take", line -> new SynchronousQueue<String>().take()),
      producers.start("ltq-take", line -> new LinkedTransferQueue<String>().take()),
      producers.start("cbq-take", line -> new CancellableBoundedQueue<String>(1).take()),
    };
    consumers[0].awaitParkedIn("take");
    consumers[1].awaitParkedIn("poll");
    consumers[2].awaitParkedIn("takeFirst");
    consumers[3].awaitParkedIn("take");
    consumers[4].awaitParkedIn("take");
    consumers[5].awaitParkedIn("take");
    AtomicInteger samples = new AtomicInteger();

    List<StuckProducer> stuck =
        LeakedProducers.verifier()
            .timeout(LONG)
            .onSample(sample -> samples.incrementAndGet())
            .stuckProducers();

    assertEquals(List.of(), stuck);
    assertEquals(1, samples.get(), "a check that finds nothing must not retry");
    LeakedProducers.verifier().timeout(LONG).verify();
  }

  @Test
  void producerReleasedDuringTheRetryWindowIsNotReported() throws InterruptedException {
    ArrayBlockingQueue<String> queue = full(new ArrayBlockingQueue<>(1));
    Started producer = producers.start("finishing", line -> queue.put(line.at("item")));
    producer.awaitParkedIn("put");
    CountDownLatch seenStuck = new CountDownLatch(1);
    // The consumer comes back only once the verifier has seen the producer stuck.
    Started consumer =
        producers.start(
            "late-consumer",
            line -> {
              seenStuck.await();
              queue.take();
              queue.take();
            });
    List<List<StuckProducer>> samples = new CopyOnWriteArrayList<>();

    LeakedProducers.verifier()
        .timeout(LONG)
        .onSample(
            sample -> {
              samples.add(sample);
              if (sample.stream().anyMatch(p -> p.threadId() == producer.id())) {
                seenStuck.countDown();
              }
            })
        .verify();

    assertEquals(List.of(producer.id()), ids(samples.get(0)), "first sample: " + samples.get(0));
    assertTrue(samples.size() >= 2, "the verifier should have retried");
    assertEquals(List.of(), samples.get(samples.size() - 1));
    TestSupport.join(producer.thread());
    TestSupport.join(consumer.thread());
  }

  @Test
  void singleTimedOfferThatSucceedsIsNotALoop() throws InterruptedException {
    LinkedBlockingQueue<String> queue = full(new LinkedBlockingQueue<>(1));
    CountDownLatch seenInOffer = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Started producer =
        producers.start(
            "one-offer",
            line -> {
              queue.offer(line.at("item"), 1, TimeUnit.HOURS);
              done.await(); // stays alive, outside any queue, for the rest of the window
            });
    producer.awaitParkedIn("offer");
    Started consumer =
        producers.start(
            "releaser",
            line -> {
              seenInOffer.await();
              queue.take();
            });
    AtomicInteger sightings = new AtomicInteger();

    List<StuckProducer> stuck =
        LeakedProducers.verifier()
            .ignoreThreadsNamed("releaser")
            .timeout(Duration.ofMillis(500))
            .onSample(
                sample -> {
                  if (sample.stream().anyMatch(p -> p.threadId() == producer.id())) {
                    sightings.incrementAndGet();
                    seenInOffer.countDown();
                  }
                })
            .stuckProducers();

    assertEquals(List.of(), stuck);
    assertTrue(sightings.get() >= 1, "the verifier should have seen the producer in offer()");
    assertTrue(producer.thread().isAlive(), "the producer should still be alive at the end");
    done.countDown();
    TestSupport.join(producer.thread());
    TestSupport.join(consumer.thread());
  }

  @Test
  void ignoreCurrentSkipsThreadsAliveBeforeIt() {
    ArrayBlockingQueue<String> queue = full(new ArrayBlockingQueue<>(1));
    Started before = producers.start("started-before", line -> queue.put(line.at("item")));
    before.awaitParkedIn("put");
    Verifier verifier = LeakedProducers.verifier().ignoreCurrent().timeout(SHORT);
    Started after = producers.start("started-after", line -> queue.put(line.at("item")));
    after.awaitParkedIn("put");

    assertEquals(List.of(after.id()), ids(verifier.stuckProducers()));
    assertEquals(
        List.of(after.id(), before.id()), // sorted by name
        ids(
            LeakedProducers.verifier()
                .ignoreThreadsNamed("(?!started-).*")
                .timeout(SHORT)
                .stuckProducers()));
  }

  @Test
  void ignoreThreadsNamedMatchesTheWholeName() {
    Verifier verifier = LeakedProducers.verifier().ignoreCurrent().timeout(SHORT);
    ArrayBlockingQueue<String> queue = full(new ArrayBlockingQueue<>(1));
    Started pool = producers.start("pool-7-worker", line -> queue.put(line.at("item")));
    Started other = producers.start("pool-7-workers", line -> queue.put(line.at("item")));
    pool.awaitParkedIn("put");
    other.awaitParkedIn("put");

    assertEquals(
        List.of(other.id()), ids(verifier.ignoreThreadsNamed("pool-\\d+-worker").stuckProducers()));
    verifier.ignoreThreadsNamed(Pattern.compile("pool-7-workers"));
    verifier.timeout(LONG).verify();
  }

  @Test
  void verifyNoneSeesEveryThread() throws InterruptedException {
    ArrayBlockingQueue<String> queue = full(new ArrayBlockingQueue<>(1));
    Started producer = producers.start("global-producer", line -> queue.put(line.at("item")));
    producer.awaitParkedIn("put");

    AssertionError error = assertThrows(AssertionError.class, LeakedProducers::verifyNone);
    assertTrue(error.getMessage().contains("thread \"global-producer\" (id "), error.getMessage());

    queue.clear(); // lets the producer's put complete
    TestSupport.join(producer.thread());
    LeakedProducers.verifyNone();
  }

  @Test
  void interruptStopsTheRetriesAndIsKept() {
    ArrayBlockingQueue<String> queue = full(new ArrayBlockingQueue<>(1));
    Started producer = producers.start("interrupted-wait", line -> queue.put(line.at("item")));
    producer.awaitParkedIn("put");
    AtomicInteger samples = new AtomicInteger();

    Thread.currentThread().interrupt();
    List<StuckProducer> stuck =
        LeakedProducers.verifier()
            .ignoreThreadsNamed("(?!interrupted-wait).*")
            .timeout(LONG)
            .onSample(sample -> samples.incrementAndGet())
            .stuckProducers();

    assertTrue(Thread.interrupted(), "the interrupt status should be set again");
    assertEquals(List.of(producer.id()), ids(stuck));
    assertEquals(1, samples.get(), "an interrupted caller gets a single sample");
  }

  @Test
  void negativeTimeoutIsRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LeakedProducers.verifier().timeout(Duration.ofMillis(-1)));
    assertEquals("timeout must not be negative, was PT-0.001S", e.getMessage());
  }

  @Test
  void stackWithoutStateIsJudgedByItsParkFrame() {
    // JDK 21's JSON thread dump gives a virtual thread's stack but not its state.
    StackTraceElement[] parkedInPut = {
      frame("java.lang.VirtualThread", "park"),
      frame("java.util.concurrent.locks.LockSupport", "park"),
      frame("java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject", "await"),
      frame("java.util.concurrent.ArrayBlockingQueue", "put"),
      frame("com.example.Uploader", "lambda$upload$0"),
      frame("java.lang.VirtualThread", "run"),
    };
    StuckProducer stuck =
        LeakedProducers.classify(new LeakedProducers.Sample(41, "", true, null, parkedInPut));
    assertEquals(Kind.BLOCKING_INSERTION, stuck.kind());
    assertEquals("put", stuck.insertionFrame().getMethodName());
    assertEquals("com.example.Uploader", stuck.callerFrame().getClassName());

    StackTraceElement[] runningInPut = {
      frame("java.util.concurrent.ArrayBlockingQueue", "enqueue"),
      frame("java.util.concurrent.ArrayBlockingQueue", "put"),
      frame("com.example.Uploader", "lambda$upload$0"),
    };
    assertEquals(
        null,
        LeakedProducers.classify(new LeakedProducers.Sample(42, "", true, null, runningInPut)));

    // JDK 17's SynchronousQueue.take parks in SynchronousQueue$TransferStack.transfer.
    StackTraceElement[] takingFromHandoff = {
      frame("jdk.internal.misc.Unsafe", "park"),
      frame("java.util.concurrent.locks.LockSupport", "park"),
      frame("java.util.concurrent.SynchronousQueue$TransferStack", "transfer"),
      frame("java.util.concurrent.SynchronousQueue", "take"),
      frame("com.example.Consumer", "run"),
    };
    assertEquals(
        null,
        LeakedProducers.classify(
            new LeakedProducers.Sample(
                43, "consumer", false, Thread.State.WAITING, takingFromHandoff)));
  }

  @Test
  void callerFallsBackToTheFrameBelowTheInsertionForALibraryOnlyStack() {
    StackTraceElement[] internal = {
      frame("jdk.internal.misc.Unsafe", "park"),
      frame("java.util.concurrent.locks.LockSupport", "park"),
      frame("io.leakedproducer.runtime.CancellableBoundedQueue", "put"),
      frame("io.leakedproducer.runtime.BoundedDeleter$Worker", "run"),
      frame("java.lang.Thread", "run"),
    };
    StuckProducer stuck =
        LeakedProducers.classify(
            new LeakedProducers.Sample(44, "w", false, Thread.State.WAITING, internal));
    assertEquals(
        "io.leakedproducer.runtime.BoundedDeleter$Worker", stuck.callerFrame().getClassName());
  }

  private static StackTraceElement frame(String className, String method) {
    return new StackTraceElement(className, method, null, -1);
  }

  private static List<Long> ids(List<StuckProducer> stuck) {
    List<Long> ids = new ArrayList<>();
    for (StuckProducer producer : stuck) {
      ids.add(producer.threadId());
    }
    assertFalse(ids.contains(Thread.currentThread().getId()));
    return ids;
  }
}
