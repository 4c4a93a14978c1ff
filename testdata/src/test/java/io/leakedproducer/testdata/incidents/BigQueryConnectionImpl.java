// Reduction of BigQuery for Java https://github.com/googleapis/java-bigquery/issues/2543
// (open, labelled bug): close() puts an end-of-stream marker into the row buffer the caller stopped
// reading before it shuts the page workers down, so close() and both workers block forever.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The generic BigQuery connection: a query result is paged in by one pool task, flattened into a
 * row buffer by another, and read by the caller through a ResultSet-like cursor. {@code close()}
 * first appends an end-of-stream marker to the row buffer (so that a reader blocked in
 * {@code next()} wakes up) and only then shuts the pool down. When the caller has stopped reading
 * and the buffer is full, that marker {@code put} never returns: the caller hangs in
 * {@code close()}, and the workers, which were to be interrupted right after it, stay parked too.
 */
public class BigQueryConnectionImpl {
  private static final Logger logger = Logger.getLogger(BigQueryConnectionImpl.class.getName());

  /** One result row. */
  static class FieldValueList {
    final long rowNumber;

    FieldValueList(long rowNumber) {
      this.rowNumber = rowNumber;
    }
  }

  /** The marker that tells the cursor the rows are over. */
  static final class EndOfFieldValueList extends FieldValueList {
    EndOfFieldValueList() {
      super(-1);
    }
  }

  /** A page of the tabledata.list response. */
  record TableDataPage(List<FieldValueList> rows, String nextPageToken) {}

  /** Stands for the tabledata.list RPC of a finished query job. */
  static final class TableDataRpc {
    private final int pages;
    private final int rowsPerPage;

    TableDataRpc(int pages, int rowsPerPage) {
      this.pages = pages;
      this.rowsPerPage = rowsPerPage;
    }

    TableDataPage listTableData(String pageToken) {
      int page = Integer.parseInt(pageToken);
      List<FieldValueList> rows = new ArrayList<>(rowsPerPage);
      for (int i = 0; i < rowsPerPage; i++) {
        rows.add(new FieldValueList((long) page * rowsPerPage + i));
      }
      return new TableDataPage(rows, page + 1 < pages ? String.valueOf(page + 1) : null);
    }
  }

  /** The cursor handed to the caller. */
  static final class BigQueryResultSet {
    private final BlockingQueue<FieldValueList> buffer;
    private FieldValueList cursor;

    BigQueryResultSet(BlockingQueue<FieldValueList> buffer) {
      this.buffer = buffer;
    }

    boolean next() throws InterruptedException {
      cursor = buffer.take();
      return !(cursor instanceof EndOfFieldValueList);
    }

    long getRowNumber() {
      return cursor.rowNumber;
    }
  }

  private static final int MAX_PROCESS_QUERY_THREADS_CNT = 5;
  private final ExecutorService queryTaskExecutor =
      Executors.newFixedThreadPool(MAX_PROCESS_QUERY_THREADS_CNT);
  private final TableDataRpc rpc;
  private final int bufferSize;
  // Created lazily by the first query that uses the tabledata.list path.
  private BlockingQueue<FieldValueList> bufferFvl = null;

  BigQueryConnectionImpl(TableDataRpc rpc, int bufferSize) {
    this.rpc = rpc;
    this.bufferSize = bufferSize;
  }

  BigQueryResultSet executeSelect() {
    bufferFvl = new LinkedBlockingDeque<>(bufferSize);
    BlockingQueue<TableDataPage> pageCache = new LinkedBlockingDeque<>(2);
    runNextPageTaskAsync("0", pageCache);
    populateBufferAsync(pageCache, bufferFvl);
    return new BigQueryResultSet(bufferFvl);
  }

  private void runNextPageTaskAsync(String firstPageToken, BlockingQueue<TableDataPage> pageCache) {
    Runnable nextPageTask =
        () -> {
          String pageToken = firstPageToken;
          try {
            while (pageToken != null) {
              if (Thread.currentThread().isInterrupted() || queryTaskExecutor.isShutdown()) {
                break;
              }
              TableDataPage page = rpc.listTableData(pageToken);
              pageCache.put(page); // LEAK
              pageToken = page.nextPageToken();
            }
          } catch (InterruptedException e) {
            logger.log(Level.WARNING, "page fetcher interrupted", e);
          }
        };
    queryTaskExecutor.execute(nextPageTask);
  }

  private void populateBufferAsync(
      BlockingQueue<TableDataPage> pageCache, BlockingQueue<FieldValueList> buffer) {
    Runnable populateBufferRunnable =
        () -> {
          boolean hasRows = true;
          try {
            while (hasRows) {
              TableDataPage page = pageCache.take();
              hasRows = page.nextPageToken() != null;
              for (FieldValueList row : page.rows()) {
                if (Thread.currentThread().isInterrupted() || queryTaskExecutor.isShutdown()) {
                  return;
                }
                buffer.put(row); // LEAK
              }
            }
            buffer.put(new EndOfFieldValueList()); // LEAK
          } catch (InterruptedException e) {
            logger.log(Level.WARNING, "buffer populator interrupted", e);
          }
        };
    queryTaskExecutor.execute(populateBufferRunnable);
  }

  /** Wakes a reader blocked in {@code next()} by appending the end marker to the row buffer. */
  void flagEndOfStream() {
    try {
      if (bufferFvl != null) {
        bufferFvl.put(new EndOfFieldValueList()); // LEAK
      }
    } catch (InterruptedException e) {
      logger.log(Level.WARNING, "interrupted while flagging the end of stream", e);
    }
  }

  public synchronized boolean close() throws InterruptedException {
    flagEndOfStream();
    queryTaskExecutor.shutdownNow();
    return queryTaskExecutor.awaitTermination(10, TimeUnit.SECONDS);
  }

  public static void main(String[] args) throws Exception {
    BigQueryConnectionImpl connection =
        new BigQueryConnectionImpl(new TableDataRpc(200, 100), 1_000);
    BigQueryResultSet rs = connection.executeSelect();
    long read = 0;
    while (read < 10 && rs.next()) {
      read++;
    }
    // The caller has what it needs; the workers keep filling the buffer until it is full.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (connection.bufferFvl.remainingCapacity() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    System.out.println("read " + read + " rows; closing the connection");
    connection.close();
    System.out.println("closed");
  }
}
