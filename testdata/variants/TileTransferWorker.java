package eval.cases;

import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TransferQueue;

/** A tile generator transfers tiles to a map builder that stops when the map is full. */
public final class TileTransferWorker {
  private final TransferQueue<int[]> tiles = new LinkedTransferQueue<>();

  void generate(int count) {
    Thread generator = new Thread(() -> {
      try {
        for (int i = 0; i < count; i++) {
          tiles.transfer(new int[] {i % 16, i / 16}); // LEAK
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "tile-generator");
    generator.setDaemon(true);
    generator.start();
  }

  int build(int capacity) throws InterruptedException {
    int placed = 0;
    while (placed < capacity) {
      tiles.take();
      placed++;
    }
    return placed;
  }

  public static void main(String[] args) throws Exception {
    TileTransferWorker w = new TileTransferWorker();
    w.generate(256);
    System.out.println(w.build(10));
  }
}
