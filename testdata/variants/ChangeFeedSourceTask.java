package eval.cases;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** A connector task: a listener thread queues change events, the framework polls batches. */
public final class ChangeFeedSourceTask {
  private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(16);
  private volatile boolean running;
  private Thread listener;

  public void start() {
    running = true;
    listener = new Thread(() -> {
      try {
        long lsn = 0;
        while (running) {
          pending.put("change@" + lsn++); // LEAK
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "change-feed-listener");
    listener.setDaemon(true);
    listener.start();
  }

  public List<String> poll() throws InterruptedException {
    List<String> batch = new ArrayList<>();
    String first = pending.poll(100, TimeUnit.MILLISECONDS);
    if (first != null) {
      batch.add(first);
      pending.drainTo(batch, 9);
    }
    return batch;
  }

  public void stop() {
    running = false; // the listener is parked in put and never reads it again
  }

  public static void main(String[] args) throws Exception {
    ChangeFeedSourceTask task = new ChangeFeedSourceTask();
    task.start();
    for (int i = 0; i < 3; i++) {
      task.poll();
    }
    Thread.sleep(100); // the connector is being deleted: nothing polls any more, changes keep coming
    task.stop();
  }
}
