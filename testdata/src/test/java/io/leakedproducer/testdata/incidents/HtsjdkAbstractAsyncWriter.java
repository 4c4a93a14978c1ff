// Reduction of htsjdk's AbstractAsyncWriter https://github.com/samtools/htsjdk/pull/359 (the
// writer that PR touched): a writer thread that dies records its error and then clears the queue,
// and callers check the error before each put. Safe: flag, then clear. Written for
// leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.io.Closeable;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes records asynchronously: callers {@link #write} into a bounded queue and one daemon
 * thread hands them to the synchronous writer. If the synchronous writer throws, the writer thread
 * first records the error and then clears the queue. A caller tests the error before every
 * {@code put}, so a caller parked on the full queue is released by the clear, and its next call
 * rethrows the error instead of inserting again.
 */
public abstract class HtsjdkAbstractAsyncWriter<T> implements Closeable {
  private final AtomicBoolean isClosed = new AtomicBoolean(false);
  private final BlockingQueue<T> queue;
  private final Thread writer;
  private final AtomicReference<Throwable> ex = new AtomicReference<>(null);

  protected abstract void synchronouslyWrite(T item);

  protected abstract void synchronouslyClose();

  protected HtsjdkAbstractAsyncWriter(int queueSize) {
    this.queue = new ArrayBlockingQueue<>(queueSize);
    this.writer = new Thread(new WriterRunnable(), "SAMFileWriterThread");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  public void write(T item) {
    if (isClosed.get()) {
      throw new IllegalStateException("Attempt to add record to closed writer.");
    }
    checkAndRethrow();
    try {
      queue.put(item);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted queueing item for writing.", ie);
    }
    checkAndRethrow();
  }

  @Override
  public void close() {
    checkAndRethrow();
    if (!isClosed.getAndSet(true)) {
      try {
        if (queue.isEmpty()) {
          writer.interrupt();
        }
        writer.join();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted waiting on writer thread.", ie);
      }
      // The writer thread is gone: write whatever it left behind on this thread.
      while (!queue.isEmpty()) {
        synchronouslyWrite(queue.poll());
      }
      synchronouslyClose();
      checkAndRethrow();
    }
  }

  private void checkAndRethrow() {
    Throwable t = ex.get();
    if (t instanceof Error error) {
      throw error;
    }
    if (t instanceof RuntimeException runtimeException) {
      throw runtimeException;
    }
    if (t != null) {
      throw new IllegalStateException(t);
    }
  }

  private final class WriterRunnable implements Runnable {
    @Override
    public void run() {
      try {
        // isClosed before isEmpty: once closed is seen, emptiness can only go one way.
        while (!isClosed.get() || !queue.isEmpty()) {
          try {
            T item = queue.poll(2, TimeUnit.SECONDS);
            if (item != null) {
              synchronouslyWrite(item);
            }
          } catch (InterruptedException ie) {
            // close() wakes an idle writer this way; the loop condition decides.
          }
        }
      } catch (Throwable t) {
        ex.compareAndSet(null, t);
        // Flag first, then clear: a caller blocked on the full queue gets in and sees the error.
        queue.clear();
      }
    }
  }

  /** A BAM writer whose disk fills up after a few thousand records. */
  static final class BamWriter extends HtsjdkAbstractAsyncWriter<String> {
    private int written;

    BamWriter() {
      super(2_000);
    }

    @Override
    protected void synchronouslyWrite(String item) {
      if (++written > 3_000) {
        throw new IllegalStateException("No space left on device");
      }
    }

    @Override
    protected void synchronouslyClose() {}
  }

  public static void main(String[] args) throws Exception {
    BamWriter out = new BamWriter();
    int submitted = 0;
    try {
      for (int i = 0; i < 1_000_000; i++) {
        out.write("record-" + i);
        submitted++;
      }
    } catch (IllegalStateException e) {
      System.out.println("write failed after " + submitted + " records: " + e.getMessage());
    }
  }
}
