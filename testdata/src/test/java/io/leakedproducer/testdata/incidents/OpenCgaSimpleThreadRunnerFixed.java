// Reduction of OpenCGA https://github.com/opencb/opencga/pull/227 as merged ("fast abort"):
// reader, tasks and writer become callables that let exceptions out, and the runner calls get()
// on their futures, then shutdownNow() on failure. The futures are read in submission order,
// reader first: when the writer fails while the task and the reader are blocked on full queues,
// the runner waits on the reader's future and never reaches shutdownNow(). The PR's tests read
// 3 batches through a queue of 4 and never fill it; main forces a longer input.
// Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs reader, tasks and writer of a variant load on a fixed pool, linked by two queues. */
public class OpenCgaSimpleThreadRunnerFixed {
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

  OpenCgaSimpleThreadRunnerFixed(DataReader reader, Task task, DataWriter writer, int batchSize,
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

  void run() throws Exception {
    List<Future<Void>> futures = new ArrayList<>();
    futures.add(executorService.submit(new ReaderCallable()));
    TaskCallable taskCallable = new TaskCallable();
    for (int i = 0; i < numTasks; i++) {
      futures.add(executorService.submit(taskCallable));
    }
    futures.add(executorService.submit(new WriterCallable()));
    try {
      for (Future<Void> future : futures) {
        future.get(); // rethrows what a child threw
      }
      executorService.shutdown();
      executorService.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
    } catch (Exception runnerFailed) {
      System.err.println("caught executorService Exception: " + runnerFailed);
      executorService.shutdownNow();
      throw runnerFailed;
    }
  }

  class ReaderCallable implements Callable<Void> {
    @Override
    public Void call() throws Exception {
      List<String> batch = reader.read(batchSize);
      while (batch != null && !batch.isEmpty()) {
        readBlockingQueue.put(batch); // LEAK
        batch = reader.read(batchSize);
      }
      readBlockingQueue.put(poisonPill); // LEAK
      return null;
    }
  }

  class TaskCallable implements Callable<Void> {
    @Override
    public Void call() throws Exception {
      List<String> batch = getBatch();
      while (!batch.isEmpty()) {
        task.apply(batch);
        writeBlockingQueue.put(batch); // LEAK
        batch = getBatch();
      }
      synchronized (this) {
        if (++finishedTasks == numTasks) {
          writeBlockingQueue.put(poisonPill); // LEAK
        }
      }
      return null;
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

  class WriterCallable implements Callable<Void> {
    @Override
    public Void call() throws Exception {
      List<String> batch = getBatch();
      while (batch != poisonPill) {
        writer.write(batch);
        batch = getBatch();
      }
      return null;
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
    OpenCgaSimpleThreadRunnerFixed runner = new OpenCgaSimpleThreadRunnerFixed(vcf, annotate,
        database, 100, 4, 1);
    Thread load = new Thread(() -> {
      try {
        runner.run();
      } catch (Exception e) {
        System.out.println("load failed: " + e);
      }
    }, "storage-load");
    load.setDaemon(true);
    load.start();
    load.join(1_500);
    System.out.println("load finished: " + !load.isAlive());
  }
}
