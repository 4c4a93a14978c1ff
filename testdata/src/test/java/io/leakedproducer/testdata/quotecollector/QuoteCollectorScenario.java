package io.leakedproducer.testdata.quotecollector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leakedproducer.testdata.Run;
import io.leakedproducer.testdata.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * One supplier is slow: it answers, with a thousand quotes, only after the page's 100 ms budget has
 * run out and the request has returned.
 */
public final class QuoteCollectorScenario implements Scenario {
  static final int QUOTES = 1_000;

  /** Answers once {@code answer} opens. */
  static final class SlowSupplier implements QuoteSource {
    private final List<String> quotes;
    private final CountDownLatch answer;

    SlowSupplier(List<String> quotes, CountDownLatch answer) {
      this.quotes = quotes;
      this.answer = answer;
    }

    @Override
    public List<String> quotes(String sku) throws InterruptedException {
      answer.await();
      return quotes;
    }
  }

  static List<String> quotes() {
    List<String> quotes = new ArrayList<>();
    for (int i = 0; i < QUOTES; i++) {
      quotes.add("supplier-7:" + (1000 + i) + " EUR");
    }
    return quotes;
  }

  @Override
  public String program() {
    return "quotecollector.QuoteCollector";
  }

  @Override
  public String insertion() {
    return "put";
  }

  @Override
  public String producerThread() {
    return "quote-source-";
  }

  @Override
  public Run start(Class<?> program) {
    CountDownLatch answer = new CountDownLatch(1);
    List<String> quotes = quotes();
    List<QuoteSource> sources = List.of(new SlowSupplier(quotes, answer));
    return Run.start("quotecollector", quotes,
        () -> Run.invoke(program, "collect", "SKU-42", sources, 5, 100L), answer::countDown);
  }

  @Override
  public void verify(Run run, boolean patched) {
    assertEquals(List.of(), run.returned(), "thrown: " + run.thrown());
  }
}
