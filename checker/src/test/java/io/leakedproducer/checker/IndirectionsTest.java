package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * Queues reached through indirections (spec: "see through indirections"): a field declared {@code =
 * null} and created later, identity wrappers, getters used inside the unit, arrays and lists of
 * queues. Each shape is judged like the plain field it stands for.
 */
final class IndirectionsTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  @Test
  void identificationFieldDeclaredNullAndCreatedInStart() {
    helper
        .addSourceLines(
            "Indexer.java",
            """
            import java.util.concurrent.*;

            class Indexer {
              private BlockingQueue<String> docs = null;
              private Thread writer;

              void start(int capacity) {
                docs = new LinkedBlockingQueue<>(capacity);
                writer = new Thread(this::writeLoop, "index-writer");
                writer.start();
              }

              void submit(String doc) throws InterruptedException {
                // BUG: Diagnostic contains: can block forever in put() on 'docs' (new LinkedBlockingQueue<>(capacity)): every consumer can stop taking (line 25: return in catch (RuntimeException))
                docs.put(doc);
              }

              private void writeLoop() {
                try {
                  while (true) {
                    String doc = docs.take();
                    try {
                      write(doc);
                    } catch (RuntimeException e) {
                      return;
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              private void write(String doc) {}
            }
            """)
        .doTest();
  }

  @Test
  void identificationQueueWiredThroughRequireNonNull() {
    helper
        .addSourceLines(
            "Replicator.java",
            """
            import java.util.Objects;
            import java.util.concurrent.*;

            class Replicator {
              static final class Sender implements Runnable {
                private final BlockingQueue<byte[]> outbox;

                Sender(BlockingQueue<byte[]> outbox) {
                  this.outbox = Objects.requireNonNull(outbox, "outbox");
                }

                @Override
                public void run() {
                  try {
                    while (true) {
                      byte[] batch = outbox.take();
                      if (batch.length == 0) {
                        break;
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }

              private final BlockingQueue<byte[]> outbox = new ArrayBlockingQueue<>(4);

              void start() {
                new Thread(new Sender(outbox)).start();
              }

              void replicate(byte[] batch) throws InterruptedException {
                // BUG: Diagnostic contains: can block forever in put() on 'outbox' (new ArrayBlockingQueue<>(4))
                outbox.put(batch);
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationInsertionThroughAPrivateGetter() {
    helper
        .addSourceLines(
            "Mailer.java",
            """
            import java.util.concurrent.*;

            class Mailer {
              private final BlockingQueue<String> outgoing = new ArrayBlockingQueue<>(16);

              Mailer() {
                Thread sender = new Thread(() -> {
                  try {
                    while (true) {
                      if (!send(outgoing.take())) {
                        return;
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                sender.setDaemon(true);
                sender.start();
              }

              private BlockingQueue<String> queue() {
                return outgoing;
              }

              void enqueue(String mail) throws InterruptedException {
                // BUG: Diagnostic contains: can block forever in put() on 'outgoing' (new ArrayBlockingQueue<>(16)): every consumer can stop taking (line 11: return when processing an element fails)
                queue().put(mail);
              }

              private boolean send(String mail) {
                return !mail.isEmpty();
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativePublicGetterHandsTheQueueToUnseenConsumers() {
    helper
        .addSourceLines(
            "Mailer.java",
            """
            import java.util.concurrent.*;

            public class Mailer {
              private final BlockingQueue<String> outgoing = new ArrayBlockingQueue<>(16);

              public BlockingQueue<String> queue() {
                return outgoing;
              }

              void enqueue(String mail) throws InterruptedException {
                outgoing.put(mail);
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationArrayOfShardQueues() {
    helper
        .addSourceLines(
            "ShardedWriter.java",
            """
            import java.util.concurrent.*;

            class ShardedWriter {
              private final BlockingQueue<String>[] shards;

              @SuppressWarnings("unchecked")
              ShardedWriter(int count) {
                shards = new BlockingQueue[count];
                for (int i = 0; i < count; i++) {
                  shards[i] = new ArrayBlockingQueue<>(32);
                  BlockingQueue<String> shard = shards[i];
                  new Thread(() -> {
                    try {
                      while (true) {
                        if (!store(shard.take())) {
                          break;
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }).start();
                }
              }

              void write(String key) throws InterruptedException {
                // BUG: Diagnostic contains: can block forever in put() on 'shards' (new ArrayBlockingQueue<>(32))
                shards[Math.floorMod(key.hashCode(), shards.length)].put(key);
              }

              private boolean store(String key) {
                return key.length() < 100;
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationListOfPartitionQueues() {
    helper
        .addSourceLines(
            "PartitionRouter.java",
            """
            import java.util.*;
            import java.util.concurrent.*;

            class PartitionRouter {
              private final List<BlockingQueue<String>> partitions = new ArrayList<>();

              PartitionRouter(int count, ExecutorService pool) {
                for (int i = 0; i < count; i++) {
                  partitions.add(new LinkedBlockingQueue<>(64));
                }
                for (BlockingQueue<String> partition : partitions) {
                  pool.execute(() -> {
                    try {
                      while (true) {
                        String record = partition.take();
                        if (record.startsWith("#")) {
                          throw new IllegalStateException("corrupt record " + record);
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
                }
              }

              void route(String record) throws InterruptedException {
                // BUG: Diagnostic contains: can block forever in put() on 'partitions' (new LinkedBlockingQueue<>(64))
                partitions.get(record.length() % partitions.size()).put(record);
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeListOfUnboundedQueues() {
    helper
        .addSourceLines(
            "PartitionRouter.java",
            """
            import java.util.*;
            import java.util.concurrent.*;

            class PartitionRouter {
              private final List<BlockingQueue<String>> partitions = new ArrayList<>();

              PartitionRouter(int count, ExecutorService pool) {
                for (int i = 0; i < count; i++) {
                  partitions.add(new LinkedBlockingQueue<>());
                }
                for (BlockingQueue<String> partition : partitions) {
                  pool.execute(() -> {
                    try {
                      while (true) {
                        String record = partition.take();
                        if (record.startsWith("#")) {
                          throw new IllegalStateException("corrupt record " + record);
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
                }
              }

              void route(String record) throws InterruptedException {
                partitions.get(record.length() % partitions.size()).put(record);
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationMapOfTableQueuesHandedToReaderConstructors() {
    helper
        .addSourceLines(
            "TableSource.java",
            """
            import java.util.*;
            import java.util.concurrent.*;

            class TableSource {
              static final class TableReader {
                private final String table;
                private final BlockingQueue<String> rows;

                TableReader(String table, BlockingQueue<String> rows) {
                  this.table = table;
                  this.rows = rows;
                }

                void load(int count) throws InterruptedException {
                  for (int i = 0; i < count; i++) {
                    // BUG: Diagnostic contains: can block forever in put() on 'rows' (new LinkedBlockingQueue<>(capacity)): every consumer can stop taking (line 39: return in catch (RuntimeException))
                    rows.put(table + " row " + i);
                  }
                }
              }

              private final Map<String, BlockingQueue<String>> byTable = new HashMap<>();
              private final List<TableReader> readers = new ArrayList<>();

              TableSource(List<String> tables, int capacity, ExecutorService pool) {
                for (String table : tables) {
                  BlockingQueue<String> queue = new LinkedBlockingQueue<>(capacity);
                  byTable.put(table, queue);
                  readers.add(new TableReader(table, queue));
                }
                for (BlockingQueue<String> queue : byTable.values()) {
                  pool.execute(() -> {
                    try {
                      while (true) {
                        String row = queue.take();
                        try {
                          publish(row);
                        } catch (RuntimeException e) {
                          return;
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
                }
              }

              void loadAll(int count) throws InterruptedException {
                for (TableReader reader : readers) {
                  reader.load(count);
                }
              }

              private void publish(String row) {
                if (row.isEmpty()) {
                  throw new IllegalArgumentException("empty row");
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeMapOfTableQueuesWhoseValuesEscape() {
    helper
        .addSourceLines(
            "TableSource.java",
            """
            import java.util.*;
            import java.util.concurrent.*;
            import java.util.function.Consumer;

            class TableSource {
              static final class TableReader {
                private final String table;
                private final BlockingQueue<String> rows;

                TableReader(String table, BlockingQueue<String> rows) {
                  this.table = table;
                  this.rows = rows;
                }

                void load(int count) throws InterruptedException {
                  for (int i = 0; i < count; i++) {
                    rows.put(table + " row " + i);
                  }
                }
              }

              private final Map<String, BlockingQueue<String>> byTable = new HashMap<>();
              private final List<TableReader> readers = new ArrayList<>();

              TableSource(List<String> tables, int capacity, Consumer<Collection<BlockingQueue<String>>> drainer) {
                for (String table : tables) {
                  BlockingQueue<String> queue = new LinkedBlockingQueue<>(capacity);
                  byTable.put(table, queue);
                  readers.add(new TableReader(table, queue));
                }
                // The drainer is code this unit cannot see: it may consume every queue for good.
                drainer.accept(byTable.values());
              }

              void loadAll(int count) throws InterruptedException {
                for (TableReader reader : readers) {
                  reader.load(count);
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationQueueThroughConstructorsRequireNonNullAndGettersOfOtherClasses() {
    helper
        .addSourceLines(
            "PushQuery.java",
            """
            import java.io.*;
            import java.nio.charset.StandardCharsets;
            import java.util.Objects;
            import java.util.concurrent.*;
            import java.util.function.Consumer;

            class PushQuery {
              static final class RowBuffer {
                private final BlockingQueue<String> rows = new LinkedBlockingQueue<>(100);

                BlockingQueue<String> getRows() {
                  return rows;
                }
              }

              static final class RowWriter {
                private final BlockingQueue<String> rows;

                RowWriter(BlockingQueue<String> rows) {
                  this.rows = Objects.requireNonNull(rows, "rows");
                }

                void write(String row) throws InterruptedException {
                  // BUG: Diagnostic contains: can block forever in put() on 'rows' (new LinkedBlockingQueue<>(100)): every consumer can stop taking (line 62: return after a matching element)
                  rows.put(row);
                }
              }

              static final class QueryHandle {
                private final BlockingQueue<String> rows;

                QueryHandle(BlockingQueue<String> rows) {
                  this.rows = rows;
                }

                BlockingQueue<String> getRowQueue() {
                  return rows;
                }
              }

              private final QueryHandle handle;

              PushQuery(ExecutorService streams, int records) {
                RowBuffer buffer = new RowBuffer();
                RowWriter writer = new RowWriter(buffer.getRows());
                handle = new QueryHandle(buffer.getRows());
                streams.execute(() -> {
                  try {
                    for (int i = 0; i < records; i++) {
                      writer.write("row " + i);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
              }

              void stream(OutputStream out) throws IOException, InterruptedException {
                while (true) {
                  String row = handle.getRowQueue().take();
                  if (row.isEmpty()) {
                    return;
                  }
                  out.write(row.getBytes(StandardCharsets.UTF_8));
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeQueueHandedOutsideThroughAGetterOfAnotherClass() {
    helper
        .addSourceLines(
            "PushQuery.java",
            """
            import java.io.*;
            import java.nio.charset.StandardCharsets;
            import java.util.Objects;
            import java.util.concurrent.*;
            import java.util.function.Consumer;

            class PushQuery {
              static final class RowBuffer {
                private final BlockingQueue<String> rows = new LinkedBlockingQueue<>(100);

                BlockingQueue<String> getRows() {
                  return rows;
                }
              }

              static final class RowWriter {
                private final BlockingQueue<String> rows;

                RowWriter(BlockingQueue<String> rows) {
                  this.rows = Objects.requireNonNull(rows, "rows");
                }

                void write(String row) throws InterruptedException {

                  rows.put(row);
                }
              }

              static final class QueryHandle {
                private final BlockingQueue<String> rows;

                QueryHandle(BlockingQueue<String> rows) {
                  this.rows = rows;
                }

                BlockingQueue<String> getRowQueue() {
                  return rows;
                }
              }

              private final QueryHandle handle;

              PushQuery(ExecutorService streams, int records, Consumer<BlockingQueue<String>> monitor) {
                RowBuffer buffer = new RowBuffer();
                RowWriter writer = new RowWriter(buffer.getRows());
                handle = new QueryHandle(buffer.getRows());
                streams.execute(() -> {
                  try {
                    for (int i = 0; i < records; i++) {
                      writer.write("row " + i);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
                // The monitor is code this unit cannot see: it may drain the rows for good.
                monitor.accept(handle.getRowQueue());
              }

              void stream(OutputStream out) throws IOException, InterruptedException {
                while (true) {
                  String row = handle.getRowQueue().take();
                  if (row.isEmpty()) {
                    return;
                  }
                  out.write(row.getBytes(StandardCharsets.UTF_8));
                }
              }
            }
            """)
        .doTest();
  }

  /**
   * A record holds the queue: its accessor has no tree (javac writes it after Error Prone runs),
   * and neither has the canonical constructor's {@code this.buffer = buffer}.
   */
  @Test
  void identificationQueueInARecordComponent() {
    helper
        .addSourceLines(
            "SessionReplay.java",
            replay(
                "record Channel(String sessionId, BlockingQueue<String> buffer) {}",
                "class SessionReplay",
                "// BUG: Diagnostic contains: can block forever in put() on 'buffer' (new"
                    + " ArrayBlockingQueue<>(4)): every consumer can stop taking (line 23: return"
                    + " after a matching element)"))
        .doTest();
  }

  /** A public getter of a final holder that is not public is no more visible than a package one. */
  @Test
  void identificationPublicGetterOfAPackagePrivateFinalHolder() {
    helper
        .addSourceLines(
            "SessionReplay.java",
            replay(
                """
                static final class Channel {
                  private final BlockingQueue<String> buffer;

                  Channel(String sessionId, BlockingQueue<String> buffer) {
                    this.buffer = buffer;
                  }

                  public BlockingQueue<String> buffer() {
                    return buffer;
                  }
                }""",
                "class SessionReplay",
                "// BUG: Diagnostic contains: can block forever in put() on 'buffer' (new"
                    + " ArrayBlockingQueue<>(4)): every consumer can stop taking (line 33: return"
                    + " after a matching element)"))
        .doTest();
  }

  /** A public record's accessor may be called by code the unit cannot see: no alias. */
  @Test
  void negativePublicRecordOfAPublicClass() {
    helper
        .addSourceLines(
            "SessionReplay.java",
            replay(
                "public record Channel(String sessionId, BlockingQueue<String> buffer) {}",
                "public class SessionReplay",
                ""))
        .doTest();
  }

  /**
   * A loader task streams a session's events into the holder's queue; the caller returns at the
   * first checkout event. {@code holder} declares the holder type, {@code leak} marks the put.
   */
  private static String replay(String holder, String owner, String leak) {
    return """
        import java.util.concurrent.*;

        %s {
          %s

          private final ExecutorService loaders = Executors.newCachedThreadPool();

          String firstCheckout(String sessionId, int events) throws InterruptedException {
            Channel channel = new Channel(sessionId, new ArrayBlockingQueue<>(4));
            loaders.execute(() -> {
              try {
                for (int i = 0; i < events; i++) {
                  %s
                  channel.buffer().put(i == 5 ? "checkout" : "view-" + i);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
            while (true) {
              String event = channel.buffer().take();
              if (event.startsWith("checkout")) {
                return sessionId + ":" + event;
              }
            }
          }
        }
        """
        .formatted(owner, holder.indent(2).strip(), leak);
  }

  @Test
  void identificationListOfWorkerQueuesCreatedWithInitialCapacity() {
    // Spec "see through indirections": a list sized up front is as empty as new ArrayList<>().
    helper
        .addSourceLines(
            "ChunkPipeline.java",
            """
            import java.util.*;
            import java.util.concurrent.*;

            class ChunkPipeline {
              private final List<BlockingQueue<byte[]>> perWorker;
              private final ExecutorService pool;

              ChunkPipeline(int workers, ExecutorService pool) {
                this.pool = pool;
                this.perWorker = new ArrayList<>(workers);
                for (int i = 0; i < workers; i++) {
                  perWorker.add(new ArrayBlockingQueue<>(8));
                }
                pool.execute(this::writeInOrder);
              }

              void emit(int worker, byte[] chunk) throws InterruptedException {
                // BUG: Diagnostic contains: can block forever in put() on 'perWorker' (new ArrayBlockingQueue<>(8)): every consumer can stop taking (line 28: throw IllegalStateException on error)
                perWorker.get(worker).put(chunk);
              }

              private void writeInOrder() {
                try {
                  while (true) {
                    for (BlockingQueue<byte[]> queue : perWorker) {
                      byte[] chunk = queue.take();
                      if (chunk.length == 0) {
                        throw new IllegalStateException("empty chunk");
                      }
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationMapOfQueuesWithLoadFactorAndACopiedSnapshot() {
    // new HashMap<>(16, 0.75f) is empty; new ArrayList<>(byTopic.values()) holds the same queues.
    helper
        .addSourceLines(
            "TopicFanOut.java",
            """
            import java.util.*;
            import java.util.concurrent.*;

            class TopicFanOut {
              private final Map<String, BlockingQueue<String>> byTopic = new HashMap<>(16, 0.75f);

              TopicFanOut(List<String> topics, ExecutorService pool) {
                for (String topic : topics) {
                  byTopic.put(topic, new LinkedBlockingQueue<>(32));
                }
                for (BlockingQueue<String> queue : byTopic.values()) {
                  pool.execute(() -> deliver(queue));
                }
              }

              void broadcast(String message) throws InterruptedException {
                List<BlockingQueue<String>> snapshot = new ArrayList<>(byTopic.values());
                for (BlockingQueue<String> queue : snapshot) {
                  // BUG: Diagnostic contains: can block forever in put() on 'queue' (new LinkedBlockingQueue<>(32)): every consumer can stop taking (line 29: return after a matching element)
                  queue.put(message);
                }
              }

              private void deliver(BlockingQueue<String> queue) {
                try {
                  while (true) {
                    String message = queue.take();
                    if (message.isEmpty()) {
                      return;
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeSizedListFilledWithQueuesFromOutside() {
    // The list is sized, but its queues come from the caller: created where we cannot see.
    helper
        .addSourceLines(
            "ChunkPipeline.java",
            """
            import java.util.*;
            import java.util.concurrent.*;

            class ChunkPipeline {
              private final List<BlockingQueue<byte[]>> perWorker;

              ChunkPipeline(List<BlockingQueue<byte[]>> queues, ExecutorService pool) {
                this.perWorker = new ArrayList<>(queues);
                pool.execute(this::writeInOrder);
              }

              void emit(int worker, byte[] chunk) throws InterruptedException {
                perWorker.get(worker).put(chunk);
              }

              private void writeInOrder() {
                try {
                  while (true) {
                    for (BlockingQueue<byte[]> queue : perWorker) {
                      byte[] chunk = queue.take();
                      if (chunk.length == 0) {
                        throw new IllegalStateException("empty chunk");
                      }
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationQueueHandedToTheLambdaOfAPrivateHelper() {
    // action.accept(queue) reaches the lambda the unit passes; the queue comes back by return.
    helper
        .addSourceLines(
            "ReportChecker.java",
            """
            import java.util.List;
            import java.util.concurrent.*;
            import java.util.function.Consumer;

            class ReportChecker {
              private final ExecutorService pool = Executors.newCachedThreadPool();

              private <T> BlockingQueue<T> runInBackground(int capacity, Consumer<BlockingQueue<T>> action) {
                BlockingQueue<T> queue = new ArrayBlockingQueue<>(capacity);
                pool.execute(() -> action.accept(queue));
                return queue;
              }

              String firstFailure(List<String> reports) throws InterruptedException {
                BlockingQueue<String> results = runInBackground(16, out -> check(reports, out));
                for (int i = 0; i < reports.size(); i++) {
                  String result = results.take();
                  if (result.startsWith("FAIL")) {
                    return result;
                  }
                }
                return null;
              }

              void check(List<String> reports, BlockingQueue<String> out) {
                try {
                  for (String report : reports) {
                    // BUG: Diagnostic contains: the executor thread that runs the task passed to execute() (line 10) can block forever in put() on 'out' (new ArrayBlockingQueue<>(capacity)): every consumer can stop taking (line 19: return after a matching element)
                    out.put(report.isEmpty() ? "FAIL " + report : "OK " + report);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeHelperOthersCanCallHandsTheQueueOut() {
    // A visible helper returns the queue to callers outside this unit, who may consume it.
    helper
        .addSourceLines(
            "ReportChecker.java",
            """
            import java.util.List;
            import java.util.concurrent.*;
            import java.util.function.Consumer;

            class ReportChecker {
              private final ExecutorService pool = Executors.newCachedThreadPool();

              public <T> BlockingQueue<T> runInBackground(int capacity, Consumer<BlockingQueue<T>> action) {
                BlockingQueue<T> queue = new ArrayBlockingQueue<>(capacity);
                pool.execute(() -> action.accept(queue));
                return queue;
              }

              String firstFailure(List<String> reports) throws InterruptedException {
                BlockingQueue<String> results = runInBackground(16, out -> check(reports, out));
                for (int i = 0; i < reports.size(); i++) {
                  String result = results.take();
                  if (result.startsWith("FAIL")) {
                    return result;
                  }
                }
                return null;
              }

              void check(List<String> reports, BlockingQueue<String> out) {
                try {
                  for (String report : reports) {
                    out.put(report.isEmpty() ? "FAIL " + report : "OK " + report);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeHelperCalledTwiceMakesTwoQueues() {
    // Each call of the helper makes its own queue: its two callers' results are not one queue.
    helper
        .addSourceLines(
            "ReportChecker.java",
            """
            import java.util.List;
            import java.util.concurrent.*;
            import java.util.function.Consumer;

            class ReportChecker {
              private final ExecutorService pool = Executors.newCachedThreadPool();

              private <T> BlockingQueue<T> runInBackground(int capacity, Consumer<BlockingQueue<T>> action) {
                BlockingQueue<T> queue = new ArrayBlockingQueue<>(capacity);
                pool.execute(() -> action.accept(queue));
                return queue;
              }

              String firstFailure(List<String> reports) throws InterruptedException {
                BlockingQueue<String> results = runInBackground(16, out -> check(reports, out));
                for (int i = 0; i < reports.size(); i++) {
                  String result = results.take();
                  if (result.startsWith("FAIL")) {
                    return result;
                  }
                }
                return null;
              }

              int countPassed(List<String> reports) throws InterruptedException {
                BlockingQueue<String> results = runInBackground(16, out -> check(reports, out));
                int passed = 0;
                for (int i = 0; i < reports.size(); i++) {
                  if (results.take().startsWith("OK")) {
                    passed++;
                  }
                }
                return passed;
              }

              void check(List<String> reports, BlockingQueue<String> out) {
                try {
                  for (String report : reports) {
                    out.put(report.isEmpty() ? "FAIL " + report : "OK " + report);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeActionPassedAsAMethodReference() {
    // Only lambdas written in the unit are followed; a method reference stays code we do not see.
    helper
        .addSourceLines(
            "ReportChecker.java",
            """
            import java.util.List;
            import java.util.concurrent.*;
            import java.util.function.Consumer;

            class ReportChecker {
              private final ExecutorService pool = Executors.newCachedThreadPool();

              private <T> BlockingQueue<T> runInBackground(int capacity, Consumer<BlockingQueue<T>> action) {
                BlockingQueue<T> queue = new ArrayBlockingQueue<>(capacity);
                pool.execute(() -> action.accept(queue));
                return queue;
              }

              String firstFailure(List<String> reports) throws InterruptedException {
                BlockingQueue<String> results = runInBackground(16, this::checkAll);
                for (int i = 0; i < reports.size(); i++) {
                  String result = results.take();
                  if (result.startsWith("FAIL")) {
                    return result;
                  }
                }
                return null;
              }

              void checkAll(BlockingQueue<String> out) {
                check(List.of(), out);
              }

              void check(List<String> reports, BlockingQueue<String> out) {
                try {
                  for (String report : reports) {
                    out.put(report.isEmpty() ? "FAIL " + report : "OK " + report);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void identificationPerKeyQueueFromPutIfAbsentIsOneOfTheMapsBoundedValues() {
    helper
        .addSourceLines(
            "SiteForwarder.java",
            """
            import java.util.concurrent.*;

            class SiteForwarder {
              private final ConcurrentMap<String, BlockingQueue<String>> pending = new ConcurrentHashMap<>();
              private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

              void forward(String site, String message) throws InterruptedException {
                BlockingQueue<String> queue = pending.get(site);
                if (queue == null) {
                  queue = new LinkedBlockingQueue<>(100);
                  BlockingQueue<String> existing = pending.putIfAbsent(site, queue);
                  if (existing != null) {
                    queue = existing;
                  }
                }
                // BUG: Diagnostic contains: can block forever in put() on 'queue' (new LinkedBlockingQueue<>(100)): every consumer can stop taking (line 30: stops as soon as the queue is momentarily empty)
                queue.put(message);
              }

              void siteUp(String site) {
                timer.execute(() -> flush(site));
              }

              private void flush(String site) {
                BlockingQueue<String> queue = pending.get(site);
                if (queue == null) {
                  return;
                }
                String message;
                while ((message = queue.poll()) != null) {
                  send(site, message);
                }
              }

              private void send(String site, String message) {}
            }
            """)
        .doTest();
  }

  @Test
  void identificationQueueFromComputeIfAbsentIsWhatTheMappingLambdaCreates() {
    helper
        .addSourceLines(
            "TenantQueues.java",
            """
            import java.util.Map;
            import java.util.concurrent.*;

            public class TenantQueues {
              private final Map<String, BlockingQueue<Runnable>> byTenant = new ConcurrentHashMap<>();

              public void submit(String tenant, Runnable job) throws InterruptedException {
                // BUG: Diagnostic contains: can block forever in put() on 'byTenant' (new ArrayBlockingQueue<>(16)): every consumer can stop taking (line 21: return in catch (RuntimeException))
                byTenant.computeIfAbsent(tenant, t -> new ArrayBlockingQueue<>(16)).put(job);
              }

              public void startWorker(String tenant) {
                BlockingQueue<Runnable> jobs = byTenant.computeIfAbsent(tenant, t -> new ArrayBlockingQueue<>(16));
                Thread worker = new Thread(() -> {
                  try {
                    while (true) {
                      Runnable job = jobs.take();
                      try {
                        job.run();
                      } catch (RuntimeException e) {
                        return;
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }, "tenant-" + tenant);
                worker.start();
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeMapThatAlsoReceivesQueuesFromCallersIsUnknown() {
    helper
        .addSourceLines(
            "TenantQueuesOpen.java",
            """
            import java.util.Map;
            import java.util.concurrent.*;

            public class TenantQueuesOpen {
              private final Map<String, BlockingQueue<Runnable>> byTenant = new ConcurrentHashMap<>();

              public void submit(String tenant, Runnable job) throws InterruptedException {
                byTenant.computeIfAbsent(tenant, t -> new ArrayBlockingQueue<>(16)).put(job);
              }

              public void register(String tenant, BlockingQueue<Runnable> jobs) {
                byTenant.put(tenant, jobs);
              }

              public void startWorker(String tenant) {
                BlockingQueue<Runnable> jobs = byTenant.computeIfAbsent(tenant, t -> new ArrayBlockingQueue<>(16));
                Thread worker = new Thread(() -> {
                  try {
                    while (true) {
                      Runnable job = jobs.take();
                      try {
                        job.run();
                      } catch (RuntimeException e) {
                        return;
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }, "tenant-" + tenant);
                worker.start();
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }

  @Test
  void identificationQueueFromComputeIfAbsentIsWhatTheReferencedHelperReturns() {
    helper
        .addSourceLines(
            "TopicPublisher.java",
            """
            import java.util.Map;
            import java.util.concurrent.*;

            public class TopicPublisher {
              private final Map<String, BlockingQueue<String>> byTopic = new ConcurrentHashMap<>();

              public void publish(String topic, String message) throws InterruptedException {
                // BUG: Diagnostic contains: can block forever in put() on 'byTopic' (new ArrayBlockingQueue<>(64)): every consumer can stop taking (line 23: TopicPublisher.deliver() can throw IllegalArgumentException (line 32) out of the take loop)
                byTopic.computeIfAbsent(topic, this::startTopic).put(message);
              }

              private BlockingQueue<String> startTopic(String topic) {
                BlockingQueue<String> messages = new ArrayBlockingQueue<>(64);
                Thread drainer = new Thread(() -> drain(topic, messages), "topic-" + topic);
                drainer.setDaemon(true);
                drainer.start();
                return messages;
              }

              private void drain(String topic, BlockingQueue<String> messages) {
                try {
                  while (true) {
                    deliver(topic, messages.take());
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              private void deliver(String topic, String message) {
                if (message.isEmpty()) {
                  throw new IllegalArgumentException("empty message on " + topic);
                }
              }
            }
            """)
        .doTest();
  }

  @Test
  void negativeComputeIfAbsentWithAnOverridableFactoryIsUnknown() {
    helper
        .addSourceLines(
            "TopicPublisherOpen.java",
            """
            import java.util.Map;
            import java.util.concurrent.*;

            public class TopicPublisherOpen {
              private final Map<String, BlockingQueue<String>> byTopic = new ConcurrentHashMap<>();

              public void publish(String topic, String message) throws InterruptedException {
                byTopic.computeIfAbsent(topic, this::startTopic).put(message);
              }

              // A subclass may hand back any queue, bounded or not, drained or not.
              protected BlockingQueue<String> startTopic(String topic) {
                BlockingQueue<String> messages = new ArrayBlockingQueue<>(64);
                Thread drainer = new Thread(() -> drain(topic, messages), "topic-" + topic);
                drainer.setDaemon(true);
                drainer.start();
                return messages;
              }

              private void drain(String topic, BlockingQueue<String> messages) {
                try {
                  while (true) {
                    String message = messages.take();
                    if (message.isEmpty()) {
                      throw new IllegalArgumentException("empty message on " + topic);
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
            """)
        .expectNoDiagnostics()
        .doTest();
  }
}
