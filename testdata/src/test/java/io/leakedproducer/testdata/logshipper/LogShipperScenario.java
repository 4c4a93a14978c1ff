package io.leakedproducer.testdata.logshipper;

import io.leakedproducer.testdata.Run;
import io.leakedproducer.testdata.Scenario;
import io.leakedproducer.testdata.Scenarios;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The application writes three lines and pauses (a GC, a slow disk) longer than the shipper's idle
 * timeout; it resumes, with a thousand more lines, only once the shipping call has returned.
 */
public final class LogShipperScenario implements Scenario {
  static final int LINES = 1_000;

  /** Three lines, then (after the gate opens) the rest of the file. */
  static final class PausingReader implements LogReader {
    private final Iterator<String> lines;
    private final CountDownLatch resume;
    private int read;

    PausingReader(List<String> lines, CountDownLatch resume) {
      this.lines = lines.iterator();
      this.resume = resume;
    }

    @Override
    public String readLine() throws InterruptedException {
      if (read++ == 3) {
        resume.await();
      }
      return lines.hasNext() ? lines.next() : null;
    }
  }

  static List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < LINES; i++) {
      lines.add("2026-11-26T22:00:00." + i + "Z INFO request " + i + " served");
    }
    return lines;
  }

  @Override
  public String program() {
    return "logshipper.LogShipper";
  }

  @Override
  public String insertion() {
    return "putLast";
  }

  @Override
  public String producerThread() {
    return "log-shipper-";
  }

  @Override
  public Run start(Class<?> program) {
    CountDownLatch resume = new CountDownLatch(1);
    LogReader reader = new PausingReader(lines(), resume);
    LogCollector collector = batch -> {};
    return Run.start("logshipper", reader,
        () -> Run.invoke(program, "ship", reader, collector, 8, 100L), resume::countDown);
  }

  @Override
  public void verify(Run run, boolean patched) {
    Scenarios.assertOutcome(run, null);
  }
}
