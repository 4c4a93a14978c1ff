package io.leakedproducer.testdata.quotecollector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leakedproducer.testdata.Scenarios;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class QuoteCollectorTest {
  private final QuoteCollectorScenario scenario = new QuoteCollectorScenario();

  @Test
  void leakyStrandsTheLateSupplier() throws Exception {
    Scenarios.assertLeaks(scenario, QuoteCollectorLeaky.class);
  }

  @Test
  void fixedLeavesNoThreadBehind() throws Exception {
    Scenarios.assertClean(scenario, QuoteCollectorFixed.class, false);
  }

  @Test
  void bothTakeTheFirstQuotesOfPromptSuppliers() throws Exception {
    List<String> quotes = List.of("a:1 EUR", "a:2 EUR", "a:3 EUR");
    List<QuoteSource> prompt = List.of(sku -> quotes);
    assertEquals(quotes.subList(0, 2), QuoteCollectorLeaky.collect("SKU-1", prompt, 2, 10_000L));
    assertEquals(quotes.subList(0, 2), QuoteCollectorFixed.collect("SKU-1", prompt, 2, 10_000L));
  }
}
