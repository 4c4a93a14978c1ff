// Reduction of NATS Streaming Java client https://github.com/nats-io/stan.java/issues/79, with
// the fix proposed in that issue (the reporter's fork): publish() waits for a token with timed
// offers and gives up once the connection is closed, and close() marks the connection closed
// first and then clears pubAckChan, so the publishers parked for a token are released with
// "connection closed". Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/** A streaming connection: publishes are acknowledged asynchronously by the streaming server. */
public class NatsStreamingPublishAcksFixed {

  /** Called once per published message with its ack or its failure. */
  interface AckHandler {
    void onAck(String guid, Exception ex);
  }

  /** Stands in for the core NATS connection and the streaming server behind it. */
  static final class CoreConnection {
    private final Map<String, Consumer<String>> subscriptions = new ConcurrentHashMap<>();
    private final Timer server = new Timer("streaming-server", true);
    private volatile boolean storeStalled;

    void subscribe(String subject, Consumer<String> handler) {
      subscriptions.put(subject, handler);
    }

    void unsubscribe(String subject) {
      subscriptions.remove(subject);
    }

    /** The server persists the message and then acks it on the reply subject. */
    void publish(String subject, String replyTo, String guid) throws IOException {
      if (storeStalled) {
        return; // the store is stuck: no ack will come for this message
      }
      server.schedule(new TimerTask() {
        @Override
        public void run() {
          Consumer<String> h = subscriptions.get(replyTo);
          if (h != null) {
            h.accept(guid);
          }
        }
      }, 5);
    }

    void stallStore() {
      storeStalled = true;
    }
  }

  static final class AckClosure {
    final AckHandler ah;
    TimerTask ackTask;

    AckClosure(AckHandler ah) {
      this.ah = ah;
    }
  }

  private final ReentrantLock mu = new ReentrantLock();
  private final String ackSubject = "_STAN.acks." + UUID.randomUUID();
  private final Timer ackTimer = new Timer("jnats-streaming ack timeout thread", true);
  private final long ackTimeoutMillis;
  private final int maxPubAcksInFlight;
  private CoreConnection nc;
  private Map<String, AckClosure> pubAckMap;
  private BlockingQueue<String> pubAckChan;

  NatsStreamingPublishAcksFixed(CoreConnection nc, int maxPubAcksInFlight, long ackTimeoutMillis) {
    this.nc = nc;
    this.maxPubAcksInFlight = maxPubAcksInFlight;
    this.ackTimeoutMillis = ackTimeoutMillis;
  }

  NatsStreamingPublishAcksFixed connect() {
    nc.subscribe(ackSubject, this::processAck);
    pubAckMap = new HashMap<>();
    pubAckChan = new LinkedBlockingQueue<>(maxPubAcksInFlight);
    return this;
  }

  /** Asynchronous publish: returns once the message is sent, the ack arrives later. */
  public String publish(String subject, byte[] data, AckHandler ah)
      throws IOException, InterruptedException {
    final AckClosure a = new AckClosure(ah);
    final String guid = UUID.randomUUID().toString();
    BlockingQueue<String> pac;
    CoreConnection conn;
    mu.lock();
    try {
      if (nc == null) {
        throw new IllegalStateException("stan: connection closed");
      }
      pubAckMap.put(guid, a);
      pac = pubAckChan;
      conn = nc;
    } finally {
      mu.unlock();
    }

    // Use the bounded channel to control the number of outstanding acks; a closed connection
    // releases the wait.
    while (!pac.offer(guid, 100, TimeUnit.MILLISECONDS)) {
      if (isClosed()) {
        removeAck(guid);
        throw new IllegalStateException("stan: connection closed");
      }
    }

    try {
      conn.publish(subject, ackSubject, guid);
    } catch (IOException e) {
      removeAck(guid);
      throw e;
    }

    mu.lock();
    try {
      a.ackTask = createAckTimerTask(guid);
      ackTimer.schedule(a.ackTask, ackTimeoutMillis);
    } finally {
      mu.unlock();
    }
    return guid;
  }

  boolean isClosed() {
    mu.lock();
    try {
      return nc == null;
    } finally {
      mu.unlock();
    }
  }

  void processAck(String guid) {
    AckClosure ackClosure = removeAck(guid);
    if (ackClosure != null && ackClosure.ah != null) {
      ackClosure.ah.onAck(guid, null);
    }
  }

  TimerTask createAckTimerTask(String guid) {
    return new TimerTask() {
      @Override
      public void run() {
        try {
          processAckTimeout(guid);
        } catch (Exception e) {
          cancel();
        }
      }
    };
  }

  void processAckTimeout(String guid) {
    AckClosure ackClosure = removeAck(guid);
    if (ackClosure != null && ackClosure.ah != null) {
      ackClosure.ah.onAck(guid, new IOException("stan: publish ack timeout"));
    }
  }

  AckClosure removeAck(String guid) {
    AckClosure ackClosure;
    BlockingQueue<String> pac;
    TimerTask timerTask = null;
    mu.lock();
    try {
      ackClosure = pubAckMap.remove(guid);
      if (ackClosure != null) {
        timerTask = ackClosure.ackTask;
      }
      pac = pubAckChan;
    } finally {
      mu.unlock();
    }
    if (timerTask != null) {
      timerTask.cancel();
    }
    // Give back the publisher's token so that a blocked publish can go on.
    if (ackClosure != null && pac.size() > 0) {
      try {
        pac.take();
      } catch (InterruptedException e) {
        // ignored
      }
    }
    return ackClosure;
  }

  public void close() throws IOException {
    mu.lock();
    try {
      if (nc == null) {
        return;
      }
      CoreConnection conn = nc;
      nc = null;
      for (AckClosure ac : pubAckMap.values()) {
        if (ac.ackTask != null) {
          ac.ackTask.cancel();
        }
      }
      ackTimer.cancel();
      conn.unsubscribe(ackSubject);
    } finally {
      mu.unlock();
    }
    // After the connection is marked closed: free the publishers waiting for a token.
    pubAckChan.clear();
  }

  public static void main(String[] args) throws Exception {
    CoreConnection core = new CoreConnection();
    NatsStreamingPublishAcksFixed sc = new NatsStreamingPublishAcksFixed(core, 4, 30_000).connect();
    sc.publish("orders", "first".getBytes(), (guid, ex) -> { });
    Thread.sleep(50);

    // The streaming server's store stalls: acks stop coming, the 4 tokens are used up and the
    // order threads park in publish().
    core.stallStore();
    List<Thread> publishers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      NatsStreamingPublishAcksFixed conn = sc;
      Thread p = new Thread(() -> {
        try {
          for (int i = 0; i < 5; i++) {
            conn.publish("orders", ("order " + i).getBytes(), (guid, ex) -> { });
          }
        } catch (Exception e) {
          System.out.println(Thread.currentThread().getName() + ": " + e);
        }
      }, "order-publisher-" + t);
      p.setDaemon(true);
      publishers.add(p);
      p.start();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < deadline
        && !publishers.stream().allMatch(th -> th.getState() == Thread.State.WAITING
            || th.getState() == Thread.State.TIMED_WAITING)) {
      Thread.sleep(10);
    }

    // The application's health check tears the connection down and connects again.
    sc.close();
    NatsStreamingPublishAcksFixed fresh =
        new NatsStreamingPublishAcksFixed(new CoreConnection(), 4, 30_000).connect();
    fresh.publish("orders", "after reconnect".getBytes(), (guid, ex) -> { });
    Thread.sleep(100);
    System.out.println("publishers still parked: "
        + publishers.stream().filter(Thread::isAlive).count());
  }
}
