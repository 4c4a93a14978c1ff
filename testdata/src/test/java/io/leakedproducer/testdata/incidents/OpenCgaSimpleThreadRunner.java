// Reduction of OpenCGA https://github.com/opencb/opencga/pull/227 ("More SimpleThreadRunner
// improvements", merged; the hang it fixes: "if there was an error like an unavailable DB, it
// hang, logging it indefinitely"): reader, task and writer threads are linked by bounded queues;
// a writer whose database is down logs the failure and retries the same batch forever, so the
// task thread blocks in put, then the reader, and the runner waits for the pool forever.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Runs reader, tasks and writer of a variant load on a fixed pool, linked by two queues. */
public class OpenCgaSimpleThreadRunner {
  /** Reads batches of variants from the input file. */
  interface DataReader {
    List<String> read(int batchSize);
  }

  /** Transforms a batch in place. */
  interface Task {
    void apply(List<String> batch) throws Exception;
  }

  /** Stores batches. */
  interface DataWriter {
    void write(List<String> batch);
  }

  final List<String> poisonPill = new LinkedList<>();
  final BlockingQueue<List<String>> readBlockingQueue;
  final BlockingQueue<List<String>> writeBlockingQueue;
  final int batchSize;
  final int numTasks;
  private final ExecutorService executorService;
  private final DataReader reader;
  private final Task task;
  private final DataWriter writer;
  private int finishedTasks = 0;

  OpenCgaSimpleThreadRunner(DataReader reader, Task task, DataWriter writer, int batchSize,
      int capacity, int numTasks) {
    this.reader = reader;
    this.task = task;
    this.writer = writer;
    this.batchSize = batchSize;
    this.numTasks = numTasks;
    this.readBlockingQueue = new ArrayBlockingQueue<>(capacity);
    this.writeBlockingQueue = new ArrayBlockingQueue<>(capacity);
    this.executorService = Executors.newFixedThreadPool(numTasks + 2, r -> {
      Thread t = new Thread(r, "variant-load");
      t.setDaemon(true);
      return t;
    });
  }

  void run() {
    executorService.submit(new ReaderRunnable());
    TaskRunnable taskRunnable = new TaskRunnable();
    for (int i = 0; i < numTasks; i++) {
      executorService.submit(taskRunnable);
    }
    executorService.submit(new WriterRunnable());
    executorService.shutdown();
    try {
      executorService.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
    } catch (InterruptedException e) {
      System.err.println(e);
    }
  }

  class ReaderRunnable implements Runnable {
    @Override
    public void run() {
      List<String> batch = reader.read(batchSize);
      while (batch != null && !batch.isEmpty()) {
        try {
          readBlockingQueue.put(batch); // LEAK
        } catch (InterruptedException e) {
          System.err.println(e);
        }
        batch = reader.read(batchSize);
      }
      try {
        readBlockingQueue.put(poisonPill); // LEAK
      } catch (InterruptedException e) {
        System.err.println(e);
      }
    }
  }

  class TaskRunnable implements Runnable {
    @Override
    public void run() {
      List<String> batch = new ArrayList<>();
      try {
        batch = getBatch();
      } catch (InterruptedException e) {
        System.err.println(e);
      }
      while (!batch.isEmpty()) {
        try {
          task.apply(batch);
          writeBlockingQueue.put(batch); // LEAK
          batch = getBatch();
        } catch (InterruptedException e) {
          System.err.println(e);
        } catch (Exception e) {
          System.err.println("UNEXPECTED ENDING of a task thread due to an error: " + e);
          return;
        }
      }
      synchronized (this) {
        if (++finishedTasks == numTasks) {
          try {
            writeBlockingQueue.put(poisonPill); // LEAK
          } catch (InterruptedException e) {
            System.err.println(e);
          }
        }
      }
    }

    private List<String> getBatch() throws InterruptedException {
      List<String> batch = readBlockingQueue.take();
      if (batch == poisonPill) {
        // Leave the pill for the other task threads.
        readBlockingQueue.put(poisonPill);
      }
      return batch;
    }
  }

  class WriterRunnable implements Runnable {
    @Override
    public void run() {
      List<String> batch = new ArrayList<>();
      try {
        batch = getBatch();
      } catch (InterruptedException e) {
        System.err.println(e);
      }
      while (batch != poisonPill) {
        try {
          writer.write(batch);
          batch = getBatch();
        } catch (InterruptedException e) {
          System.err.println(e);
        } catch (Exception e) {
          System.err.println("UNEXPECTED ENDING of a writer thread due to an error: " + e);
        }
      }
    }

    private List<String> getBatch() throws InterruptedException {
      List<String> batch = writeBlockingQueue.take();
      if (batch == poisonPill) {
        writeBlockingQueue.put(poisonPill);
      }
      return batch;
    }
  }

  public static void main(String[] args) throws Exception {
    int[] next = {0};
    DataReader vcf = batchSize -> {
      List<String> batch = new ArrayList<>();
      for (int i = 0; i < batchSize && next[0] < 10_000; i++) {
        batch.add("1:" + (10_000 + next[0]++) + ":A:T");
      }
      return batch;
    };
    Task annotate = batch -> batch.replaceAll(v -> v + ":annotated");
    DataWriter database = batch -> {
      if (batch.get(0).startsWith("1:10300:")) {
        try {
          Thread.sleep(50); // the connection attempt times out
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("variant database unavailable (injected)");
      }
    };
    OpenCgaSimpleThreadRunner runner = new OpenCgaSimpleThreadRunner(vcf, annotate,
        database, 100, 4, 1);
    Thread load = new Thread(runner::run, "storage-load");
    load.setDaemon(true);
    load.start();
    load.join(1_500);
    System.out.println("load finished: " + !load.isAlive());
  }
}
