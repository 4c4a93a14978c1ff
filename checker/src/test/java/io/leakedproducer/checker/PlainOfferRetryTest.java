package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * A loop that retries a plain {@code offer(e)} until it succeeds waits for room as long as a {@code
 * put} would (spec: "a retry loop around offer(e, t, unit) (or a plain offer) that never checks a
 * cancellation signal"), whether it sleeps, spins, or hands the offer to a helper that re-tests a
 * {@code BooleanSupplier}. A single offer whose failure drops the element, and a loop that makes
 * room itself, are not blocking insertions.
 */
final class PlainOfferRetryTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  private static final String LEAK =
      "// BUG: Diagnostic contains: the calling thread can block forever in a retry loop around"
          + " offer() that never checks for cancellation on 'inbound' (new"
          + " ArrayBlockingQueue<>(128)): every consumer can stop taking (line %d: clears its loop flag"
          + " 'stopped') and nothing cancels the producer (no Future.cancel(true), shutdownNow() or"
          + " Thread.interrupt() reaches it, and no stop signal is checked between offers)";

  /**
   * A network handler feeding an applier thread that polls until stopped and gives up on a
   * malformed message, setting {@code stopped} on its way out. The producer's code replaces {@code
   * %s}, starting on line 17.
   */
  private static String handler(String producer) {
    return """
        import java.util.concurrent.*;
        import java.util.function.BooleanSupplier;

        class MessageHandler {
          private final BlockingQueue<String> inbound = new ArrayBlockingQueue<>(128);
          private volatile boolean stopped;
          private final Thread applier = new Thread(this::applyLoop, "applier");
          private long dropped;

          void start() {
            applier.start();
          }

          void stop() {
            stopped = true;
          }

        %s

          static void awaitForever(BooleanSupplier condition, long interval, TimeUnit unit) {
            while (!condition.getAsBoolean()) {
              try {
                unit.sleep(interval);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }

          private void applyLoop() {
            try {
              while (!stopped) {
                String message = inbound.poll(1, TimeUnit.SECONDS);
                if (message == null) {
                  continue;
                }
                if (message.isEmpty()) {
                  stopped = true; // a malformed message ends the applier, and says so
                  return;
                }
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }
        """
        .formatted(producer.indent(2).stripTrailing());
  }

  @Test
  void identificationSleepingRetryOfAPlainOffer() {
    helper
        .addSourceLines(
            "MessageHandler.java",
            handler(
                """
                void handle(String message) throws InterruptedException {
                  %s
                  while (!inbound.offer(message)) {
                    Thread.sleep(100);
                  }
                }
                """
                    .formatted(LEAK.formatted(43))))
        .doTest();
  }

  @Test
  void identificationSpinningRetryOfAPlainOffer() {
    helper
        .addSourceLines(
            "MessageHandler.java",
            handler(
                """
                void handle(String message) {
                  while (true) {
                    %s
                    if (inbound.offer(message)) {
                      break;
                    }
                    Thread.onSpinWait();
                  }
                }
                """
                    .formatted(LEAK.formatted(46))))
        .doTest();
  }

  @Test
  void identificationOfferRetriedByAConditionHelper() {
    helper
        .addSourceLines(
            "MessageHandler.java",
            handler(
                """
                void handle(String message) {
                  %s
                  awaitForever(() -> inbound.offer(message), 100, TimeUnit.MILLISECONDS);
                }
                """
                    .formatted(LEAK.formatted(41))))
        .doTest();
  }

  @Test
  void negativeConditionHelperAlsoTestsTheStopFlag() {
    helper
        .addSourceLines(
            "MessageHandler.java",
            handler(
                """
                void handle(String message) {
                  if (stopped) {
                    return;
                  }
                  awaitForever(() -> stopped || inbound.offer(message), 100, TimeUnit.MILLISECONDS);
                }
                """))
        .doTest();
  }

  @Test
  void negativeRetryLoopChecksTheStopFlag() {
    helper
        .addSourceLines(
            "MessageHandler.java",
            handler(
                """
                void handle(String message) throws InterruptedException {
                  while (!inbound.offer(message)) {
                    if (stopped) {
                      return;
                    }
                    Thread.sleep(100);
                  }
                }
                """))
        .doTest();
  }

  @Test
  void negativeFailedOfferDropsTheMessage() {
    helper
        .addSourceLines(
            "MessageHandler.java",
            handler(
                """
                void handle(String message) {
                  if (!inbound.offer(message)) {
                    dropped++;
                  }
                }
                """))
        .doTest();
  }

  @Test
  void negativeRetryLoopMakesRoomByDroppingTheOldest() {
    helper
        .addSourceLines(
            "MessageHandler.java",
            handler(
                """
                void handle(String message) {
                  while (!inbound.offer(message)) {
                    inbound.poll();
                    dropped++;
                  }
                }
                """))
        .doTest();
  }

  @Test
  void negativeEachMessageOfferedOnceInAForEach() {
    helper
        .addSourceLines(
            "MessageHandler.java",
            handler(
                """
                void handleAll(java.util.List<String> messages) {
                  for (String message : messages) {
                    if (inbound.offer(message)) {
                      continue;
                    }
                    dropped++;
                  }
                }
                """))
        .doTest();
  }

  @Test
  void negativeRetryWhileAWaiterCountReReadEachRoundIsPositive() {
    // HikariCP's ConcurrentBag: the loop re-reads the waiter count, which every borrower lowers
    // in its finally; a local re-read each round stands for the count it is read from.
    helper
        .addSourceLines(
            "ConnectionBag.java",
            """
            import java.util.concurrent.*;
            import java.util.concurrent.atomic.AtomicInteger;

            class ConnectionBag {
              private final SynchronousQueue<String> handoff = new SynchronousQueue<>(true);
              private final AtomicInteger waiters = new AtomicInteger();
              private final AtomicInteger spinBudget = new AtomicInteger(1_000_000);

              String borrow(long timeoutMillis) throws InterruptedException {
                waiters.incrementAndGet();
                try {
                  String connection = handoff.poll(timeoutMillis, TimeUnit.MILLISECONDS);
                  if (connection == null) {
                    return null;
                  }
                  return connection;
                } finally {
                  waiters.decrementAndGet();
                }
              }

              void requite(String connection) {
                for (int waiting = waiters.get(); waiting > 0; waiting = waiters.get()) {
                  if (handoff.offer(connection)) {
                    return;
                  }
                  Thread.yield();
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationRetryWhileABudgetNoConsumerChanges() {
    // The same loop on a value only the owner sets: nothing the borrowers do ends the spin.
    helper
        .addSourceLines(
            "ConnectionBag.java",
            """
            import java.util.concurrent.*;
            import java.util.concurrent.atomic.AtomicInteger;

            class ConnectionBag {
              private final SynchronousQueue<String> handoff = new SynchronousQueue<>(true);
              private final AtomicInteger waiters = new AtomicInteger();
              private final AtomicInteger spinBudget = new AtomicInteger(1_000_000);

              String borrow(long timeoutMillis) throws InterruptedException {
                waiters.incrementAndGet();
                try {
                  String connection = handoff.poll(timeoutMillis, TimeUnit.MILLISECONDS);
                  if (connection == null) {
                    return null;
                  }
                  return connection;
                } finally {
                  waiters.decrementAndGet();
                }
              }

              void requite(String connection) {
                for (int waiting = spinBudget.get(); waiting > 0; waiting = spinBudget.get()) {
                  // BUG: Diagnostic contains: the calling thread can block forever in a retry loop around offer() that never checks for cancellation on 'handoff' (a synchronous handoff: new SynchronousQueue<>(true))
                  if (handoff.offer(connection)) {
                    return;
                  }
                  Thread.yield();
                }
              }
            }
            """)
        .doTest();
  }
}
