package eval.cases;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.function.Supplier;

/**
 * A streaming JDBC-style result: iterating the rows starts a prefetch on the I/O pool that reads
 * the cursor and hands each row over a SynchronousQueue. The statement page stops at its LIMIT and
 * drops the iterator; the prefetch task waits in put for a reader that never comes back.
 */
public final class AccountStatementQuery {
  record Row(long id, String account, long amountCents) {}

  /** Stands in for a JDBC result set: next() advances the server-side cursor. */
  static final class ServerCursor {
    private final String account;
    private final int total;
    private int position;

    ServerCursor(String account, int total) {
      this.account = account;
      this.total = total;
    }

    boolean next() {
      return position++ < total;
    }

    Row current() {
      return new Row(position, account, 1_000L * position);
    }
  }

  static final class StreamingRows implements Iterable<Row> {
    private static final Row END = new Row(-1, "", 0);
    private final SynchronousQueue<Row> handoff = new SynchronousQueue<>();
    private final Supplier<ServerCursor> query;
    private final ExecutorService ioPool;

    StreamingRows(Supplier<ServerCursor> query, ExecutorService ioPool) {
      this.query = query;
      this.ioPool = ioPool;
    }

    @Override
    public Iterator<Row> iterator() {
      CompletableFuture.runAsync(this::prefetch, ioPool);
      return new Iterator<>() {
        private Row next;

        @Override
        public boolean hasNext() {
          if (next == null) {
            try {
              next = handoff.take();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return false;
            }
          }
          return next != END;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          Row r = next;
          next = null;
          return r;
        }
      };
    }

    private void prefetch() {
      ServerCursor cursor = query.get();
      try {
        while (true) {
          Row row = cursor.next() ? cursor.current() : END;
          handoff.put(row); // LEAK
          if (row == END) {
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private final ExecutorService ioPool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "jdbc-prefetch");
    t.setDaemon(true);
    return t;
  });

  List<Row> statementPage(String account, int limit) {
    StreamingRows rows = new StreamingRows(() -> new ServerCursor(account, 10_000), ioPool);
    List<Row> page = new ArrayList<>();
    for (Row row : rows) {
      page.add(row);
      if (page.size() == limit) {
        break;
      }
    }
    return page;
  }

  public static void main(String[] args) throws Exception {
    AccountStatementQuery query = new AccountStatementQuery();
    List<Row> page = query.statementPage("DE-4411", 25);
    System.out.println("page of " + page.size() + ", last id " + page.get(page.size() - 1).id());
    Thread.sleep(200);
  }
}
