package io.leakedproducer.testdata.thumbnailer;

import java.io.IOException;

/** The object store holding the originals and the thumbnails. */
public interface ImageStore {
  byte[] load(String key) throws IOException;

  void save(String key, byte[] image) throws IOException;
}
