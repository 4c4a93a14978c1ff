package io.leakedproducer.testdata.thumbnailer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Renders thumbnails: a scheduling task feeds image keys to {@code resizers} resizing tasks, and
 * "does not block" by retrying a 50 ms {@code offer} while the queue is full. A resizer throws on a
 * corrupt image. When every resizer has thrown, the scheduler retries its offer forever: the timed
 * offer only turned a blocked thread into a spinning one.
 */
public final class ThumbnailerLeaky {
  private ThumbnailerLeaky() {}

  /** Renders a thumbnail for every key; returns how many keys were scheduled. */
  public static int renderAll(List<String> keys, ImageStore store, int resizers)
      throws IOException, InterruptedException {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            resizers + 1, task -> new Thread(task, "thumbnailer-" + threads.incrementAndGet()));
    BlockingQueue<String> work = new ArrayBlockingQueue<>(resizers);
    try {
      Future<Integer> scheduling =
          pool.submit(
              () -> {
                int scheduled = 0;
                for (String key : keys) {
                  while (!work.offer(key, 50, TimeUnit.MILLISECONDS)) {}
                  scheduled++;
                }
                for (int w = 0; w < resizers; w++) {
                  while (!work.offer("", 50, TimeUnit.MILLISECONDS)) {}
                }
                return scheduled;
              });

      CompletableFuture<?>[] resizing = new CompletableFuture<?>[resizers];
      for (int w = 0; w < resizers; w++) {
        resizing[w] =
            CompletableFuture.runAsync(
                () -> {
                  try {
                    while (true) {
                      String key = work.take();
                      if (key.isEmpty()) {
                        return;
                      }
                      try {
                        store.save(key + "@thumb", Thumbnails.shrink(store.load(key)));
                      } catch (IOException e) {
                        throw new UncheckedIOException("cannot render " + key, e);
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                pool);
      }
      CompletableFuture.allOf(resizing).join();
      return scheduling.get();
    } catch (CompletionException e) {
      throw new IOException("thumbnail rendering failed", e.getCause());
    } catch (ExecutionException e) {
      throw new IOException("scheduling failed", e.getCause());
    } finally {
      pool.shutdown();
    }
  }
}
