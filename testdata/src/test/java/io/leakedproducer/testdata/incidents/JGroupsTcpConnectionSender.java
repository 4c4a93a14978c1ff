// Reduction of JGroups https://github.com/belaban/JGroups/pull/89 (merged into 3.3, commit
// 649318297 "Don't block tcp queue"): with use_send_queues, every TCP connection has a Sender
// thread that takes from a bounded send queue and writes to the socket. When the link to a peer
// breaks, the connection is closed and its Sender is interrupted and exits; the next send opens a
// new connection with a new Sender and a new queue. The threads that were already parked in
// send_queue.put() on the old queue are never released. Written for leaked-producer; no upstream
// code copied.
package io.leakedproducer.testdata.incidents;

import java.io.IOException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/** TCP transport of a cluster member: one connection per peer, each with its own send queue. */
public class JGroupsTcpConnectionSender {

  /** Stands in for the network between this member and one peer. */
  static final class Link {
    private volatile boolean up = true;
    private final AtomicInteger delivered = new AtomicInteger();

    /** The peer's NIC is switched off: writes stall until the socket is closed under them. */
    void unplug() {
      up = false;
    }

    void plugIn() {
      up = true;
    }
  }

  /** A connected socket to the peer; a write on a dead link blocks until close(). */
  static final class PeerSocket {
    private final Link link;
    private final CountDownLatch closed = new CountDownLatch(1);

    PeerSocket(Link link) {
      this.link = link;
    }

    void write(byte[] data) throws IOException, InterruptedException {
      if (!link.up) {
        // TCP keeps retransmitting; the write returns only when someone closes the socket.
        closed.await();
        throw new SocketException("Socket closed");
      }
      link.delivered.incrementAndGet();
    }

    boolean isConnected() {
      return closed.getCount() > 0;
    }

    void close() {
      closed.countDown();
    }
  }

  private final Mapper mapper = new Mapper();
  private final int send_queue_size;
  private final boolean use_send_queues = true;

  JGroupsTcpConnectionSender(int sendQueueSize) {
    this.send_queue_size = sendQueueSize;
  }

  int getSenderQueueSize() {
    return send_queue_size;
  }

  /** Called by the transport for every message to one destination. */
  void send(String dest, byte[] data, int offset, int length) throws Exception {
    TCPConnection conn = mapper.getConnection(dest);
    try {
      conn.send(data, offset, length);
    } catch (Exception ex) {
      mapper.removeConnection(dest);
      throw ex;
    }
  }

  /** One connection to one peer. */
  final class TCPConnection {
    private final String peer;
    private final PeerSocket sock;
    private final Lock send_lock = new ReentrantLock();
    private Sender sender;

    TCPConnection(String peer, PeerSocket sock) {
      this.peer = peer;
      this.sock = sock;
    }

    boolean isSenderUsed() {
      return getSenderQueueSize() > 0 && use_send_queues;
    }

    TCPConnection start() {
      if (isSenderUsed()) {
        if (sender != null) {
          sender.stop();
        }
        sender = new Sender(getSenderQueueSize()).start();
      }
      return this;
    }

    void send(byte[] data, int offset, int length) throws Exception {
      if (sender != null) {
        // The caller may reuse its buffer as soon as we return.
        byte[] tmp = new byte[length];
        System.arraycopy(data, offset, tmp, 0, length);
        sender.addToQueue(tmp);
      } else {
        _send(data, offset, length, true);
      }
    }

    void _send(byte[] data, int offset, int length, boolean acquireLock) throws Exception {
      if (acquireLock) {
        send_lock.lock();
      }
      try {
        byte[] frame = new byte[length];
        System.arraycopy(data, offset, frame, 0, length);
        sock.write(frame);
      } finally {
        if (acquireLock) {
          send_lock.unlock();
        }
      }
    }

    boolean isConnected() {
      return sock.isConnected();
    }

    /** Takes from the send queue and writes, so that callers never wait on the socket. */
    final class Sender implements Runnable {
      private final BlockingQueue<byte[]> send_queue;
      private final Thread runner;
      private volatile boolean started = true;

      Sender(int sendQueueSize) {
        this.send_queue = new LinkedBlockingQueue<>(sendQueueSize);
        this.runner = new Thread(this, "Connection.Sender [" + peer + "]");
        this.runner.setDaemon(true);
      }

      void addToQueue(byte[] data) throws Exception {
        if (canRun()) {
          send_queue.put(data); // LEAK
        }
      }

      Sender start() {
        started = true;
        runner.start();
        return this;
      }

      Sender stop() {
        started = false;
        runner.interrupt();
        return this;
      }

      boolean isRunning() {
        return started;
      }

      boolean canRun() {
        return isRunning() && isConnected();
      }

      @Override
      public void run() {
        try {
          while (!Thread.currentThread().isInterrupted() && canRun()) {
            byte[] data;
            try {
              data = send_queue.take();
            } catch (InterruptedException e) {
              break;
            }
            try {
              _send(data, 0, data.length, false);
            } catch (Throwable ignored) {
              // a broken socket is noticed by the receiver side, which closes the connection
            }
          }
        } finally {
          mapper.removeConnectionIfPresent(peer, TCPConnection.this);
        }
      }
    }

    void close() {
      if (sender != null) {
        sender.stop();
        sender = null;
      }
      sock.close();
    }
  }

  /** The table of connections, keyed by peer address. */
  final class Mapper {
    private final Map<String, TCPConnection> conns = new ConcurrentHashMap<>();
    private final Map<String, Link> links = new ConcurrentHashMap<>();

    void addLink(String peer, Link link) {
      links.put(peer, link);
    }

    TCPConnection getConnection(String dest) {
      return conns.computeIfAbsent(dest,
          d -> new TCPConnection(d, new PeerSocket(links.get(d))).start());
    }

    void removeConnection(String dest) {
      TCPConnection conn = conns.remove(dest);
      if (conn != null) {
        conn.close();
      }
    }

    void removeConnectionIfPresent(String dest, TCPConnection conn) {
      if (conns.remove(dest, conn)) {
        conn.close();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    JGroupsTcpConnectionSender tcp = new JGroupsTcpConnectionSender(4);
    Link toB = new Link();
    tcp.mapper.addLink("B", toB);
    for (int i = 0; i < 3; i++) {
      tcp.send("B", ("hello " + i).getBytes(), 0, 7);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (toB.delivered.get() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }

    // The peer's network card is switched off: the Sender blocks in its write, the queue fills,
    // and the threads sending to B (the OOB and regular pools) park in put().
    toB.unplug();
    List<Thread> senders = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread sender = new Thread(() -> {
        try {
          for (int i = 0; i < 10; i++) {
            tcp.send("B", ("update " + i).getBytes(), 0, 8);
          }
        } catch (Exception e) {
          System.out.println(Thread.currentThread().getName() + ": " + e);
        }
      }, "OOB-" + (t + 1));
      sender.setDaemon(true);
      senders.add(sender);
      sender.start();
    }
    waitUntilParked(senders);

    // The failure detector closes the broken connection: its Sender is interrupted and exits.
    tcp.mapper.removeConnection("B");
    // The network comes back and the next message opens a new connection with a new queue.
    toB.plugIn();
    tcp.send("B", "after".getBytes(), 0, 5);
    Thread.sleep(100);
    System.out.println("delivered to B: " + toB.delivered.get()
        + "; senders still alive: " + senders.stream().filter(Thread::isAlive).count());
  }

  private static void waitUntilParked(List<Thread> threads) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (threads.stream().allMatch(t -> parkedIn(t.getState()))) {
        return;
      }
      Thread.sleep(10);
    }
  }

  /** A producer waits in put (WAITING) or, once patched, between timed offers (TIMED_WAITING). */
  private static boolean parkedIn(Thread.State state) {
    return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
  }
}
