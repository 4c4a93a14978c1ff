package io.leakedproducer.testdata.backupuploader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leakedproducer.testdata.Scenarios;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class BackupUploaderTest {
  private final BackupUploaderScenario scenario = new BackupUploaderScenario();

  @Test
  void leakyStrandsTheWalker() throws Exception {
    Scenarios.assertLeaks(scenario, BackupUploaderLeaky.class);
  }

  @Test
  void fixedLeavesNoThreadBehind() throws Exception {
    Scenarios.assertClean(scenario, BackupUploaderFixed.class, false);
  }

  @Test
  void bothUploadEverythingWithinQuota() throws Exception {
    long all = BackupUploaderScenario.FILES * 10L;
    assertEquals(all, BackupUploaderLeaky.upload(BackupUploaderScenario.paths(), path -> 10L, Long.MAX_VALUE, 2));
    assertEquals(all, BackupUploaderFixed.upload(BackupUploaderScenario.paths(), path -> 10L, Long.MAX_VALUE, 2));
  }
}
