package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * Consumers stopped by their owner (spec: "how consumers stop taking", "a close() that forgets the
 * producer"): a lifecycle method or a callback clears the take loop's flag or interrupts the
 * consumer's thread, and the callers that insert after it park for good. An interrupt of the
 * consumer's thread is the consumer's exit, not a cancellation of the producer; a flag test before
 * a blocking put is check-then-act. Safe when the same method also stops the producer, or when the
 * consumer stops only after the producers are done.
 */
final class OwnerStopsTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  @Test
  void closeClearsTheLoopFlagAndInterruptsTheSender() {
    helper
        .addSourceLines(
            "FrameSender.java",
            """
            import java.util.concurrent.*;

            public class FrameSender implements AutoCloseable {
              private final BlockingQueue<byte[]> frames = new ArrayBlockingQueue<>(100);
              private volatile boolean running = true;
              private final Thread worker = new Thread(this::run, "frame-sender");

              public FrameSender() {
                worker.start();
              }

              public void send(byte[] frame) throws InterruptedException {
                // BUG: Diagnostic contains: the calling thread can block forever in put() on 'frames' (new ArrayBlockingQueue<>(100)): every consumer can stop taking (line 32: close() clears its loop flag 'running') and nothing cancels the producer
                frames.put(frame);
              }

              private void run() {
                while (running) {
                  try {
                    byte[] frame = frames.take();
                    write(frame);
                  } catch (InterruptedException e) {
                    break;
                  }
                }
              }

              private void write(byte[] frame) {}

              @Override
              public void close() {
                running = false;
                worker.interrupt();
              }
            }
            """)
        .doTest();
  }

  @Test
  void stopClearsAnAtomicFlagReadThroughCanRunAndTheProducerChecksThenActs() {
    helper
        .addSourceLines(
            "Connection.java",
            """
            import java.util.concurrent.*;
            import java.util.concurrent.atomic.AtomicBoolean;

            class Connection {
              private final BlockingQueue<String> outbound = new LinkedBlockingQueue<>(64);
              private final AtomicBoolean keepRunning = new AtomicBoolean(true);
              private final Thread sender = new Thread(this::drain, "conn-sender");
              private volatile boolean connected = true;

              void open() {
                sender.start();
              }

              void send(String message) throws InterruptedException {
                if (canRun()) {
                  // BUG: Diagnostic contains: every consumer can stop taking (line 41: stop() clears its loop flag 'keepRunning')
                  outbound.put(message);
                }
              }

              private boolean canRun() {
                return keepRunning.get() && connected;
              }

              private void drain() {
                while (canRun()) {
                  try {
                    String message = outbound.poll(100, TimeUnit.MILLISECONDS);
                    if (message != null) {
                      transmit(message);
                    }
                  } catch (InterruptedException e) {
                    // stopping: the loop test sees keepRunning cleared
                  }
                }
              }

              private void transmit(String message) {}

              void stop() {
                keepRunning.set(false);
              }
            }
            """)
        .doTest();
  }

  @Test
  void shutdownInterruptsTheConsumerThreadThatLeavesOnInterruption() {
    helper
        .addSourceLines(
            "AuditTrail.java",
            """
            import java.util.concurrent.*;

            public class AuditTrail {
              private final BlockingQueue<String> events = new ArrayBlockingQueue<>(256);
              private final Thread writer;

              public AuditTrail() {
                writer = new Thread(this::writeLoop, "audit-writer");
                writer.setDaemon(true);
                writer.start();
              }

              public void record(String event) throws InterruptedException {
                // BUG: Diagnostic contains: every consumer can stop taking (line 31: shutdown() interrupts its thread) and nothing cancels the producer
                events.put(event);
              }

              private void writeLoop() {
                while (true) {
                  try {
                    persist(events.take());
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              }

              private void persist(String event) {}

              public void shutdown() {
                writer.interrupt();
              }
            }
            """)
        .doTest();
  }

  @Test
  void aCallbackOfTheLibraryClearsTheLoopFlag() {
    helper
        .addSourceLines(
            "TelemetryChannel.java",
            """
            import java.util.concurrent.*;

            public class TelemetryChannel {
              /** Called by the transport library on its own thread. */
              public interface Listener {
                void onDisconnected();
              }

              private final BlockingQueue<double[]> samples = new LinkedBlockingQueue<>(32);
              private volatile boolean connected = true;

              public Listener listener() {
                return new Listener() {
                  @Override
                  public void onDisconnected() {
                    connected = false;
                  }
                };
              }

              public void start() {
                new Thread(this::pump, "telemetry-pump").start();
              }

              public void publish(double[] sample) throws InterruptedException {
                // BUG: Diagnostic contains: every consumer can stop taking (line 16: onDisconnected() clears its loop flag 'connected')
                samples.put(sample);
              }

              private void pump() {
                while (connected) {
                  try {
                    double[] sample = samples.poll(1, TimeUnit.SECONDS);
                    if (sample != null) {
                      upload(sample);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              private void upload(double[] sample) {}
            }
            """)
        .doTest();
  }

  /**
   * The drainer is a Thread subclass handed the deque; the owner's shutdown() stops it through the
   * drainer's own halt(), which clears the flag its loop tests.
   */
  @Test
  void shutdownStopsTheDrainerThroughItsHaltHelper() {
    helper.addSourceLines("Dispatcher.java", dispatcher("shutdown")).doTest();
  }

  /** halt() that only the drainer itself calls, on a poison message, is no owner stop. */
  @Test
  void negativeTheHaltHelperIsCalledByNoLifecycleMethod() {
    helper
        .addSourceLines(
            "Dispatcher.java", dispatcher("reconfigure").replaceAll("(?m)^ *// BUG: .*\n", ""))
        .doTest();
  }

  /**
   * The appender's stop() first closes its entry (started = false, tested by append before each
   * put), then stops the dispatcher, which drains what is left in a helper after its loop.
   */
  @Test
  void negativeStopClosesTheEntryAndTheDispatcherDrainsTheRestInAHelper() {
    helper.addSourceLines("AsyncAppender.java", asyncAppender(true)).doTest();
  }

  /** The same appender without the entry test: a caller that passed it parks for good. */
  @Test
  void theDispatcherDrainsButNothingClosesTheEntry() {
    helper.addSourceLines("AsyncAppender.java", asyncAppender(false)).doTest();
  }

  private static String asyncAppender(boolean entryTested) {
    return """
        import java.util.concurrent.*;
        import java.util.concurrent.atomic.AtomicBoolean;

        class AsyncAppender {
          private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(128);
          private volatile boolean started;
          private Dispatcher dispatcher;

          void start() {
            dispatcher = new Dispatcher();
            dispatcher.start();
            started = true;
          }

          void stop() throws InterruptedException {
            started = false;
            dispatcher.halt(1000);
          }

          void append(String event) throws InterruptedException {
            %s
            %s
            queue.put(event);
          }

          private final class Dispatcher extends Thread {
            private final AtomicBoolean stopped = new AtomicBoolean();

            @Override
            public void run() {
              dispatchAll();
              dispatchRemaining();
            }

            private void dispatchAll() {
              while (!stopped.get()) {
                try {
                  write(queue.take());
                } catch (InterruptedException e) {
                  return;
                }
              }
            }

            private void dispatchRemaining() {
              for (String event = queue.poll(); event != null; event = queue.poll()) {
                write(event);
              }
            }

            void halt(long timeoutMillis) throws InterruptedException {
              stopped.set(true);
              join(timeoutMillis);
            }

            private void write(String event) {}
          }
        }
        """
        .formatted(
            entryTested
                ? "if (!started) {\n      throw new IllegalStateException(\"not started\");\n    }"
                : "",
            entryTested
                ? ""
                : "// BUG: Diagnostic contains: (line 17: stop() clears its loop flag 'stopped')");
  }

  /**
   * A public packetizer's public stop(): its holder may call it at any time, even though the unit's
   * own demo calls it only after sending a frame itself on the same thread.
   */
  @Test
  void publicStopOfAPublicClassRunsWheneverItsHolderCallsIt() {
    helper
        .addSourceLines(
            "Packetizer.java",
            packetizer(
                "public ", "// BUG: Diagnostic contains: (line 13: stop() interrupts its thread)"))
        .doTest();
  }

  /** The same class kept package-private: only the unit's calls run stop(), after the send. */
  @Test
  void negativePackagePrivateStopRunsOnlyAfterTheUnitsOwnSend() {
    helper.addSourceLines("Packetizer.java", packetizer("", "")).doTest();
  }

  private static String packetizer(String visibility, String marker) {
    return """
        import java.util.concurrent.*;

        %sclass Packetizer implements Runnable {
          private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>(4);
          private Thread sender;

          %svoid start() {
            sender = new Thread(this, "sender");
            sender.start();
          }

          %svoid stop() {
            sender.interrupt();
          }

          @Override
          public void run() {
            while (true) {
              try {
                transmit(frames.take());
              } catch (InterruptedException e) {
                return;
              }
            }
          }

          %svoid sendFrame(byte[] frame) throws InterruptedException {
            %s
            frames.put(frame);
          }

          private void transmit(byte[] frame) {}

          static void demo() throws InterruptedException {
            Packetizer packetizer = new Packetizer();
            packetizer.start();
            packetizer.sendFrame(new byte[16]);
            packetizer.stop();
          }
        }
        """
        .formatted(visibility, visibility, visibility, visibility, marker);
  }

  /** A dispatcher whose {@code stopper} method calls {@code drainer.halt()}. */
  private static String dispatcher(String stopper) {
    return """
        import java.util.concurrent.*;

        class Dispatcher {
          static final class Drainer extends Thread {
            private final BlockingDeque<String> deque;
            private volatile boolean running = true;

            Drainer(BlockingDeque<String> deque) {
              this.deque = deque;
            }

            void halt() {
              running = false;
            }

            @Override
            public void run() {
              while (running) {
                try {
                  send(deque.take());
                } catch (InterruptedException e) {
                  return;
                }
              }
            }

            private void send(String message) {}
          }

          private final BlockingDeque<String> deque = new LinkedBlockingDeque<>(4);
          private final Drainer drainer = new Drainer(deque);

          void start() {
            drainer.start();
          }

          void submit(String message) throws InterruptedException {
            // BUG: Diagnostic contains: (line 43: shutdown() clears its loop flag 'running')
            deque.putLast(message);
          }

          void %s() {
            drainer.halt();
          }
        }
        """
        .formatted(stopper);
  }

  @Test
  void negativeTheSameFlagIsCheckedBetweenTimedOffers() {
    helper
        .addSourceLines(
            "FrameSender.java",
            """
            import java.util.concurrent.*;

            public class FrameSender implements AutoCloseable {
              private final BlockingQueue<byte[]> frames = new ArrayBlockingQueue<>(100);
              private volatile boolean running = true;
              private final Thread worker = new Thread(this::run, "frame-sender");

              public FrameSender() {
                worker.start();
              }

              public boolean send(byte[] frame) throws InterruptedException {
                while (running) {
                  if (frames.offer(frame, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                  }
                }
                return false;
              }

              private void run() {
                while (running) {
                  try {
                    write(frames.take());
                  } catch (InterruptedException e) {
                    break;
                  }
                }
              }

              private void write(byte[] frame) {}

              @Override
              public void close() {
                running = false;
                worker.interrupt();
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }

  @Test
  void negativeCloseSetsTheFlagThenClearsTheQueue() {
    helper
        .addSourceLines(
            "FrameSender.java",
            """
            import java.util.concurrent.*;

            public class FrameSender implements AutoCloseable {
              private final BlockingQueue<byte[]> frames = new ArrayBlockingQueue<>(100);
              private volatile boolean running = true;
              private final Thread worker = new Thread(this::run, "frame-sender");

              public FrameSender() {
                worker.start();
              }

              public void send(byte[] frame) throws InterruptedException {
                if (!running) {
                  throw new IllegalStateException("closed");
                }
                frames.put(frame);
              }

              private void run() {
                while (running) {
                  try {
                    write(frames.take());
                  } catch (InterruptedException e) {
                    break;
                  }
                }
              }

              private void write(byte[] frame) {}

              @Override
              public void close() {
                running = false;
                frames.clear();
                worker.interrupt();
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }

  @Test
  void negativeStopAlsoInterruptsTheFeederThread() {
    helper
        .addSourceLines(
            "Replayer.java",
            """
            import java.util.concurrent.*;

            class Replayer {
              private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(8);
              private volatile boolean running = true;
              private final Thread feeder = new Thread(this::feed, "replay-feeder");
              private final Thread applier = new Thread(this::apply, "replay-applier");

              void start() {
                feeder.start();
                applier.start();
              }

              private void feed() {
                try {
                  for (int i = 0; ; i++) {
                    lines.put("line " + i);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              private void apply() {
                while (running) {
                  try {
                    handle(lines.take());
                  } catch (InterruptedException e) {
                    break;
                  }
                }
              }

              private void handle(String line) {}

              void stop() {
                running = false;
                feeder.interrupt();
                applier.interrupt();
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }

  @Test
  void negativeTheConsumerDrainsUntilEmptyAndProducersTestTheFlag() {
    helper
        .addSourceLines(
            "Journal.java",
            """
            import java.util.concurrent.*;

            public class Journal {
              private final BlockingQueue<String> entries = new LinkedBlockingQueue<>(128);
              private volatile boolean open = true;

              public void start() {
                new Thread(this::flushLoop, "journal-flusher").start();
              }

              public void append(String entry) throws InterruptedException {
                if (open) {
                  entries.put(entry);
                }
              }

              private void flushLoop() {
                while (open || !entries.isEmpty()) {
                  try {
                    String entry = entries.poll(50, TimeUnit.MILLISECONDS);
                    if (entry != null) {
                      write(entry);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              private void write(String entry) {}

              public void close() {
                open = false;
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }

  @Test
  void negativeTheWorkerFlushesWhatIsLeftAndProducersTestTheFlag() {
    helper
        .addSourceLines(
            "AsyncLog.java",
            """
            import java.util.concurrent.*;

            public class AsyncLog {
              private final BlockingQueue<String> events = new ArrayBlockingQueue<>(256);
              private volatile boolean started;
              private final Thread worker = new Thread(this::work, "async-log");

              public void start() {
                started = true;
                worker.start();
              }

              public void log(String event) throws InterruptedException {
                if (isStarted()) {
                  events.put(event);
                }
              }

              boolean isStarted() {
                return started;
              }

              private void work() {
                while (isStarted()) {
                  try {
                    write(events.take());
                  } catch (InterruptedException e) {
                    break;
                  }
                }
                for (String event : events) {
                  write(event);
                  events.remove(event);
                }
              }

              private void write(String event) {}

              public void stop() {
                started = false;
                worker.interrupt();
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }

  /**
   * As above, but the started flag, its test before append() and its clearing in stop() live in a
   * superclass of another file (logback's AsyncAppenderBase and UnsynchronizedAppenderBase): the
   * consumer drains on its way out and stop() runs the superclass's stop(), so whether a producer
   * can still arrive after the drain is not decidable in this file; the check stays silent.
   */
  @Test
  void negativeTheWorkerFlushesAndStopRunsTheSuperclassStopOfAnotherFile() {
    helper
        .addSourceLines(
            "AppenderBase.java",
            """
            public abstract class AppenderBase {
              private volatile boolean started;

              public void start() {
                started = true;
              }

              public void stop() {
                started = false;
              }

              public boolean isStarted() {
                return started;
              }

              public final void doAppend(String event) throws InterruptedException {
                if (started) {
                  append(event);
                }
              }

              protected abstract void append(String event) throws InterruptedException;
            }
            """)
        .addSourceLines(
            "AsyncAppender.java",
            """
            import java.util.concurrent.*;

            public class AsyncAppender extends AppenderBase {
              private final BlockingQueue<String> events = new ArrayBlockingQueue<>(256);
              private final Thread worker = new Thread(this::work, "async-appender");

              @Override
              public void start() {
                super.start();
                worker.start();
              }

              @Override
              protected void append(String event) throws InterruptedException {
                events.put(event);
              }

              private void work() {
                while (isStarted()) {
                  try {
                    write(events.take());
                  } catch (InterruptedException e) {
                    break;
                  }
                }
                for (String event : events) {
                  write(event);
                  events.remove(event);
                }
              }

              private void write(String event) {}

              @Override
              public void stop() {
                super.stop();
                worker.interrupt();
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }

  @Test
  void negativeCloseJoinsTheProducerBeforeStoppingTheConsumer() {
    helper
        .addSourceLines(
            "Exporter.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class Exporter {
              private final BlockingQueue<String> rows = new ArrayBlockingQueue<>(16);
              private final List<String> source;
              private volatile boolean running = true;
              private final Thread reader = new Thread(this::read, "export-reader");
              private final Thread writer = new Thread(this::write, "export-writer");

              Exporter(List<String> source) {
                this.source = source;
              }

              void start() {
                reader.start();
                writer.start();
              }

              private void read() {
                try {
                  for (String row : source) {
                    rows.put(row);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              private void write() {
                while (running) {
                  try {
                    emit(rows.take());
                  } catch (InterruptedException e) {
                    break;
                  }
                }
              }

              private void emit(String row) {}

              void close() throws InterruptedException {
                reader.join();
                running = false;
                writer.interrupt();
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }

  /** The drain test is a helper of the unit: the loop stops once stop() clears 'active'. */
  private static final String PREFETCH_BUFFER =
      """
      import java.util.concurrent.*;

      public class PrefetchBuffer {
        private final BlockingQueue<String> deliveries = new LinkedBlockingQueue<>(16);
        private volatile boolean active = true;
        private volatile boolean cancelConfirmed;

        public PrefetchBuffer() {
          Thread listener = new Thread(this::listen, "listener-container");
          listener.setDaemon(true);
          listener.start();
        }

        /** Called by the client library's connection thread. */
        public void onDelivery(String body) throws InterruptedException {
          deliveries.put(body);
        }

        public void onCancelOk() {
          cancelConfirmed = true;
        }

        private boolean hasDelivery() {
          return !deliveries.isEmpty();
        }

        private void listen() {
          try {
            while (LOOP_TEST) {
              String body = deliveries.poll(50, TimeUnit.MILLISECONDS);
              if (body != null) {
                handle(body);
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }

        private void handle(String body) {}

        public void stop() {
          active = false;
        }
      }
      """;

  @Test
  void drainTestThroughAHelperStopsOnTheFlagStopClears() {
    helper
        .addSourceLines(
            "PrefetchBuffer.java",
            PREFETCH_BUFFER
                .replace("LOOP_TEST", "active || hasDelivery()")
                .replace(
                    "    deliveries.put(body);",
                    "    // BUG: Diagnostic contains: the calling thread can block"
                        + " forever in put() on 'deliveries' (new LinkedBlockingQueue<>(16)): every"
                        + " consumer can stop taking (line 44: stop() clears its loop flag"
                        + " 'active')\n    deliveries.put(body);"))
        .doTest();
  }

  @Test
  void loopThatAlsoWaitsForTheBrokersConfirmationIsNotStoppedByOneFlag() {
    // Deliveries still on the wire arrive before cancel-ok; the loop takes until it has come.
    helper
        .addSourceLines(
            "PrefetchBuffer.java",
            PREFETCH_BUFFER.replace("LOOP_TEST", "active || hasDelivery() || !cancelConfirmed"))
        .doTest();
  }

  @Test
  void drainTestThroughAHelperWithAProducerThatTestsTheFlagIsSafe() {
    helper
        .addSourceLines(
            "PrefetchBuffer.java",
            PREFETCH_BUFFER
                .replace("LOOP_TEST", "active || hasDelivery()")
                .replace(
                    "    deliveries.put(body);",
                    "    if (!active) {\n      return;\n    }\n    deliveries.put(body);"))
        .doTest();
  }
}
