package io.leakedproducer.runtime.bench;

import io.leakedproducer.runtime.Deleter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Success-path cost of deleting {@code items} items with {@code workers} workers. {@code workNanos
 * == 0} is a no-op delete (pure fan-out overhead); otherwise each delete parks for that long (an
 * I/O-like wait; the real park time includes the OS timer slack).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class DeleteBenchmark {
  @Param({"100000"})
  int items;

  @Param({"1", "4", "16"})
  int workers;

  @Param({"0", "50000"})
  long workNanos;

  @Param({"bounded", "leaky", "invokeAll"})
  String impl;

  private List<Integer> list;
  private Deleter<Integer> deleter;
  volatile int sink;

  @Setup
  public void setup() {
    list = new ArrayList<>(items);
    for (int i = 0; i < items; i++) {
      list.add(i);
    }
    long w = workNanos;
    deleter =
        w == 0
            ? i -> {
              if (i == -1) {
                sink = i; // never true: keeps the call from being a provable no-op
              }
            }
            : i -> LockSupport.parkNanos(w);
  }

  @Benchmark
  public void deleteAll() throws Exception {
    switch (impl) {
      case "bounded":
        FanOuts.bounded(list, workers, deleter);
        break;
      case "leaky":
        FanOuts.leaky(list, workers, deleter);
        break;
      case "invokeAll":
        FanOuts.invokeAll(list, workers, deleter);
        break;
      default:
        throw new IllegalArgumentException(impl);
    }
  }
}
