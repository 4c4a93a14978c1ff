// Reduction of GRIDSS https://github.com/PapenfussLab/gridss/issues/24 ("Exceptions on processing
// threads do not terminate GRIDSS"): an assembler that throws stops consuming its copy of the
// evidence, and the feeding thread blocks forever in put on that copy's queue. Written for
// leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Duplicates one iterator for several consumers: a feeding thread copies every element into one
 * bounded queue per consumer, and each consumer reads its queue through an {@link Iterator}.
 * Nothing tells the feeder when a consumer stops early: the iterators have no lifecycle method, so
 * a consumer that dies leaves the feeder parked on its full queue, and the other consumers then
 * wait for elements that will never come.
 */
public class GridssDuplicatingIterable<T> implements Iterable<T> {
  private static final Object endofstream = new Object();
  private static final AtomicInteger threadCount = new AtomicInteger(0);
  private final Iterator<T> it;
  private final List<DuplicatingIterableIterator> iterators = new ArrayList<>();
  private final List<BlockingQueue<Object>> queues = new ArrayList<>();
  private int iteratorsRequested = 0;
  private final FeedingThread thread;
  private volatile Exception error = null;

  /**
   * @param nIterators number of consuming iterators
   * @param it underlying iterator
   * @param maxIteratorDifference how far one iterator may run ahead of the slowest one
   */
  public GridssDuplicatingIterable(int nIterators, Iterator<T> it, int maxIteratorDifference) {
    if (maxIteratorDifference <= 0) {
      throw new IllegalArgumentException("buffer size must be greater than zero.");
    }
    this.it = it;
    for (int i = 0; i < nIterators; i++) {
      queues.add(new ArrayBlockingQueue<>(maxIteratorDifference));
      iterators.add(new DuplicatingIterableIterator(queues.get(i)));
    }
    this.thread = new FeedingThread();
    this.thread.setName("DuplicatingIterable-" + threadCount.incrementAndGet());
    this.thread.setDaemon(true);
    this.thread.start();
  }

  @Override
  public synchronized Iterator<T> iterator() {
    if (iteratorsRequested >= iterators.size()) {
      throw new IllegalStateException("Already created " + iterators.size() + " iterators");
    }
    return iterators.get(iteratorsRequested++);
  }

  private class FeedingThread extends Thread {
    @Override
    public void run() {
      try {
        while (it.hasNext()) {
          T n = it.next();
          for (BlockingQueue<Object> queue : queues) {
            queue.put(n); // LEAK
          }
        }
        eos();
      } catch (InterruptedException e) {
        for (BlockingQueue<Object> queue : queues) {
          queue.clear();
        }
        try {
          eos();
        } catch (InterruptedException e1) {
          Thread.currentThread().interrupt();
        }
      } catch (RuntimeException e) {
        error = e;
        try {
          eos();
        } catch (InterruptedException e1) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void eos() throws InterruptedException {
      for (BlockingQueue<Object> queue : queues) {
        queue.put(endofstream); // LEAK
      }
    }
  }

  private class DuplicatingIterableIterator implements Iterator<T> {
    private final BlockingQueue<Object> queue;
    // BlockingQueue holds no nulls, so null means "nothing cached yet".
    private Object nextRecord = null;

    DuplicatingIterableIterator(BlockingQueue<Object> queue) {
      this.queue = queue;
    }

    private void ensureNext() {
      if (nextRecord == endofstream) {
        return;
      }
      if (nextRecord == null) {
        try {
          nextRecord = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      if (error != null) {
        throw new IllegalStateException(error);
      }
    }

    @Override
    public boolean hasNext() {
      ensureNext();
      return nextRecord != endofstream;
    }

    @SuppressWarnings("unchecked")
    @Override
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      T result = (T) nextRecord;
      nextRecord = null;
      return result;
    }
  }

  /** A piece of structural-variant evidence at a genomic position. */
  record DirectedEvidence(long position, boolean forward) {}

  /** Assembles contigs from the evidence of one direction; it may throw on bad input. */
  static long assemble(Iterator<DirectedEvidence> evidence, boolean forward) {
    long contigs = 0;
    while (evidence.hasNext()) {
      DirectedEvidence e = evidence.next();
      if (forward && e.position() == 5_000) {
        throw new IllegalStateException("misassembled contig at position " + e.position());
      }
      if (e.forward() == forward) {
        contigs++;
      }
    }
    return contigs;
  }

  public static void main(String[] args) throws Exception {
    Iterator<DirectedEvidence> evidence =
        new Iterator<>() {
          private long position = 0;

          @Override
          public boolean hasNext() {
            return position < 1_000_000;
          }

          @Override
          public DirectedEvidence next() {
            position++;
            return new DirectedEvidence(position, position % 2 == 0);
          }
        };
    GridssDuplicatingIterable<DirectedEvidence> forked =
        new GridssDuplicatingIterable<>(2, evidence, 256);
    ExecutorService assemblers =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "assembler");
              t.setDaemon(true);
              return t;
            });
    Iterator<DirectedEvidence> forwardEvidence = forked.iterator();
    Iterator<DirectedEvidence> backwardEvidence = forked.iterator();
    Future<Long> forward = assemblers.submit(() -> assemble(forwardEvidence, true));
    Future<Long> backward = assemblers.submit(() -> assemble(backwardEvidence, false));
    try {
      forward.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      System.out.println("forward assembly failed: " + e.getCause().getMessage());
    }
    try {
      backward.get(1, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      System.out.println("backward assembly is stuck waiting for evidence");
    }
    assemblers.shutdown();
  }
}
