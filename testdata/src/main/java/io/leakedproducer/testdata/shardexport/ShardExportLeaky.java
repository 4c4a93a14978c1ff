package io.leakedproducer.testdata.shardexport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Exports a sharded table to one file: one reader per shard (run with {@code invokeAll}) feeds a
 * single writer task. The writer returns when the file cannot be appended to (disk full). The
 * readers then block in {@code put}, and since {@code invokeAll} has no timeout, the export request
 * waits for them forever.
 */
public final class ShardExportLeaky {
  private ShardExportLeaky() {}

  /** Writes every row of every shard; returns how many rows were written. */
  public static long export(List<List<String>> shards, ExportFile file) throws IOException, InterruptedException {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            shards.size() + 1, task -> new Thread(task, "shard-export-" + threads.incrementAndGet()));
    AtomicLong written = new AtomicLong();
    AtomicReference<IOException> failure = new AtomicReference<>();
    BlockingQueue<String> rows = new LinkedBlockingQueue<>(256);
    try {
      Future<?> writing =
          pool.submit(
              () -> {
                int finishedShards = 0;
                try {
                  while (finishedShards < shards.size()) {
                    String row = rows.take();
                    if (row.isEmpty()) {
                      finishedShards++;
                      continue;
                    }
                    try {
                      file.append(row);
                    } catch (IOException e) {
                      failure.set(e);
                      return;
                    }
                    written.incrementAndGet();
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });

      List<Callable<Void>> readers = new ArrayList<>();
      for (List<String> shard : shards) {
        readers.add(
            () -> {
              for (String row : shard) {
                rows.put(row);
              }
              rows.put(""); // this shard is done
              return null;
            });
      }
      pool.invokeAll(readers);
      writing.get();
    } catch (ExecutionException e) {
      throw new IOException("export failed", e.getCause());
    } finally {
      pool.shutdown();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return written.get();
  }
}
