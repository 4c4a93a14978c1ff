package io.leakedproducer.runtime.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs small test classes that use the extension through the JUnit Platform, and checks which of
 * their tests pass and fail. The fixture classes are nested, so surefire does not run them itself.
 */
@Timeout(120)
final class NoLeakedProducersTest {
  private static final long WAIT_SECONDS = 10;

  /** Set by {@link #run} only: a surefire {@code -Dtest} pattern may select the nested fixtures. */
  private static final String FIXTURE_SWITCH = "io.leakedproducer.test.fixtures";

  private static final String FIXTURES_ONLY =
      "io.leakedproducer.runtime.junit.NoLeakedProducersTest#launchedByNoLeakedProducersTest";

  /** Every thread a fixture parks; the test that ran the fixture releases them. */
  static final List<Thread> PARKED = new CopyOnWriteArrayList<>();

  /** The line of the {@code put} in {@link #produce}, recorded when it runs. */
  static final AtomicInteger PUT_LINE = new AtomicInteger(-1);

  @AfterEach
  void releaseParkedThreads() throws InterruptedException {
    for (Thread thread : PARKED) {
      thread.interrupt();
    }
    for (Thread thread : PARKED) {
      thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      assertFalse(thread.isAlive(), () -> "could not release " + thread.getName());
    }
    PARKED.clear();
  }

  static void produce(ArrayBlockingQueue<String> queue, String item) {
    try {
      PUT_LINE.set(new Throwable().getStackTrace()[0].getLineNumber() + 1);
      queue.put(item);
    } catch (InterruptedException e) {
      // released by the test that ran the fixture
    }
  }

  /** Starts a daemon thread that puts into a full queue, and waits until it is parked there. */
  static Thread strandProducer(String name) throws InterruptedException {
    ArrayBlockingQueue<String> queue = new ArrayBlockingQueue<>(1);
    queue.put("first");
    Thread producer = new Thread(() -> produce(queue, "second"), name);
    producer.setDaemon(true);
    PARKED.add(producer);
    producer.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    // No latch can say "now parked inside put": poll the thread's state, bounded.
    while (producer.getState() != Thread.State.WAITING
        || Arrays.stream(producer.getStackTrace())
            .noneMatch(f -> f.getMethodName().equals("put"))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " never parked in put()");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return producer;
  }

  static boolean launchedByNoLeakedProducersTest(ExtensionContext context) {
    return context.getConfigurationParameter(FIXTURE_SWITCH).isPresent();
  }

  @EnabledIf(FIXTURES_ONLY)
  @ExtendWith(NoLeakedProducers.class)
  static final class OneLeakingOneClean {
    @Test
    void leavesAProducerParked() throws InterruptedException {
      strandProducer("fixture-stranded-producer");
    }

    @Test
    void waitsForItsProducer() throws InterruptedException {
      ArrayBlockingQueue<String> queue = new ArrayBlockingQueue<>(1);
      queue.put("first");
      Thread producer = new Thread(() -> produce(queue, "second"), "fixture-finished-producer");
      producer.setDaemon(true);
      PARKED.add(producer);
      producer.start();
      assertEquals("first", queue.take());
      assertEquals("second", queue.take());
      producer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      assertFalse(producer.isAlive());
    }
  }

  @EnabledIf(FIXTURES_ONLY)
  @ExtendWith(NoLeakedProducers.class)
  static final class FailsAndLeaks {
    @Test
    void failsOnItsOwnAndLeaks() throws InterruptedException {
      strandProducer("fixture-failing-producer");
      throw new IllegalStateException("the test's own failure");
    }
  }

  @EnabledIf(FIXTURES_ONLY)
  static final class ConfiguredInstance {
    @RegisterExtension
    static final NoLeakedProducers NO_LEAKS =
        new NoLeakedProducers().ignoreThreadsNamed("fixture-ignored-.*").timeout(Duration.ZERO);

    @Test
    void leavesAnIgnoredProducerParked() throws InterruptedException {
      strandProducer("fixture-ignored-producer");
    }

    @Test
    void leavesAnotherProducerParked() throws InterruptedException {
      strandProducer("fixture-reported-producer");
    }
  }

  private static Events run(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter(FIXTURE_SWITCH, "true")
        .selectors(selectClass(fixture))
        .execute()
        .testEvents();
  }

  private static List<String> names(Events events) {
    return events.stream()
        .map(event -> event.getTestDescriptor().getDisplayName())
        .sorted()
        .collect(Collectors.toList());
  }

  private static Throwable failureOf(Event event) {
    return event
        .getPayload(TestExecutionResult.class)
        .flatMap(TestExecutionResult::getThrowable)
        .orElseThrow();
  }

  @Test
  void failsExactlyTheTestThatLeavesAProducerParked() {
    Events tests = run(OneLeakingOneClean.class);

    assertEquals(2, tests.started().count());
    assertEquals(List.of("waitsForItsProducer()"), names(tests.succeeded()));
    assertEquals(List.of("leavesAProducerParked()"), names(tests.failed()));
    Throwable failure = failureOf(tests.failed().list().get(0));
    assertInstanceOf(AssertionError.class, failure);
    String message = failure.getMessage();
    assertTrue(
        message.startsWith(
            "1 thread is stuck in a blocking queue insertion (still there after retrying for"
                + " 1000 ms):\n  thread \"fixture-stranded-producer\" (id "),
        message);
    assertTrue(
        message.contains(
            ") is parked in java.util.concurrent.ArrayBlockingQueue.put(ArrayBlockingQueue.java:"),
        message);
    assertTrue(
        message.contains(
            ", called from "
                + NoLeakedProducersTest.class.getName()
                + ".produce(NoLeakedProducersTest.java:"
                + PUT_LINE.get()
                + ")\n"),
        message);
  }

  @Test
  void aTestThatFailsOnItsOwnKeepsItsFailureAndGetsTheLeakAsSuppressed() {
    Events tests = run(FailsAndLeaks.class);

    assertEquals(List.of("failsOnItsOwnAndLeaks()"), names(tests.failed()));
    Throwable failure = failureOf(tests.failed().list().get(0));
    assertEquals("the test's own failure", failure.getMessage());
    assertEquals(1, failure.getSuppressed().length);
    assertInstanceOf(AssertionError.class, failure.getSuppressed()[0]);
    assertTrue(
        failure.getSuppressed()[0].getMessage().contains("thread \"fixture-failing-producer\""),
        failure.getSuppressed()[0].getMessage());
  }

  @Test
  void aRegisteredInstanceIgnoresThreadsByNameWithItsOwnTimeout() {
    Events tests = run(ConfiguredInstance.class);

    assertEquals(List.of("leavesAnIgnoredProducerParked()"), names(tests.succeeded()));
    assertEquals(List.of("leavesAnotherProducerParked()"), names(tests.failed()));
    String message = failureOf(tests.failed().list().get(0)).getMessage();
    assertTrue(
        message.startsWith(
            "1 thread is stuck in a blocking queue insertion (still there after retrying for 0 ms):"
                + "\n  thread \"fixture-reported-producer\""),
        message);
  }

  @Test
  void configurationIsValidatedWhenItIsMade() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new NoLeakedProducers().timeout(Duration.ofSeconds(-1)));
    assertThrows(
        java.util.regex.PatternSyntaxException.class,
        () -> new NoLeakedProducers().ignoreThreadsNamed("("));
  }
}
