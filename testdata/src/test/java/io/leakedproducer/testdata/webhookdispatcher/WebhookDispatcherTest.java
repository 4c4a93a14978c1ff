package io.leakedproducer.testdata.webhookdispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leakedproducer.testdata.Scenarios;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class WebhookDispatcherTest {
  private final WebhookDispatcherScenario scenario = new WebhookDispatcherScenario();

  @Test
  void leakyStrandsTheFeeder() throws Exception {
    Scenarios.assertLeaks(scenario, WebhookDispatcherLeaky.class);
  }

  @Test
  void fixedLeavesNoThreadBehind() throws Exception {
    Scenarios.assertClean(scenario, WebhookDispatcherFixed.class, false);
  }

  @Test
  void bothDeliverEverythingWhenTheEndpointIsUp() throws Exception {
    assertEquals(WebhookDispatcherScenario.EVENTS,
        WebhookDispatcherLeaky.dispatch(WebhookDispatcherScenario.events(), event -> {}, 3));
    assertEquals(WebhookDispatcherScenario.EVENTS,
        WebhookDispatcherFixed.dispatch(WebhookDispatcherScenario.events(), event -> {}, 3));
  }
}
