package io.leakedproducer.testdata.backupuploader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The backup uploader fixed with {@code shutdownNow()} once the uploaders have stopped: unlike
 * {@code CompletableFuture.cancel}, it interrupts the walker's thread, and the walker lets the
 * interrupt end it.
 */
public final class BackupUploaderFixed {
  private BackupUploaderFixed() {}

  /** Uploads files until done or over quota; returns the number of bytes uploaded. */
  public static long upload(List<String> paths, Bucket bucket, long quotaBytes, int uploaders)
      throws InterruptedException {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            uploaders + 1, task -> new Thread(task, "backup-uploader-" + threads.incrementAndGet()));
    AtomicLong uploadedBytes = new AtomicLong();
    CountDownLatch stopped = new CountDownLatch(uploaders);
    BlockingQueue<String> files = new LinkedBlockingQueue<>(uploaders * 4);
    CompletableFuture<Void> walking = null;
    try {
      walking =
          CompletableFuture.runAsync(
          () -> {
            try {
              for (String path : paths) {
                files.put(path);
              }
              for (int w = 0; w < uploaders; w++) {
                files.put("");
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          },
          pool);

      for (int w = 0; w < uploaders; w++) {
        pool.execute(
            () -> {
              try {
                while (true) {
                  String path = files.take();
                  if (path.isEmpty()) {
                    break;
                  }
                  if (uploadedBytes.addAndGet(bucket.upload(path)) >= quotaBytes) {
                    break;
                  }
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                stopped.countDown();
              }
            });
      }
      stopped.await();
    } finally {
      pool.shutdownNow();
    }
    if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("backup uploader threads did not stop");
    }
    if (walking != null && walking.isCompletedExceptionally()) {
      walking.join();
    }
    return uploadedBytes.get();
  }
}
