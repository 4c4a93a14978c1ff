// Reduction of Trino JDBC https://github.com/trinodb/trino/issues/7374: ResultSet.close() cancels
// the row prefetcher through CompletableFuture.cancel(true), which does not interrupt, so the
// worker stays blocked in put on the full row queue. Written for leaked-producer; no upstream code
// copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A JDBC result set whose rows are prefetched by a pool task into a bounded queue. Closing the
 * result set before the last row calls {@code cancel(true)} on the task's future, but that future
 * is a {@link CompletableFuture}, whose {@code cancel} only completes the future: the worker
 * thread is not interrupted and stays parked in {@code put} with the rows it holds.
 */
public class TrinoResultSet implements AutoCloseable {
  /** Stands for the HTTP statement client that pages through the query results. */
  static final class StatementClient {
    private final int pages;
    private final int rowsPerPage;
    private volatile boolean closed;
    private int page;

    StatementClient(int pages, int rowsPerPage) {
      this.pages = pages;
      this.rowsPerPage = rowsPerPage;
    }

    boolean isRunning() {
      return !closed && page < pages;
    }

    /** Returns the data of the current page and advances to the next one. */
    List<List<Object>> advance() {
      List<List<Object>> data = new ArrayList<>(rowsPerPage);
      for (int i = 0; i < rowsPerPage; i++) {
        data.add(List.of((long) page * rowsPerPage + i, "name-" + i));
      }
      page++;
      return data;
    }

    void close() {
      closed = true;
    }
  }

  /** Flattens the client's pages into rows. */
  private static Iterator<List<Object>> rows(StatementClient client) {
    return new Iterator<>() {
      private Iterator<List<Object>> current = List.<List<Object>>of().iterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && client.isRunning()) {
          current = client.advance().iterator();
        }
        return current.hasNext();
      }

      @Override
      public List<Object> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
  }

  /** Prefetches rows on a shared pool so the caller never waits on the network per row. */
  private static class AsyncIterator<T> implements Iterator<T> {
    private static final int MAX_QUEUED_ROWS = 5_000;
    private static final ExecutorService executorService =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "Trino JDBC worker");
              t.setDaemon(true);
              return t;
            });

    private final StatementClient client;
    private final BlockingQueue<T> rowQueue = new ArrayBlockingQueue<>(MAX_QUEUED_ROWS);
    // One permit per queued row, plus one when the underlying iterator is exhausted.
    private final Semaphore semaphore = new Semaphore(0);
    private final CompletableFuture<Void> future;
    private T next;

    AsyncIterator(Iterator<T> dataIterator, StatementClient client) {
      this.client = client;
      this.future =
          CompletableFuture.runAsync(
              () -> {
                try {
                  while (dataIterator.hasNext()) {
                    rowQueue.put(dataIterator.next()); // LEAK
                    semaphore.release();
                  }
                } catch (InterruptedException e) {
                  interrupt(e);
                } finally {
                  semaphore.release();
                }
              },
              executorService);
    }

    public void cancel() {
      future.cancel(true);
    }

    private void interrupt(InterruptedException e) {
      client.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("ResultSet thread was interrupted", e);
    }

    private T computeNext() {
      try {
        semaphore.acquire();
      } catch (InterruptedException e) {
        interrupt(e);
      }
      if (rowQueue.isEmpty()) {
        // The prefetcher is done: surface its failure, if any.
        try {
          future.get();
        } catch (InterruptedException e) {
          interrupt(e);
        } catch (ExecutionException e) {
          throw new IllegalStateException(e.getCause());
        }
        return null;
      }
      return rowQueue.poll();
    }

    @Override
    public boolean hasNext() {
      if (next == null) {
        next = computeNext();
      }
      return next != null;
    }

    @Override
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      T result = next;
      next = null;
      return result;
    }
  }

  private final StatementClient client;
  private final Iterator<List<Object>> results;
  private final AtomicBoolean closed = new AtomicBoolean();
  private List<Object> row;

  TrinoResultSet(StatementClient client) {
    this.client = client;
    this.results = new AsyncIterator<>(rows(client), client);
  }

  public boolean next() {
    if (!results.hasNext()) {
      return false;
    }
    row = results.next();
    return true;
  }

  public Object getObject(int column) {
    return row.get(column - 1);
  }

  @Override
  public void close() {
    closed.set(true);
    ((AsyncIterator<?>) results).cancel();
    client.close();
  }

  public static void main(String[] args) throws Exception {
    // A query without LIMIT read only for its first few rows, as a UI preview does.
    try (TrinoResultSet rs = new TrinoResultSet(new StatementClient(100, 1_000))) {
      for (int i = 0; i < 5 && rs.next(); i++) {
        System.out.println(rs.getObject(1) + " " + rs.getObject(2));
      }
      // The user looks at the preview for a while; meanwhile the prefetcher fills its queue.
      BlockingQueue<?> prefetched = ((AsyncIterator<?>) rs.results).rowQueue;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (prefetched.remainingCapacity() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    System.out.println("result set closed");
  }
}
