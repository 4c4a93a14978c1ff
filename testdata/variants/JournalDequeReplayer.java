package eval.cases;

import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;

/** Journal replay: urgent entries go to the front; the applier dies on a corrupt entry. */
public final class JournalDequeReplayer {
  private final BlockingDeque<String> entries = new LinkedBlockingDeque<>(4);

  void startApplier() {
    Thread applier = new Thread(() -> {
      try {
        while (true) {
          String entry = entries.takeFirst();
          try {
            apply(entry);
          } catch (RuntimeException e) {
            System.out.println("skipped " + entry + ": " + e.getMessage());
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "journal-applier");
    applier.setDaemon(true);
    applier.start();
  }

  private void apply(String entry) {
    if (entry.contains("corrupt")) {
      throw new AssertionError("checksum mismatch in " + entry);
    }
  }

  void replay(int count) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      String entry = i == 5 ? "corrupt-" + i : "entry-" + i;
      if (i % 10 == 0) {
        entries.putFirst(entry); // LEAK
      } else {
        entries.putLast(entry); // LEAK
      }
    }
  }

  public static void main(String[] args) throws Exception {
    JournalDequeReplayer r = new JournalDequeReplayer();
    r.startApplier();
    Thread replayer = new Thread(() -> {
      try {
        r.replay(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "replayer");
    replayer.setDaemon(true);
    replayer.start();
    replayer.join(500);
  }
}
