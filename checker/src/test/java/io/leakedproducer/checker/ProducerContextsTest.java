package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/** Every way a producer can be started, each next to the same code made safe. */
final class ProducerContextsTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  @Test
  void identificationLambdaExecute() {
    helper
        .addSourceLines(
            "Indexer.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;

            class Indexer {
              void index(List<String> docs, ExecutorService pool) throws InterruptedException {
                BlockingQueue<String> pending = new ArrayBlockingQueue<>(16);
                pool.execute(() -> {
                  try {
                    for (String doc : docs) {
                      // BUG: Diagnostic contains: the executor thread that runs the task passed to execute() (line 9) can block forever in put() on 'pending' (new ArrayBlockingQueue<>(16)): every consumer can stop taking (line 22: return when processing an element fails)
                      pending.put(doc);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                while (true) {
                  String doc = pending.take();
                  if (!write(doc)) {
                    return;
                  }
                }
              }

              boolean write(String doc) {
                return !doc.isEmpty();
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeLambdaExecuteWithShutdownNow() {
    helper
        .addSourceLines(
            "Indexer.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Executors;

            class Indexer {
              void index(List<String> docs) throws InterruptedException {
                BlockingQueue<String> pending = new ArrayBlockingQueue<>(16);
                ExecutorService pool = Executors.newSingleThreadExecutor();
                pool.execute(() -> {
                  try {
                    for (String doc : docs) {
                      pending.put(doc);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                try {
                  while (true) {
                    String doc = pending.take();
                    if (!write(doc)) {
                      return;
                    }
                  }
                } finally {
                  pool.shutdownNow();
                }
              }

              boolean write(String doc) {
                return !doc.isEmpty();
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationLambdaSubmit() {
    helper
        .addSourceLines(
            "Exporter.java",
            """
            import java.util.List;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Future;
            import java.util.concurrent.LinkedBlockingQueue;

            class Exporter {
              void export(List<String> rows, ExecutorService pool) throws Exception {
                BlockingQueue<String> batch = new LinkedBlockingQueue<>(100);
                Future<?> producer = pool.submit(() -> {
                  for (String row : rows) {
                    // BUG: Diagnostic contains: on 'batch' (new LinkedBlockingQueue<>(100)): every consumer can stop taking (line 23: upload() can throw IOException out of the take loop)
                    batch.put(row);
                  }
                  return null;
                });
                Future<?> consumer = pool.submit(() -> {
                  while (true) {
                    String row = batch.take();
                    if (row.equals("EOF")) {
                      return null;
                    }
                    upload(row);
                  }
                });
                consumer.get();
              }

              void upload(String row) throws java.io.IOException {}
            }
            """)
        .doTest();
  }

  @Test
  void negativeLambdaSubmitCancelledAfterJoin() {
    helper
        .addSourceLines(
            "Exporter.java",
            """
            import java.util.List;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Future;
            import java.util.concurrent.LinkedBlockingQueue;

            class Exporter {
              void export(List<String> rows, ExecutorService pool) throws Exception {
                BlockingQueue<String> batch = new LinkedBlockingQueue<>(100);
                Future<?> producer = pool.submit(() -> {
                  for (String row : rows) {
                    batch.put(row);
                  }
                  return null;
                });
                Future<?> consumer = pool.submit(() -> {
                  while (true) {
                    String row = batch.take();
                    if (row.equals("EOF")) {
                      return null;
                    }
                    upload(row);
                  }
                });
                try {
                  consumer.get();
                } finally {
                  producer.cancel(true);
                }
              }

              void upload(String row) throws java.io.IOException {}
            }
            """)
        .doTest();
  }

  @Test
  void identificationAnonymousRunnable() {
    helper
        .addSourceLines(
            "LogShipper.java",
            """
            import java.util.Iterator;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            class LogShipper {
              void ship(Iterator<String> lines) {
                BlockingQueue<String> outbox = new ArrayBlockingQueue<>(64);
                Thread reader = new Thread(new Runnable() {
                  @Override
                  public void run() {
                    try {
                      while (lines.hasNext()) {
                        // BUG: Diagnostic contains: on 'outbox' (new ArrayBlockingQueue<>(64)): every consumer can stop taking (line 29: break when processing an element fails)
                        outbox.put(lines.next());
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                });
                reader.start();
                Thread sender = new Thread(new Runnable() {
                  @Override
                  public void run() {
                    while (true) {
                      try {
                        String line = outbox.take();
                        if (!send(line)) {
                          break;
                        }
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  }
                });
                sender.start();
              }

              boolean send(String line) {
                return line.length() < 1000;
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeAnonymousRunnableInterruptedBySender() {
    helper
        .addSourceLines(
            "LogShipper.java",
            """
            import java.util.Iterator;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            class LogShipper {
              void ship(Iterator<String> lines) {
                BlockingQueue<String> outbox = new ArrayBlockingQueue<>(64);
                Thread reader = new Thread(new Runnable() {
                  @Override
                  public void run() {
                    try {
                      while (lines.hasNext()) {
                        outbox.put(lines.next());
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                });
                reader.start();
                Thread sender = new Thread(new Runnable() {
                  @Override
                  public void run() {
                    try {
                      while (true) {
                        String line = outbox.take();
                        if (!send(line)) {
                          break;
                        }
                      }
                    } catch (InterruptedException e) {
                      return;
                    } finally {
                      reader.interrupt();
                    }
                  }
                });
                sender.start();
              }

              boolean send(String line) {
                return line.length() < 1000;
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationMethodReferenceWithHelper() {
    helper
        .addSourceLines(
            "Crawler.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;

            class Crawler {
              private final BlockingQueue<String> frontier = new ArrayBlockingQueue<>(32);
              private final List<String> seeds;

              Crawler(List<String> seeds) {
                this.seeds = seeds;
              }

              String crawl(ExecutorService pool) throws InterruptedException {
                pool.submit(this::discover);
                while (true) {
                  String url = frontier.take();
                  if (url.endsWith("/robots.txt")) {
                    return url;
                  }
                }
              }

              private Void discover() throws InterruptedException {
                for (String seed : seeds) {
                  enqueue(seed);
                }
                return null;
              }

              private void enqueue(String url) throws InterruptedException {
                // BUG: Diagnostic contains: on 'frontier' (new ArrayBlockingQueue<>(32)): every consumer can stop taking (line 19: return after a matching element)
                frontier.put(url);
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeMethodReferenceCancelled() {
    helper
        .addSourceLines(
            "Crawler.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Future;

            class Crawler {
              private final BlockingQueue<String> frontier = new ArrayBlockingQueue<>(32);
              private final List<String> seeds;

              Crawler(List<String> seeds) {
                this.seeds = seeds;
              }

              String crawl(ExecutorService pool) throws InterruptedException {
                Future<Void> discovery = pool.submit(this::discover);
                try {
                  while (true) {
                    String url = frontier.take();
                    if (url.endsWith("/robots.txt")) {
                      return url;
                    }
                  }
                } finally {
                  discovery.cancel(true);
                }
              }

              private Void discover() throws InterruptedException {
                for (String seed : seeds) {
                  enqueue(seed);
                }
                return null;
              }

              private void enqueue(String url) throws InterruptedException {
                frontier.put(url);
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationCompletableFutureCancelDoesNotInterrupt() {
    helper
        .addSourceLines(
            "Importer.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.CompletableFuture;

            class Importer {
              int importAll(List<String> records) throws InterruptedException {
                BlockingQueue<String> parsed = new ArrayBlockingQueue<>(10);
                CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                  try {
                    for (String r : records) {
                      // BUG: Diagnostic contains: on 'parsed' (new ArrayBlockingQueue<>(10)): every consumer can stop taking (line 24: return after a matching element)
                      parsed.put(r.trim());
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                int imported = 0;
                try {
                  while (true) {
                    String record = parsed.take();
                    if (record.startsWith("#")) {
                      return imported;
                    }
                    imported++;
                  }
                } finally {
                  reader.cancel(true);
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeCompletableFutureOnOwnExecutorShutDownNow() {
    helper
        .addSourceLines(
            "Importer.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.CompletableFuture;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Executors;

            class Importer {
              int importAll(List<String> records) throws InterruptedException {
                BlockingQueue<String> parsed = new ArrayBlockingQueue<>(10);
                ExecutorService io = Executors.newSingleThreadExecutor();
                CompletableFuture.runAsync(() -> {
                  try {
                    for (String r : records) {
                      parsed.put(r.trim());
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }, io);
                int imported = 0;
                try {
                  while (true) {
                    String record = parsed.take();
                    if (record.startsWith("#")) {
                      return imported;
                    }
                    imported++;
                  }
                } finally {
                  io.shutdownNow();
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationSupplyAsyncAndForkJoinPool() {
    helper
        .addSourceLines(
            "Thumbnailer.java",
            """
            import java.util.List;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.CompletableFuture;
            import java.util.concurrent.ForkJoinPool;
            import java.util.concurrent.SynchronousQueue;

            class Thumbnailer {
              void render(List<byte[]> images) throws InterruptedException {
                BlockingQueue<byte[]> handoff = new SynchronousQueue<>();
                CompletableFuture.supplyAsync(() -> {
                  try {
                    for (byte[] image : images) {
                      // BUG: Diagnostic contains: on 'handoff' (a synchronous handoff: new SynchronousQueue<>()): every consumer can stop taking (line 26: throw IllegalArgumentException on error)
                      handoff.put(image);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return images.size();
                });
                ForkJoinPool.commonPool().execute(() -> {
                  try {
                    while (true) {
                      byte[] image = handoff.take();
                      if (image.length == 0) {
                        throw new IllegalArgumentException("empty image");
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationRunnableClassesSharingAField() {
    helper
        .addSourceLines(
            "Pipeline.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            class Pipeline {
              static final class Reader implements Runnable {
                private final BlockingQueue<String> out;
                private final List<String> files;

                Reader(BlockingQueue<String> out, List<String> files) {
                  this.out = out;
                  this.files = files;
                }

                @Override
                public void run() {
                  try {
                    for (String f : files) {
                      // BUG: Diagnostic contains: on 'out' (new ArrayBlockingQueue<>(4)): every consumer can stop taking (line 43: return in catch (RuntimeException))
                      out.put(f);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              static final class Writer implements Runnable {
                private final BlockingQueue<String> in;

                Writer(BlockingQueue<String> in) {
                  this.in = in;
                }

                @Override
                public void run() {
                  try {
                    while (true) {
                      String f = in.take();
                      try {
                        process(f);
                      } catch (RuntimeException e) {
                        return;
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }

                void process(String f) {}
              }

              static void run(List<String> files) {
                BlockingQueue<String> queue = new ArrayBlockingQueue<>(4);
                new Thread(new Reader(queue, files)).start();
                new Thread(new Writer(queue)).start();
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeRunnableClassesWithResilientConsumer() {
    helper
        .addSourceLines(
            "Pipeline.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            class Pipeline {
              static final String END = "<end>";

              static final class Reader implements Runnable {
                private final BlockingQueue<String> out;
                private final List<String> files;

                Reader(BlockingQueue<String> out, List<String> files) {
                  this.out = out;
                  this.files = files;
                }

                @Override
                public void run() {
                  try {
                    for (String f : files) {
                      out.put(f);
                    }
                    out.put(END);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              static final class Writer implements Runnable {
                private final BlockingQueue<String> in;

                Writer(BlockingQueue<String> in) {
                  this.in = in;
                }

                @Override
                public void run() {
                  try {
                    while (true) {
                      String f = in.take();
                      if (f == END) {
                        return;
                      }
                      try {
                        process(f);
                      } catch (RuntimeException e) {
                        System.err.println("skipping " + f + ": " + e);
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }

                void process(String f) {}
              }

              static void run(List<String> files) {
                BlockingQueue<String> queue = new ArrayBlockingQueue<>(4);
                new Thread(new Reader(queue, files)).start();
                new Thread(new Writer(queue)).start();
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationCallerThreadProducer() {
    helper
        .addSourceLines(
            "MetricsFlusher.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;

            class MetricsFlusher {
              void flush(List<Double> samples, ExecutorService pool) throws InterruptedException {
                BlockingQueue<Double> wire = new ArrayBlockingQueue<>(8);
                pool.execute(() -> {
                  try {
                    while (true) {
                      double sample = wire.take();
                      if (Double.isNaN(sample)) {
                        return;
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                for (Double sample : samples) {
                  // BUG: Diagnostic contains: the calling thread can block forever in put() on 'wire' (new ArrayBlockingQueue<>(8)): every consumer can stop taking (line 14: return after a matching element)
                  wire.put(sample);
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeCallerThreadProducerWithCapacityForEverySample() {
    helper
        .addSourceLines(
            "MetricsFlusher.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.ExecutorService;

            class MetricsFlusher {
              void flush(List<Double> samples, ExecutorService pool) throws InterruptedException {
                BlockingQueue<Double> wire = new ArrayBlockingQueue<>(samples.size());
                pool.execute(() -> {
                  try {
                    while (true) {
                      double sample = wire.take();
                      if (Double.isNaN(sample)) {
                        return;
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                for (Double sample : samples) {
                  wire.put(sample);
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationCallableClassAndThreadSubclass() {
    helper
        .addSourceLines(
            "Replicator.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.Callable;
            import java.util.concurrent.ExecutorService;

            class Replicator {
              static final class Fetch implements Callable<Integer> {
                private final BlockingQueue<String> changes;
                private final List<String> log;

                Fetch(BlockingQueue<String> changes, List<String> log) {
                  this.changes = changes;
                  this.log = log;
                }

                @Override
                public Integer call() throws InterruptedException {
                  for (String entry : log) {
                    // BUG: Diagnostic contains: on 'changes' (new ArrayBlockingQueue<>(2)): every consumer can stop taking (line 39: return when processing an element fails)
                    changes.put(entry);
                  }
                  return log.size();
                }
              }

              static final class Apply extends Thread {
                private final BlockingQueue<String> changes;

                Apply(BlockingQueue<String> changes) {
                  this.changes = changes;
                }

                @Override
                public void run() {
                  try {
                    while (true) {
                      if (!apply(changes.take())) {
                        return;
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }

                boolean apply(String change) {
                  return !change.isEmpty();
                }
              }

              static void replicate(List<String> log, ExecutorService pool) {
                BlockingQueue<String> changes = new ArrayBlockingQueue<>(2);
                pool.submit(new Fetch(changes, log));
                new Apply(changes).start();
              }
            }
            """)
        .doTest();
  }

  @Test
  @EnabledForJreRange(min = JRE.JAVA_21)
  void identificationThreadBuilders() {
    helper
        .addSourceLines(
            "Uploader.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;

            class Uploader {
              void upload(List<String> parts) throws InterruptedException {
                BlockingQueue<String> chunks = new ArrayBlockingQueue<>(3);
                Thread.ofVirtual().start(() -> {
                  try {
                    for (String part : parts) {
                      // BUG: Diagnostic contains: on 'chunks' (new ArrayBlockingQueue<>(3)): every consumer can stop taking (line 22: return when processing an element fails)
                      chunks.put(part);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                Thread.ofPlatform().name("uploader").start(() -> {
                  try {
                    while (true) {
                      if (!send(chunks.take())) {
                        return;
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
              }

              boolean send(String chunk) {
                return chunk.length() > 1;
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeForEachInsideACancelledProducer() {
    helper
        .addSourceLines(
            "Importer.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class Importer {
              void load(List<String> rows, ExecutorService pool) throws Exception {
                BlockingQueue<String> staged = new ArrayBlockingQueue<>(8);
                Future<?> reader = pool.submit(() -> {
                  rows.forEach(row -> {
                    try {
                      staged.put(row);
                    } catch (InterruptedException e) {
                      throw new CancellationException("reader cancelled");
                    }
                  });
                });
                try {
                  for (String row = staged.take(); !row.isEmpty(); row = staged.take()) {
                    System.out.println(row);
                  }
                } finally {
                  reader.cancel(true);
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationForEachInsideAProducerNobodyCancels() {
    helper
        .addSourceLines(
            "Importer.java",
            """
            import java.util.List;
            import java.util.concurrent.*;

            class Importer {
              void load(List<String> rows, ExecutorService pool) throws Exception {
                BlockingQueue<String> staged = new ArrayBlockingQueue<>(8);
                pool.submit(() -> {
                  rows.forEach(row -> {
                    try {
                      // BUG: Diagnostic contains: the executor thread that runs the task passed to submit() (line 7) can block forever in put() on 'staged' (new ArrayBlockingQueue<>(8)): every consumer can stop taking (line 17: leaves the take loop when its condition on an element is false)
                      staged.put(row);
                    } catch (InterruptedException e) {
                      throw new CancellationException("reader cancelled");
                    }
                  });
                });
                for (String row = staged.take(); !row.isEmpty(); row = staged.take()) {
                  System.out.println(row);
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationLibraryCallbackIsNamedByTheMethodItCalls() {
    helper
        .addSourceLines(
            "RowScanner.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.Flow;

            class RowScanner implements AutoCloseable {
              private final BlockingQueue<String> rows = new ArrayBlockingQueue<>(64);
              private final RowObserver observer = new RowObserver();
              private volatile Flow.Subscription subscription;

              /** Called by the transport's threads with every row of the response. */
              private final class RowObserver implements Flow.Subscriber<String> {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                  subscription = s;
                  s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(String row) {
                  try {
                    // BUG: Diagnostic contains: the thread that calls onNext() can block forever in put() on 'rows'
                    rows.put(row);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }

                @Override
                public void onError(Throwable error) {}

                @Override
                public void onComplete() {}
              }

              RowScanner(Flow.Publisher<String> rpc) {
                rpc.subscribe(observer);
              }

              /** Returns the next row to the application, which may stop reading at any time. */
              String next() throws InterruptedException {
                return rows.take();
              }

              @Override
              public void close() {
                subscription.cancel();
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeCallbackAlsoCalledFromAMethodOfTheUnitRunsOnTheCallingThread() {
    helper
        .addSourceLines(
            "RowScanner.java",
            """
            import java.util.List;
            import java.util.concurrent.ArrayBlockingQueue;
            import java.util.concurrent.BlockingQueue;
            import java.util.concurrent.Flow;

            class RowScanner implements AutoCloseable {
              private final BlockingQueue<String> rows = new ArrayBlockingQueue<>(64);
              private final RowObserver observer = new RowObserver();
              private volatile Flow.Subscription subscription;

              /** Called by the transport's threads with every row of the response. */
              private final class RowObserver implements Flow.Subscriber<String> {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                  subscription = s;
                  s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(String row) {
                  try {
                    // BUG: Diagnostic contains: the calling thread can block forever in put() on 'rows'
                    rows.put(row);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }

                @Override
                public void onError(Throwable error) {}

                @Override
                public void onComplete() {}
              }

              RowScanner(Flow.Publisher<String> rpc) {
                rpc.subscribe(observer);
              }

              /** Rows cached by an earlier scan are handed over on the caller's thread first. */
              void replay(List<String> cached) {
                Flow.Subscriber<String> subscriber = observer;
                for (String row : cached) {
                  subscriber.onNext(row);
                }
              }

              /** Returns the next row to the application, which may stop reading at any time. */
              String next() throws InterruptedException {
                return rows.take();
              }

              @Override
              public void close() {
                subscription.cancel();
              }
            }
            """)
        .doTest();
  }
}
