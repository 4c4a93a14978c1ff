package eval.cases;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Session replay: a loader thread streams a session's recorded events into the channel's buffer,
 * and the caller looks for the first checkout event. The buffer lives in a record; the caller
 * returns at the first match and the loader blocks with the rest of the session.
 */
public final class SessionReplayChannel {
  record Channel(String sessionId, BlockingQueue<String> buffer) {}

  private final ExecutorService loaders = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "replay-loader");
    t.setDaemon(true);
    return t;
  });

  String firstCheckout(String sessionId, int events) throws InterruptedException {
    Channel channel = new Channel(sessionId, new ArrayBlockingQueue<>(4));
    loaders.execute(() -> {
      try {
        for (int i = 0; i < events; i++) {
          channel.buffer().put(i == 5 ? "checkout" : "view-" + i); // LEAK
        }
        channel.buffer().put("end"); // LEAK
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    while (true) {
      String event = channel.buffer().take();
      if (event.equals("end")) {
        return null;
      }
      if (event.startsWith("checkout")) {
        return channel.sessionId() + ":" + event;
      }
    }
  }

  public static void main(String[] args) throws Exception {
    System.out.println(new SessionReplayChannel().firstCheckout("s-42", 100));
  }
}
