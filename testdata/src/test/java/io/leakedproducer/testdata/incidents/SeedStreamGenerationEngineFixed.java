// Reduction of SeedStream (GenerationEngine) https://github.com/mferretti/SeedStream/issues/282
// ("Multi-thread: writer-thread death hangs the whole run instead of failing fast"), with the fix
// the issue asks for: the writer records its failure in the shared error reference before it
// dies, and each worker hands a chunk over with a timed offer that re-reads that reference after
// every timeout and gives up with a CancellationException, so awaitTermination returns and the
// run fails with the writer's cause. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * SeedStream's generation engine, multi-threaded path, with the fix: as in {@link
 * SeedStreamGenerationEngine}, but the writer's {@code catch} records the failure in {@code
 * runError}, and the workers' hand-off polls that reference between timed offers.
 */
public class SeedStreamGenerationEngineFixed {
  /** Derives a per-record seed from the master seed, so output does not depend on thread count. */
  static final class RandomProvider {
    private final long masterSeed;
    private final ThreadLocal<Random> random = ThreadLocal.withInitial(Random::new);

    RandomProvider(long masterSeed) {
      this.masterSeed = masterSeed;
    }

    Random getRandom() {
      return random.get();
    }

    long deriveRecordSeed(long globalIndex) {
      return masterSeed * 31 + globalIndex;
    }
  }

  /** Shared progress state passed to every worker. */
  record ProgressTracker(AtomicLong generated, long totalCount, long startTime) {}

  static final class GenerationEngine {
    private final long masterSeed;
    private final int workerThreads;
    private final int queueCapacity;
    private final int chunkSize;

    GenerationEngine(long masterSeed, int workerThreads, int queueCapacity, int chunkSize) {
      this.masterSeed = masterSeed;
      this.workerThreads = workerThreads;
      this.queueCapacity = queueCapacity;
      this.chunkSize = chunkSize;
    }

    <P> void generate(
        long count,
        Function<Random, P> produce,
        Consumer<P> consume,
        UnaryOperator<List<P>> chunkTransform)
        throws InterruptedException {
      System.out.println("Starting parallel generation: " + count + " records");
      runMultiThreaded(count, produce, consume, chunkTransform);
    }

    private <P> void runMultiThreaded(
        long count,
        Function<Random, P> produce,
        Consumer<P> consume,
        UnaryOperator<List<P>> chunkTransform)
        throws InterruptedException {
      RandomProvider randomProvider = new RandomProvider(masterSeed);
      long totalChunks = (count + chunkSize - 1) / chunkSize;
      int activeWorkers = (int) Math.max(1L, Math.min(totalChunks, workerThreads));

      // Per-worker bounded queues: a worker blocks once it runs queueCapacity ahead of the writer.
      int perWorkerCapacity = Math.max(2, queueCapacity / chunkSize / activeWorkers);
      List<BlockingQueue<List<P>>> workerQueues = new ArrayList<>(activeWorkers);
      for (int i = 0; i < activeWorkers; i++) {
        workerQueues.add(new ArrayBlockingQueue<>(perWorkerCapacity));
      }

      // First failure of a worker or of the writer: aborts the other side instead of letting it
      // block forever.
      AtomicReference<Throwable> workerError = new AtomicReference<>();
      AtomicLong generated = new AtomicLong(0);
      long startTime = System.currentTimeMillis();

      // Single writer thread: takes chunk c from its owning worker's queue, in ascending c.
      Thread writerThread =
          new Thread(
              () -> {
                try {
                  for (long c = 0; c < totalChunks; c++) {
                    List<P> chunk = workerQueues.get((int) (c % activeWorkers)).take();
                    for (P item : chunk) {
                      consume.accept(item);
                    }
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (Exception e) {
                  System.out.println("Writer thread failed: " + e);
                  workerError.compareAndSet(null, e);
                }
              },
              "writer-thread");
      writerThread.start();

      ExecutorService workers = Executors.newFixedThreadPool(activeWorkers);
      for (int workerId = 0; workerId < activeWorkers; workerId++) {
        int finalWorkerId = workerId;
        int finalActiveWorkers = activeWorkers;
        BlockingQueue<List<P>> myQueue = workerQueues.get(workerId);
        workers.submit(
            () -> {
              try {
                generateWorkerRecords(
                    finalWorkerId,
                    finalActiveWorkers,
                    count,
                    totalChunks,
                    randomProvider,
                    produce,
                    chunkTransform,
                    myQueue,
                    workerError,
                    new ProgressTracker(generated, count, startTime));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                workerError.compareAndSet(null, e);
              } catch (Exception e) {
                workerError.compareAndSet(null, e);
              }
            });
      }

      workers.shutdown();
      boolean terminated = workers.awaitTermination(Long.MAX_VALUE, TimeUnit.SECONDS);
      if (!terminated) {
        System.out.println("Worker threads did not terminate gracefully");
      }
      Throwable failure = workerError.get();
      if (failure != null) {
        writerThread.interrupt();
        writerThread.join();
        throw new IllegalStateException("Parallel generation failed", failure);
      }
      writerThread.join();
      System.out.println("Parallel generation complete: " + generated.get() + " records");
    }

    private <P> void generateWorkerRecords(
        int workerId,
        int activeWorkers,
        long totalRecords,
        long totalChunks,
        RandomProvider randomProvider,
        Function<Random, P> produce,
        UnaryOperator<List<P>> chunkTransform,
        BlockingQueue<List<P>> queue,
        AtomicReference<Throwable> runError,
        ProgressTracker progress)
        throws InterruptedException {
      Random random = randomProvider.getRandom();
      for (long c = workerId; c < totalChunks; c += activeWorkers) {
        long start = c * chunkSize;
        long end = Math.min(start + chunkSize, totalRecords);
        List<P> chunk = new ArrayList<>((int) (end - start));
        for (long globalIndex = start; globalIndex < end; globalIndex++) {
          random.setSeed(randomProvider.deriveRecordSeed(globalIndex));
          chunk.add(produce.apply(random));
        }
        int recordsInChunk = chunk.size();
        List<P> toEnqueue = chunkTransform == null ? chunk : chunkTransform.apply(chunk);
        enqueue(queue, toEnqueue, runError);
        progress.generated().addAndGet(recordsInChunk);
      }
    }
  }

  /** Hands a chunk to the writer, or gives up once the run failed (the writer is gone). */
  static <P> void enqueue(
      BlockingQueue<List<P>> queue, List<P> chunk, AtomicReference<Throwable> runError)
      throws InterruptedException {
    while (!queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
      if (runError.get() != null) {
        throw new CancellationException("generation aborted: " + runError.get());
      }
    }
  }

  /** A database destination whose insert fails on a duplicate key. */
  static final class DatabaseDestination {
    private final java.util.Set<Object> keys = new java.util.HashSet<>();

    void write(Map<String, Object> data) {
      if (!keys.add(data.get("id"))) {
        throw new IllegalStateException("duplicate key value violates unique constraint");
      }
    }
  }

  public static void main(String[] args) throws Exception {
    GenerationEngine engine = new GenerationEngine(42L, 2, 16, 4);
    DatabaseDestination destination = new DatabaseDestination();
    // The "id" field draws from a small range, so a duplicate key comes early in the run.
    Thread cli =
        new Thread(
            () -> {
              try {
                engine.generate(
                    2_000,
                    random -> Map.<String, Object>of("id", random.nextInt(50)),
                    destination::write,
                    null);
              } catch (Exception e) {
                System.out.println("generation failed: " + e);
              }
            },
            "cli");
    cli.setDaemon(true);
    cli.start();
    cli.join(1500);
    System.out.println("generation finished: " + !cli.isAlive());
  }
}
