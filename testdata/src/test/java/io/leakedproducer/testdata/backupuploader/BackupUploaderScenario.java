package io.leakedproducer.testdata.backupuploader;

import io.leakedproducer.testdata.Run;
import io.leakedproducer.testdata.Scenario;
import io.leakedproducer.testdata.Scenarios;
import java.util.ArrayList;
import java.util.List;

/** A thousand 1 MiB files against a 3 MiB quota: both uploaders stop after a few files. */
public final class BackupUploaderScenario implements Scenario {
  static final int FILES = 1_000;
  static final long MIB = 1L << 20;

  static List<String> paths() {
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < FILES; i++) {
      paths.add("/var/backups/2026-11-26/chunk-" + i + ".tar.zst");
    }
    return paths;
  }

  @Override
  public String program() {
    return "backupuploader.BackupUploader";
  }

  @Override
  public String insertion() {
    return "put";
  }

  @Override
  public String producerThread() {
    return "backup-uploader-";
  }

  @Override
  public Run start(Class<?> program) {
    List<String> paths = paths();
    Bucket bucket = path -> MIB;
    return Run.start("backupuploader", paths, () -> Run.invoke(program, "upload", paths, bucket, 3 * MIB, 2));
  }

  @Override
  public void verify(Run run, boolean patched) {
    Scenarios.assertOutcome(run, null);
  }
}
