// Reduction of Apache CarbonData https://github.com/apache/carbondata/pull/2561 (CARBONDATA-2784,
// commit fc8510a), the code after the CARBONDATA-2417 fix: when the load thread fails it force-
// closes the writer, but it clears the ten-slot queue before it sets the closed flag, so a writer
// released by the clear refills the queue and blocks in put for good on the eleventh batch.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The SDK's CSV writer: every {@code write} goes through the table output format's record writer
 * into an iterator wrapper, which the data-load pipeline drains on a thread of its own.
 */
public class CarbonDataSdkWriterClearFirst {
  /** An iterator the load pipeline's input step reads rows from. */
  abstract static class CarbonIterator<E> implements Iterator<E> {
    void initialize() {}

    void close() {}
  }

  /** A load failure caused by a row that does not fit the schema (bad_records_action=FAIL). */
  static final class BadRecordFoundException extends Exception {
    BadRecordFoundException(String message) {
      super(message);
    }
  }

  /** Rows of one batch: the writer fills it, the load pipeline reads it. */
  static final class RowBatch extends CarbonIterator<Object[]> {
    private final Object[][] batch;
    private int counter;
    private int size;

    RowBatch(int size) {
      this.batch = new Object[size][];
      this.size = size;
    }

    /** Adds a row; returns false once the batch is full. */
    boolean addRow(Object[] row) {
      batch[counter++] = row;
      return counter < size;
    }

    void readyRead() {
      size = counter;
      counter = 0;
    }

    int size() {
      return size;
    }

    @Override
    public boolean hasNext() {
      return counter < size;
    }

    @Override
    public Object[] next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return batch[counter++];
    }
  }

  /**
   * Holds the written rows in batches and lets the load pipeline iterate over them; the blocking
   * queue between them is the only coordination.
   */
  static final class CarbonOutputIteratorWrapper extends CarbonIterator<Object[]> {
    private static final long POLL_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(5);

    private final int batchSize;
    private final ArrayBlockingQueue<RowBatch> queue = new ArrayBlockingQueue<>(10);
    /** Stands for the scheduler taking the load thread off the CPU between two statements. */
    static volatile long descheduledMillis;

    private boolean close;
    private RowBatch loadBatch;
    private RowBatch readBatch;

    CarbonOutputIteratorWrapper(int batchSize) {
      this.batchSize = batchSize;
      this.loadBatch = new RowBatch(batchSize);
    }

    void write(Object[] row) throws InterruptedException {
      if (close) {
        // Already closed by force: the load pipeline is gone.
        return;
      }
      if (!loadBatch.addRow(row)) {
        loadBatch.readyRead();
        queue.put(loadBatch); // LEAK
        loadBatch = new RowBatch(batchSize);
      }
    }

    @Override
    public boolean hasNext() {
      if (readBatch == null || !readBatch.hasNext()) {
        try {
          if (!close) {
            readBatch = queue.poll(POLL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (readBatch == null) {
              System.out.println("WARN This scenario should not happen");
              return false;
            }
          } else {
            readBatch = queue.poll();
            if (readBatch == null) {
              return false;
            }
          }
        } catch (InterruptedException e) {
          throw new RuntimeException(e);
        }
      }
      return readBatch.hasNext();
    }

    @Override
    public Object[] next() {
      return readBatch.next();
    }

    private static void yieldToScheduler() {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(descheduledMillis);
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
    }

    void closeWriter(boolean isForceClose) {
      if (close) {
        // Already closed by force.
        return;
      }
      try {
        if (isForceClose) {
          // Unblocks a put on the writer's thread and drops what the dead pipeline will not read.
          queue.clear();
          yieldToScheduler();
          close = true;
          return;
        }
        // Makes sure the last, partial batch is read too.
        loadBatch.readyRead();
        if (loadBatch.size() > 0) {
          queue.put(loadBatch); // LEAK
        }
      } catch (InterruptedException e) {
        throw new RuntimeException(e);
      }
      close = true;
      // Wakes a load thread that waits in poll on an empty queue.
      if (queue.isEmpty()) {
        if (!queue.offer(new RowBatch(0))) {
          System.out.println("WARN The default last element is not added to queue");
        }
      }
    }
  }

  /** Stands for the load pipeline: input, convert, sort and write steps. */
  static final class DataLoadExecutor {
    private long rowsConverted;

    void execute(String tableName, CarbonIterator<Object[]>[] inputIterators)
        throws BadRecordFoundException {
      for (CarbonIterator<Object[]> iterator : inputIterators) {
        iterator.initialize();
        while (iterator.hasNext()) {
          convert(iterator.next());
        }
      }
      System.out.println("loaded " + rowsConverted + " rows into " + tableName);
    }

    /** The converter step; the second column is an int column. */
    private void convert(Object[] row) throws BadRecordFoundException {
      if (!(row[1] instanceof Integer)) {
        throw new BadRecordFoundException(
            "Data load failed due to bad record: " + Arrays.toString(row));
      }
      rowsConverted++;
    }

    void close() {
      System.out.println("load pipeline closed after " + rowsConverted + " rows");
    }
  }

  /** The table output format's record writer: write feeds the wrapper, close waits for the load. */
  static final class CarbonRecordWriter {
    private final CarbonOutputIteratorWrapper iteratorWrapper;
    private final Future<?> future;
    private final ExecutorService executorService;

    CarbonRecordWriter(
        CarbonOutputIteratorWrapper iteratorWrapper, Future<?> future,
        ExecutorService executorService) {
      this.iteratorWrapper = iteratorWrapper;
      this.future = future;
      this.executorService = executorService;
    }

    void write(Object[] row) throws InterruptedException {
      iteratorWrapper.write(row);
    }

    void close() throws InterruptedException {
      iteratorWrapper.closeWriter(false);
      try {
        future.get();
      } catch (ExecutionException e) {
        throw new RuntimeException("Data load failed", e.getCause());
      } finally {
        executorService.shutdownNow();
      }
    }
  }

  /** Starts the load pipeline on its own thread, since its input iterator blocks on the queue. */
  static CarbonRecordWriter getRecordWriter(String tableName, int batchSize) {
    final CarbonOutputIteratorWrapper iteratorWrapper = new CarbonOutputIteratorWrapper(batchSize);
    final DataLoadExecutor dataLoadExecutor = new DataLoadExecutor();
    final ExecutorService executorService = Executors.newFixedThreadPool(1, r -> {
      Thread t = new Thread(r, "CarbonRecordWriter:" + tableName);
      t.setDaemon(true);
      return t;
    });
    Future<?> future = executorService.submit(() -> {
      try {
        @SuppressWarnings("unchecked")
        CarbonIterator<Object[]>[] inputs = new CarbonIterator[] {iteratorWrapper};
        dataLoadExecutor.execute(tableName, inputs);
      } catch (Exception e) {
        executorService.shutdownNow();
        dataLoadExecutor.close();
        // The writer may be blocked in put: close it by force so that it stops writing.
        iteratorWrapper.closeWriter(true);
        throw new RuntimeException(e);
      }
    });
    return new CarbonRecordWriter(iteratorWrapper, future, executorService);
  }

  private final CarbonRecordWriter recordWriter;

  CarbonDataSdkWriterClearFirst(String tableName, int batchSize) {
    this.recordWriter = getRecordWriter(tableName, batchSize);
  }

  public void write(Object[] row) throws InterruptedException {
    recordWriter.write(row);
  }

  public void close() throws InterruptedException {
    recordWriter.close();
  }

  public static void main(String[] args) throws Exception {
    // Batches of four rows (the carbon.batch.size default is 1000), ten batches in flight at most.
    CarbonDataSdkWriterClearFirst writer = new CarbonDataSdkWriterClearFirst("sdk_output", 4);
    // The load thread loses the CPU right after its clear(), long enough for the writer to refill
    // the queue (the report needed more than 21 batches to hit the window).
    CarbonOutputIteratorWrapper.descheduledMillis = 300;
    CountDownLatch done = new CountDownLatch(1);
    Thread app = new Thread(() -> {
      try {
        for (int i = 0; i < 200; i++) {
          // Row 5 carries text in the int column: a bad record.
          Object age = i == 5 ? "twenty" : (Object) i;
          writer.write(new Object[] {"robot" + i, age});
        }
        writer.close();
      } catch (Exception e) {
        System.out.println("writer failed: " + e);
      } finally {
        done.countDown();
      }
    }, "sdk-writer");
    app.setDaemon(true);
    app.start();
    System.out.println("writer finished: " + done.await(500, TimeUnit.MILLISECONDS));
  }
}
