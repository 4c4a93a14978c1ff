package eval.cases;

import java.io.UncheckedIOException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A login audit trail that starts by replaying the events spooled before the last restart. The
 * queue is built from the spool (a copy, not a capacity), so it is unbounded: when the store
 * writer dies on a full disk, put never blocks and logins keep working; the events pile up in
 * memory until the next restart spools them again.
 */
public final class LoginAuditTrail {
  record LoginEvent(String user, String ip, boolean success) {}

  static final class AuditStore {
    private int written;

    void append(LoginEvent e) {
      if (++written == 5) {
        throw new UncheckedIOException(new IOException("No space left on device"));
      }
    }
  }

  private final BlockingQueue<LoginEvent> events;
  private final AuditStore store = new AuditStore();

  LoginAuditTrail(Collection<LoginEvent> spooled) {
    events = new LinkedBlockingQueue<>(spooled);
    Thread writer = new Thread(this::writeLoop, "audit-store-writer");
    writer.setDaemon(true);
    writer.start();
  }

  void onLogin(String user, String ip, boolean success) throws InterruptedException {
    events.put(new LoginEvent(user, ip, success));
  }

  private void writeLoop() {
    try {
      while (true) {
        store.append(events.take());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void main(String[] args) throws Exception {
    List<LoginEvent> spool = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      spool.add(new LoginEvent("replayed-" + i, "10.1.1." + i, true));
    }
    LoginAuditTrail audit = new LoginAuditTrail(spool);
    for (int i = 0; i < 500; i++) {
      audit.onLogin("user" + (i % 40), "192.168.0." + (i % 200), i % 9 != 0);
    }
    Thread.sleep(100);
    System.out.println("pending audit events: " + audit.events.size());
  }
}
