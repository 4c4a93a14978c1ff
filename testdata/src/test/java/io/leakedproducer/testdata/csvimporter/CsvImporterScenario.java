package io.leakedproducer.testdata.csvimporter;

import io.leakedproducer.testdata.Run;
import io.leakedproducer.testdata.Scenario;
import io.leakedproducer.testdata.Scenarios;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

/** Row 10 of a thousand has "12.50" where cents belong: parseInt kills the booking thread. */
public final class CsvImporterScenario implements Scenario {
  static final int ROWS = 1_000;

  static List<String> rows(boolean malformed) {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      rows.add("acct-" + i + "," + (malformed && i == 10 ? "12.50" : Integer.toString(i)));
    }
    return rows;
  }

  @Override
  public String program() {
    return "csvimporter.CsvImporter";
  }

  @Override
  public String insertion() {
    return "put";
  }

  @Override
  public String producerThread() {
    return "request-csvimporter";
  }

  @Override
  public boolean callerProduces() {
    return true;
  }

  @Override
  public Run start(Class<?> program) {
    List<String> rows = rows(true);
    Ledger ledger = (account, cents) -> {};
    return Run.start("csvimporter", rows, () -> Run.invoke(program, "importRows", rows, ledger));
  }

  @Override
  public void verify(Run run, boolean patched) {
    Scenarios.assertOutcome(run, patched ? CancellationException.class : IllegalArgumentException.class);
  }
}
