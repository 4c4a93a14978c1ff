package io.leakedproducer.testdata.shardexport;

import io.leakedproducer.testdata.Run;
import io.leakedproducer.testdata.Scenario;
import io.leakedproducer.testdata.Scenarios;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The disk fills up at the fifth row: the writer stops, three shards of a thousand rows remain. */
public final class ShardExportScenario implements Scenario {
  static final int SHARDS = 3;
  static final int ROWS_PER_SHARD = 1_000;

  static List<List<String>> shards() {
    List<List<String>> shards = new ArrayList<>();
    for (int s = 0; s < SHARDS; s++) {
      List<String> rows = new ArrayList<>();
      for (int r = 0; r < ROWS_PER_SHARD; r++) {
        rows.add(s + "," + r + ",customer-" + r);
      }
      shards.add(rows);
    }
    return shards;
  }

  @Override
  public String program() {
    return "shardexport.ShardExport";
  }

  @Override
  public String insertion() {
    return "put";
  }

  @Override
  public String producerThread() {
    return "shard-export-";
  }

  @Override
  public boolean callHangs() {
    return true;
  }

  @Override
  public Run start(Class<?> program) {
    List<List<String>> shards = shards();
    AtomicInteger appended = new AtomicInteger();
    ExportFile full = row -> {
      if (appended.incrementAndGet() >= 5) {
        throw new IOException("No space left on device");
      }
    };
    return Run.start("shardexport", shards, () -> Run.invoke(program, "export", shards, full));
  }

  @Override
  public void verify(Run run, boolean patched) {
    Scenarios.assertOutcome(run, IOException.class);
  }
}
