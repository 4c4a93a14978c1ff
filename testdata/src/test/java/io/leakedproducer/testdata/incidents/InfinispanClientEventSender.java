// Reduction of Infinispan https://issues.redhat.com/browse/ISPN-9589 (PR
// https://github.com/infinispan/infinispan/pull/6318, merged): a remote client listener's events
// are put into a bounded queue that only the channel's event loop drains; when the listener fires
// on the event loop itself (adding a listener that includes the current state runs there), the
// event loop blocks in put on its own queue. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The Hot Rod server side of remote cache listeners. */
public class InfinispanClientEventSender {
  /** Infinispan's unchecked failure. */
  static final class CacheException extends RuntimeException {
    CacheException(Throwable cause) {
      super(cause);
    }
  }

  /** Stands in for a Netty channel: one event-loop thread does all of the channel's I/O. */
  static final class Channel {
    private Thread loopThread;
    private final ExecutorService eventLoop = Executors.newSingleThreadExecutor(r -> {
      loopThread = new Thread(r, "HotRod-ServerIO-2-1");
      loopThread.setDaemon(true);
      return loopThread;
    });
    final List<String> written = new ArrayList<>();

    ExecutorService eventLoop() {
      return eventLoop;
    }

    boolean inEventLoop() {
      return Thread.currentThread() == loopThread;
    }

    boolean isWritable() {
      return true;
    }

    void write(String event) {
      written.add(event);
    }
  }

  /** A cache listener. */
  interface CacheListener {
    void onCacheEvent(String key, String value);
  }

  /** Stands in for the cache: listeners are notified synchronously, on the caller's thread. */
  static final class Cache {
    private final Map<String, String> data = new LinkedHashMap<>();
    private final List<CacheListener> listeners = new ArrayList<>();

    void put(String key, String value) {
      data.put(key, value);
      for (CacheListener listener : listeners) {
        listener.onCacheEvent(key, value);
      }
    }

    /** With includeCurrentState, the new listener first gets one event per existing entry. */
    void addListener(CacheListener listener, boolean includeCurrentState) {
      listeners.add(listener);
      if (includeCurrentState) {
        for (Map.Entry<String, String> e : data.entrySet()) {
          listener.onCacheEvent(e.getKey(), e.getValue());
        }
      }
    }
  }

  /** Sends one client's listener events over its channel. */
  static final class ClientEventSender implements CacheListener {
    private final Channel ch;
    final BlockingQueue<String> eventQueue = new LinkedBlockingQueue<>(100);
    private final Runnable writeEventsIfPossible = this::writeEventsIfPossible;

    ClientEventSender(Channel ch) {
      this.ch = ch;
    }

    /** Runs on the event loop: drains the queue while the channel can take more. */
    void writeEventsIfPossible() {
      while (!eventQueue.isEmpty() && ch.isWritable()) {
        ch.write(eventQueue.poll());
      }
    }

    @Override
    public void onCacheEvent(String key, String value) {
      sendEvent("CacheEntryCreated(" + key + ")");
    }

    void sendEvent(String remoteEvent) {
      boolean waitingForFlush = !ch.isWritable();
      try {
        eventQueue.put(remoteEvent); // LEAK
      } catch (InterruptedException e) {
        throw new CacheException(e);
      }
      if (!waitingForFlush) {
        // Make sure the event is written from the event loop.
        ch.eventLoop().submit(writeEventsIfPossible);
      }
    }
  }

  /** The decoder's handling of an "add client listener" request, on the channel's event loop. */
  static void addClientListener(Cache cache, Channel ch) {
    cache.addListener(new ClientEventSender(ch), true);
  }

  public static void main(String[] args) throws Exception {
    Cache cache = new Cache();
    for (int i = 0; i < 150; i++) {
      cache.put("k" + i, "v" + i);
    }
    Channel ch = new Channel();
    ch.eventLoop().submit(() -> addClientListener(cache, ch));
    Future<?> probe = ch.eventLoop().submit(() -> { });
    try {
      probe.get(1, TimeUnit.SECONDS);
      System.out.println("listener added; the event loop serves requests again");
    } catch (TimeoutException e) {
      System.out.println("the event loop is stuck; the connection is dead");
    }
  }
}
