package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * Reduced, own-words shapes of the bounded-queue code found in real libraries by the real-world
 * harness (testdata/realworld/run.sh; results in docs/dev/real-world.md). Each one must stay
 * silent: a finding here is a false alarm the harness would have shown on a real library. None of
 * these classes is copied from a library; they keep only the shape the analysis has to decide on.
 */
final class RealWorldFalseAlarmsTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  /**
   * An asynchronous appender in the shape logback-core's uses: callers put events into a bounded
   * field queue on their own thread, retrying the put when interrupted; a worker (an inner class
   * that reaches the queue through its owner) takes one event and then drains whatever else is
   * queued, until the owner is stopped; stopping clears the flag and interrupts the worker, which
   * then hands each leftover event on. The consumer stops only on the closed state.
   */
  @Test
  void negativeLogbackAsyncAppenderShape() {
    helper
        .addSourceLines(
            "QueuedPublisher.java",
            """
            import java.util.ArrayList;
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.function.Consumer;

            class QueuedPublisher<E> {
              BlockingQueue<E> backlog;
              private volatile boolean live;
              private final Consumer<E> downstream;
              private final Pump pump = new Pump();

              QueuedPublisher(Consumer<E> downstream) {
                this.downstream = downstream;
              }

              boolean isLive() {
                return live;
              }

              void begin(int size) {
                backlog = new ArrayBlockingQueue<E>(size);
                live = true;
                pump.setDaemon(true);
                pump.start();
              }

              void publish(E item) {
                if (!live) {
                  return;
                }
                boolean interrupted = false;
                try {
                  while (true) {
                    try {
                      backlog.put(item);
                      break;
                    } catch (InterruptedException e) {
                      interrupted = true;
                    }
                  }
                } finally {
                  if (interrupted) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              void end() throws InterruptedException {
                live = false;
                pump.interrupt();
                pump.join(500);
              }

              class Pump extends Thread {
                @Override
                public void run() {
                  QueuedPublisher<E> owner = QueuedPublisher.this;
                  while (owner.isLive()) {
                    try {
                      List<E> batch = new ArrayList<>();
                      batch.add(owner.backlog.take());
                      owner.backlog.drainTo(batch);
                      batch.forEach(downstream);
                    } catch (InterruptedException stop) {
                      break;
                    }
                  }
                  for (E left : owner.backlog) {
                    downstream.accept(left);
                    owner.backlog.remove(left);
                  }
                }
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }

  /**
   * A variant of the appender above written with a lambda worker that drains the leftovers with one
   * {@code drainTo} after its loop. The take loop still ends only on the closed state (or the
   * interrupt that closing sends), and failures of the sink are caught and the loop continues, so
   * by the spec's "consumers never stop early" rule the producer is safe. Not from a library: it is
   * the nearest variant of the logback shape, and the check reported it until a post-loop removal
   * stopped counting as a single take.
   */
  @Test
  void negativeAsyncAppenderDrainToAfterClosedLoopShape() {
    helper
        .addSourceLines(
            "BackgroundWriter.java",
            """
            import java.util.ArrayList;
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.function.Consumer;

            class BackgroundWriter<E> {
              private final Consumer<E> sink;
              private BlockingQueue<E> pending;
              private volatile boolean running;
              private Thread drainer;

              BackgroundWriter(Consumer<E> sink) {
                this.sink = sink;
              }

              void open(int capacity) {
                pending = new ArrayBlockingQueue<>(capacity);
                running = true;
                drainer = new Thread(this::drainLoop, "background-writer");
                drainer.setDaemon(true);
                drainer.start();
              }

              void write(E event) {
                if (!running) {
                  return;
                }
                boolean wasInterrupted = false;
                while (true) {
                  try {
                    pending.put(event);
                    break;
                  } catch (InterruptedException e) {
                    wasInterrupted = true;
                  }
                }
                if (wasInterrupted) {
                  Thread.currentThread().interrupt();
                }
              }

              private void drainLoop() {
                while (running) {
                  try {
                    sink.accept(pending.take());
                  } catch (InterruptedException e) {
                    break;
                  } catch (RuntimeException e) {
                    // the sink failed for this event; keep serving the others
                  }
                }
                List<E> rest = new ArrayList<>();
                pending.drainTo(rest);
                rest.forEach(sink);
              }

              void close() throws InterruptedException {
                running = false;
                drainer.interrupt();
                drainer.join(1000);
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }

  /**
   * A forwarding queue: {@code put} is called on whatever {@code delegate()} returns, so the
   * queue's origin (and whether it is bounded) is unknown here.
   */
  @Test
  void negativeGuavaForwardingQueueShape() {
    helper
        .addSourceLines(
            "PassThroughQueue.java",
            """
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.LinkedBlockingQueue;

            class PassThroughQueue<E> {
              private final BlockingQueue<E> inner = new LinkedBlockingQueue<>(16);

              protected BlockingQueue<E> delegate() {
                return inner;
              }

              void put(E e) throws InterruptedException {
                delegate().put(e);
              }

              E take() throws InterruptedException {
                return delegate().take();
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }

  /**
   * A utility that puts into a queue it is given, retrying until it succeeds and restoring the
   * interrupt afterwards: the queue is a parameter, so it is not known to be bounded.
   */
  @Test
  void negativeGuavaUninterruptiblePutShape() {
    helper
        .addSourceLines(
            "Blocking.java",
            """
            import java.util.concurrent.BlockingQueue;

            final class Blocking {
              private Blocking() {}

              static <E> void putIgnoringInterrupts(BlockingQueue<E> target, E value) {
                boolean interrupted = false;
                try {
                  for (;;) {
                    try {
                      target.put(value);
                      return;
                    } catch (InterruptedException e) {
                      interrupted = true;
                    }
                  }
                } finally {
                  if (interrupted) {
                    Thread.currentThread().interrupt();
                  }
                }
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }

  /**
   * An appender whose bounded queue comes from a pluggable factory (its origin is a method's return
   * value), filled on the caller's thread and emptied by a dispatcher thread that the appender
   * stops with a poison element.
   */
  @Test
  void negativeLog4jFactoryQueueAppenderShape() {
    helper
        .addSourceLines(
            "DispatchingAppender.java",
            """
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.function.Consumer;

            class DispatchingAppender {
              interface QueueMaker {
                BlockingQueue<Object> make(int capacity);
              }

              private static final Object STOP = new Object();
              private final BlockingQueue<Object> events;
              private final Thread dispatcher;

              DispatchingAppender(QueueMaker maker, int capacity, Consumer<Object> target) {
                events = maker.make(capacity);
                dispatcher = new Thread(() -> {
                  while (true) {
                    Object next;
                    try {
                      next = events.take();
                    } catch (InterruptedException e) {
                      return;
                    }
                    if (next == STOP) {
                      return;
                    }
                    target.accept(next);
                  }
                });
                dispatcher.start();
              }

              static DispatchingAppender withArrayQueue(int capacity, Consumer<Object> target) {
                return new DispatchingAppender(ArrayBlockingQueue::new, capacity, target);
              }

              void append(Object event) throws InterruptedException {
                events.put(event);
              }

              void stop() throws InterruptedException {
                events.put(STOP);
                dispatcher.join();
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }
}
