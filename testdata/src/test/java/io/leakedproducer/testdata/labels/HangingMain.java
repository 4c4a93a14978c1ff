package io.leakedproducer.testdata.labels;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A tiny program whose caller is the producer: its only consumer dies on the first item, and main
 * itself stays parked in put.
 */
public final class HangingMain {
  private HangingMain() {}

  public static void main(String[] args) throws InterruptedException {
    BlockingQueue<Integer> queue = new ArrayBlockingQueue<>(1);
    Thread consumer =
        new Thread(
            () -> {
              try {
                Integer first = queue.take();
                throw new IllegalStateException("cannot handle " + first);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "label-consumer");
    consumer.start();
    for (int i = 0; i < 10; i++) {
      queue.put(i); // LEAK
    }
  }
}
