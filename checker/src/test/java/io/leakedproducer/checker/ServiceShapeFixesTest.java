package io.leakedproducer.checker;

import com.google.errorprone.BugCheckerRefactoringTestHelper;
import com.google.errorprone.BugCheckerRefactoringTestHelper.TestMode;
import org.junit.jupiter.api.Test;

/**
 * Fixes for the shapes real services take beyond one flag per queue: a consumer that inserts into
 * its own queue, a shutdown marker for a consumer thread that may be dead, a periodic producer on
 * an executor of its own, several consumer threads of one field queue, and a generic element type.
 */
final class ServiceShapeFixesTest {
  private final BugCheckerRefactoringTestHelper helper =
      BugCheckerRefactoringTestHelper.newInstance(LeakedProducer.class, getClass());

  /**
   * The appender's worker logs its own failures: a thread guard: a thread guard in the inserting
   * method: the worker offers without waiting.
   */
  @Test
  void reentrantWorkerGetsThreadGuard() {
    helper
        .addInputLines("AsyncFileAppender.java", LeakyPrograms.REENTRANT_APPENDER)
        .addOutputLines(
            "AsyncFileAppender.java",
            """
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            class AsyncFileAppender {
              interface Sink {
                void write(String line) throws java.io.IOException;
              }

              private final BlockingQueue<String> events = new ArrayBlockingQueue<>(256);
              private final Thread worker = new Thread(this::drain, "async-appender");
              private final Sink sink;

              AsyncFileAppender(Sink sink) {
                this.sink = sink;
              }

              void start() {
                worker.setDaemon(true);
                worker.start();
              }

              void append(String line) {
                enqueue(line);
              }

              private void enqueue(String line) {
                if (Thread.currentThread() == worker) {
                  // Only this thread takes from the queue: it must never wait for room in it.
                  events.offer(line);
                  return;
                }
                try {
                  events.put(line);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              private void drain() {
                while (true) {
                  String line;
                  try {
                    line = events.take();
                  } catch (InterruptedException e) {
                    return;
                  }
                  try {
                    sink.write(line);
                  } catch (java.io.IOException e) {
                    append("dropped a line: " + e.getMessage());
                  }
                }
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * Stop() puts the end marker for a drainer that may be dead: the end marker is offered while the
   * drainer lives; other insertions stop on the closed flag.
   */
  @Test
  void shutdownPillWaitsOnlyWhileConsumerLives() {
    helper
        .addInputLines("StatsAppender.java", LeakyPrograms.SHUTDOWN_PILL)
        .addOutputLines(
            "StatsAppender.java",
            """
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.TimeUnit;

            class StatsAppender {
              private static final String END = "";
              private final BlockingQueue<String> messages = new ArrayBlockingQueue<>(1024);

              /** Set once nothing will take from 'messages' any more: producers stop offering. */
              private volatile boolean messagesClosed;

              private Thread drainer;

              void start() {
                drainer = new Thread(this::drain, "stats-drainer");
                drainer.setDaemon(true);
                drainer.start();
              }

              void append(String message) throws InterruptedException {
                if (!message.isEmpty()) {
                  while (!messages.offer(message, 10, TimeUnit.MILLISECONDS)) {
                    if (messagesClosed) {
                      return;
                    }
                  }
                }
              }

              public void stop() throws InterruptedException {
                messagesClosed = true;
                while (drainer.isAlive() && !messages.offer(END, 10, TimeUnit.MILLISECONDS)) {
                  // A dead consumer thread takes nothing: go on without the marker.
                }
                drainer.join(10_000);
              }

              private void drain() {
                try {
                  try {
                    for (String m = messages.take(); !m.isEmpty(); m = messages.take()) {
                      if (m.length() > 4096) {
                        throw new IllegalStateException("message too long");
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                } finally {
                  messagesClosed = true;
                }
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * A periodic sampler on its own executor: the consumers-gone flag, and the dedicated executor
   * shut down with it.
   */
  @Test
  void dedicatedPeriodicExecutorShutDownWithConsumers() {
    helper
        .addInputLines("GaugeSampler.java", LeakyPrograms.PERIODIC_PRODUCER)
        .addOutputLines(
            "GaugeSampler.java",
            """
            import java.io.IOException;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.Executors;
            import java.util.concurrent.ScheduledExecutorService;
            import java.util.concurrent.TimeUnit;
            import java.util.concurrent.atomic.AtomicLong;

            class GaugeSampler {
              interface Gateway {
                void push(long value) throws IOException;
              }

              private final AtomicLong requests = new AtomicLong();
              private final BlockingQueue<Long> samples = new ArrayBlockingQueue<>(16);

              /** Set once nothing will take from 'samples' any more: producers stop offering. */
              private volatile boolean samplesConsumersGone;

              private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

              void startSampling() {
                sampler.scheduleAtFixedRate(
                    () -> {
                      try {
                        Long element = requests.get();
                        while (!samples.offer(element, 10, TimeUnit.MILLISECONDS)) {
                          if (samplesConsumersGone) {
                            return;
                          }
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    },
                    0,
                    1,
                    TimeUnit.SECONDS);
              }

              void pushLoop(Gateway gateway) {
                try {
                  try {
                    while (true) {
                      gateway.push(samples.take());
                    }
                  } catch (IOException | InterruptedException e) {
                    System.err.println("pusher stopped: " + e);
                  }
                } finally {
                  samplesConsumersGone = true;
                  sampler.shutdown();
                }
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * Several indexer threads started in a loop: each start counts a consumer in, each exit out; the
   * flag is set by the last.
   */
  @Test
  void severalConsumerThreadsCountThemselvesOut() {
    helper
        .addInputLines("DocumentIndexer.java", LeakyPrograms.SEVERAL_CONSUMER_THREADS)
        .addOutputLines(
            "DocumentIndexer.java",
            """
            import java.util.ArrayList;
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.TimeUnit;
            import java.util.concurrent.atomic.AtomicInteger;

            class DocumentIndexer {
              private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(64);

              /** Set once nothing will take from 'pending' any more: producers stop offering. */
              private volatile boolean pendingConsumersGone;

              /** Consumer threads of 'pending' started and not yet gone. */
              private final AtomicInteger pendingConsumers = new AtomicInteger();

              private final List<Thread> indexers = new ArrayList<>();

              void start(int threads) {
                for (int i = 0; i < threads; i++) {
                  pendingConsumers.incrementAndGet();
                  Thread t = new Thread(this::indexLoop, "indexer-" + i);
                  t.start();
                  indexers.add(t);
                }
              }

              private void indexLoop() {
                try {
                  while (true) {
                    String doc;
                    try {
                      doc = pending.take();
                    } catch (InterruptedException e) {
                      return;
                    }
                    if (doc.isEmpty()) {
                      throw new IllegalArgumentException("empty document");
                    }
                  }
                } finally {
                  if (pendingConsumers.decrementAndGet() == 0) {
                    pendingConsumersGone = true;
                  }
                }
              }

              void submitAll(List<String> docs) throws InterruptedException {
                for (String doc : docs) {
                  while (!pending.offer(doc, 10, TimeUnit.MILLISECONDS)) {
                    if (pendingConsumersGone) {
                      return;
                    }
                  }
                }
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * A generic prefetching iterator with cancel(): the element of type T is evaluated once into a
   * local of type T.
   */
  @Test
  void genericElementTypeKept() {
    helper
        .addInputLines("PrefetchingIterator.java", LeakyPrograms.GENERIC_PREFETCHER)
        .addOutputLines(
            "PrefetchingIterator.java",
            """
            import java.util.Iterator;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.CompletableFuture;
            import java.util.concurrent.TimeUnit;

            class PrefetchingIterator<T> implements Iterator<T> {
              private final BlockingQueue<T> rows = new ArrayBlockingQueue<>(100);

              /** Set once nothing will take from 'rows' any more: producers stop offering. */
              private volatile boolean rowsClosed;

              private final CompletableFuture<Void> future;
              private T next;

              PrefetchingIterator(Iterator<T> source) {
                future =
                    CompletableFuture.runAsync(
                        () -> {
                          try {
                            while (source.hasNext()) {
                              T element = source.next();
                              while (!rows.offer(element, 10, TimeUnit.MILLISECONDS)) {
                                if (rowsClosed) {
                                  return;
                                }
                              }
                            }
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        });
              }

              public void cancel() {
                rowsClosed = true;
                future.cancel(true);
              }

              @Override
              public boolean hasNext() {
                if (next == null) {
                  next = rows.poll();
                }
                return next != null;
              }

              @Override
              public T next() {
                T result = next;
                next = null;
                return result;
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * The sender gets the queue through its own constructor and sees no field of the facade, which
   * has no lifecycle method: the facade keeps the sender's thread, and a publish gives up once that
   * thread has ended (checked first, so that later rows are dropped without waiting).
   */
  @Test
  void senderThreadWiredThroughConstructorStopsProducerWhenItEnds() {
    helper
        .addInputLines("RowPublisher.java", LeakyPrograms.SENDER_THREAD_WIRED_THROUGH_CONSTRUCTOR)
        .addOutputLines(
            "RowPublisher.java",
            """
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.TimeUnit;

            class RowPublisher {
              interface Broker {
                void send(String topic, String row);
              }

              private final ArrayBlockingQueue<String> queue;
              private final RowSender sender;

              /** The consumer's thread, once started: producers stop offering when it has ended. */
              private volatile Thread threadConsumer;

              RowPublisher(Broker broker) {
                this.queue = new ArrayBlockingQueue<>(100);
                this.sender = new RowSender(broker, this.queue);
                Thread thread = new Thread(this.sender, "row-sender");
                thread.setDaemon(true);
                thread.start();
                threadConsumer = thread;
              }

              void publish(String row) throws InterruptedException {
                if (threadConsumer != null && !threadConsumer.isAlive()) {
                  return;
                }
                while (!queue.offer(row, 10, TimeUnit.MILLISECONDS)) {
                  if (threadConsumer != null && !threadConsumer.isAlive()) {
                    return;
                  }
                }
              }

              static final class RowSender implements Runnable {
                private final Broker broker;
                private final ArrayBlockingQueue<String> queue;

                RowSender(Broker broker, ArrayBlockingQueue<String> queue) {
                  this.broker = broker;
                  this.queue = queue;
                }

                @Override
                public void run() {
                  while (true) {
                    try {
                      String row = queue.take();
                      broker.send(topicOf(row), row);
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }
                }

                private static String topicOf(String row) {
                  int dot = row.indexOf('.');
                  if (dot < 0) {
                    throw new IllegalArgumentException("no database in " + row);
                  }
                  return row.substring(0, dot);
                }
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * The same sender, but its take loop sits in a helper that a longer-lived loop calls: its thread
   * outlives the take loop, so the thread's end says nothing and no liveness fix is offered.
   */
  @Test
  void senderWhoseThreadOutlivesItsTakeLoopGetsNoLivenessFix() {
    helper
        .addInputLines(
            "RowPublisher.java",
            LeakyPrograms.SENDER_THREAD_WIRED_THROUGH_CONSTRUCTOR
                .replace(
                    """
                        public void run() {
                          while (true) {
                    """,
                    """
                        public void run() {
                          while (true) {
                            drain();
                            broker.send("control", "sender restarted");
                          }
                        }

                        private void drain() {
                          while (true) {
                    """)
                .replace(
                    "throw new IllegalStateException(e);",
                    "System.err.println(\"sender gives up: \" + e);\n              return;"))
        .expectUnchanged()
        .doTest(TestMode.TEXT_MATCH);
  }
}
