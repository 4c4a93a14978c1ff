package io.leakedproducer.testdata.changereplicator;

import io.leakedproducer.testdata.Run;
import io.leakedproducer.testdata.Scenario;
import io.leakedproducer.testdata.Scenarios;
import java.util.ArrayList;
import java.util.List;

/** The replica has a conflicting row: the third statement fails, and the applier dies. */
public final class ChangeReplicatorScenario implements Scenario {
  static final int TRANSACTIONS = 300;

  static List<List<String>> transactions() {
    List<List<String>> transactions = new ArrayList<>();
    for (int tx = 0; tx < TRANSACTIONS; tx++) {
      transactions.add(List.of(
          "UPDATE accounts SET balance = balance - 10 WHERE id = " + tx,
          "UPDATE accounts SET balance = balance + 10 WHERE id = " + (tx + 1)));
    }
    return transactions;
  }

  /** A replica that refuses the {@code failAt}-th statement (1-based). */
  static Replica conflicting(int failAt) {
    int[] seen = {0};
    return statement -> {
      if (++seen[0] == failAt) {
        throw new ConflictException("row changed on the replica: " + statement);
      }
    };
  }

  @Override
  public String program() {
    return "changereplicator.ChangeReplicator";
  }

  @Override
  public String insertion() {
    return "put";
  }

  @Override
  public String producerThread() {
    return "change-log-reader";
  }

  @Override
  public Run start(Class<?> program) {
    List<List<String>> transactions = transactions();
    Replica replica = conflicting(3);
    return Run.start("changereplicator", transactions, () -> Run.invoke(program, "replay", transactions, replica));
  }

  @Override
  public void verify(Run run, boolean patched) {
    // The leaky and the patched replicator lose the conflict with the applier thread and return 2.
    if (run.thrown() == null) {
      Scenarios.assertOutcome(run, null);
    } else {
      Scenarios.assertOutcome(run, IllegalStateException.class);
    }
  }
}
