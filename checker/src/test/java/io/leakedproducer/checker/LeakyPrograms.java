package io.leakedproducer.checker;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Leaky programs shared by the identification tests and by {@link FixSoundnessTest}, which patches
 * every one of them and proves the patched code compiles clean and the check goes silent.
 */
final class LeakyPrograms {
  private LeakyPrograms() {}

  /** Consumers for {@link ShipperSource}, each of which can stop taking early. */
  static final String RETURN_THAT_IS_NOT_END_OF_STREAM =
      """
        while (true) {
          String line = outbox.take();
          if (line.length() > 80) {
            return line;
          }
        }
        """;

  static final String BREAK_IN_CATCH =
      """
        while (true) {
          String line = outbox.take();
          try {
            send(line);
          } catch (IOException e) {
            break;
          }
        }
        """;

  static final String THROW_FROM_CATCH =
      """
        pool.submit(() -> {
          while (true) {
            String line = outbox.take();
            try {
              send(line);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        });
        """;

  static final String CATCH_EXCEPTION_RETURN =
      """
        pool.execute(() -> {
          try {
            while (true) {
              String line = outbox.take();
              try {
                send(line);
              } catch (Exception e) {
                return;
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        """;

  static final String CHECKED_EXCEPTION_ESCAPES_THE_LOOP =
      """
        while (true) {
          String line = outbox.take();
          if (line == EOF) {
            break;
          }
          send(line);
        }
        """;

  static final String FIND_FIRST =
      """
        String found = null;
        while (found == null) {
          String line = outbox.take();
          if (line.startsWith("ERROR")) {
            found = line;
            break;
          }
        }
        return found;
        """;

  static final String POLL_TIMEOUT_GIVES_UP =
      """
        while (true) {
          String line = outbox.poll(5, TimeUnit.SECONDS);
          if (line == null) {
            return "timed out";
          }
        }
        """;

  static final String POLL_LOOP_STOPS_WHEN_EMPTY =
      """
        String line;
        while ((line = outbox.poll(100, TimeUnit.MILLISECONDS)) != null) {
          log(new Exception(line));
        }
        """;

  static final String IS_EMPTY_LOOP =
      """
        while (!outbox.isEmpty()) {
          log(new Exception(outbox.take()));
        }
        """;

  static final String DECLARED_UNCHECKED_EXCEPTION_KILLS_CONSUMER_THREAD =
      """
        new Thread(() -> {
          long total = 0;
          try {
            while (true) {
              String line = outbox.take();
              total += Integer.parseInt(line);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }).start();
        """;

  static final String SINGLE_TAKE =
      """
        String header = outbox.take();
        return header;
        """;

  static final String COUNTED_CONSUMER_TAKES_FEWER =
      """
        List<String> firstTen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          firstTen.add(outbox.take());
        }
        """;

  static final String LOOP_FLAG_CLEARED_ON_ERROR =
      """
        boolean running = true;
        while (running) {
          String line = outbox.take();
          try {
            send(line);
          } catch (IOException e) {
            running = false;
          }
        }
        """;

  static final String LABELED_BREAK_LEAVES_BOTH_LOOPS =
      """
        batches:
        while (true) {
          List<String> batch = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            String line = outbox.take();
            if (line.isEmpty()) {
              break batches;
            }
            batch.add(line);
          }
        }
        """;

  /**
   * A crawler whose single consumer gives up on the first bad page; {@code QUEUE} and {@code
   * INSERT} vary.
   */
  static String crawler(String imports, String queue, String insert) {
    return """
        import java.util.List;
        import java.util.concurrent.*;
        %s

        class Crawler {
          void crawl(List<String> urls, ExecutorService pool) throws InterruptedException {
            %s
            pool.execute(() -> {
              try {
                for (String url : urls) {
                  %s
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
            while (true) {
              String url = frontier.take();
              if (url.contains("?")) {
                break;
              }
            }
          }
        }
        """
        .formatted(imports, queue, insert);
  }

  /** The caller produces; its single consumer dies on a bad record, and the request hangs. */
  static final String CALLER_PRODUCES =
      """
      import java.util.List;
      import java.util.concurrent.*;

      class LedgerWriter {
        void write(List<String> entries, ExecutorService pool) throws InterruptedException {
          BlockingQueue<String> journal = new ArrayBlockingQueue<>(2);
          pool.execute(() -> {
            try {
              while (true) {
                String entry = journal.take();
                Integer.parseInt(entry);
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
          for (String entry : entries) {
            journal.put(entry);
          }
        }
      }
      """;

  /** Consumers are Callables started with invokeAll (no timeout), one of them per shard. */
  static final String INVOKE_ALL_CONSUMERS =
      """
      import java.util.ArrayList;
      import java.util.List;
      import java.util.concurrent.*;

      class ShardIndexer {
        void index(List<String> docs, int shards, ExecutorService pool) throws InterruptedException {
          BlockingQueue<String> toIndex = new LinkedBlockingQueue<>(shards);
          new Thread(() -> {
            try {
              for (String doc : docs) {
                toIndex.put(doc);
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }).start();
          List<Callable<Integer>> indexers = new ArrayList<>();
          for (int s = 0; s < shards; s++) {
            indexers.add(() -> {
              int indexed = 0;
              while (true) {
                String doc = toIndex.poll(1, TimeUnit.SECONDS);
                if (doc == null) {
                  return indexed;
                }
                indexed++;
              }
            });
          }
          pool.invokeAll(indexers);
        }
      }
      """;

  /** Anonymous-class consumers started in a loop; an expression-lambda producer on a pool. */
  static final String ANONYMOUS_CONSUMERS =
      """
      import java.util.Iterator;
      import java.util.concurrent.*;

      class MailSender {
        void sendAll(Iterator<String> outbox, int senders, ExecutorService pool) {
          BlockingQueue<String> ready = new ArrayBlockingQueue<>(senders);
          pool.submit(() -> pump(outbox, ready));
          for (int i = 0; i < senders; i++) {
            new Thread(new Runnable() {
              @Override
              public void run() {
                try {
                  while (true) {
                    String mail = ready.take();
                    if (mail.contains("@invalid")) {
                      throw new IllegalArgumentException(mail);
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }).start();
          }
        }

        static Void pump(Iterator<String> outbox, BlockingQueue<String> ready) throws InterruptedException {
          while (outbox.hasNext()) {
            ready.put(outbox.next());
          }
          return null;
        }
      }
      """;

  /** An expression-lambda Callable consumer whose result the caller uses. */
  static final String EXPRESSION_LAMBDA_CONSUMER =
      """
      import java.util.List;
      import java.util.concurrent.*;

      class PriceFeed {
        double firstQuote(List<Double> quotes, ExecutorService pool) throws Exception {
          BlockingQueue<Double> ticks = new SynchronousQueue<>();
          pool.execute(() -> {
            try {
              for (Double q : quotes) {
                ticks.put(q);
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
          Future<Double> first = pool.submit(() -> ticks.take());
          return first.get();
        }
      }
      """;

  /**
   * Shapes for which no safe automatic rewrite exists; docs/bugpattern/LeakedProducer.md lists
   * them.
   */
  static final Map<String, String> NO_FIX = new LinkedHashMap<>();

  /** What each program of {@link #NO_FIX} is told to do by hand (see ManualFixes). */
  static final Map<String, String> NO_FIX_TEXT = new LinkedHashMap<>();

  /**
   * Batches of lists, with an empty batch as the producer's last element: {@code List.of()} must
   * stay a List<String>.
   */
  static final String BATCHES_OF_LISTS =
      """
      import java.util.List;
      import java.util.concurrent.*;

      class BulkUploader {
        void upload(List<List<String>> batches, ExecutorService pool) throws InterruptedException {
          BlockingQueue<List<String>> pending = new ArrayBlockingQueue<>(2);
          pool.execute(() -> {
            try {
              for (List<String> batch : batches) {
                pending.put(List.copyOf(batch));
              }
              pending.put(List.of());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
          while (true) {
            List<String> batch = pending.take();
            if (batch.size() > 1000) {
              return;
            }
          }
        }
      }
      """;

  /** The producer puts from inside forEach: leaving must end the task, not skip one element. */
  static final String FOR_EACH_PRODUCER =
      """
      import java.util.List;
      import java.util.concurrent.*;

      class Importer {
        void load(List<String> rows, ExecutorService pool) throws Exception {
          BlockingQueue<String> staged = new ArrayBlockingQueue<>(8);
          pool.execute(() -> rows.stream().map(String::trim).forEach(row -> {
            try {
              staged.put(row);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }));
          for (String row = staged.take(); !row.isEmpty(); row = staged.take()) {
            System.out.println(row);
          }
        }
      }
      """;

  /** Field queue, consumers gone: see FieldQueueFixesTest. */
  static final String FIELD_QUEUE_NO_LIFECYCLE =
      """
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            class AuditLog {
              private final BlockingQueue<String> events = new ArrayBlockingQueue<>(64);

              AuditLog() {
                new Thread(this::writeLoop).start();
              }

              void record(String event) throws InterruptedException {
                events.put(event);
              }

              private void writeLoop() {
                while (true) {
                  String event;
                  try {
                    event = events.take();
                  } catch (InterruptedException e) {
                    return;
                  }
                  if (event.isEmpty()) {
                    throw new IllegalStateException("disk full");
                  }
                }
              }
            }
            """;

  /** Field queue, closed: see FieldQueueFixesTest. */
  static final String FIELD_QUEUE_WITH_CLOSE =
      """
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            class Shipper implements AutoCloseable {
              private final BlockingQueue<String> outbox = new ArrayBlockingQueue<>(16);
              private final Thread sender = new Thread(() -> {
                try {
                  while (true) {
                    String line = outbox.take();
                    if (line.isEmpty()) {
                      return;
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });

              void ship(String line) throws InterruptedException {
                outbox.put(line);
              }

              @Override
              public void close() {
                sender.interrupt();
              }
            }
            """;

  /** Field queue through its holder: see FieldQueueFixesTest. */
  static final String FIELD_QUEUE_THROUGH_HOLDER =
      """
            import java.util.List;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.SynchronousQueue;

            class Export {
              private final SynchronousQueue<String> handoff = new SynchronousQueue<>();

              void write(int expected) {
                for (int i = 0; i < expected; i++) {
                  String row;
                  try {
                    row = handoff.take();
                  } catch (InterruptedException e) {
                    return;
                  }
                  if (row.isEmpty()) {
                    throw new IllegalStateException("bad row");
                  }
                }
              }

              static void run(List<String> rows, ExecutorService pool) {
                Export export = new Export();
                pool.execute(() -> {
                  try {
                    for (String row : rows) {
                      export.handoff.put(row);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                new Thread(() -> export.write(rows.size())).start();
              }
            }
            """;

  /** Worklist field: see FieldQueueFixesTest. */
  static final String FIELD_WORKLIST =
      """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            class Crawl {
              private final BlockingQueue<String> frontier = new ArrayBlockingQueue<>(64);

              int crawl(String root) throws InterruptedException {
                frontier.put(root);
                int visited = 0;
                while (!frontier.isEmpty()) {
                  String page = frontier.take();
                  visited++;
                  for (String link : List.of(page + "/a", page + "/b")) {
                    frontier.put(link);
                  }
                }
                return visited;
              }
            }
            """;

  /**
   * The DeleteCollection fan-out (Kubernetes PR 105606) joined by a latch: see FanOutRewriteTest.
   */
  static final String DELETE_COLLECTION_LATCH =
      """
      import java.util.List;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.CountDownLatch;

      class DeleteAll {
        interface Store<T> {
          List<T> list();

          void delete(T item) throws Exception;

          boolean isNotFound(Exception e);
        }

        private static final int NO_MORE_ITEMS = -1;

        static <T> Exception deleteCollection(Store<T> store, int workers) throws InterruptedException {
          List<T> items = store.list();
          BlockingQueue<Integer> toProcess = new ArrayBlockingQueue<>(2 * workers);
          BlockingQueue<Exception> errs = new ArrayBlockingQueue<>(workers + 1);
          Thread distributor = new Thread(() -> {
            try {
              for (int i = 0; i < items.size(); i++) {
                toProcess.put(i);
              }
              for (int w = 0; w < workers; w++) {
                toProcess.put(NO_MORE_ITEMS);
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
          distributor.start();
          CountDownLatch wg = new CountDownLatch(workers);
          for (int w = 0; w < workers; w++) {
            Thread worker = new Thread(() -> {
              try {
                while (true) {
                  int index = toProcess.take();
                  if (index == NO_MORE_ITEMS) {
                    return;
                  }
                  try {
                    store.delete(items.get(index));
                  } catch (Exception e) {
                    if (!store.isNotFound(e)) {
                      errs.offer(e);
                      return;
                    }
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                wg.countDown();
              }
            });
            worker.start();
          }
          wg.await();
          return errs.poll();
        }
      }
      """;

  /** The same fan-out on a pool, joined through its futures: see FanOutRewriteTest. */
  static final String DELETE_COLLECTION_FUTURES =
      """
      import java.util.ArrayList;
      import java.util.List;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.ExecutionException;
      import java.util.concurrent.ExecutorService;
      import java.util.concurrent.Future;
      import java.util.concurrent.atomic.AtomicReference;

      class Purge {
        interface Store {
          void delete(String key) throws Exception;
        }

        private static final int NO_MORE_WORK = -1;

        static Exception purge(List<String> keys, int workers, Store store, ExecutorService pool)
            throws InterruptedException {
          BlockingQueue<Integer> toProcess = new ArrayBlockingQueue<>(2 * workers);
          AtomicReference<Exception> firstError = new AtomicReference<>();
          pool.execute(() -> {
            try {
              for (int i = 0; i < keys.size() + workers; i++) {
                toProcess.put(i < keys.size() ? i : NO_MORE_WORK);
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
          List<Future<?>> running = new ArrayList<>();
          for (int w = 0; w < workers; w++) {
            running.add(pool.submit(() -> {
              while (true) {
                int index = toProcess.take();
                if (index == NO_MORE_WORK) {
                  return null;
                }
                try {
                  store.delete(keys.get(index));
                } catch (Exception e) {
                  firstError.compareAndSet(null, e);
                  return null;
                }
              }
            }));
          }
          for (Future<?> f : running) {
            try {
              f.get();
            } catch (ExecutionException e) {
              firstError.compareAndSet(null, e);
            }
          }
          return firstError.get();
        }
      }
      """;

  /** The appender's worker logs its own failures: a thread guard. */
  static final String REENTRANT_APPENDER =
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
      """;

  /** Stop() puts the end marker for a drainer that may be dead. */
  static final String SHUTDOWN_PILL =
      """
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;

      class StatsAppender {
        private static final String END = "";
        private final BlockingQueue<String> messages = new ArrayBlockingQueue<>(1024);
        private Thread drainer;

        void start() {
          drainer = new Thread(this::drain, "stats-drainer");
          drainer.setDaemon(true);
          drainer.start();
        }

        void append(String message) throws InterruptedException {
          if (!message.isEmpty()) {
            messages.put(message);
          }
        }

        public void stop() throws InterruptedException {
          messages.put(END);
          drainer.join(10_000);
        }

        private void drain() {
          try {
            for (String m = messages.take(); !m.isEmpty(); m = messages.take()) {
              if (m.length() > 4096) {
                throw new IllegalStateException("message too long");
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
      """;

  /** A periodic sampler on its own executor. */
  static final String PERIODIC_PRODUCER =
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
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

        void startSampling() {
          sampler.scheduleAtFixedRate(
              () -> {
                try {
                  samples.put(requests.get());
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
            while (true) {
              gateway.push(samples.take());
            }
          } catch (IOException | InterruptedException e) {
            System.err.println("pusher stopped: " + e);
          }
        }
      }
      """;

  /** Several indexer threads started in a loop. */
  static final String SEVERAL_CONSUMER_THREADS =
      """
      import java.util.ArrayList;
      import java.util.List;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;

      class DocumentIndexer {
        private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(64);
        private final List<Thread> indexers = new ArrayList<>();

        void start(int threads) {
          for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::indexLoop, "indexer-" + i);
            t.start();
            indexers.add(t);
          }
        }

        private void indexLoop() {
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
        }

        void submitAll(List<String> docs) throws InterruptedException {
          for (String doc : docs) {
            pending.put(doc);
          }
        }
      }
      """;

  /** A generic prefetching iterator with cancel(). */
  static final String GENERIC_PREFETCHER =
      """
      import java.util.Iterator;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.CompletableFuture;

      class PrefetchingIterator<T> implements Iterator<T> {
        private final BlockingQueue<T> rows = new ArrayBlockingQueue<>(100);
        private final CompletableFuture<Void> future;
        private T next;

        PrefetchingIterator(Iterator<T> source) {
          future =
              CompletableFuture.runAsync(
                  () -> {
                    try {
                      while (source.hasNext()) {
                        rows.put(source.next());
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
        }

        public void cancel() {
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
      """;

  /**
   * Name to complete source; the no-fix shapes listed in docs/bugpattern/LeakedProducer.md are not
   * here.
   */
  /**
   * A catalog import whose reader and writer classes get the queue through their constructors; the
   * importing method starts both threads and joins the writer, which stops at the first row the
   * store rejects.
   */
  static final String CONSTRUCTOR_WIRED_IMPORT =
      """
      import java.util.List;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;

      class CatalogImport {
        interface Store {
          boolean write(String row);
        }

        static final class RowReader implements Runnable {
          private final BlockingQueue<String> rows;
          private final List<String> lines;

          RowReader(BlockingQueue<String> rows, List<String> lines) {
            this.rows = rows;
            this.lines = lines;
          }

          @Override
          public void run() {
            try {
              for (String line : lines) {
                rows.put(line.trim());
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }

        static final class RowWriter implements Runnable {
          private final BlockingQueue<String> rows;
          private final Store store;
          int written;

          RowWriter(BlockingQueue<String> rows, Store store) {
            this.rows = rows;
            this.store = store;
          }

          @Override
          public void run() {
            try {
              while (true) {
                String row = rows.take();
                if (!store.write(row)) {
                  return;
                }
                written++;
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }

        int importAll(List<String> lines, Store store) throws InterruptedException {
          BlockingQueue<String> rows = new ArrayBlockingQueue<>(64);
          new Thread(new RowReader(rows, lines), "catalog-reader").start();
          RowWriter writer = new RowWriter(rows, store);
          Thread writerThread = new Thread(writer, "catalog-writer");
          writerThread.start();
          writerThread.join();
          return writer.written;
        }
      }
      """;

  /**
   * A change-data publisher: the replicator's thread pushes rows through a facade whose constructor
   * starts a sender thread; the sender gets the queue through its own constructor and dies on the
   * first row it cannot route. The facade has no lifecycle method and the sender sees none of its
   * fields.
   */
  static final String SENDER_THREAD_WIRED_THROUGH_CONSTRUCTOR =
      """
      import java.util.concurrent.ArrayBlockingQueue;

      class RowPublisher {
        interface Broker {
          void send(String topic, String row);
        }

        private final ArrayBlockingQueue<String> queue;
        private final RowSender sender;

        RowPublisher(Broker broker) {
          this.queue = new ArrayBlockingQueue<>(100);
          this.sender = new RowSender(broker, this.queue);
          Thread thread = new Thread(this.sender, "row-sender");
          thread.setDaemon(true);
          thread.start();
        }

        void publish(String row) throws InterruptedException {
          queue.put(row);
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
      """;

  /** Inherited lifecycle method of the unit. */
  static final String INHERITED_STOP =
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
          private long lastQueued;

          /** Called by the network thread for every transaction pulled. */
          void queue(String tx) {
            try {
              txQueue.put(tx);
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
        }
      }
      """;

  /** Consumers take through a holder with close(). */
  static final String HOLDER_CLOSE =
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

          void onRow(String row) {
            try {
              rows.put(row);
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
      """;

  /** Queue held by the source and by its reader. */
  static final String QUEUE_IN_TWO_FIELDS =
      """
      import java.util.List;
      import java.util.concurrent.CompletableFuture;
      import java.util.concurrent.LinkedBlockingQueue;

      class TableSource {
        /** Pages one table into the source's queue on a callback thread. */
        static final class TableReader {
          private final String table;
          private final LinkedBlockingQueue<String> queue;
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
                      queue.put(table + ": " + row);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      return;
                    }
                  }
                });
          }

          void close() {
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
      """;

  /** Consumer run() called each round by a job. */
  static final String ROUND_CONSUMER =
      """
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.TimeUnit;

      class BatchingHandler implements Runnable {
        private final BlockingQueue<String> messages = new ArrayBlockingQueue<>(16);

        /** Called by the network thread for every inbound message. */
        void handle(String message) {
          try {
            messages.put(message);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }

        /** One round of the job that drains the handler until it is stopped. */
        @Override
        public void run() {
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
      """;

  /**
   * A round consumer that the unit itself calls on the caller's thread: its thread says nothing.
   */
  static final String ROUND_CONSUMER_CALLED_DIRECTLY =
      """
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.TimeUnit;

      class BatchingHandler implements Runnable {
        private final BlockingQueue<String> messages = new ArrayBlockingQueue<>(16);

        /** Called by the network thread for every inbound message. */
        void handle(String message) {
          try {
            messages.put(message);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }

        /** One round of the job that drains the handler until it is stopped. */
        @Override
        public void run() {
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
        /** Drains one round on the caller's own thread. */
        static void drainOnce(BatchingHandler handler) {
          handler.run();
        }
      }
      """;

  /** A prefetching iterator with no lifecycle, created and read to a stop in one method. */
  static final String ITERATOR_CLOSED_AT_CREATION =
      """
      import java.io.BufferedReader;
      import java.util.Iterator;
      import java.util.NoSuchElementException;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.ExecutorService;

      class LineScanner implements Iterator<String> {
        private static final String END = new String("");
        private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(32);
        private String next;

        LineScanner(BufferedReader reader, ExecutorService pool) {
          pool.submit(
              () -> {
                String line;
                while ((line = reader.readLine()) != null) {
                  lines.put(line);
                }
                lines.put(END);
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
          int count = 0;
          while (scanner.hasNext()) {
            if (scanner.next().isBlank()) {
              break;
            }
            count++;
          }
          return count;
        }
      }
      """;

  /** The same iterator handed to the caller: no point in the unit after which nothing reads. */
  static final String ITERATOR_RETURNED_TO_CALLER =
      """
      import java.io.BufferedReader;
      import java.util.Iterator;
      import java.util.NoSuchElementException;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.ExecutorService;

      class LineScanner implements Iterator<String> {
        private static final String END = new String("");
        private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(32);
        private String next;

        LineScanner(BufferedReader reader, ExecutorService pool) {
          pool.submit(
              () -> {
                String line;
                while ((line = reader.readLine()) != null) {
                  lines.put(line);
                }
                lines.put(END);
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

        /** Hands the scanner to the caller, who decides when to stop reading. */
        static Iterator<String> open(BufferedReader reader, ExecutorService pool) {
          return new LineScanner(reader, pool);
        }
      }
      """;

  /**
   * ksqlDB's shape: the listener that a library calls for every event holds the queue through its
   * constructor, the subscription that the streaming loop closes in its {@code finally} holds it
   * too, and neither sees the other: no field can carry a stop flag to the listener.
   */
  static final String QUEUE_WIRED_THROUGH_CONSTRUCTORS =
      """
      import java.io.IOException;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.LinkedBlockingQueue;
      import java.util.concurrent.TimeUnit;

      class NotificationFeed {
        interface Listener {
          void onEvent(String event);
        }

        interface Connection {
          void send(String event) throws IOException;
        }

        /** The event bus calls this on its own thread, once per event. */
        static final class Enqueuer implements Listener {
          private final BlockingQueue<String> pending;

          Enqueuer(BlockingQueue<String> pending) {
            this.pending = pending;
          }

          @Override
          public void onEvent(String event) {
            try {
              pending.put(event);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }

        /** What the HTTP layer holds for one client. */
        static final class Subscription {
          private final BlockingQueue<String> pending;
          private volatile boolean open = true;

          Subscription(BlockingQueue<String> pending) {
            this.pending = pending;
          }

          BlockingQueue<String> events() {
            return pending;
          }

          boolean isOpen() {
            return open;
          }

          void close() {
            open = false;
          }
        }

        private final Subscription subscription;
        private final Thread bus;

        NotificationFeed(int events) {
          BlockingQueue<String> pending = new LinkedBlockingQueue<>(500);
          subscription = new Subscription(pending);
          Listener listener = new Enqueuer(pending);
          bus =
              new Thread(
                  () -> {
                    for (int i = 0; i < events; i++) {
                      listener.onEvent("event " + i);
                    }
                  },
                  "event-bus");
          bus.setDaemon(true);
          bus.start();
        }

        void stream(Connection connection) {
          try {
            while (subscription.isOpen()) {
              String event = subscription.events().poll(100, TimeUnit.MILLISECONDS);
              if (event != null) {
                connection.send(event);
              }
            }
          } catch (IOException e) {
            System.err.println("client went away: " + e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            subscription.close();
          }
        }
      }
      """;

  /**
   * APOC's shape: a background task feeds a queue that a Spliterator reads behind the Stream the
   * method returns; the Spliterator has no lifecycle, the stream does, and the unit closes it.
   */
  static final String STREAM_FED_BY_QUEUE =
      """
      import java.util.Iterator;
      import java.util.Spliterator;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.ExecutorService;
      import java.util.function.Consumer;
      import java.util.stream.Stream;
      import java.util.stream.StreamSupport;

      class AuditExport {
        private static final String END = new String("<end>");

        /** Hands the queued rows to the stream, until the end marker. */
        static final class QueueSpliterator implements Spliterator<String> {
          private final BlockingQueue<String> rows;

          QueueSpliterator(BlockingQueue<String> rows) {
            this.rows = rows;
          }

          @Override
          public boolean tryAdvance(Consumer<? super String> action) {
            String row;
            try {
              row = rows.take();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return false;
            }
            if (row == END) {
              return false;
            }
            action.accept(row);
            return true;
          }

          @Override
          public Spliterator<String> trySplit() {
            return null;
          }

          @Override
          public long estimateSize() {
            return Long.MAX_VALUE;
          }

          @Override
          public int characteristics() {
            return ORDERED | NONNULL;
          }
        }

        private final ExecutorService pool;

        AuditExport(ExecutorService pool) {
          this.pool = pool;
        }

        /** The audit log as a stream; the caller closes it when done. */
        Stream<String> export(Iterator<String> log) {
          BlockingQueue<String> rows = new ArrayBlockingQueue<>(64);
          pool.execute(
              () -> {
                try {
                  while (log.hasNext()) {
                    rows.put(log.next());
                  }
                  rows.put(END);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
          return StreamSupport.stream(new QueueSpliterator(rows), false);
        }

        long countFailures(Iterator<String> log) {
          try (Stream<String> rows = export(log)) {
            return rows.filter(r -> r.contains("FAILED")).limit(10).count();
          }
        }
      }
      """;

  /** The same stream, but nothing in the unit closes it: an onClose handler would never run. */
  static final String STREAM_NEVER_CLOSED =
      STREAM_FED_BY_QUEUE.replace(
          """
              try (Stream<String> rows = export(log)) {
                return rows.filter(r -> r.contains("FAILED")).limit(10).count();
              }
          """,
          """
              return export(log).filter(r -> r.contains("FAILED")).limit(10).count();
          """);

  static final Map<String, String> ALL = new LinkedHashMap<>();

  static {
    NO_FIX.put("insertion in a helper method", ANONYMOUS_CONSUMERS);
    NO_FIX_TEXT.put("insertion in a helper method", LeakedProducer.NO_FIX);
    ALL.put("caller produces", CALLER_PRODUCES);
    ALL.put("iterator closed where it is created", ITERATOR_CLOSED_AT_CREATION);
    NO_FIX.put("iterator returned to the caller", ITERATOR_RETURNED_TO_CALLER);
    NO_FIX_TEXT.put("iterator returned to the caller", ManualFixes.EXTERNAL_NO_LIFECYCLE);
    ALL.put("inherited lifecycle method", INHERITED_STOP);
    ALL.put("consumers read through a holder with close()", HOLDER_CLOSE);
    ALL.put("queue held by two objects", QUEUE_IN_TWO_FIELDS);
    ALL.put("queue wired through constructors", QUEUE_WIRED_THROUGH_CONSTRUCTORS);
    ALL.put("stream fed by a queue, closed by the unit", STREAM_FED_BY_QUEUE);
    NO_FIX.put("stream fed by a queue, never closed", STREAM_NEVER_CLOSED);
    NO_FIX_TEXT.put("stream fed by a queue, never closed", ManualFixes.EXTERNAL_NO_LIFECYCLE);
    ALL.put("consumer run() called each round by a job", ROUND_CONSUMER);
    NO_FIX.put("round consumer called on the caller's thread", ROUND_CONSUMER_CALLED_DIRECTLY);
    NO_FIX_TEXT.put("round consumer called on the caller's thread", LeakedProducer.NO_FIX);
    ALL.put("delete collection joined by a latch", DELETE_COLLECTION_LATCH);
    ALL.put("delete collection joined by futures", DELETE_COLLECTION_FUTURES);
    ALL.put("field queue, consumers gone", FIELD_QUEUE_NO_LIFECYCLE);
    ALL.put("field queue, closed", FIELD_QUEUE_WITH_CLOSE);
    ALL.put("field queue through its holder", FIELD_QUEUE_THROUGH_HOLDER);
    ALL.put("worklist field", FIELD_WORKLIST);
    ALL.put("producer puts inside forEach", FOR_EACH_PRODUCER);
    ALL.put("invokeAll consumers", INVOKE_ALL_CONSUMERS);
    ALL.put("expression lambda consumer", EXPRESSION_LAMBDA_CONSUMER);
    ALL.put("re-entrant appender worker", REENTRANT_APPENDER);
    ALL.put("shutdown pill for a drainer that may be dead", SHUTDOWN_PILL);
    ALL.put("periodic producer on its own executor", PERIODIC_PRODUCER);
    ALL.put("several consumer threads of a field queue", SEVERAL_CONSUMER_THREADS);
    ALL.put("generic prefetching iterator", GENERIC_PREFETCHER);
    ALL.put("consumer and producer classes wired through constructors", CONSTRUCTOR_WIRED_IMPORT);
    ALL.put("sender thread wired through its constructor", SENDER_THREAD_WIRED_THROUGH_CONSTRUCTOR);

    ALL.put(
        "shipper consumer return_that_is_not_end_of_stream",
        ShipperSource.leaky(RETURN_THAT_IS_NOT_END_OF_STREAM, "x"));
    ALL.put("shipper consumer break_in_catch", ShipperSource.leaky(BREAK_IN_CATCH, "x"));
    ALL.put("shipper consumer throw_from_catch", ShipperSource.leaky(THROW_FROM_CATCH, "x"));
    ALL.put(
        "shipper consumer catch_exception_return",
        ShipperSource.leaky(CATCH_EXCEPTION_RETURN, "x"));
    ALL.put(
        "shipper consumer checked_exception_escapes_the_loop",
        ShipperSource.leaky(CHECKED_EXCEPTION_ESCAPES_THE_LOOP, "x"));
    ALL.put("shipper consumer find_first", ShipperSource.leaky(FIND_FIRST, "x"));
    ALL.put(
        "shipper consumer poll_timeout_gives_up", ShipperSource.leaky(POLL_TIMEOUT_GIVES_UP, "x"));
    ALL.put(
        "shipper consumer poll_loop_stops_when_empty",
        ShipperSource.leaky(POLL_LOOP_STOPS_WHEN_EMPTY, "x"));
    ALL.put("shipper consumer is_empty_loop", ShipperSource.leaky(IS_EMPTY_LOOP, "x"));
    ALL.put(
        "shipper consumer declared_unchecked_exception_kills_consumer_thread",
        ShipperSource.leaky(DECLARED_UNCHECKED_EXCEPTION_KILLS_CONSUMER_THREAD, "x"));
    ALL.put("shipper consumer single_take", ShipperSource.leaky(SINGLE_TAKE, "x"));
    ALL.put(
        "shipper consumer counted_consumer_takes_fewer",
        ShipperSource.leaky(COUNTED_CONSUMER_TAKES_FEWER, "x"));
    ALL.put(
        "shipper consumer loop_flag_cleared_on_error",
        ShipperSource.leaky(LOOP_FLAG_CLEARED_ON_ERROR, "x"));
    ALL.put(
        "shipper consumer labeled_break_leaves_both_loops",
        ShipperSource.leaky(LABELED_BREAK_LEAVES_BOTH_LOOPS, "x"));
    ALL.put(
        "crawler linked blocking queue",
        crawler(
            "",
            "BlockingQueue<String> frontier = new LinkedBlockingQueue<>(50);",
            "frontier.put(url);"));
    ALL.put(
        "crawler deque putLast",
        crawler(
            "",
            "BlockingDeque<String> frontier = new LinkedBlockingDeque<>(8);",
            "frontier.putLast(url);"));
    ALL.put(
        "crawler deque putFirst",
        crawler(
            "",
            "LinkedBlockingDeque<String> frontier = new LinkedBlockingDeque<>(8);",
            "frontier.putFirst(url);"));
    ALL.put(
        "crawler synchronous queue",
        crawler(
            "",
            "BlockingQueue<String> frontier = new SynchronousQueue<>(true);",
            "frontier.put(url);"));
    ALL.put(
        "crawler transfer",
        crawler(
            "",
            "TransferQueue<String> frontier = new LinkedTransferQueue<>();",
            "frontier.transfer(url);"));
    ALL.put(
        "crawler timed offer retry",
        crawler(
            "",
            "BlockingQueue<String> frontier = new ArrayBlockingQueue<>(4);",
            "while (!frontier.offer(url, 100, TimeUnit.MILLISECONDS)) {}"));
    ALL.put(
        "crawler timed offer retry with break",
        crawler(
            "",
            "BlockingQueue<String> frontier = new ArrayBlockingQueue<>(4);",
            "while (true) { if (frontier.offer(url, 1, TimeUnit.SECONDS)) { break; } System.err.println(\"full\"); }"));
    ALL.put(
        "crawler two computed elements in one block",
        crawler(
            "",
            "BlockingQueue<String> frontier = new ArrayBlockingQueue<>(4);",
            "frontier.put(\"BEGIN \" + url); frontier.put(\"COMMIT \" + url);"));
    ALL.put("poly element expression keeps its type", BATCHES_OF_LISTS);
    ALL.put(
        "crawler element expression hoisted",
        crawler(
            "",
            "BlockingQueue<String> frontier = new ArrayBlockingQueue<>(4);",
            "frontier.put(url.trim().toLowerCase(java.util.Locale.ROOT));"));
  }
}
