package io.leakedproducer.testdata.thumbnailer;

import io.leakedproducer.runtime.CancellableBoundedQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thumbnailer fixed with {@link CancellableBoundedQueue}: every resizer registers and leaves
 * through its handle, and when the last one leaves the queue is abandoned, so the scheduler's
 * {@code put} throws instead of waiting. The scheduler closes the queue when it is done, which ends
 * the resizers without markers; the owner cancels the queue after joining, for resizers that never
 * started.
 */
public final class ThumbnailerFixed {
  private ThumbnailerFixed() {}

  /** Renders a thumbnail for every key; returns how many keys were scheduled. */
  public static int renderAll(List<String> keys, ImageStore store, int resizers)
      throws IOException, InterruptedException {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            resizers + 1, task -> new Thread(task, "thumbnailer-" + threads.incrementAndGet()));
    CancellableBoundedQueue<String> work = new CancellableBoundedQueue<>(resizers, resizers);
    try {
      Future<Integer> scheduling =
          pool.submit(
              () -> {
                int scheduled = 0;
                for (String key : keys) {
                  work.put(key);
                  scheduled++;
                }
                work.close();
                return scheduled;
              });

      CompletableFuture<?>[] resizing = new CompletableFuture<?>[resizers];
      for (int w = 0; w < resizers; w++) {
        resizing[w] =
            CompletableFuture.runAsync(
                () -> {
                  try (CancellableBoundedQueue<String>.Registration registration = work.registerConsumer()) {
                    for (String key = work.receive(); key != null; key = work.receive()) {
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
      work.cancel();
      pool.shutdown();
    }
  }
}
