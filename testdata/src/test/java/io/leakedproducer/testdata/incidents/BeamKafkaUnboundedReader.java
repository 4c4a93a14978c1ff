// Reduction of Apache Beam KafkaIO https://github.com/apache/beam/pull/290 ("fix
// ConcurrentModificationException in KafkaIO": "handle a possible race between poll thread and
// close()"): the reader's consumer thread polls Kafka and hands every non-empty batch to the
// reader through a SynchronousQueue (put blocks until the reader takes it). close() sets the
// closed flag, drains the queue once, wakes the consumer up and shuts the executor down; when the
// consumer thread is between poll() returning a batch and put(), the one-time drain comes too
// early, and the thread parks in put() forever, holding the Kafka consumer. Written for
// leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/** An unbounded source reading one Kafka topic. */
public class BeamKafkaUnboundedReader {

  /** Thrown by poll() when wakeup() was called. */
  static final class WakeupException extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  /** Stands in for a KafkaConsumer and the broker behind it. */
  static final class FakeConsumer {
    private final Deque<List<String>> broker = new ArrayDeque<>();
    private boolean wakeupPending;
    volatile CountDownLatch decoding = new CountDownLatch(1);

    synchronized void append(List<String> batch) {
      broker.add(batch);
      notifyAll();
    }

    /**
     * Waits for a fetch; a wakeup() during the wait, or pending from before, aborts it. The
     * fetched records are then decompressed and deserialized, which a wakeup does not abort.
     */
    List<String> poll(long timeoutMillis) {
      List<String> fetched;
      synchronized (this) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (broker.isEmpty() && !wakeupPending && System.currentTimeMillis() < deadline) {
          try {
            wait(10);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Collections.emptyList();
          }
        }
        if (wakeupPending) {
          wakeupPending = false;
          throw new WakeupException();
        }
        fetched = broker.isEmpty() ? Collections.emptyList() : broker.poll();
      }
      if (!fetched.isEmpty()) {
        decoding.countDown();
        sleepQuietly(200);
      }
      return fetched;
    }

    synchronized void wakeup() {
      wakeupPending = true;
      notifyAll();
    }

    void close() {
    }
  }

  static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reads one split; the runner calls start(), advance() and, when done with it, close(). */
  static final class UnboundedKafkaReader {
    private final String name;
    private final FakeConsumer consumer;
    private final ExecutorService consumerPollThread =
        Executors.newSingleThreadExecutor(r -> daemon(r, "kafka-consumer-poll"));
    private final SynchronousQueue<List<String>> availableRecordsQueue = new SynchronousQueue<>();
    private final ScheduledExecutorService offsetFetcherThread =
        Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "kafka-offset-fetcher"));
    private volatile boolean closed = false;
    private Iterator<String> curBatch = Collections.emptyIterator();
    private String curRecord;

    UnboundedKafkaReader(String name, FakeConsumer consumer) {
      this.name = name;
      this.consumer = consumer;
    }

    private static Thread daemon(Runnable r, String name) {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    }

    private void consumerPollLoop() {
      // Read in a loop and hand every non-empty batch to the reader.
      while (!closed) {
        try {
          List<String> records = consumer.poll(1000);
          if (!records.isEmpty()) {
            availableRecordsQueue.put(records); // LEAK
          }
        } catch (InterruptedException e) {
          break;
        } catch (WakeupException e) {
          break;
        }
      }
    }

    private void nextBatch() {
      curBatch = Collections.emptyIterator();
      List<String> records;
      try {
        records = availableRecordsQueue.poll(10, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (records != null) {
        curBatch = records.iterator();
      }
    }

    public boolean start() throws IOException {
      consumerPollThread.submit(this::consumerPollLoop);
      offsetFetcherThread.scheduleAtFixedRate(() -> { }, 0, 5, TimeUnit.MINUTES);
      return advance();
    }

    public boolean advance() throws IOException {
      while (true) {
        if (curBatch.hasNext()) {
          curRecord = curBatch.next();
          return true;
        }
        nextBatch();
        if (!curBatch.hasNext()) {
          return false;
        }
      }
    }

    public String getCurrent() {
      return curRecord;
    }

    public void close() throws IOException {
      closed = true;
      availableRecordsQueue.poll(); // drain unread batch, this unblocks consumer thread.
      consumer.wakeup();
      consumerPollThread.shutdown();
      offsetFetcherThread.shutdown();
      consumer.close();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  public static void main(String[] args) throws Exception {
    FakeConsumer consumer = new FakeConsumer();
    UnboundedKafkaReader reader = new UnboundedKafkaReader("Reader-0", consumer);
    consumer.append(List.of("k1=v1", "k2=v2"));
    reader.start();
    List<String> read = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (read.size() < 2 && System.nanoTime() < deadline) {
      if (reader.advance()) {
        read.add(reader.getCurrent());
      }
    }

    // The runner finishes the bundle and closes the reader while the consumer thread is
    // deserializing the batch it has just fetched.
    consumer.decoding = new CountDownLatch(1);
    consumer.append(List.of("k3=v3"));
    consumer.decoding.await(2, TimeUnit.SECONDS);
    reader.close();
    Thread.sleep(400);
    System.out.println("read " + read + "; reader closed");
  }
}
