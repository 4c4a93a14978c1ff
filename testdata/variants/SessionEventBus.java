package eval.cases;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/** Session events go through one dispatcher thread; logout events carry no attributes. */
public final class SessionEventBus {
  record SessionEvent(String user, String kind, Map<String, String> attributes) {}

  private final BlockingQueue<SessionEvent> events = new ArrayBlockingQueue<>(8);
  private int dispatched;

  SessionEventBus() {
    Thread dispatcher = new Thread(this::dispatch, "session-dispatcher");
    dispatcher.setDaemon(true);
    dispatcher.start();
  }

  void login(String user, Map<String, String> attributes) throws InterruptedException {
    events.put(new SessionEvent(user, "login", attributes)); // LEAK
  }

  void logout(String user) throws InterruptedException {
    events.put(new SessionEvent(user, "logout", null)); // LEAK
  }

  private void dispatch() {
    try {
      while (true) {
        SessionEvent event = events.take();
        dispatched += event.attributes().size(); // a logout has no attributes
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void main(String[] args) throws Exception {
    SessionEventBus bus = new SessionEventBus();
    Thread web = new Thread(() -> {
      try {
        bus.logout("alice");
        for (int i = 0; i < 50; i++) {
          bus.login("user" + i, Map.of("ip", "10.0.0." + i));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "web-request");
    web.setDaemon(true);
    web.start();
    web.join(500);
  }
}
