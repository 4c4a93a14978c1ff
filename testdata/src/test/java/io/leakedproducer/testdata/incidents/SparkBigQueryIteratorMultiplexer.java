// Reduction of the Spark BigQuery connector's IteratorMultiplexer
// https://github.com/GoogleCloudDataproc/spark-bigquery-connector/pull/419 (the reworked design):
// one read-ahead thread feeds an array of per-split queues, a semaphore keeps every put from
// blocking, and close() interrupts the thread. Safe. Written for leaked-producer; no upstream code
// copied.
package io.leakedproducer.testdata.incidents;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Splits one ordered stream of Arrow batches round-robin across several partition readers. The
 * read-ahead thread acquires a split's one-permit semaphore before it puts into that split's
 * two-slot queue, so a queue never holds more than one batch plus the end marker, and the
 * {@code put} itself never waits; what waits when a reader stops is the {@code acquire}, and
 * {@link #close()} interrupts it. A reader that fails therefore strands nothing once its task
 * closes the multiplexer.
 */
public class SparkBigQueryIteratorMultiplexer<T> implements AutoCloseable {
  private static final Object TERMINAL_SENTINEL = new Object();
  private final Iterator<T> iterator;
  private final int splits;
  private final QueueIterator[] iterators;
  private Thread worker;

  public SparkBigQueryIteratorMultiplexer(Iterator<T> iterator, int splits) {
    this.iterator = iterator;
    this.splits = splits;
    this.iterators = new SparkBigQueryIteratorMultiplexer.QueueIterator[splits];
    for (int x = 0; x < splits; x++) {
      iterators[x] = new QueueIterator();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (worker != null) {
      worker.interrupt();
      worker.join(1_000);
      worker = null;
    }
    for (int x = 0; x < splits; x++) {
      iterators[x].markDone(null);
    }
  }

  void readAhead() {
    Throwable failure = null;
    try {
      boolean hasMore = true;
      while (hasMore) {
        for (int x = 0; x < splits; x++) {
          if (!iterator.hasNext()) {
            hasMore = false;
            break;
          }
          T value = iterator.next();
          iterators[x].sem.acquire();
          iterators[x].queue.put(value);
        }
      }
    } catch (InterruptedException ex) {
      failure = new IllegalStateException("read-ahead interrupted", ex);
    } catch (RuntimeException ex) {
      failure = ex;
    }
    for (int x = 0; x < splits; x++) {
      iterators[x].markDone(failure);
    }
  }

  public synchronized Iterator<T> getSplit(int split) {
    if (worker == null) {
      worker = new Thread(this::readAhead, "readahead-worker");
      worker.setDaemon(true);
      worker.start();
    }
    return iterators[split];
  }

  private final class QueueIterator implements Iterator<T> {
    private final ArrayBlockingQueue<Object> queue = new ArrayBlockingQueue<>(2);
    private final Semaphore sem = new Semaphore(1);
    private Object t = null;

    @Override
    public boolean hasNext() {
      if (t == TERMINAL_SENTINEL) {
        return false;
      }
      if (t == null) {
        try {
          t = queue.take();
          sem.release();
        } catch (InterruptedException e) {
          // All splits progress together or stop together: stop the worker too.
          Thread.currentThread().interrupt();
          t = TERMINAL_SENTINEL;
        }
      }
      return t != TERMINAL_SENTINEL;
    }

    @SuppressWarnings("unchecked")
    @Override
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      if (t instanceof RuntimeException e) {
        t = TERMINAL_SENTINEL;
        throw e;
      }
      T ret = (T) t;
      t = null;
      return ret;
    }

    synchronized void markDone(Throwable e) {
      if (t == TERMINAL_SENTINEL) {
        return;
      }
      // The semaphore leaves room for exactly this marker.
      if (queue.remainingCapacity() > 0) {
        queue.offer(e != null ? e : TERMINAL_SENTINEL);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Iterator<String> arrowBatches =
        new Iterator<>() {
          private int batch = 0;

          @Override
          public boolean hasNext() {
            return batch < 1_000_000;
          }

          @Override
          public String next() {
            return "arrow-batch-" + batch++;
          }
        };
    ExecutorService partitionReaders = Executors.newFixedThreadPool(3);
    CountDownLatch readersDone = new CountDownLatch(3);
    CountDownLatch readerFailed = new CountDownLatch(1);
    try (SparkBigQueryIteratorMultiplexer<String> multiplexer =
        new SparkBigQueryIteratorMultiplexer<>(arrowBatches, 3)) {
      for (int split = 0; split < 3; split++) {
        Iterator<String> batches = multiplexer.getSplit(split);
        int failAt = split == 1 ? 100 : Integer.MAX_VALUE;
        partitionReaders.execute(
            () -> {
              try {
                for (int read = 0; batches.hasNext(); read++) {
                  if (read == failAt) {
                    throw new IllegalStateException("executor lost while decoding a batch");
                  }
                  batches.next();
                }
              } catch (IllegalStateException e) {
                System.out.println("partition reader failed: " + e.getMessage());
                readerFailed.countDown();
              } finally {
                readersDone.countDown();
              }
            });
      }
      // The failed reader's task ends; Spark's task completion listener closes the reader.
      readerFailed.await(2, TimeUnit.SECONDS);
    }
    System.out.println(
        readersDone.await(2, TimeUnit.SECONDS) ? "every reader ended" : "a reader is stuck");
    partitionReaders.shutdown();
  }
}
