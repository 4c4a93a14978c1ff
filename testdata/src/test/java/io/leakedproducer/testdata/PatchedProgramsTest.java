package io.leakedproducer.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.leakedproducer.testdata.backupuploader.BackupUploaderScenario;
import io.leakedproducer.testdata.bulkindexer.BulkIndexerScenario;
import io.leakedproducer.testdata.changereplicator.ChangeReplicatorScenario;
import io.leakedproducer.testdata.crawler.CrawlerScenario;
import io.leakedproducer.testdata.csvimporter.CsvImporterScenario;
import io.leakedproducer.testdata.deletecollection.DeleteCollectionScenario;
import io.leakedproducer.testdata.logshipper.LogShipperScenario;
import io.leakedproducer.testdata.metricsexporter.MetricsExporterScenario;
import io.leakedproducer.testdata.quotecollector.QuoteCollectorScenario;
import io.leakedproducer.testdata.shardexport.ShardExportScenario;
import io.leakedproducer.testdata.thumbnailer.ThumbnailerScenario;
import io.leakedproducer.testdata.webhookdispatcher.WebhookDispatcherScenario;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * The check's suggested fix, end to end: every {@code <Name>Leaky.java} is copied to a temporary
 * directory and patched in place by javac with {@code -XepPatchChecks:LeakedProducer}; each patched
 * program must then compile under {@code -Xep:LeakedProducer:ERROR} and Error Prone's default checks
 * without a single diagnostic, and, loaded in a fresh class loader, pass its failure scenario the
 * way the hand-fixed program does: the call ends, no thread it started survives, the items are
 * collectable.
 *
 * <p>Programs for which the check is known to offer no fix, or a broken one, are listed in {@link
 * #KNOWN_BROKEN} with the reason. For them the same assertions run; a failure aborts the test
 * (reported as skipped, with the failure) instead of failing the build, and a pass fails it so that
 * the entry gets removed. Run with {@code -Dleakedproducer.e2e.strict=true} to make them fail, and
 * with {@code -Dleakedproducer.e2e.keep=true} to keep the patched sources for reading.
 */
@Timeout(600)
final class PatchedProgramsTest {
  private static final String BASE_PACKAGE = "io.leakedproducer.testdata";

  /** Every program's failure scenario, shared with its unit test. */
  static final List<Scenario> SCENARIOS =
      List.of(
          new DeleteCollectionScenario(),
          new BulkIndexerScenario(),
          new MetricsExporterScenario(),
          new LogShipperScenario(),
          new CrawlerScenario(),
          new CsvImporterScenario(),
          new WebhookDispatcherScenario(),
          new ThumbnailerScenario(),
          new ShardExportScenario(),
          new QuoteCollectorScenario(),
          new BackupUploaderScenario(),
          new ChangeReplicatorScenario());

  /** Program name to the checker issue that keeps its patched version from passing. */
  static final Map<String, String> KNOWN_BROKEN = Map.of();

  private static Path work;
  private static final Map<String, String> originals = new LinkedHashMap<>();
  private static final Map<String, Path> copies = new LinkedHashMap<>();
  private static String patchLog = "";

  @BeforeAll
  static void patchEveryLeakyProgram() throws IOException {
    work = Files.createTempDirectory("leaked-producer-e2e");
    Path sources = Javac.mainSources();
    Path root = sources.resolve(BASE_PACKAGE.replace('.', File.separatorChar));
    List<Path> leaky;
    try (Stream<Path> files = Files.walk(root)) {
      leaky = files.filter(p -> p.getFileName().toString().endsWith("Leaky.java")).sorted().collect(Collectors.toList());
    }
    for (Path file : leaky) {
      Path copy = work.resolve("src").resolve(sources.relativize(file).toString());
      Files.createDirectories(copy.getParent());
      Files.copy(file, copy);
      String program = programOf(sources.relativize(file));
      originals.put(program, Files.readString(file, StandardCharsets.UTF_8));
      copies.put(program, copy);
    }
    Javac.Result patching =
        Javac.compile(new ArrayList<>(copies.values()), work.resolve("unpatched-classes"),
            "-XepPatchChecks:LeakedProducer -XepPatchLocation:IN_PLACE");
    patchLog = patching.render();
    assertTrue(!patching.hasErrors(), "patch-mode compilation failed:\n" + patchLog);
  }

  @AfterAll
  static void deleteWorkDirectory() throws IOException {
    if (work == null) {
      return;
    }
    if (Boolean.getBoolean("leakedproducer.e2e.keep")) {
      System.out.println("PatchedProgramsTest: patched sources kept in " + work);
      return;
    }
    try (Stream<Path> files = Files.walk(work)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void everyLeakyProgramHasAScenario() {
    Set<String> covered = SCENARIOS.stream().map(Scenario::program).collect(Collectors.toSet());
    assertEquals(copies.keySet(), covered, "leaky programs vs scenarios");
    assertTrue(copies.size() >= 11, "expected at least 11 leaky programs, found " + copies.keySet());
  }

  @TestFactory
  Stream<DynamicTest> patchedProgramsPassTheirFailureScenario() {
    return SCENARIOS.stream().map(s -> DynamicTest.dynamicTest(s.program() + "Leaky, patched", () -> check(s)));
  }

  private static void check(Scenario scenario) throws Exception {
    String known = KNOWN_BROKEN.get(scenario.program());
    boolean strict = Boolean.getBoolean("leakedproducer.e2e.strict");
    try {
      patchedVersionPasses(scenario);
    } catch (AssertionError | Exception e) {
      if (known != null && !strict) {
        Assumptions.abort("known checker issue (" + known + "): " + e);
      }
      throw e;
    }
    if (known != null) {
      fail(scenario.program() + " passes now; remove it from KNOWN_BROKEN (" + known + ")");
    }
  }

  private static void patchedVersionPasses(Scenario scenario) throws Exception {
    String program = scenario.program();
    Path copy = copies.get(program);
    String patched = Files.readString(copy, StandardCharsets.UTF_8);
    assertNotEquals(originals.get(program), patched,
        program + "Leaky.java was not changed: the check offered no fix\n" + patchLog);

    // The patched program must compile with the check at ERROR and the default checks on, silently.
    Path classes = work.resolve("patched-classes").resolve(program);
    Javac.Result compiled = Javac.compile(List.of(copy), classes, "-Xep:LeakedProducer:ERROR");
    assertTrue(compiled.findings().isEmpty(),
        "the patched " + program + "Leaky does not compile cleanly:\n" + compiled.render()
            + "\n--- patched source ---\n" + patched);

    // Loaded child-first (only the patched class and its nested/lambda classes), it must pass the
    // failure scenario like the hand-fixed program.
    String className = BASE_PACKAGE + "." + program + "Leaky";
    try (PatchedLoader loader = new PatchedLoader(classes, className)) {
      Class<?> patchedClass = loader.loadClass(className);
      assertEquals(loader, patchedClass.getClassLoader(), "the patched class must come from the patched classes");
      try {
        Scenarios.assertClean(scenario, patchedClass, true);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\n--- patched source ---\n" + patched, e);
      }
    }
  }

  private static String programOf(Path relative) {
    String name = relative.toString().replace(File.separatorChar, '.');
    String prefix = BASE_PACKAGE + ".";
    return name.substring(prefix.length(), name.length() - "Leaky.java".length());
  }

  /** Child-first for one class and its nested classes; everything else comes from the test's loader. */
  private static final class PatchedLoader extends URLClassLoader {
    private final String patched;

    PatchedLoader(Path classes, String patched) throws IOException {
      super(new URL[] {classes.toUri().toURL()}, PatchedProgramsTest.class.getClassLoader());
      this.patched = patched;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.equals(patched) && !name.startsWith(patched + "$")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          c = findClass(name);
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }
}
