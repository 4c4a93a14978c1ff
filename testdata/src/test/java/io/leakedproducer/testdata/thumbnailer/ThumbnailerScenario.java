package io.leakedproducer.testdata.thumbnailer;

import io.leakedproducer.testdata.Run;
import io.leakedproducer.testdata.Scenario;
import io.leakedproducer.testdata.Scenarios;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Every original in the store is unreadable (a bad migration): every resizer throws. */
public final class ThumbnailerScenario implements Scenario {
  static final int IMAGES = 1_000;

  static List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      keys.add("photos/2026/11/" + i + ".png");
    }
    return keys;
  }

  /** An in-memory store whose loads fail when {@code corrupt}. */
  static ImageStore store(boolean corrupt, List<String> saved) {
    return new ImageStore() {
      @Override
      public byte[] load(String key) throws IOException {
        if (corrupt) {
          throw new IOException("checksum mismatch: " + key);
        }
        return new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0};
      }

      @Override
      public void save(String key, byte[] image) {
        synchronized (saved) {
          saved.add(key);
        }
      }
    };
  }

  @Override
  public String program() {
    return "thumbnailer.Thumbnailer";
  }

  @Override
  public String insertion() {
    return "offer";
  }

  @Override
  public String producerThread() {
    return "thumbnailer-";
  }

  @Override
  public Run start(Class<?> program) {
    List<String> keys = keys();
    ImageStore store = store(true, new ArrayList<>());
    return Run.start("thumbnailer", keys, () -> Run.invoke(program, "renderAll", keys, store, 3));
  }

  @Override
  public void verify(Run run, boolean patched) {
    Scenarios.assertOutcome(run, IOException.class);
  }
}
