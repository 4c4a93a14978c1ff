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
                  if (messagesClosed) {
                    return;
                  }
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

  /**
   * The queue's owner declares no lifecycle method but inherits an empty {@code stop()} from a
   * class of the unit (Neo4j's LifecycleAdapter): the fix overrides it to set the flag first, then
   * calls the inherited one; the job's {@code run()} takes once per round.
   */
  @Test
  void inheritedStopIsOverriddenToSetTheFlag() {
    helper
        .addInputLines("Replica.java", LeakyPrograms.INHERITED_STOP)
        .addOutputLines(
            "Replica.java",
            """
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.TimeUnit;

            class Replica {
              /** Lifecycle with empty defaults. */
              abstract static class LifecycleAdapter {
                public void start() throws Exception {}

                public void stop() throws Exception {}
              }

              /** Queues pulled transactions for the job that applies them. */
              static final class TxApplier extends LifecycleAdapter implements Runnable {
                private final BlockingQueue<String> txQueue = new ArrayBlockingQueue<>(16);
                /** Set once nothing will take from 'txQueue' any more: producers stop offering. */
                private volatile boolean txQueueClosed;
                private long lastQueued;

                /** Called by the network thread for every transaction pulled. */
                void queue(String tx) {
                  try {
                    if (txQueueClosed) {
                      return;
                    }
                    while (!txQueue.offer(tx, 10, TimeUnit.MILLISECONDS)) {
                      if (txQueueClosed) {
                        return;
                      }
                    }
                    lastQueued++;
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }

                /** One round of the applier's job: applies what arrived within a second. */
                @Override
                public void run() {
                  String tx;
                  try {
                    tx = txQueue.poll(1, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  }
                  if (tx != null) {
                    System.out.println("applied " + tx + " of " + lastQueued);
                  }
                }

                @Override
                public void stop() throws Exception {
                  txQueueClosed = true;
                  super.stop();
                }
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * The queue's owner has no lifecycle, but the scanner its consumers read through does (Bigtable):
   * the scanner's {@code close()} sets the owner's flag. A class that holds the owner but never
   * reads through it (the progress reporter) is left alone.
   */
  @Test
  void holderCloseSetsTheOwnersFlag() {
    helper
        .addInputLines("RowStream.java", LeakyPrograms.HOLDER_CLOSE)
        .addOutputLines(
            "RowStream.java",
            """
            import java.io.Closeable;
            import java.io.IOException;
            import java.util.List;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.LinkedBlockingQueue;
            import java.util.concurrent.TimeUnit;

            class RowStream {
              /** Receives the rows of a streaming call on the transport thread. */
              static class RowReader {
                private final BlockingQueue<String> rows = new LinkedBlockingQueue<>(64);
                /** Set once nothing will take from 'rows' any more: producers stop offering. */
                private volatile boolean rowsClosed;

                void onRow(String row) {
                  try {
                    if (rowsClosed) {
                      return;
                    }
                    while (!rows.offer(row, 10, TimeUnit.MILLISECONDS)) {
                      if (rowsClosed) {
                        return;
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }

                String nextRow() throws IOException {
                  try {
                    String row = rows.poll(250, TimeUnit.MILLISECONDS);
                    if (row == null) {
                      throw new IOException("timed out waiting for a row");
                    }
                    return row;
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                  }
                }
              }

              /** What the application reads: next() as long as it wants, then close(). */
              static final class Scanner implements Closeable {
                private final RowReader reader;
                private volatile boolean cancelled;

                Scanner(RowReader reader) {
                  this.reader = reader;
                }

                String next() throws IOException {
                  return reader.nextRow();
                }

                @Override
                public void close() {
                  reader.rowsClosed = true;
                  cancelled = true;
                }

                boolean isCancelled() {
                  return cancelled;
                }
              }

              /** Reports the reader's progress; it never reads rows, so its close() says nothing about them. */
              static final class ProgressReporter implements Closeable {
                private final RowReader reader;

                ProgressReporter(RowReader reader) {
                  this.reader = reader;
                }

                String describe() {
                  return "reader " + reader;
                }

                @Override
                public void close() {
                  System.out.println("progress reporting stopped");
                }
              }

              static Scanner scan(List<String> table) {
                RowReader reader = new RowReader();
                Scanner scanner = new Scanner(reader);
                Thread transport =
                    new Thread(
                        () -> {
                          for (String row : table) {
                            if (scanner.isCancelled()) {
                              return;
                            }
                            reader.onRow(row);
                          }
                        });
                transport.start();
                return scanner;
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * Two objects hold the queue (the source and the reader that fills it, Stream Reactor): the flag
   * goes with the field the producer sees, in the reader whose {@code close()} the source's {@code
   * stop()} calls.
   */
  @Test
  void readerWithCloseHoldsTheFlagOfASharedQueue() {
    helper
        .addInputLines("TableSource.java", LeakyPrograms.QUEUE_IN_TWO_FIELDS)
        .addOutputLines(
            "TableSource.java",
            """
            import java.util.List;
            import java.util.concurrent.CompletableFuture;
            import java.util.concurrent.LinkedBlockingQueue;
            import java.util.concurrent.TimeUnit;

            class TableSource {
              /** Pages one table into the source's queue on a callback thread. */
              static final class TableReader {
                private final String table;
                private final LinkedBlockingQueue<String> queue;
                /** Set once nothing will take from 'queue' any more: producers stop offering. */
                private volatile boolean queueClosed;
                private volatile boolean stopped;

                TableReader(String table, LinkedBlockingQueue<String> queue) {
                  this.table = table;
                  this.queue = queue;
                }

                void read(List<String> rows) {
                  CompletableFuture.runAsync(
                      () -> {
                        for (String row : rows) {
                          if (stopped) {
                            return;
                          }
                          try {
                            String element = table + ": " + row;
                            while (!queue.offer(element, 10, TimeUnit.MILLISECONDS)) {
                              if (queueClosed) {
                                return;
                              }
                            }
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                          }
                        }
                      });
                }

                void close() {
                  queueClosed = true;
                  stopped = true;
                }
              }

              private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>(100);
              private final TableReader reader;
              private final Thread forwarder;

              TableSource(String table, List<String> sink) {
                reader = new TableReader(table, queue);
                forwarder =
                    new Thread(
                        () -> {
                          while (true) {
                            String record;
                            try {
                              record = queue.take();
                            } catch (InterruptedException e) {
                              return;
                            }
                            if (record.isEmpty()) {
                              throw new IllegalStateException("empty record");
                            }
                            sink.add(record);
                          }
                        });
              }

              void start(List<String> rows) {
                forwarder.start();
                reader.read(rows);
              }

              void stop() {
                reader.close();
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * A handler whose {@code run()} a job outside the unit's sight calls round after round (Neo4j's
   * ContinuousJob): the fix records the thread that takes, and the producer gives up once it has
   * ended.
   */
  @Test
  void roundConsumerThreadRecorded() {
    helper
        .addInputLines("BatchingHandler.java", LeakyPrograms.ROUND_CONSUMER)
        .addOutputLines(
            "BatchingHandler.java",
            """
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.TimeUnit;

            class BatchingHandler implements Runnable {
              private final BlockingQueue<String> messages = new ArrayBlockingQueue<>(16);

              /** The thread that last took in run(): producers stop offering once it has ended. */
              private volatile Thread runThread;

              /** Called by the network thread for every inbound message. */
              void handle(String message) {
                try {
                  if (runThread != null && !runThread.isAlive()) {
                    return;
                  }
                  while (!messages.offer(message, 10, TimeUnit.MILLISECONDS)) {
                    if (runThread != null && !runThread.isAlive()) {
                      return;
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              /** One round of the job that drains the handler until it is stopped. */
              @Override
              public void run() {
                runThread = Thread.currentThread();
                String message;
                try {
                  message = messages.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                if (message != null) {
                  System.out.println("handled " + message);
                }
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * A prefetching iterator with no lifecycle (Alluxio's inode-tree iterator): it gets the {@code
   * close()} the maintainers added, setting the flag, and the method that creates it and may stop
   * reading early closes it in a {@code finally}.
   */
  @Test
  void iteratorGetsCloseCalledWhereItIsCreated() {
    helper
        .addInputLines("LineScanner.java", LeakyPrograms.ITERATOR_CLOSED_AT_CREATION)
        .addOutputLines(
            "LineScanner.java",
            """
            import java.io.BufferedReader;
            import java.util.Iterator;
            import java.util.NoSuchElementException;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.CancellationException;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.TimeUnit;

            class LineScanner implements Iterator<String> {
              private static final String END = new String("");
              private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(32);
              /** Set once nothing will take from 'lines' any more: producers stop offering. */
              private volatile boolean linesClosed;
              private String next;

              LineScanner(BufferedReader reader, ExecutorService pool) {
                pool.submit(
                    () -> {
                      String line;
                      while ((line = reader.readLine()) != null) {
                        while (!lines.offer(line, 10, TimeUnit.MILLISECONDS)) {
                          if (linesClosed) {
                            throw new CancellationException("every consumer has stopped taking");
                          }
                        }
                      }
                      while (!lines.offer(END, 10, TimeUnit.MILLISECONDS)) {
                        if (linesClosed) {
                          throw new CancellationException("every consumer has stopped taking");
                        }
                      }
                      return null;
                    });
              }

              @Override
              public boolean hasNext() {
                if (next == null) {
                  try {
                    next = lines.take();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                  }
                }
                return next != END;
              }

              @Override
              public String next() {
                if (!hasNext()) {
                  throw new NoSuchElementException();
                }
                String line = next;
                next = null;
                return line;
              }

              /** Counts the lines of the header: the scan stops at the first blank line. */
              static int headerLines(BufferedReader reader, ExecutorService pool) {
                Iterator<String> scanner = new LineScanner(reader, pool);
                try {
                  int count = 0;
                  while (scanner.hasNext()) {
                    if (scanner.next().isBlank()) {
                      break;
                    }
                    count++;
                  }
                  return count;
                } finally {
                  ((LineScanner) scanner).close();
                }
              }

              /** Tells the producers that nothing takes from 'lines' any more. */
              public void close() {
                linesClosed = true;
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }

  /**
   * An {@code Iterable} whose iterator starts a prefetch, read by a for-each that stops at a limit:
   * the loop reads it only while the method runs, so the method closes it in a {@code finally}.
   */
  @Test
  void iterableReadByForEachIsClosedAfterTheLoop() {
    helper
        .addInputLines(
            "StatementRows.java",
            """
            import java.util.ArrayList;
            import java.util.Iterator;
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.CompletableFuture;
            import java.util.concurrent.ExecutorService;

            class StatementRows implements Iterable<String> {
              private static final String END = new String("");
              private final BlockingQueue<String> rows = new ArrayBlockingQueue<>(16);
              private final ExecutorService io;

              StatementRows(ExecutorService io) {
                this.io = io;
              }

              @Override
              public Iterator<String> iterator() {
                CompletableFuture.runAsync(this::prefetch, io);
                return new Iterator<>() {
                  private String next;

                  @Override
                  public boolean hasNext() {
                    if (next == null) {
                      try {
                        next = rows.take();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                      }
                    }
                    return next != END;
                  }

                  @Override
                  public String next() {
                    String row = next;
                    next = null;
                    return row;
                  }
                };
              }

              private void prefetch() {
                try {
                  for (int i = 0; i < 10_000; i++) {
                    rows.put("row " + i);
                  }
                  rows.put(END);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              static List<String> firstPage(ExecutorService io, int limit) {
                StatementRows statement = new StatementRows(io);
                List<String> page = new ArrayList<>();
                for (String row : statement) {
                  page.add(row);
                  if (page.size() == limit) {
                    break;
                  }
                }
                return page;
              }
            }
            """)
        .addOutputLines(
            "StatementRows.java",
            """
            import java.util.ArrayList;
            import java.util.Iterator;
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.CompletableFuture;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.TimeUnit;

            class StatementRows implements Iterable<String> {
              private static final String END = new String("");
              private final BlockingQueue<String> rows = new ArrayBlockingQueue<>(16);
              /** Set once nothing will take from 'rows' any more: producers stop offering. */
              private volatile boolean rowsClosed;
              private final ExecutorService io;

              StatementRows(ExecutorService io) {
                this.io = io;
              }

              @Override
              public Iterator<String> iterator() {
                CompletableFuture.runAsync(this::prefetch, io);
                return new Iterator<>() {
                  private String next;

                  @Override
                  public boolean hasNext() {
                    if (next == null) {
                      try {
                        next = rows.take();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                      }
                    }
                    return next != END;
                  }

                  @Override
                  public String next() {
                    String row = next;
                    next = null;
                    return row;
                  }
                };
              }

              private void prefetch() {
                try {
                  for (int i = 0; i < 10_000; i++) {
                    String element = "row " + i;
                    while (!rows.offer(element, 10, TimeUnit.MILLISECONDS)) {
                      if (rowsClosed) {
                        return;
                      }
                    }
                  }
                  while (!rows.offer(END, 10, TimeUnit.MILLISECONDS)) {
                    if (rowsClosed) {
                      return;
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              static List<String> firstPage(ExecutorService io, int limit) {
                StatementRows statement = new StatementRows(io);
                try {
                  List<String> page = new ArrayList<>();
                  for (String row : statement) {
                    page.add(row);
                    if (page.size() == limit) {
                      break;
                    }
                  }
                  return page;
                } finally {
                  statement.close();
                }
              }

              /** Tells the producers that nothing takes from 'rows' any more. */
              public void close() {
                rowsClosed = true;
              }
            }
            """)
        .doTest(TestMode.TEXT_MATCH);
  }
}
