package io.leakedproducer.checker.sarif;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which source file a result is about: an absolute, normalized path for files on disk, or a name
 * for sources javac did not read from a file (in-memory sources of tests and tools). Two
 * compilations that name the same file agree on its key, which is what merging relies on.
 */
record SourceKey(Optional<Path> path, String name) {
  /** The {@code uriBaseId} of artifact locations under the log's base directory. */
  static final String SRCROOT = "%SRCROOT%";

  static SourceKey ofPath(Path path) {
    Path normalized = path.toAbsolutePath().normalize();
    return new SourceKey(Optional.of(normalized), normalized.toString());
  }

  static SourceKey ofName(String name) {
    return new SourceKey(Optional.empty(), name);
  }

  /** The key of the source javac reads from {@code uri}. */
  static SourceKey of(URI uri) {
    if ("file".equals(uri.getScheme())) {
      return ofPath(Path.of(uri));
    }
    String path = uri.getPath() != null ? uri.getPath() : uri.toString();
    return ofName(path.startsWith("/") ? path.substring(1) : path);
  }

  /** False only for a file on disk that is gone (its results are stale). */
  boolean stillExists() {
    return path.isEmpty() || Files.isRegularFile(path.get());
  }

  /** {@code artifactLocation}: relative to {@code %SRCROOT%} when under {@code baseDir}. */
  Map<String, Object> artifactLocation(Path baseDir) {
    Map<String, Object> location = new LinkedHashMap<>();
    if (path.isEmpty()) {
      // No base: the name is not a path under the base directory, and reading it back must give
      // the same name.
      location.put("uri", encode(name));
    } else if (path.get().startsWith(baseDir)) {
      String relative = baseDir.relativize(path.get()).toString().replace('\\', '/');
      location.put("uri", encode(relative));
      location.put("uriBaseId", SRCROOT);
    } else {
      location.put("uri", path.get().toUri().toString());
    }
    return location;
  }

  /** A relative path as a URI reference (spaces and other reserved characters escaped). */
  private static String encode(String relativePath) {
    try {
      return new URI(null, null, relativePath, null).getRawPath();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("cannot express '" + relativePath + "' as a URI", e);
    }
  }
}
