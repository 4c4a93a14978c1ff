// Reduction of htsjdk https://github.com/samtools/htsjdk/pull/584 (AsyncBufferedIterator): a
// read-ahead iterator whose background thread blocks in put, and whose close() interrupts that
// thread, clears the buffer and joins it. Safe. Written for leaked-producer; no upstream code
// copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads records ahead on a background thread, a block of records at a time, into a bounded queue
 * of blocks. The caller may stop at any record; the iterator is closeable, and {@link #close()}
 * interrupts the background thread (its {@code put} throws and the thread ends), clears the queue
 * and joins the thread. Errors of the underlying iterator travel to the caller inside a block, so
 * the background thread never dies silently.
 */
public class HtsjdkAsyncBufferedIterator<T> implements Iterator<T>, AutoCloseable {
  /** A block of read-ahead records, or the end of the stream, or a failure. */
  private static final class IteratorBuffer<U> {
    private final List<U> records;
    private final Throwable exception;
    private int index;

    IteratorBuffer(List<U> records, Throwable exception) {
      this.records = records;
      this.exception = exception;
    }

    boolean hasNext() {
      return records != null && index < records.size();
    }

    U next() {
      return records.get(index++);
    }

    boolean isEndOfStream() {
      return records == null;
    }
  }

  private final Iterator<T> underlyingIterator;
  private final BlockingQueue<IteratorBuffer<T>> buffers;
  private final int bufferSize;
  private Thread backgroundThread;
  private IteratorBuffer<T> currentBlock = new IteratorBuffer<>(List.of(), null);

  public HtsjdkAsyncBufferedIterator(Iterator<T> iterator, int bufferSize, int bufferCount) {
    this.underlyingIterator = iterator;
    this.buffers = new ArrayBlockingQueue<>(bufferCount);
    this.bufferSize = bufferSize;
    this.backgroundThread = new Thread(this::backgroundRun, "AsyncBufferedIterator");
    this.backgroundThread.setDaemon(true);
    this.backgroundThread.start();
  }

  @Override
  public void close() {
    if (backgroundThread != null) {
      try {
        backgroundThread.interrupt();
        buffers.clear();
        backgroundThread.join();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted waiting for background thread", ie);
      } finally {
        backgroundThread = null;
        currentBlock = null;
      }
    }
  }

  private void ensureHasNext() {
    if (!currentBlock.hasNext()) {
      if (currentBlock.exception != null) {
        throw new IllegalStateException(currentBlock.exception);
      }
      if (!currentBlock.isEndOfStream()) {
        try {
          currentBlock = buffers.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Error reading from background thread", e);
        }
      }
    }
  }

  @Override
  public boolean hasNext() {
    if (backgroundThread == null) {
      throw new IllegalStateException("iterator has been closed");
    }
    ensureHasNext();
    if (!currentBlock.hasNext() && currentBlock.exception != null) {
      throw new IllegalStateException(currentBlock.exception);
    }
    return currentBlock.hasNext();
  }

  @Override
  public T next() {
    if (hasNext()) {
      return currentBlock.next();
    }
    throw new NoSuchElementException("next");
  }

  /** Reads one block ahead; catches everything so the caller sees it in order. */
  private IteratorBuffer<T> readAhead() {
    List<T> readAhead = new ArrayList<>(bufferSize);
    try {
      if (!underlyingIterator.hasNext()) {
        return new IteratorBuffer<>(null, null);
      }
      for (int i = 0; i < bufferSize && underlyingIterator.hasNext(); i++) {
        if (Thread.currentThread().isInterrupted()) {
          return new IteratorBuffer<>(readAhead, new InterruptedException());
        }
        readAhead.add(underlyingIterator.next());
      }
      return new IteratorBuffer<>(readAhead, null);
    } catch (Throwable t) {
      return new IteratorBuffer<>(readAhead, t);
    }
  }

  private void backgroundRun() {
    try {
      IteratorBuffer<T> block;
      do {
        block = readAhead();
        if (block.exception instanceof InterruptedException) {
          return;
        }
        buffers.put(block);
      } while (!block.isEndOfStream() && block.exception == null);
    } catch (InterruptedException e) {
      // close() asked the thread to stop.
    }
  }

  public static void main(String[] args) throws Exception {
    Iterator<String> samRecords =
        new Iterator<>() {
          private int read = 0;

          @Override
          public boolean hasNext() {
            return read < 10_000_000;
          }

          @Override
          public String next() {
            return "read-" + read++;
          }
        };
    String found = null;
    try (HtsjdkAsyncBufferedIterator<String> it =
        new HtsjdkAsyncBufferedIterator<>(samRecords, 100, 2)) {
      while (it.hasNext()) {
        String record = it.next();
        if (record.equals("read-1234")) {
          found = record;
          break;
        }
      }
    }
    System.out.println("found " + found);
  }
}
