// Reduction of JGroups https://github.com/belaban/JGroups/pull/87 (merged into 3.3, commit
// c6d6ad9fe "Don't block thread forever"): RELAY2 queues messages for a remote site whose route is
// UNKNOWN (its site master left the bridge view) in a bounded per-site forward queue. If the site
// does not come back within site_down_timeout, a timer task marks the route DOWN, removes the
// queue from the map and answers its messages with SITE-UNREACHABLE; if it comes back, a flush
// task polls the queue empty. Either way nobody takes from a removed queue, so the threads parked
// in queue.put() on it stay there, and with them every later message from the same sender.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The part of a site master that relays messages to the other sites over the bridge cluster. */
public class JGroupsRelayerForwardQueue {
  enum RouteStatus { UP, UNKNOWN, DOWN }

  /** A message relayed to a member of another site. */
  record Message(short targetSite, String finalDestination, String originalSender, String body) {}

  /** Stands in for RELAY2: configuration, the timer and the SITE-UNREACHABLE replies. */
  static final class Relay2 {
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "Timer-1");
      t.setDaemon(true);
      return t;
    });
    final List<String> unreachableReplies = new CopyOnWriteArrayList<>();
    private final int fwdQueueMaxSize;
    private final long siteDownTimeout;

    Relay2(int fwdQueueMaxSize, long siteDownTimeout) {
      this.fwdQueueMaxSize = fwdQueueMaxSize;
      this.siteDownTimeout = siteDownTimeout;
    }

    int forwardQueueMaxSize() {
      return fwdQueueMaxSize;
    }

    long siteDownTimeout() {
      return siteDownTimeout;
    }

    void sendSiteUnreachableTo(String originalSender, short site) {
      unreachableReplies.add("SITE-UNREACHABLE(" + site + ") -> " + originalSender);
    }
  }

  /** The channel connected to the bridge cluster. */
  static final class Bridge {
    final List<Message> sent = new CopyOnWriteArrayList<>();

    void send(Message msg) {
      sent.add(msg);
    }
  }

  private final Relay2 relay;
  private final Route[] routes;
  // Messages for a site whose status is UNKNOWN; flushed when it goes UP, dropped when DOWN.
  private final ConcurrentMap<Short, BlockingQueue<Message>> fwd_queue = new ConcurrentHashMap<>();
  private final Map<Short, Future<?>> down_tasks = new ConcurrentHashMap<>();

  JGroupsRelayerForwardQueue(Relay2 relay, int sites, Bridge bridge) {
    this.relay = relay;
    this.routes = new Route[sites];
    for (short site = 0; site < sites; site++) {
      routes[site] = new Route("site-master-" + site, bridge);
    }
  }

  Route getRoute(short site) {
    return routes[site];
  }

  /** The site master of a remote site, and the bridge used to reach it. */
  final class Route {
    private volatile String siteMaster;
    private volatile Bridge bridge;
    private volatile RouteStatus status = RouteStatus.UP;

    Route(String siteMaster, Bridge bridge) {
      this.siteMaster = siteMaster;
      this.bridge = bridge;
    }

    RouteStatus status() {
      return status;
    }

    Route status(RouteStatus newStatus) {
      status = newStatus;
      return this;
    }

    String siteMaster() {
      return siteMaster;
    }

    Bridge bridge() {
      return bridge;
    }

    /** Called on the thread that delivers the message up the local stack. */
    void send(short targetSite, String finalDestination, String originalSender, String body) {
      switch (status) {
        case DOWN:
          relay.sendSiteUnreachableTo(originalSender, targetSite);
          return;
        case UNKNOWN:
          BlockingQueue<Message> queue = fwd_queue.get(targetSite);
          if (queue == null) {
            queue = new LinkedBlockingQueue<>(relay.forwardQueueMaxSize());
            BlockingQueue<Message> existing = fwd_queue.putIfAbsent(targetSite, queue);
            if (existing != null) {
              queue = existing;
            }
          }
          try {
            queue.put(createMessage(targetSite, finalDestination, originalSender, body)); // LEAK
          } catch (InterruptedException e) {
            // dropped
          }
          return;
        default:
          break;
      }
      bridge.send(createMessage(targetSite, finalDestination, originalSender, body));
    }

    private Message createMessage(short site, String dest, String sender, String body) {
      return new Message(site, dest, sender, body);
    }
  }

  /** The bridge view no longer has the site master of {@code site}. */
  void changeStatusToUnknown(short site) {
    Route route = routes[site];
    route.status(RouteStatus.UNKNOWN); // messages are queued from now on
    Future<?> task = relay.timer.schedule(() -> {
      if (routes[site].status() == RouteStatus.UNKNOWN) {
        changeStatusToDown(site);
      }
    }, relay.siteDownTimeout(), TimeUnit.MILLISECONDS);
    Future<?> existing = down_tasks.put(site, task);
    if (existing != null) {
      existing.cancel(true);
    }
  }

  void changeStatusToDown(short id) {
    Route route = routes[id];
    if (route.status() == RouteStatus.UNKNOWN) {
      route.status(RouteStatus.DOWN); // SITE-UNREACHABLE replies from now on
    } else {
      return;
    }
    BlockingQueue<Message> msgs = fwd_queue.remove(id);
    if (msgs != null && !msgs.isEmpty()) {
      Set<String> targets = new HashSet<>(); // one SITE-UNREACHABLE per sender
      for (Message msg : msgs) {
        targets.add(msg.originalSender());
      }
      for (String target : targets) {
        if (route.status() != RouteStatus.UP) {
          relay.sendSiteUnreachableTo(target, id);
        }
      }
    }
  }

  /** The site master of {@code id} is back in the bridge view. */
  void changeStatusToUp(short id) {
    Route route = routes[id];
    RouteStatus oldStatus = route.status();
    route.status(RouteStatus.UP);
    if (oldStatus != RouteStatus.UP) {
      Future<?> task = down_tasks.remove(id);
      if (task != null) {
        task.cancel(true);
      }
      if (oldStatus == RouteStatus.UNKNOWN) {
        relay.timer.execute(() -> flushQueue(id, route));
      }
    }
  }

  /** Resends the queued messages, then forgets the queue. */
  void flushQueue(short id, Route route) {
    BlockingQueue<Message> msgs = fwd_queue.get(id);
    if (msgs == null || msgs.isEmpty()) {
      return;
    }
    Message msg;
    while ((msg = msgs.poll()) != null && route.status() == RouteStatus.UP) {
      route.bridge().send(msg);
    }
    fwd_queue.remove(id);
  }

  public static void main(String[] args) throws Exception {
    short lon = 1;
    Relay2 relay = new Relay2(4, 300);
    Bridge bridge = new Bridge();
    JGroupsRelayerForwardQueue relayer = new JGroupsRelayerForwardQueue(relay, 2, bridge);
    relayer.getRoute(lon).send(lon, "lon-A", "nyc-A", "hello");

    // The bridge view loses LON's site master (a network partition between the data centers).
    relayer.changeStatusToUnknown(lon);
    List<Thread> deliverers = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      String sender = "nyc-" + (char) ('A' + t);
      Thread deliverer = new Thread(() -> {
        for (int i = 0; i < 5; i++) {
          relayer.getRoute(lon).send(lon, "lon-A", sender, "update " + i);
        }
      }, "OOB-" + (t + 1));
      deliverer.setDaemon(true);
      deliverers.add(deliverer);
      deliverer.start();
    }

    // site_down_timeout passes: LON is declared DOWN and its queue is dropped.
    waitFor(() -> relayer.getRoute(lon).status() == RouteStatus.DOWN);
    // Later the partition heals and LON is UP again; there is nothing left to flush.
    Thread.sleep(50);
    relayer.changeStatusToUp(lon);
    relayer.getRoute(lon).send(lon, "lon-A", "nyc-Z", "after the partition");
    Thread.sleep(100);
    System.out.println("relayed: " + bridge.sent.size() + ", replies: " + relay.unreachableReplies
        + ", deliverers still blocked: " + deliverers.stream().filter(Thread::isAlive).count());
  }

  interface Condition {
    boolean holds();
  }

  private static void waitFor(Condition condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.holds() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }
}
