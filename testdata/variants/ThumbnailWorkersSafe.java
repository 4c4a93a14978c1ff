package eval.cases;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/** Thumbnail workers log a failed image and go on; the scanner feeds paths and pills. */
public final class ThumbnailWorkersSafe {
  private static final String DONE = "";

  static int run(int images, int workers) throws InterruptedException {
    BlockingQueue<String> paths = new ArrayBlockingQueue<>(4);
    List<Thread> threads = new ArrayList<>();
    int[] failed = new int[1];
    for (int w = 0; w < workers; w++) {
      Thread t = new Thread(() -> {
        while (true) {
          String path;
          try {
            path = paths.take();
          } catch (InterruptedException e) {
            return;
          }
          if (path.equals(DONE)) {
            return;
          }
          try {
            if (path.endsWith("7.png")) {
              throw new IllegalArgumentException("unsupported colour profile");
            }
          } catch (Throwable t2) {
            synchronized (failed) {
              failed[0]++;
            }
          }
        }
      }, "thumb-" + w);
      t.start();
      threads.add(t);
    }
    for (int i = 0; i < images; i++) {
      paths.put("img" + i + ".png");
    }
    for (int w = 0; w < workers; w++) {
      paths.put(DONE);
    }
    for (Thread t : threads) {
      t.join();
    }
    return failed[0];
  }

  public static void main(String[] args) throws Exception {
    System.out.println(run(100, 3));
  }
}
