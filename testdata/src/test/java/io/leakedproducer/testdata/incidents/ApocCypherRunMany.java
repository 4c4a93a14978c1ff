// Reduction of APOC (neo4j-apoc-procedures, apoc.cypher.runMany) https://github.com/neo4j-contrib/neo4j-apoc-procedures/pull/1462
// ("fix deadlock situation in concurrent executions"), the code it merged, unchanged since. The
// procedure runs the statements on a new daemon thread, which submits each statement's
// transaction to the default pool and waits for it; the pool thread put()s every result row into
// a bounded queue, and the daemon thread, in a finally, put()s a tombstone in a loop that retries
// on interrupt. The queue is read by a Spliterator behind the Stream the procedure returns: a query
// that reads a few rows (LIMIT) or a client that goes away stops reading, and the pool thread
// blocks forever; the reviewer asked "can this lead into being blocked forever?" in the PR; no
// change followed. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.io.Reader;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Scanner;
import java.util.Spliterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * {@code apoc.cypher.runMany} as APOC ships it: a procedure whose result stream is fed by a
 * background thread through a bounded queue. The consumer is whoever reads the returned Stream
 * (the Cypher runtime): it can stop at any row, and nothing then stops the feeding threads.
 */
public class ApocCypherRunMany {
  /** One row of a statement's result, or the statistics row (-1), or the end marker. */
  static final class RowResult {
    static final RowResult TOMBSTONE = new RowResult(-1, null);

    final long row;
    final Map<String, Object> result;

    RowResult(long row, Map<String, Object> result) {
      this.row = row;
      this.result = result;
    }
  }

  /** Throws when the procedure's transaction is terminated (killed, timed out). */
  static final class TerminationGuard {
    private volatile boolean terminated;

    void check() {
      if (terminated) {
        throw new IllegalStateException("The transaction has been terminated.");
      }
    }
  }

  /** A statement's result: rows, then statistics. */
  interface Result extends Iterator<Map<String, Object>> {
    Map<String, Object> getQueryStatistics();
  }

  /** The database: runs a statement ("UNWIND range(1, n)") in a transaction. */
  static final class GraphDatabase {
    Result execute(String statement, Map<String, Object> params) {
      int n = Integer.parseInt(statement.replaceAll("\\D+", " ").trim().split(" ")[1]);
      Iterator<Map<String, Object>> rows =
          IntStream.rangeClosed(1, n).mapToObj(i -> Map.<String, Object>of("x", i)).iterator();
      return new Result() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Map<String, Object> next() {
          return rows.next();
        }

        @Override
        public Map<String, Object> getQueryStatistics() {
          return Map.of("rows", n);
        }
      };
    }
  }

  /** APOC's shared thread pools. */
  static final class Pools {
    private final ExecutorService defaultExecutorService =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "apoc-default");
              t.setDaemon(true);
              return t;
            });

    ExecutorService getDefaultExecutorService() {
      return defaultExecutorService;
    }
  }

  static final class Util {
    private Util() {}

    static Thread newDaemonThread(Runnable runnable) {
      Thread thread = new Thread(runnable, "apoc-runMany");
      thread.setDaemon(true);
      return thread;
    }

    /** Runs the work in a new transaction on a pool thread and waits for its result. */
    static <T> T inTx(GraphDatabase db, Pools pools, Function<GraphDatabase, T> work) {
      Future<T> future = pools.getDefaultExecutorService().submit(() -> work.apply(db));
      try {
        return future.get();
      } catch (InterruptedException | ExecutionException e) {
        throw new RuntimeException("Error executing in separate transaction", e);
      }
    }
  }

  /** APOC's polling take: waits in slices, re-running the check (the termination guard). */
  static final class QueueUtil {
    private QueueUtil() {}

    static <T> T take(BlockingQueue<T> queue, long timeoutSeconds, Runnable checkDuringPolling) {
      try {
        long started = System.currentTimeMillis();
        while (started + timeoutSeconds * 1000 > System.currentTimeMillis()) {
          T polled = queue.poll(1, TimeUnit.SECONDS);
          if (polled != null) {
            return polled;
          }
          checkDuringPolling.run();
        }
        throw new RuntimeException("Error polling, timeout of " + timeoutSeconds + " seconds");
      } catch (InterruptedException e) {
        throw new RuntimeException(e);
      }
    }
  }

  /** The procedure's result stream: takes rows until the tombstone. */
  static final class QueueBasedSpliterator<T> implements Spliterator<T> {
    private final BlockingQueue<T> queue;
    private final T tombstone;
    private final TerminationGuard terminationGuard;
    private final int timeoutSeconds;
    private volatile boolean foundTombstone = false;

    QueueBasedSpliterator(
        BlockingQueue<T> queue, T tombstone, TerminationGuard terminationGuard, int timeoutSeconds) {
      this.queue = queue;
      this.tombstone = tombstone;
      this.terminationGuard = terminationGuard;
      this.timeoutSeconds = timeoutSeconds;
    }

    @Override
    public boolean tryAdvance(Consumer<? super T> action) {
      if (foundTombstone) {
        return false;
      }
      terminationGuard.check();
      T element = QueueUtil.take(queue, timeoutSeconds, terminationGuard::check);
      if (element.equals(tombstone)) {
        foundTombstone = true;
        return false;
      }
      action.accept(element);
      return true;
    }

    @Override
    public Spliterator<T> trySplit() {
      return null;
    }

    @Override
    public long estimateSize() {
      return Long.MAX_VALUE;
    }

    @Override
    public int characteristics() {
      return NONNULL;
    }
  }

  /** The procedures class: one instance per call, with the injected context. */
  static final class Cypher {
    private final GraphDatabase db;
    private final Pools pools;
    private final TerminationGuard terminationGuard;

    Cypher(GraphDatabase db, Pools pools, TerminationGuard terminationGuard) {
      this.db = db;
      this.pools = pools;
      this.terminationGuard = terminationGuard;
    }

    Stream<RowResult> runMany(String cypher, Map<String, Object> params, Map<String, Object> config) {
      boolean addStatistics = (Boolean) config.getOrDefault("statistics", true);
      int timeout = (Integer) config.getOrDefault("timeout", 1);
      int queueCapacity = (Integer) config.getOrDefault("queueCapacity", 100);
      return runManyStatements(new StringReader(cypher), params, addStatistics, timeout, queueCapacity);
    }

    private Stream<RowResult> runManyStatements(
        Reader reader,
        Map<String, Object> params,
        boolean addStatistics,
        int timeout,
        int queueCapacity) {
      BlockingQueue<RowResult> queue =
          runInSeparateThreadAndSendTombstone(
              queueCapacity,
              internalQueue -> runDataStatementsInTx(reader, internalQueue, params, addStatistics, timeout),
              RowResult.TOMBSTONE);
      return StreamSupport.stream(
          new QueueBasedSpliterator<>(queue, RowResult.TOMBSTONE, terminationGuard, Integer.MAX_VALUE),
          false);
    }

    private <T> BlockingQueue<T> runInSeparateThreadAndSendTombstone(
        int queueCapacity, Consumer<BlockingQueue<T>> action, T tombstone) {
      // Not on a pool thread: a full pool would leave the tombstone waiting in its job queue.
      BlockingQueue<T> queue = new ArrayBlockingQueue<>(queueCapacity);
      Util.newDaemonThread(
              () -> {
                try {
                  action.accept(queue);
                } finally {
                  while (true) { // ensure we send TOMBSTONE even if there's an InterruptedException
                    try {
                      queue.put(tombstone); // LEAK
                      return;
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                }
              })
          .start();
      return queue;
    }

    private void runDataStatementsInTx(
        Reader reader,
        BlockingQueue<RowResult> queue,
        Map<String, Object> params,
        boolean addStatistics,
        long timeout) {
      Scanner scanner = new Scanner(reader);
      scanner.useDelimiter(";\r?\n");
      while (scanner.hasNext()) {
        String stmt = scanner.next();
        if (stmt.trim().isEmpty()) {
          continue;
        }
        Util.inTx(db, pools, txDb -> consumeResult(txDb.execute(stmt, params), queue, addStatistics, timeout));
      }
    }

    private Object consumeResult(
        Result result, BlockingQueue<RowResult> queue, boolean addStatistics, long timeout) {
      try {
        long time = System.currentTimeMillis();
        int row = 0;
        while (result.hasNext()) {
          terminationGuard.check();
          queue.put(new RowResult(row++, new HashMap<>(result.next()))); // LEAK
        }
        if (addStatistics) {
          Map<String, Object> stats = new HashMap<>(result.getQueryStatistics());
          stats.put("time", System.currentTimeMillis() - time);
          queue.put(new RowResult(-1, stats)); // LEAK
        }
        return row;
      } catch (InterruptedException e) {
        throw new RuntimeException(e);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Pools pools = new Pools();
    Cypher procedure = new Cypher(new GraphDatabase(), pools, new TerminationGuard());
    // CALL apoc.cypher.runMany('UNWIND range(1, 1000) ...; UNWIND range(1, 10) ...;', {})
    // YIELD row, result RETURN row, result LIMIT 5
    try (Stream<RowResult> rows =
        procedure.runMany(
            "UNWIND range(1, 1000) AS x RETURN x;\nUNWIND range(1, 10) AS y RETURN y;\n",
            Map.of(),
            Map.of())) {
      List<Long> firstRows = rows.limit(5).map(r -> r.row).collect(Collectors.toList());
      System.out.println("query returned rows " + firstRows);
    }
    Thread.sleep(300);
  }
}
