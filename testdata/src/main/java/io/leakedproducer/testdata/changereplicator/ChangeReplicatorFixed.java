package io.leakedproducer.testdata.changereplicator;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The replicator fixed with {@code shutdownNow()} on the reader's executor once the applier has
 * been joined, whether it finished or died; the applier's death is reported to the caller.
 */
public final class ChangeReplicatorFixed {
  private ChangeReplicatorFixed() {}

  /** Applies every transaction; returns how many statements were applied, or throws the conflict. */
  public static int replay(List<List<String>> transactions, Replica replica) throws InterruptedException {
    ExecutorService reader = Executors.newSingleThreadExecutor(task -> new Thread(task, "change-log-reader"));
    BlockingQueue<String> statements = new LinkedBlockingQueue<>(64);
    AtomicInteger applied = new AtomicInteger();
    AtomicReference<Throwable> died = new AtomicReference<>();
    try {
      reader.execute(
          () -> {
            try {
              for (int tx = 0; tx < transactions.size(); tx++) {
                statements.put("BEGIN /* tx " + tx + " */");
                for (String statement : transactions.get(tx)) {
                  statements.put(statement);
                }
                statements.put("COMMIT /* tx " + tx + " */");
              }
              statements.put("");
            } catch (InterruptedException e) {
              // the applier is gone
            }
          });

      Thread applier =
          new Thread(
              new Runnable() {
                @Override
                public void run() {
                  try {
                    for (String statement = statements.take(); !statement.isEmpty(); statement = statements.take()) {
                      replica.apply(statement);
                      applied.incrementAndGet();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              },
              "change-applier");
      applier.setUncaughtExceptionHandler((thread, e) -> died.set(e));
      applier.start();
      applier.join();
    } finally {
      reader.shutdownNow();
    }
    if (!reader.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("change-log reader did not stop");
    }
    if (died.get() != null) {
      throw new IllegalStateException("replication stopped after " + applied.get() + " statements", died.get());
    }
    return applied.get();
  }
}
