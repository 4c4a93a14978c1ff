package io.leakedproducer.testdata.labels;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The same pipeline as {@link LeakingMain}, fixed: when the consumer gives up it interrupts the
 * producer and waits for it, so nothing is left parked.
 */
public final class CleanMain {
  private CleanMain() {}

  public static void main(String[] args) throws InterruptedException {
    List<String> lines = List.of("a", "b", "", "c", "d", "e", "f");
    BlockingQueue<String> queue = new ArrayBlockingQueue<>(1);
    Thread producer =
        new Thread(
            () -> {
              try {
                for (String line : lines) {
                  queue.put(line);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "label-producer");
    producer.start();
    try {
      while (true) {
        String line = queue.take();
        if (line.isEmpty()) {
          System.out.println("bad line: giving up");
          return;
        }
        System.out.println("consumed " + line);
      }
    } finally {
      producer.interrupt();
      producer.join();
    }
  }
}
