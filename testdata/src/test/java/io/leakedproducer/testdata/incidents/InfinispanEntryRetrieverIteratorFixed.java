// Reduction of Infinispan https://issues.redhat.com/browse/ISPN-4954 as fixed (PR
// https://github.com/infinispan/infinispan/pull/3059, committed as e72e164): the transport thread
// offers the entry that did not fit with a 100 ms timeout and, after each failed offer, re-reads
// under the lock the completed flag that close() sets. Written for leaked-producer; no upstream
// code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/** Iterates the entries of a cache; the segments' owners send them in batches. */
public class InfinispanEntryRetrieverIteratorFixed {
  /** An iterator that holds resources until closed. */
  interface CloseableIterator<E> extends Iterator<E>, AutoCloseable {
    @Override
    void close();
  }

  /** Receives the batches of one iteration request. */
  interface ItrQueuerHandler {
    void handleBatch(boolean complete, Collection<String> entries) throws InterruptedException;
  }

  /** The iterator handed to the application. */
  static final class Itr implements CloseableIterator<String> {
    private final BlockingQueue<String> queue;
    private final Lock nextLock = new ReentrantLock();
    private final Condition nextCondition = nextLock.newCondition();
    private final long timeoutMs;
    private boolean completed;

    Itr(int batchSize, long timeoutMs) {
      // Bounded, so that adding a batch blocks until the previous one was read.
      this.queue = new ArrayBlockingQueue<>(batchSize);
      this.timeoutMs = timeoutMs;
    }

    @Override
    public boolean hasNext() {
      boolean hasNext = !queue.isEmpty();
      if (!hasNext) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        nextLock.lock();
        try {
          while (!(hasNext = !queue.isEmpty()) && !completed) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !nextCondition.await(left, TimeUnit.NANOSECONDS)) {
              throw new IllegalStateException("Did not retrieve entries in allotted timeout");
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          nextLock.unlock();
        }
      }
      return hasNext;
    }

    @Override
    public String next() {
      String entry = queue.poll();
      if (entry == null) {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        entry = queue.poll();
      }
      return entry;
    }

    /** Runs on the transport thread that delivered a batch. */
    void addEntries(Collection<String> entries) throws InterruptedException {
      boolean wasCompleted = completed;
      Iterator<String> itr = entries.iterator();
      while (!wasCompleted && itr.hasNext()) {
        // Queue what fits without waiting, then wake the reader.
        String entry = null;
        while (itr.hasNext()) {
          entry = itr.next();
          if (!queue.offer(entry)) {
            break;
          }
          entry = null;
        }
        nextLock.lock();
        try {
          wasCompleted = completed;
          nextCondition.signalAll();
        } finally {
          nextLock.unlock();
        }
        // The rest of the batch waits for the reader to make room.
        if (entry != null) {
          while (!wasCompleted) {
            if (queue.offer(entry, 100, TimeUnit.MILLISECONDS)) {
              break;
            }
            // Closed concurrently? Read the flag under the lock.
            nextLock.lock();
            try {
              wasCompleted = completed;
            } finally {
              nextLock.unlock();
            }
          }
        }
      }
    }

    @Override
    public void close() {
      nextLock.lock();
      try {
        completed = true;
        nextCondition.signalAll();
      } finally {
        nextLock.unlock();
      }
    }
  }

  /** Starts an iteration: the owners' responses arrive on a transport thread. */
  static Itr retrieveEntries(List<String> entries, int batchSize) {
    Itr iterator = new Itr(batchSize, 10_000);
    ItrQueuerHandler handler = (complete, batch) -> {
      iterator.addEntries(batch);
      if (complete) {
        iterator.close();
      }
    };
    Thread transport = new Thread(() -> {
      try {
        for (int from = 0; from < entries.size(); from += batchSize) {
          int to = Math.min(from + batchSize, entries.size());
          handler.handleBatch(to == entries.size(), new ArrayList<>(entries.subList(from, to)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "transport-thread-node-A-p3-t2");
    transport.setDaemon(true);
    transport.start();
    return iterator;
  }

  public static void main(String[] args) throws Exception {
    List<String> cache = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      cache.add("key" + i + "=value" + i);
    }
    // The application looks for the first entry that matches and closes the iterator.
    try (Itr it = retrieveEntries(cache, 10)) {
      while (it.hasNext()) {
        if (it.next().startsWith("key3=")) {
          // Give the transport thread time to refill the queue before the iterator is closed.
          Thread.sleep(200);
          break;
        }
      }
    }
    Thread.sleep(200);
    System.out.println("iterator closed early");
  }
}
