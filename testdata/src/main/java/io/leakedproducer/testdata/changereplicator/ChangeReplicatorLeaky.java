package io.leakedproducer.testdata.changereplicator;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Replays a change log on a replica: a reader task queues each transaction as BEGIN, its
 * statements and COMMIT; a single applier thread (order matters) applies them. {@link
 * Replica#apply} declares {@link ConflictException}, which nobody catches: it kills the applier. The
 * reader, holding the whole change log, then blocks in {@code put}.
 */
public final class ChangeReplicatorLeaky {
  private ChangeReplicatorLeaky() {}

  /** Applies every transaction; returns how many statements were applied. */
  public static int replay(List<List<String>> transactions, Replica replica) throws InterruptedException {
    ExecutorService reader = Executors.newSingleThreadExecutor(task -> new Thread(task, "change-log-reader"));
    BlockingQueue<String> statements = new LinkedBlockingQueue<>(64);
    AtomicInteger applied = new AtomicInteger();

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
            Thread.currentThread().interrupt();
          }
        });
    reader.shutdown();

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
    applier.start();
    applier.join();
    return applied.get();
  }
}
