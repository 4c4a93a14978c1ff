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
 * The shard export fixed by draining: however the writer stops, its {@code finally} keeps taking
 * (and discarding) rows until every shard reader has sent its end marker, so no reader is left in
 * {@code put} and {@code invokeAll} returns.
 */
public final class ShardExportFixed {
  private ShardExportFixed() {}

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
                  } finally {
                    while (finishedShards < shards.size()) {
                      if (rows.take().isEmpty()) {
                        finishedShards++;
                      }
                    }
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
              rows.put("");
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
