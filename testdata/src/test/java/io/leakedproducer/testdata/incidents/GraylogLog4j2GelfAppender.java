// Reduction of Graylog's log4j2-gelf https://github.com/graylog-labs/log4j2-gelf/issues/15 (fixed
// by commit 367deae "Don't block when sending messages"): the appender hands every log event to
// gelfclient's GelfTcpTransport.send(), which put()s it into a bounded queue drained by a
// GelfSenderThread. When the TCP connection drops, the channel handler stops that sender thread
// and schedules a reconnect; a new sender thread starts only once a connection is made again. If
// Graylog stays unreachable nobody takes from the queue, it fills, and every application thread
// that logs parks in put(); stopping the appender does not release them. Written for
// leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A Log4j 2 appender that ships log events to Graylog over GELF/TCP. */
public class GraylogLog4j2GelfAppender {

  /** One GELF message. */
  record GelfMessage(String shortMessage, String host, String level) {}

  /** The client configuration; the server stands for the remote address. */
  record GelfConfiguration(GraylogServer remoteAddress, int queueSize, long reconnectDelayMillis) {}

  /** Stands in for the Graylog server: it accepts connections while it is up. */
  static final class GraylogServer {
    final List<GelfMessage> received = new CopyOnWriteArrayList<>();
    private volatile boolean up = true;
    private volatile Channel current;

    Channel connect(ChannelHandler handler) {
      if (!up) {
        return null;
      }
      current = new Channel(this, handler);
      return current;
    }

    /** The server runs out of disk: it resets the connection and refuses new ones. */
    void crash() {
      up = false;
      Channel channel = current;
      if (channel != null) {
        channel.close();
      }
    }
  }

  /** Callbacks of the TCP pipeline, run on the event loop. */
  interface ChannelHandler {
    void channelActive(Channel channel);

    void channelInactive(Channel channel);
  }

  /** Stands in for a Netty channel to the server. */
  static final class Channel {
    private final GraylogServer server;
    private final ChannelHandler handler;
    private volatile boolean active = true;

    Channel(GraylogServer server, ChannelHandler handler) {
      this.server = server;
      this.handler = handler;
    }

    boolean isActive() {
      return active;
    }

    void writeAndFlush(GelfMessage message) {
      if (active) {
        server.received.add(message);
      }
    }

    void close() {
      active = false;
      handler.channelInactive(this);
    }
  }

  /** What the appender sees of gelfclient. */
  interface GelfTransport {
    void send(GelfMessage message) throws InterruptedException;

    boolean trySend(GelfMessage message);

    void stop();
  }

  /** Queue, event loop and reconnection logic shared by the TCP and UDP transports. */
  abstract static class AbstractGelfTransport implements GelfTransport {
    protected final GelfConfiguration config;
    protected final BlockingQueue<GelfMessage> queue;
    private final ScheduledExecutorService workerGroup;

    AbstractGelfTransport(GelfConfiguration config) {
      this.config = config;
      this.queue = new LinkedBlockingQueue<>(config.queueSize());
      this.workerGroup = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gelf-nioEventLoopGroup-1");
        t.setDaemon(true);
        return t;
      });
      createBootstrap(workerGroup);
    }

    protected abstract void createBootstrap(ScheduledExecutorService workerGroup);

    protected void scheduleReconnect(ScheduledExecutorService workerGroup) {
      workerGroup.schedule(() -> createBootstrap(workerGroup), config.reconnectDelayMillis(),
          TimeUnit.MILLISECONDS);
    }

    /** Returns once the message is queued; it is sent later by the sender thread. */
    @Override
    public void send(GelfMessage message) throws InterruptedException {
      queue.put(message); // LEAK
    }

    @Override
    public boolean trySend(GelfMessage message) {
      return queue.offer(message);
    }

    @Override
    public void stop() {
      workerGroup.shutdownNow();
    }
  }

  /** Takes messages from the queue and writes them while the channel is connected. */
  static final class GelfSenderThread {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition connectedCond = lock.newCondition();
    private final AtomicBoolean keepRunning = new AtomicBoolean(true);
    private final BlockingQueue<GelfMessage> queue;
    private final Thread senderThread;
    private volatile Channel channel;

    GelfSenderThread(BlockingQueue<GelfMessage> queue) {
      this.queue = queue;
      this.senderThread = new Thread(this::run, "GelfSenderThread");
      this.senderThread.setDaemon(true);
    }

    private void run() {
      GelfMessage gelfMessage = null;
      while (keepRunning.get()) {
        lock.lock();
        try {
          // Wait until connected before taking a message from the queue.
          while (channel == null || !channel.isActive()) {
            try {
              connectedCond.await();
            } catch (InterruptedException e) {
              if (!keepRunning.get()) {
                break; // the application is stopping
              }
            }
          }
          try {
            if (gelfMessage == null) {
              gelfMessage = queue.poll(100, TimeUnit.MILLISECONDS);
            }
            if (gelfMessage != null && channel != null && channel.isActive()) {
              channel.writeAndFlush(gelfMessage);
              gelfMessage = null;
            }
          } catch (InterruptedException e) {
            // when stopping, keepRunning is already false
          }
        } finally {
          lock.unlock();
        }
      }
    }

    void start(Channel channel) {
      lock.lock();
      try {
        this.channel = channel;
        connectedCond.signalAll();
      } finally {
        lock.unlock();
      }
      senderThread.start();
    }

    void stop() {
      keepRunning.set(false);
      senderThread.interrupt();
    }
  }

  /** GELF over TCP: a new sender thread for every connection. */
  static final class GelfTcpTransport extends AbstractGelfTransport {
    GelfTcpTransport(GelfConfiguration config) {
      super(config);
    }

    @Override
    protected void createBootstrap(ScheduledExecutorService workerGroup) {
      GelfSenderThread senderThread = new GelfSenderThread(queue);
      Channel channel = config.remoteAddress().connect(new ChannelHandler() {
        @Override
        public void channelActive(Channel ch) {
          senderThread.start(ch);
        }

        @Override
        public void channelInactive(Channel ch) {
          System.out.println("Channel disconnected!");
          senderThread.stop();
          scheduleReconnect(workerGroup);
        }
      });
      if (channel != null) {
        channel.handler.channelActive(channel);
      } else {
        scheduleReconnect(workerGroup); // connection refused
      }
    }
  }

  private final GelfConfiguration gelfConfiguration;
  private final String hostName;
  private GelfTransport client;

  GraylogLog4j2GelfAppender(GelfConfiguration config, String hostName) {
    this.gelfConfiguration = config;
    this.hostName = hostName;
  }

  public void start() {
    client = new GelfTcpTransport(gelfConfiguration);
  }

  /** Called by Log4j on the logging thread for every event. */
  public void append(String level, String message) {
    try {
      client.send(new GelfMessage(message, hostName, level));
    } catch (Exception e) {
      throw new IllegalStateException("failed to write log event to GELF server: " + e, e);
    }
  }

  public void stop() {
    if (client != null) {
      client.stop();
    }
  }

  public static void main(String[] args) throws Exception {
    GraylogServer graylog = new GraylogServer();
    GraylogLog4j2GelfAppender appender =
        new GraylogLog4j2GelfAppender(new GelfConfiguration(graylog, 5, 100), "web-1");
    appender.start();
    for (int i = 0; i < 3; i++) {
      appender.append("INFO", "request " + i + " served");
    }
    waitFor(() -> graylog.received.size() == 3);

    // Graylog runs out of disk and resets the connection; reconnects are refused from then on.
    graylog.crash();
    List<Thread> requestThreads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread requestThread = new Thread(() -> {
        for (int i = 0; i < 10; i++) {
          appender.append("WARN", "slow response " + i);
        }
      }, "http-nio-8080-exec-" + (t + 1));
      requestThread.setDaemon(true);
      requestThreads.add(requestThread);
      requestThread.start();
    }
    waitFor(() -> requestThreads.stream().allMatch(t -> parkedIn(t.getState())));

    // The web application is undeployed: Log4j stops the appender.
    appender.stop();
    Thread.sleep(100);
    System.out.println("received by Graylog: " + graylog.received.size()
        + "; request threads still logging: "
        + requestThreads.stream().filter(Thread::isAlive).count());
  }

  interface Check {
    boolean holds();
  }

  private static void waitFor(Check check) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!check.holds() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  /** A producer waits in put (WAITING) or, once patched, between timed offers (TIMED_WAITING). */
  private static boolean parkedIn(Thread.State state) {
    return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
  }
}
