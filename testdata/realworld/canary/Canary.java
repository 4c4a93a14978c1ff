package canary;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;

/** Compiled before the libraries: proves that the plugin is loaded and the check reports. */
class Canary {
  int firstNegative(List<Integer> numbers, ExecutorService pool) throws InterruptedException {
    BlockingQueue<Integer> pipe = new ArrayBlockingQueue<>(4);
    pool.execute(() -> {
      try {
        for (Integer n : numbers) {
          pipe.put(n);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    while (true) {
      int n = pipe.take();
      if (n < 0) {
        return n;
      }
    }
  }
}
