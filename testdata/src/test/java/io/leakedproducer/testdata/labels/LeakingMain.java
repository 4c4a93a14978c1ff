package io.leakedproducer.testdata.labels;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A tiny leaking program for RunTimeLabelsTest: the consumer stops at the first bad line and
 * returns, main returns with it, and the producer is left parked in put.
 */
public final class LeakingMain {
  private LeakingMain() {}

  public static void main(String[] args) throws InterruptedException {
    List<String> lines = List.of("a", "b", "", "c", "d", "e", "f");
    BlockingQueue<String> queue = new ArrayBlockingQueue<>(1);
    Thread producer =
        new Thread(
            () -> {
              try {
                for (String line : lines) {
                  queue.put(line); // LEAK
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "label-producer");
    producer.start();
    while (true) {
      String line = queue.take();
      if (line.isEmpty()) {
        System.out.println("bad line: giving up");
        return;
      }
      System.out.println("consumed " + line);
    }
  }
}
