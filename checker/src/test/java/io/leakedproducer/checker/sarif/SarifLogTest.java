package io.leakedproducer.checker.sarif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.errorprone.BugCheckerRefactoringTestHelper;
import com.google.errorprone.BugCheckerRefactoringTestHelper.TestMode;
import com.google.errorprone.BugPattern;
import com.google.errorprone.ErrorProneFlags;
import io.leakedproducer.checker.LeakedProducer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code -XepOpt:LeakedProducer:SarifFile}: what the log says about a finding (checked against the
 * SARIF 2.1.0 schema and field by field), that no flag writes no file, and how compilations that
 * write one file or several files share them.
 */
final class SarifLogTest {
  /** A consumer that stops at the first blank row while the producer keeps putting. */
  private static String exporter(String className) {
    return """
    package demo;

    import java.util.List;
    import java.util.concurrent.ArrayBlockingQueue;
    import java.util.concurrent.BlockingQueue;
    import java.util.concurrent.ExecutorService;

    class %s {
      void export(List<String> rows, ExecutorService pool) throws InterruptedException {
        BlockingQueue<String> batch = new ArrayBlockingQueue<>(8);
        pool.execute(() -> {
          try {
            for (String row : rows) {
              batch.put(row);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        while (true) {
          String row = batch.take();
          if (row.isBlank()) {
            return;
          }
        }
      }
    }
    """
        .formatted(className);
  }

  private static final String EXPORTER = exporter("Exporter");

  /**
   * EXPORTER after Error Prone applies the first fix (checked by {@link #fixIsErrorPronesFix}): the
   * runtime is on the test classpath, so that is the runtime-backed one.
   */
  private static final String EXPORTER_FIXED =
      """
      package demo;

      import io.leakedproducer.runtime.CancellableBoundedQueue;
      import io.leakedproducer.runtime.QueueAbandonedException;
      import java.util.List;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.ExecutorService;

      class Exporter {
        void export(List<String> rows, ExecutorService pool) throws InterruptedException {
          CancellableBoundedQueue<String> batch = new CancellableBoundedQueue<>(8, 1);
          pool.execute(() -> {
            try {
              for (String row : rows) {
                try {
                  batch.put(row);
                } catch (QueueAbandonedException abandonedBy) {
                  return;
                }
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
          try (var registration = batch.registerConsumer()) {
            while (true) {
              String row = batch.take();
              if (row.isBlank()) {
                return;
              }
            }
          }
        }
      }
      """;

  private static final String MESSAGE_START =
      "the executor thread that runs the task passed to execute() (line 11) can block forever in put() on 'batch' (new ArrayBlockingQueue<>(8)): every"
          + " consumer can stop taking (line 23: return after a matching element)";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dir;

  private Path source(String className, String text) throws IOException {
    Path file = dir.resolve("src/demo/" + className + ".java");
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  private TestJavac.Result compile(String flags, Path... sources) throws IOException {
    return TestJavac.compile(List.of(sources), Files.createTempDirectory(dir, "classes"), flags);
  }

  private String sarifFlags(Path file) {
    return "-XepOpt:LeakedProducer:SarifFile="
        + file
        + " -XepOpt:LeakedProducer:SarifBaseDir="
        + dir;
  }

  /** The log at {@code file}, after asserting that it is valid SARIF 2.1.0. */
  private static JsonNode validLog(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    assertEquals(List.of(), SarifSchema.errors(text), "schema errors in " + file);
    return JSON.readTree(text);
  }

  private static JsonNode results(JsonNode log) {
    assertEquals(1, log.get("runs").size());
    return log.get("runs").get(0).get("results");
  }

  private static List<String> resultUris(JsonNode log) {
    List<String> uris = new ArrayList<>();
    for (JsonNode result : results(log)) {
      uris.add(artifactUri(result));
    }
    return uris;
  }

  private static String artifactUri(JsonNode result) {
    return result
        .get("locations")
        .get(0)
        .get("physicalLocation")
        .get("artifactLocation")
        .get("uri")
        .asString();
  }

  @Test
  void findingHasLocationLevelFingerprintAndFix() throws IOException {
    Path exporter = source("Exporter", EXPORTER);
    Path sarif = dir.resolve("out/leaked-producer.sarif");
    TestJavac.Result compilation = compile(sarifFlags(sarif), exporter);
    assertTrue(compilation.success(), compilation.render());
    assertEquals(List.of(14L), compilation.findingLines());

    JsonNode log = validLog(sarif);
    assertEquals("2.1.0", log.get("version").asString());
    JsonNode run = log.get("runs").get(0);
    JsonNode driver = run.get("tool").get("driver");
    assertEquals("LeakedProducer", driver.get("name").asString());
    assertEquals(System.getProperty("project.version"), driver.get("version").asString());
    JsonNode rule = driver.get("rules").get(0);
    assertEquals("LeakedProducer", rule.get("id").asString());
    assertEquals(
        LeakedProducer.class.getAnnotation(BugPattern.class).summary(),
        rule.get("shortDescription").get("text").asString());
    assertTrue(
        rule.get("fullDescription")
            .get("text")
            .asString()
            .startsWith("A producer that inserts into a bounded handoff with a blocking call"));
    assertTrue(rule.get("help").get("markdown").asString().startsWith("## The problem\n\n"));
    assertFalse(rule.has("helpUri"), "no page to link to exists");
    assertEquals("warning", rule.get("defaultConfiguration").get("level").asString());
    assertEquals(
        dir.toUri().toString(),
        run.get("originalUriBaseIds").get("%SRCROOT%").get("uri").asString());

    assertEquals(1, results(log).size());
    JsonNode result = results(log).get(0);
    assertEquals("LeakedProducer", result.get("ruleId").asString());
    assertEquals("warning", result.get("level").asString());
    String message = result.get("message").get("text").asString();
    assertTrue(message.startsWith(MESSAGE_START), message);
    JsonNode physical = result.get("locations").get(0).get("physicalLocation");
    assertEquals("src/demo/Exporter.java", physical.get("artifactLocation").get("uri").asString());
    assertEquals("%SRCROOT%", physical.get("artifactLocation").get("uriBaseId").asString());
    JsonNode region = physical.get("region");
    // "batch.put(row)" on line 14, columns 11 to 24 (endColumn is one past the last character).
    assertEquals(List.of(14, 11, 14, 25), regionLinesAndColumns(region));
    assertEquals(
        "batch.put(row)",
        EXPORTER.substring(
            region.get("charOffset").asInt(),
            region.get("charOffset").asInt() + region.get("charLength").asInt()));
    assertTrue(
        result
            .get("partialFingerprints")
            .get("leakedProducer/v1")
            .asString()
            .matches("[0-9a-f]{64}"));

    assertEquals(1, result.get("fixes").size());
    JsonNode change = result.get("fixes").get(0).get("artifactChanges").get(0);
    assertEquals("src/demo/Exporter.java", change.get("artifactLocation").get("uri").asString());
    JsonNode replacements = change.get("replacements");
    // The import block, the queue's type, its creation, the put and the consumer's registration.
    assertEquals(5, replacements.size());
    assertEquals(
        List.of(3, 1, 6, 45), regionLinesAndColumns(replacements.get(0).get("deletedRegion")));
    assertEquals(EXPORTER_FIXED, applyFix(EXPORTER, replacements));
  }

  /** The expected fixed text above is what Error Prone's patch mode makes of the first fix. */
  @Test
  void fixIsErrorPronesFix() {
    BugCheckerRefactoringTestHelper.newInstance(LeakedProducer.class, getClass())
        .addInputLines("demo/Exporter.java", EXPORTER)
        .addOutputLines("demo/Exporter.java", EXPORTER_FIXED)
        .doTest(TestMode.TEXT_MATCH);
  }

  @Test
  void levelFollowsTheEffectiveSeverity() throws IOException {
    Path sarif = dir.resolve("error.sarif");
    TestJavac.Result compilation =
        compile(sarifFlags(sarif) + " -Xep:LeakedProducer:ERROR", source("Exporter", EXPORTER));
    assertFalse(compilation.success(), "an ERROR finding fails the compilation");
    JsonNode log = validLog(sarif);
    assertEquals("error", results(log).get(0).get("level").asString());
    JsonNode rule = log.get("runs").get(0).get("tool").get("driver").get("rules").get(0);
    assertEquals("warning", rule.get("defaultConfiguration").get("level").asString());
  }

  @Test
  void fingerprintIgnoresLinesAndCountsRepeatedCalls() throws IOException {
    Path sarif = dir.resolve("fingerprint.sarif");
    compile(sarifFlags(sarif), source("Exporter", EXPORTER));
    JsonNode before = results(validLog(sarif)).get(0);

    String shifted = EXPORTER.replace("class Exporter {", "// a comment\n\nclass Exporter {");
    compile(sarifFlags(sarif), source("Exporter", shifted));
    JsonNode after = results(validLog(sarif)).get(0);
    assertEquals(
        16,
        after
            .get("locations")
            .get(0)
            .get("physicalLocation")
            .get("region")
            .get("startLine")
            .asInt());
    assertEquals(before.get("partialFingerprints"), after.get("partialFingerprints"));

    String twice =
        EXPORTER.replace("batch.put(row);", "batch.put(row);\n          batch.put(row);");
    compile(sarifFlags(sarif), source("Exporter", twice));
    JsonNode results = results(validLog(sarif));
    assertEquals(2, results.size());
    assertEquals(before.get("partialFingerprints"), results.get(0).get("partialFingerprints"));
    assertNotEquals(
        results.get(0).get("partialFingerprints"), results.get(1).get("partialFingerprints"));
  }

  @Test
  void noFlagWritesNoFile() throws IOException {
    Path userDir = Path.of(System.getProperty("user.dir"));
    Set<Path> before = listing(userDir);
    TestJavac.Result compilation = compile("", source("Exporter", EXPORTER));
    assertEquals(List.of(14L), compilation.findingLines());
    try (Stream<Path> files = Files.walk(dir)) {
      assertEquals(
          List.of(),
          files.filter(f -> f.toString().endsWith(".sarif")).collect(Collectors.toList()));
    }
    assertEquals(before, listing(userDir));
  }

  @Test
  void checkTurnedOffWritesNoFile() throws IOException {
    Path sarif = dir.resolve("off.sarif");
    TestJavac.Result compilation =
        compile(sarifFlags(sarif) + " -Xep:LeakedProducer:OFF", source("Exporter", EXPORTER));
    assertEquals(List.of(), compilation.findingLines());
    assertFalse(Files.exists(sarif));
  }

  private static Set<Path> listing(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.collect(Collectors.toSet());
    }
  }

  @Test
  void relativePathResolvesAgainstTheWorkingDirectoryWithParentsCreated() throws IOException {
    Path userDir = Path.of(System.getProperty("user.dir"));
    Path relative = Path.of("target", "sarif-test-" + System.nanoTime(), "nested", "log.sarif");
    Path expected = userDir.resolve(relative);
    try {
      compile("-XepOpt:LeakedProducer:SarifFile=" + relative, source("Exporter", EXPORTER));
      JsonNode log = validLog(expected);
      // Without SarifBaseDir, URIs are relative to the working directory when the file is below it.
      String uri = resultUris(log).get(0);
      String srcRoot =
          log.get("runs").get(0).get("originalUriBaseIds").get("%SRCROOT%").get("uri").asString();
      assertEquals(userDir.toUri().toString(), srcRoot);
      assertTrue(uri.endsWith("src/demo/Exporter.java"), uri);
    } finally {
      deleteTree(userDir.resolve(relative.getName(0)).resolve(relative.getName(1)));
    }
  }

  @Test
  void compilationWithoutFindingsWritesAnEmptyLog() throws IOException {
    Path sarif = dir.resolve("empty.sarif");
    Path fixed = source("Exporter", EXPORTER_FIXED);
    TestJavac.Result compilation = compile(sarifFlags(sarif), fixed);
    assertEquals(List.of(), compilation.findingLines());
    assertEquals(0, results(validLog(sarif)).size());
  }

  @Test
  void twoCompilationsWithTwoFilesKeepBothValid() throws Exception {
    Path a = dir.resolve("a/target/leaked-producer.sarif");
    Path b = dir.resolve("b/target/leaked-producer.sarif");
    compile(sarifFlags(a), source("Exporter", EXPORTER));
    compile(sarifFlags(b), source("Importer", exporter("Importer")));
    assertEquals(List.of("src/demo/Exporter.java"), resultUris(validLog(a)));
    assertEquals(List.of("src/demo/Importer.java"), resultUris(validLog(b)));

    // The same two compilations at the same time in this JVM, as a parallel Maven build runs them.
    Path c = dir.resolve("c/target/leaked-producer.sarif");
    Path d = dir.resolve("d/target/leaked-producer.sarif");
    Path exporter = source("Exporter", EXPORTER);
    Path importer = source("Importer", exporter("Importer"));
    runTogether(() -> compile(sarifFlags(c), exporter), () -> compile(sarifFlags(d), importer));
    assertEquals(List.of("src/demo/Exporter.java"), resultUris(validLog(c)));
    assertEquals(List.of("src/demo/Importer.java"), resultUris(validLog(d)));
  }

  @Test
  void compilationsSharingOneFileMergeBySourceFile() throws Exception {
    Path shared = dir.resolve("target/leaked-producer.sarif");
    Path exporter = source("Exporter", EXPORTER);
    Path importer = source("Importer", exporter("Importer"));
    compile(sarifFlags(shared), exporter);
    compile(sarifFlags(shared), importer);
    assertEquals(
        List.of("src/demo/Exporter.java", "src/demo/Importer.java"), resultUris(validLog(shared)));

    // Exporter fixed and compiled again: its old result goes, Importer's stays.
    Files.writeString(exporter, EXPORTER_FIXED, StandardCharsets.UTF_8);
    compile(sarifFlags(shared), exporter);
    assertEquals(List.of("src/demo/Importer.java"), resultUris(validLog(shared)));

    // Importer deleted: a later compilation drops its results, as its file is gone.
    Files.delete(importer);
    compile(sarifFlags(shared), exporter);
    assertEquals(List.of(), resultUris(validLog(shared)));

    // Two compilations writing the one file at the same time: both results, a valid log.
    Path first = source("First", exporter("First"));
    Path second = source("Second", exporter("Second"));
    runTogether(
        () -> compile(sarifFlags(shared), first), () -> compile(sarifFlags(shared), second));
    assertEquals(
        List.of("src/demo/First.java", "src/demo/Second.java"), resultUris(validLog(shared)));
  }

  @Test
  void aTruncatedLogIsReplaced() throws IOException {
    Path sarif = dir.resolve("truncated.sarif");
    Files.writeString(sarif, "{\"version\": \"2.1.0\", \"runs\": [", StandardCharsets.UTF_8);
    compile(sarifFlags(sarif), source("Exporter", EXPORTER));
    assertEquals(List.of("src/demo/Exporter.java"), resultUris(validLog(sarif)));
  }

  @Test
  void anotherToolsLogIsNotOverwritten() throws IOException {
    Path sarif = dir.resolve("other.sarif");
    String other =
        "{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"Other\"}},"
            + " \"results\": []}]}";
    Files.writeString(sarif, other, StandardCharsets.UTF_8);
    TestJavac.Result compilation = compile(sarifFlags(sarif), source("Exporter", EXPORTER));
    assertFalse(compilation.success(), "Error Prone cannot create the check");
    assertTrue(
        compilation
            .render()
            .contains("Failed to initialize io.leakedproducer.checker.LeakedProducer"),
        compilation.render());
    IllegalArgumentException thrown =
        assertThrows(
            IllegalArgumentException.class,
            () -> checker("LeakedProducer:SarifFile", sarif.toString()));
    assertEquals(
        "-XepOpt:LeakedProducer:SarifFile="
            + sarif
            + ": cannot write the SARIF log:"
            + " java.io.IOException: "
            + sarif
            + " holds a SARIF log of another tool;"
            + " LeakedProducer will not overwrite it",
        thrown.getMessage());
    assertEquals(other, Files.readString(sarif, StandardCharsets.UTF_8));
  }

  @Test
  void badPathsAreNamed() throws IOException {
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> checker("LeakedProducer:SarifFile", ""));
    assertEquals(
        "-XepOpt:LeakedProducer:SarifFile needs a path, got an empty value", empty.getMessage());
    Files.createDirectories(dir.resolve("a-directory"));
    IllegalArgumentException directory =
        assertThrows(
            IllegalArgumentException.class,
            () -> checker("LeakedProducer:SarifFile", dir.resolve("a-directory").toString()));
    assertEquals(
        "-XepOpt:LeakedProducer:SarifFile names a directory, not a file: "
            + dir.resolve("a-directory"),
        directory.getMessage());
  }

  private static LeakedProducer checker(String flag, String value) {
    return new LeakedProducer(ErrorProneFlags.builder().putFlag(flag, value).build());
  }

  /** The validation above can fail: a wrong level and a missing version are reported. */
  @Test
  void schemaRejectsAnInvalidLog() throws IOException {
    Path sarif = dir.resolve("valid.sarif");
    compile(sarifFlags(sarif), source("Exporter", EXPORTER));
    String valid = Files.readString(sarif, StandardCharsets.UTF_8);
    assertEquals(List.of(), SarifSchema.errors(valid));
    assertFalse(
        SarifSchema.errors(valid.replace("\"level\": \"warning\"", "\"level\": \"severe\""))
            .isEmpty());
    assertFalse(SarifSchema.errors(valid.replace("\"version\": \"2.1.0\",", "")).isEmpty());
  }

  private static List<Integer> regionLinesAndColumns(JsonNode region) {
    return List.of(
        region.get("startLine").asInt(),
        region.get("startColumn").asInt(),
        region.get("endLine").asInt(),
        region.get("endColumn").asInt());
  }

  /**
   * Applies SARIF replacements by character offset, after checking that each region's lines and
   * columns name the same characters.
   */
  static String applyFix(String text, JsonNode replacements) {
    List<JsonNode> sorted = new ArrayList<>();
    replacements.forEach(sorted::add);
    sorted.sort(Comparator.comparingInt(r -> -r.get("deletedRegion").get("charOffset").asInt()));
    String result = text;
    for (JsonNode replacement : sorted) {
      JsonNode region = replacement.get("deletedRegion");
      int start = region.get("charOffset").asInt();
      int end = start + region.get("charLength").asInt();
      assertEquals(
          start,
          offsetOf(text, region.get("startLine").asInt(), region.get("startColumn").asInt()));
      assertEquals(
          end, offsetOf(text, region.get("endLine").asInt(), region.get("endColumn").asInt()));
      result =
          result.substring(0, start)
              + replacement.get("insertedContent").get("text").asString()
              + result.substring(end);
    }
    return result;
  }

  /** Offset of a 1-based line and column in text with \n line ends. */
  private static int offsetOf(String text, int line, int column) {
    int offset = 0;
    for (int l = 1; l < line; l++) {
      offset = text.indexOf('\n', offset) + 1;
    }
    return offset + column - 1;
  }

  /** Runs both at once (released together by a latch) and fails if either fails. */
  private static void runTogether(Callable<?> first, Callable<?> second) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch ready = new CountDownLatch(2);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (Callable<?> task : List.of(first, second)) {
        futures.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  assertTrue(go.await(60, TimeUnit.SECONDS));
                  return task.call();
                }));
      }
      assertTrue(ready.await(60, TimeUnit.SECONDS));
      go.countDown();
      for (Future<?> future : futures) {
        future.get(300, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "compilation threads left running");
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.delete(p);
      }
    }
  }
}
