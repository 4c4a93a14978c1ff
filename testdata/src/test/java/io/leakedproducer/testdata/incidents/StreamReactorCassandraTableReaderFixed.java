// Reduction of Stream Reactor (Cassandra source connector) https://github.com/lensesio/stream-reactor/pull/391
// as merged: the offer loop reads the reader's stop flag after every timed-out offer and throws a
// ConnectException once it is set, so the callback resets the reader and stop() returns.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A Kafka Connect source task that pages CQL tables into per-table record queues. */
public class StreamReactorCassandraTableReaderFixed {
  private static final ExecutorService DRIVER_IO = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "cluster1-nio-worker-0");
    t.setDaemon(true);
    return t;
  });
  private static final ExecutorService EXECUTION_CONTEXT = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "scala-execution-context-global-21");
    t.setDaemon(true);
    return t;
  });

  /** Kafka Connect's unchecked failure type. */
  static final class ConnectException extends RuntimeException {
    ConnectException(String message) {
      super(message);
    }
  }

  /** Stands in for the driver session: a query completes on a driver I/O thread. */
  static final class Session {
    private final int rowsPerTable;

    Session(int rowsPerTable) {
      this.rowsPerTable = rowsPerTable;
    }

    CompletableFuture<List<String>> executeAsync(String cql) {
      return CompletableFuture.supplyAsync(() -> {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < rowsPerTable; i++) {
          rows.add(cql + " row " + i);
        }
        return rows;
      }, DRIVER_IO);
    }
  }

  /** Reads one table; the rows of a query are turned into records on the callback thread. */
  static final class CassandraTableReader {
    private final String table;
    private final Session session;
    private final LinkedBlockingQueue<String> queue;
    private final AtomicBoolean querying = new AtomicBoolean(false);
    private final AtomicBoolean stop = new AtomicBoolean(false);

    CassandraTableReader(String table, Session session, LinkedBlockingQueue<String> queue) {
      this.table = table;
      this.session = session;
      this.queue = queue;
    }

    boolean isQuerying() {
      return querying.get();
    }

    void read() {
      if (!stop.get() && !querying.get()) {
        query();
      }
    }

    private void query() {
      querying.set(true);
      process(session.executeAsync("SELECT * FROM " + table));
    }

    /** Iterates the result set when it arrives and queues one record per row. */
    private void process(CompletableFuture<List<String>> future) {
      future.thenAcceptAsync(rows -> {
        int index = 100;
        boolean shouldStop = stop.get();
        for (int i = 0; i < rows.size() && !shouldStop; i++) {
          // Re-read the volatile flag only every hundred rows.
          if (--index == 0) {
            index = 100;
            shouldStop = stop.get();
          }
          try {
            processRow(rows.get(i));
          } catch (InterruptedException | RuntimeException e) {
            reset();
            throw new IllegalStateException("error processing row for table " + table, e);
          }
        }
        reset();
      }, EXECUTION_CONTEXT);
    }

    private void processRow(String row) throws InterruptedException {
      String record = "SourceRecord(" + table + ", " + row + ")";
      boolean shouldStop = false;
      while (!queue.offer(record, 1, TimeUnit.SECONDS) & !shouldStop) {
        shouldStop = stop.get();
      }
      if (shouldStop) {
        throw new ConnectException("Connector stopped for table " + table + ".");
      }
    }

    private void reset() {
      querying.set(false);
    }

    void close() throws InterruptedException {
      stopQuerying();
    }

    /** Tells the reader to stop and waits until the running query is processed. */
    void stopQuerying() throws InterruptedException {
      stop.set(true);
      while (querying.get()) {
        Thread.sleep(200);
      }
    }
  }

  /** What the Connect worker drives: poll() while running, stop() when the task is removed. */
  static final class CassandraSourceTask {
    private final Map<String, LinkedBlockingQueue<String>> queues = new HashMap<>();
    private final Map<String, CassandraTableReader> readers = new HashMap<>();
    private final List<String> tables = new ArrayList<>();
    private final int batchSize;

    CassandraSourceTask(List<String> assigned, Session session, int bufferSize, int batchSize) {
      this.batchSize = batchSize;
      for (String table : assigned) {
        LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>(bufferSize);
        queues.put(table, queue);
        readers.put(table, new CassandraTableReader(table, session, queue));
        tables.add(table);
      }
    }

    List<String> poll() {
      List<String> records = new ArrayList<>();
      for (String table : tables) {
        CassandraTableReader reader = readers.get(table);
        if (!reader.isQuerying()) {
          reader.read();
        }
        queues.get(table).drainTo(records, batchSize);
      }
      return records;
    }

    void stop() throws InterruptedException {
      for (CassandraTableReader reader : readers.values()) {
        reader.close();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    CassandraSourceTask task =
        new CassandraSourceTask(List.of("orders"), new Session(5_000), 100, 20);
    for (int round = 0; round < 3; round++) {
      System.out.println("polled " + task.poll().size() + " records");
      Thread.sleep(100);
    }
    // DELETE /connectors/cassandra-source: the worker stops polling and stops the task.
    Thread deleter = new Thread(() -> {
      try {
        task.stop();
        System.out.println("task stopped");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "connector-delete");
    deleter.setDaemon(true);
    deleter.start();
    deleter.join(1_500);
    System.out.println("task stopped within 1.5 s: " + !deleter.isAlive());
  }
}
