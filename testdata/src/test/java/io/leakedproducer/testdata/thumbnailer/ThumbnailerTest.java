package io.leakedproducer.testdata.thumbnailer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leakedproducer.testdata.Scenarios;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class ThumbnailerTest {
  private final ThumbnailerScenario scenario = new ThumbnailerScenario();

  @Test
  void leakyStrandsTheSchedulerInItsRetryLoop() throws Exception {
    Scenarios.assertLeaks(scenario, ThumbnailerLeaky.class);
  }

  @Test
  void fixedLeavesNoThreadBehind() throws Exception {
    Scenarios.assertClean(scenario, ThumbnailerFixed.class, false);
  }

  @Test
  void bothRenderEverythingWhenTheStoreIsHealthy() throws Exception {
    List<String> leaky = new ArrayList<>();
    assertEquals(ThumbnailerScenario.IMAGES,
        ThumbnailerLeaky.renderAll(ThumbnailerScenario.keys(), ThumbnailerScenario.store(false, leaky), 3));
    assertEquals(ThumbnailerScenario.IMAGES, leaky.size());
    List<String> fixed = new ArrayList<>();
    assertEquals(ThumbnailerScenario.IMAGES,
        ThumbnailerFixed.renderAll(ThumbnailerScenario.keys(), ThumbnailerScenario.store(false, fixed), 3));
    assertEquals(ThumbnailerScenario.IMAGES, fixed.size());
  }
}
