package io.leakedproducer.checker;

import com.google.errorprone.BugCheckerRefactoringTestHelper;
import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * A retry loop written in two places: the offer's result is kept in a local ({@code accepted =
 * q.offer(e, t, unit)}) and the loop goes round again while it is false ({@code do { .. } while
 * (!accepted)}). It waits for room as long as {@code while (!q.offer(..))} does, so it is a
 * blocking insertion, safe only when the loop also tests a signal set on the consumers' exit path.
 * A kept result that the loop does not re-test (the element is dropped on failure) is not a retry.
 */
final class OfferResultRetryTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());
  private final BugCheckerRefactoringTestHelper refactoring =
      BugCheckerRefactoringTestHelper.newInstance(LeakedProducer.class, getClass());

  private static final String LEAK =
      "// BUG: Diagnostic contains: the thread 'collector' (created at line 30) can block forever"
          + " in a retry loop around offer() that never checks for cancellation on 'samples' (new"
          + " ArrayBlockingQueue<>(16)): every consumer can stop taking (line 20: throw"
          + " IllegalArgumentException when processing an element fails) and nothing cancels the"
          + " producer";

  /**
   * A metrics forwarder: a sender thread that dies on a malformed sample, and a collector thread
   * whose retry loop replaces {@code %s}, starting on line 34.
   */
  private static String forwarder(String retry) {
    return """
        import java.util.concurrent.*;
        import java.util.concurrent.atomic.AtomicBoolean;

        class MetricsForwarder {
          private final BlockingQueue<String> samples = new ArrayBlockingQueue<>(16);
          private final AtomicBoolean senderStopped = new AtomicBoolean();
          private long retries;

          void startSender() {
            new Thread(() -> {
              try {
                while (true) {
                  String sample;
                  try {
                    sample = samples.take();
                  } catch (InterruptedException e) {
                    return;
                  }
                  if (!sample.contains("=")) {
                    throw new IllegalArgumentException("malformed sample " + sample);
                  }
                }
              } finally {
                senderStopped.set(true);
              }
            }, "metrics-sender").start();
          }

          void startCollector() {
            Thread collector = new Thread(() -> {
              try {
                for (int i = 0; ; i++) {
                  String sample = "cpu=" + i;
        %s
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }, "metrics-collector");
            collector.start();
          }
        }
        """
        .formatted(retry.indent(10).stripTrailing());
  }

  @Test
  void identificationDoWhileRetestsTheKeptResult() {
    helper
        .addSourceLines(
            "MetricsForwarder.java",
            forwarder(
                """
                boolean accepted;
                do {
                  %s
                  accepted = samples.offer(sample, 25, TimeUnit.MILLISECONDS);
                  if (!accepted) {
                    retries++;
                  }
                } while (!accepted);
                """
                    .formatted(LEAK)))
        .doTest();
  }

  @Test
  void identificationWhileLoopAssignsTheResultInItsBody() {
    helper
        .addSourceLines(
            "MetricsForwarder.java",
            forwarder(
                """
                boolean accepted = false;
                while (!accepted) {
                  %s
                  accepted = samples.offer(sample, 25, TimeUnit.MILLISECONDS);
                }
                """
                    .formatted(LEAK)))
        .doTest();
  }

  @Test
  void negativeTheLoopAlsoTestsTheFlagTheSenderSetsInItsFinally() {
    helper
        .addSourceLines(
            "MetricsForwarder.java",
            forwarder(
                """
                boolean accepted;
                do {
                  accepted = samples.offer(sample, 25, TimeUnit.MILLISECONDS);
                } while (!accepted && !senderStopped.get());
                if (!accepted) {
                  return;
                }
                """))
        .doTest();
  }

  @Test
  void negativeAKeptResultThatNoLoopRetestsDropsTheSample() {
    helper
        .addSourceLines(
            "MetricsForwarder.java",
            forwarder(
                """
                boolean accepted = samples.offer(sample, 25, TimeUnit.MILLISECONDS);
                if (!accepted) {
                  retries++;
                }
                """))
        .doTest();
  }

  /**
   * On the event loop, the only thread that drains, a full queue is emptied by the sender itself
   * between its offers: it never waits for another thread to take.
   */
  @Test
  void negativeTheRetryLoopDrainsTheQueueItselfThroughAHelper() {
    helper
        .addSourceLines(
            "EventSender.java",
            """
            import java.util.concurrent.*;

            class EventSender {
              interface Channel {
                boolean isWritable();

                void write(String event);
              }

              private final BlockingQueue<String> events = new LinkedBlockingQueue<>(100);
              private final Channel channel;

              EventSender(Channel channel) {
                this.channel = channel;
              }

              private void writeEventsIfPossible() {
                while (!events.isEmpty() && channel.isWritable()) {
                  channel.write(events.poll());
                }
              }

              void sendOnEventLoop(String event) throws InterruptedException {
                boolean offered = events.offer(event);
                while (!offered) {
                  writeEventsIfPossible();
                  offered = events.offer(event, 1, TimeUnit.MILLISECONDS);
                }
              }
            }
            """)
        .doTest();
  }

  /** The fix tests the consumers-gone flag first in each round, before the offer is retried. */
  @Test
  void replacementDoWhileGetsTheCheckFirstInItsBody() {
    refactoring
        .addInputLines(
            "Forwarder.java",
            """
            import java.util.concurrent.*;

            class Forwarder {
              private final BlockingQueue<String> samples = new ArrayBlockingQueue<>(16);

              Forwarder() {
                new Thread(this::send).start();
              }

              void collect(String sample) throws InterruptedException {
                boolean accepted;
                do {
                  accepted = samples.offer(sample, 25, TimeUnit.MILLISECONDS);
                } while (!accepted);
              }

              private void send() {
                while (true) {
                  String sample;
                  try {
                    sample = samples.take();
                  } catch (InterruptedException e) {
                    return;
                  }
                  if (sample.isEmpty()) {
                    throw new IllegalArgumentException("empty sample");
                  }
                }
              }
            }
            """)
        .addOutputLines(
            "Forwarder.java",
            """
            import java.util.concurrent.*;

            class Forwarder {
              private final BlockingQueue<String> samples = new ArrayBlockingQueue<>(16);

              /** Set once nothing will take from 'samples' any more: producers stop offering. */
              private volatile boolean samplesConsumersGone;

              Forwarder() {
                new Thread(this::send).start();
              }

              void collect(String sample) throws InterruptedException {
                boolean accepted;
                do {
                  if (samplesConsumersGone) {
                    return;
                  }
                  accepted = samples.offer(sample, 25, TimeUnit.MILLISECONDS);
                } while (!accepted);
              }

              private void send() {
                try {
                  while (true) {
                    String sample;
                    try {
                      sample = samples.take();
                    } catch (InterruptedException e) {
                      return;
                    }
                    if (sample.isEmpty()) {
                      throw new IllegalArgumentException("empty sample");
                    }
                  }
                } finally {
                  samplesConsumersGone = true;
                }
              }
            }
            """)
        .doTest(BugCheckerRefactoringTestHelper.TestMode.TEXT_MATCH);
  }
}
