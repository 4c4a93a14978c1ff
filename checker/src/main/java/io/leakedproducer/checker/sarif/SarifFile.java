package io.leakedproducer.checker.sarif;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The SARIF file one compilation writes, rewritten whole each time so that it is always a complete
 * log, and shared safely with other compilations that name the same file.
 *
 * <p>The rule for a shared file: each write holds an exclusive lock on the file (other JVMs wait on
 * the operating system's lock; compilations in this JVM on a lock per path), reads the results
 * already there, and keeps those about source files this compilation did not compile and that still
 * exist; this compilation's results replace the rest. So the main and test compilations of one
 * module, or every module of a build, can share one file, and a recompiled file's old results
 * disappear. A file that is not JSON (e.g. cut short by a killed build) is replaced; a SARIF log of
 * another tool is never overwritten.
 */
final class SarifFile {
  /** Serializes writers of one path within this JVM (FileChannel locks are per JVM, not thread). */
  private static final Map<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();

  private static final long LOCK_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final Path file;
  private final Path baseDir;
  private final RuleMetadata rule;

  SarifFile(Path file, Path baseDir, RuleMetadata rule) {
    this.file = file;
    this.baseDir = baseDir;
    this.rule = rule;
  }

  Path path() {
    return file;
  }

  /**
   * Writes a log with {@code results} plus the results already in the file about sources outside
   * {@code compiled}; returns the sources the written file has results for.
   */
  Set<SourceKey> write(Collection<SarifResult> results, Set<SourceKey> compiled)
      throws IOException {
    Files.createDirectories(file.getParent());
    synchronized (JVM_LOCKS.computeIfAbsent(file, f -> new Object())) {
      try (FileChannel channel =
              FileChannel.open(
                  file,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE);
          FileLock lock = lock(channel)) {
        List<Entry> entries = new ArrayList<>();
        for (SarifLog.ExistingResult existing : existingResults(channel)) {
          if (!compiled.contains(existing.source()) && existing.source().stillExists()) {
            SarifLog.relocate(existing.json(), existing.source(), baseDir);
            entries.add(
                new Entry(existing.source(), existing.line(), existing.column(), existing.json()));
          }
        }
        for (SarifResult result : results) {
          entries.add(
              new Entry(
                  result.source(),
                  result.region().startLine(),
                  result.region().startColumn(),
                  result.toJson(baseDir)));
        }
        // One order for every writer, so that the same findings give the same file.
        entries.sort(Entry.ORDER);
        List<Object> json = new ArrayList<>();
        for (Entry entry : entries) {
          json.add(entry.json());
        }
        byte[] bytes =
            Json.write(SarifLog.document(rule, baseDir, json)).getBytes(StandardCharsets.UTF_8);
        channel.truncate(0);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long position = 0;
        while (buffer.hasRemaining()) {
          position += channel.write(buffer, position);
        }
        channel.force(true);
        Set<SourceKey> sources = new HashSet<>();
        entries.forEach(e -> sources.add(e.source()));
        return sources;
      }
    }
  }

  /** A result of the new file, with where it is for sorting. */
  private record Entry(SourceKey source, long line, long column, Map<String, Object> json) {
    static final Comparator<Entry> ORDER =
        Comparator.comparing((Entry e) -> e.source().name())
            .thenComparingLong(Entry::line)
            .thenComparingLong(Entry::column);
  }

  private List<SarifLog.ExistingResult> existingResults(FileChannel channel) throws IOException {
    long size = channel.size();
    if (size == 0) {
      return List.of();
    }
    ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(size));
    while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
      // read until full
    }
    String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    Object parsed;
    try {
      parsed = Json.parse(text);
    } catch (Json.MalformedJsonException e) {
      return List.of(); // not a complete JSON text: nothing in it can be kept
    }
    Optional<List<SarifLog.ExistingResult>> ours;
    try {
      ours = SarifLog.resultsOf(parsed, rule.name());
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " is JSON but not a SARIF log: " + e.getMessage(), e);
    }
    if (ours.isEmpty()) {
      throw new IOException(
          file + " holds a SARIF log of another tool; " + rule.name() + " will not overwrite it");
    }
    return ours.get();
  }

  /**
   * The exclusive lock: another JVM's holder makes {@code lock()} wait; a holder in this JVM with
   * another class loader (so another {@link #JVM_LOCKS}) makes it throw, so that case retries.
   */
  private FileLock lock(FileChannel channel) throws IOException {
    long deadline = System.nanoTime() + LOCK_TIMEOUT_NANOS;
    while (true) {
      try {
        return channel.lock();
      } catch (OverlappingFileLockException e) {
        if (System.nanoTime() - deadline > 0) {
          throw new IOException("timed out waiting for the lock on " + file, e);
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted waiting for the lock on " + file, interrupted);
        }
      }
    }
  }
}
