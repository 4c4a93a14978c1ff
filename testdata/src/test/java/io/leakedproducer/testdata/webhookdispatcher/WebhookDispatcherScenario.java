package io.leakedproducer.testdata.webhookdispatcher;

import io.leakedproducer.testdata.Run;
import io.leakedproducer.testdata.Scenario;
import io.leakedproducer.testdata.Scenarios;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The subscriber's endpoint is down: every post fails, so every sender gives up. */
public final class WebhookDispatcherScenario implements Scenario {
  static final int EVENTS = 1_000;

  static List<String> events() {
    List<String> events = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      events.add("{\"type\":\"order.paid\",\"order\":" + i + "}");
    }
    return events;
  }

  @Override
  public String program() {
    return "webhookdispatcher.WebhookDispatcher";
  }

  @Override
  public String insertion() {
    return "transfer";
  }

  @Override
  public String producerThread() {
    return "webhook-feed";
  }

  @Override
  public Run start(Class<?> program) {
    List<String> events = events();
    Endpoint down = event -> {
      throw new IOException("connect timed out");
    };
    return Run.start("webhookdispatcher", events, () -> Run.invoke(program, "dispatch", events, down, 3));
  }

  @Override
  public void verify(Run run, boolean patched) {
    Scenarios.assertOutcome(run, null);
  }
}
