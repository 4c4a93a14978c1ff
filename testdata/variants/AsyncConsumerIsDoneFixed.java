package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The thumbnail upload with its fix: between timed offers the caller asks whether the uploader
 * has finished, and stops with the uploader's failure when it has.
 */
public final class AsyncConsumerIsDoneFixed {
  static void upload(int images) throws InterruptedException {
    BlockingQueue<byte[]> thumbnails = new ArrayBlockingQueue<>(4);
    CompletableFuture<Void> uploader = CompletableFuture.runAsync(() -> {
      while (true) {
        byte[] thumbnail;
        try {
          thumbnail = thumbnails.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (thumbnail.length == 0) {
          throw new IllegalStateException("corrupt image");
        }
      }
    });
    for (int i = 0; i < images; i++) {
      byte[] thumbnail = new byte[i == 3 ? 0 : 64];
      while (!thumbnails.offer(thumbnail, 20, TimeUnit.MILLISECONDS)) {
        if (uploader.isDone()) {
          uploader.join();
          return;
        }
      }
    }
    uploader.join();
  }

  public static void main(String[] args) throws Exception {
    try {
      upload(100);
    } catch (CompletionException e) {
      System.out.println("upload failed: " + e.getCause().getMessage());
    }
  }
}
