package io.leakedproducer.testdata.backupuploader;

import java.io.IOException;

/** An object-storage bucket. */
public interface Bucket {
  /** Uploads one file; returns its size in bytes. */
  long upload(String path) throws IOException;
}
