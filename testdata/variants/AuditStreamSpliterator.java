package eval.cases;

import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** Audit events are read by a background thread and exposed as a Stream the caller consumes. */
public final class AuditStreamSpliterator {
  private static final String END = "<end>";

  static Stream<String> events(int count) {
    BlockingQueue<String> pending = new ArrayBlockingQueue<>(4);
    Thread reader = new Thread(() -> {
      try {
        for (int i = 0; i < count; i++) {
          pending.put("event-" + i); // LEAK
        }
        pending.put(END); // LEAK
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "audit-reader");
    reader.setDaemon(true);
    reader.start();
    Spliterator<String> split = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE, Spliterator.ORDERED) {
      @Override
      public boolean tryAdvance(Consumer<? super String> action) {
        try {
          String e = pending.take();
          if (e.equals(END)) {
            return false;
          }
          action.accept(e);
          return true;
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    };
    return StreamSupport.stream(split, false);
  }

  public static void main(String[] args) {
    System.out.println(events(100).filter(e -> e.endsWith("3")).findFirst().orElse("none"));
  }
}
