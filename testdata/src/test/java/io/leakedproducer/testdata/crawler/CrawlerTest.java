package io.leakedproducer.testdata.crawler;

import static org.junit.jupiter.api.Assertions.assertNull;

import io.leakedproducer.testdata.Scenarios;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class CrawlerTest {
  private final CrawlerScenario scenario = new CrawlerScenario();

  @Test
  void leakyStrandsTheFetcher() throws Exception {
    Scenarios.assertLeaks(scenario, CrawlerLeaky.class);
  }

  @Test
  void fixedLeavesNoThreadBehind() throws Exception {
    Scenarios.assertClean(scenario, CrawlerFixed.class, false);
  }

  @Test
  void bothReturnNullWhenNothingMatches() throws Exception {
    assertNull(CrawlerLeaky.findFirst(CrawlerScenario.urls(), CrawlerScenario::body, "no such phrase"));
    assertNull(CrawlerFixed.findFirst(CrawlerScenario.urls(), CrawlerScenario::body, "no such phrase"));
  }
}
