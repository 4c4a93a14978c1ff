package io.leakedproducer.testdata.crawler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leakedproducer.testdata.Run;
import io.leakedproducer.testdata.Scenario;
import java.util.ArrayList;
import java.util.List;

/** Of a thousand candidate pages, only page 3 mentions the phrase: the caller stops after it. */
public final class CrawlerScenario implements Scenario {
  static final int PAGES = 1_000;

  static List<String> urls() {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < PAGES; i++) {
      urls.add("https://shop.example.test/page/" + i);
    }
    return urls;
  }

  static String body(String url) {
    return url.endsWith("/page/3") ? "<h1>Spring sale: free checkout</h1>" : "<h1>" + url + "</h1>";
  }

  @Override
  public String program() {
    return "crawler.Crawler";
  }

  @Override
  public String insertion() {
    return "putFirst";
  }

  @Override
  public String producerThread() {
    return "crawler-fetcher";
  }

  @Override
  public Run start(Class<?> program) {
    List<String> urls = urls();
    Fetcher fetcher = CrawlerScenario::body;
    return Run.start("crawler", urls, () -> Run.invoke(program, "findFirst", urls, fetcher, "free checkout"));
  }

  @Override
  public void verify(Run run, boolean patched) {
    assertEquals("https://shop.example.test/page/3", run.returned(), "thrown: " + run.thrown());
  }
}
