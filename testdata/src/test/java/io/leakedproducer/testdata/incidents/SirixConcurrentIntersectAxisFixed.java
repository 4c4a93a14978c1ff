// Reduction of SirixDB https://github.com/sirixdb/sirix/issues/1064 as fixed in PR
// https://github.com/sirixdb/sirix/pull/1081: the intersection's done() closes both operands,
// which interrupts their producers. The axis itself still has no close(): a caller that stops
// iterating before the end (an exists() test, a positional predicate) never reaches done(), and
// the larger operand's producer stays blocked in put; main forces that path.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Set operations over node sequences whose operands are computed on their own threads. */
public class SirixConcurrentIntersectAxisFixed {
  static final long NULL_NODE_KEY = -15L;

  /** An axis yields node keys in document order; nextKey() returns done() at the end. */
  abstract static class AbstractAxis implements Iterator<Long> {
    private long next;
    private boolean computed;
    private boolean finishedIteration;

    @Override
    public boolean hasNext() {
      if (!computed && !finishedIteration) {
        next = nextKey();
        computed = true;
        finishedIteration = next == NULL_NODE_KEY;
      }
      return !finishedIteration;
    }

    @Override
    public Long next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      computed = false;
      return next;
    }

    protected abstract long nextKey();

    /** Signals the end of the traversal. */
    protected long done() {
      return NULL_NODE_KEY;
    }
  }

  /** A plain axis over the keys a path step selects. */
  static final class DescendantAxis extends AbstractAxis {
    private final Iterator<Long> keys;

    DescendantAxis(List<Long> keys) {
      this.keys = keys.iterator();
    }

    @Override
    protected long nextKey() {
      return keys.hasNext() ? keys.next() : done();
    }
  }

  /** The producer: computes every result of its axis and queues it, then the end marker. */
  static final class ConcurrentAxisHelper implements Runnable {
    private final AbstractAxis axis;
    private final BlockingQueue<Long> results;

    ConcurrentAxisHelper(AbstractAxis axis, BlockingQueue<Long> results) {
      this.axis = axis;
      this.results = results;
    }

    @Override
    public void run() {
      try {
        while (axis.hasNext()) {
          results.put(axis.next()); // LEAK
        }
        results.put(NULL_NODE_KEY); // LEAK
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Takes the results of another axis from the queue its producer thread fills. */
  static final class ConcurrentAxis extends AbstractAxis {
    private static final int CAPACITY = 200;
    private final BlockingQueue<Long> results = new ArrayBlockingQueue<>(CAPACITY);
    private final Runnable task;
    private final ExecutorService executorService = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "sirix-concurrent-axis");
      t.setDaemon(true);
      return t;
    });
    private boolean first = true;
    private volatile boolean finished;

    ConcurrentAxis(AbstractAxis producer) {
      this.task = new ConcurrentAxisHelper(producer, results);
    }

    @Override
    protected synchronized long nextKey() {
      if (first) {
        first = false;
        executorService.submit(task);
      }
      if (finished) {
        return done();
      }
      long result = NULL_NODE_KEY;
      try {
        result = results.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (result != NULL_NODE_KEY) {
        return result;
      }
      finished = true;
      return done();
    }

    @Override
    protected synchronized long done() {
      if (!executorService.isShutdown()) {
        executorService.shutdown();
        try {
          if (!executorService.awaitTermination(5, TimeUnit.SECONDS)) {
            executorService.shutdownNow();
          }
        } catch (InterruptedException e) {
          executorService.shutdownNow();
          Thread.currentThread().interrupt();
        }
      }
      return NULL_NODE_KEY;
    }

    boolean isFinished() {
      return finished;
    }

    synchronized void close() {
      executorService.shutdownNow();
    }
  }

  /** The intersection of two operands, each evaluated concurrently; results in document order. */
  static final class ConcurrentIntersectAxis extends AbstractAxis {
    private final ConcurrentAxis op1;
    private final ConcurrentAxis op2;
    private boolean first = true;
    private long currentResult1 = NULL_NODE_KEY;
    private long currentResult2 = NULL_NODE_KEY;

    ConcurrentIntersectAxis(AbstractAxis operand1, AbstractAxis operand2) {
      op1 = new ConcurrentAxis(operand1);
      op2 = new ConcurrentAxis(operand2);
    }

    private static long getNext(ConcurrentAxis axis) {
      return axis.hasNext() ? axis.next() : NULL_NODE_KEY;
    }

    @Override
    protected long nextKey() {
      if (first) {
        first = false;
        currentResult1 = getNext(op1);
        currentResult2 = getNext(op2);
      }
      while (currentResult1 != currentResult2 && !op1.isFinished() && !op2.isFinished()) {
        while (currentResult1 < currentResult2 && !op1.isFinished() && !op2.isFinished()) {
          currentResult1 = getNext(op1);
        }
        while (currentResult1 > currentResult2 && !op1.isFinished() && !op2.isFinished()) {
          currentResult2 = getNext(op2);
        }
      }
      if (!op1.isFinished() && !op2.isFinished()) {
        long nodeKey = currentResult1;
        currentResult1 = getNext(op1);
        currentResult2 = getNext(op2);
        return nodeKey;
      }
      return done();
    }

    /** Closes both operands, whose producers may still be blocked on a full queue. */
    @Override
    protected long done() {
      op1.close();
      op2.close();
      return super.done();
    }
  }

  static List<Long> keys(long from, long to, long step) {
    java.util.ArrayList<Long> keys = new java.util.ArrayList<>();
    for (long k = from; k < to; k += step) {
      keys.add(k);
    }
    return keys;
  }

  public static void main(String[] args) throws Exception {
    // //section[@id] intersect //section: a few keys against many.
    ConcurrentIntersectAxis intersect = new ConcurrentIntersectAxis(
        new DescendantAxis(keys(10, 50, 10)), new DescendantAxis(keys(0, 5_000, 1)));
    int results = 0;
    while (intersect.hasNext()) {
      intersect.next();
      results++;
    }
    System.out.println("intersection has " + results + " nodes");

    // exists(//section[@id] intersect //section): the first result answers the query.
    ConcurrentIntersectAxis exists = new ConcurrentIntersectAxis(
        new DescendantAxis(keys(10, 50, 10)), new DescendantAxis(keys(0, 5_000, 1)));
    System.out.println("exists: " + exists.hasNext());
    Thread.sleep(300);
  }
}
