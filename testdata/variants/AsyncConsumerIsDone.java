package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;

/**
 * Thumbnail upload: the consumer runs as a CompletableFuture on the common pool and fails on a
 * corrupt image; the caller keeps putting thumbnails and blocks once the queue is full.
 */
public final class AsyncConsumerIsDone {
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
      thumbnails.put(new byte[i == 3 ? 0 : 64]); // LEAK
    }
    uploader.join();
  }

  public static void main(String[] args) throws Exception {
    upload(100);
  }
}
