package io.leakedproducer.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * What the build log shows, as a test: compiling the module's programs with only LeakedProducer
 * enabled must warn at every blocking insertion of every {@code <Name>Leaky.java} (every line that
 * calls {@code put}, {@code putFirst}, {@code putLast} or {@code transfer}, or retries a timed
 * {@code offer} in a {@code while (!...)}) and nowhere else, and never in a {@code <Name>Fixed.java}.
 *
 * <p>Known misses and false alarms of the check are listed in {@link #KNOWN_WRONG}; for them the
 * test aborts (skipped, with the difference) instead of failing, and fails once the check gets them
 * right so that the entry is removed. {@code -Dleakedproducer.e2e.strict=true} makes them fail.
 */
@Timeout(600)
final class CheckVerdictsTest {
  private static final Pattern INSERTION =
      Pattern.compile("\\.(put|putFirst|putLast|transfer)\\(|while \\(!\\w+\\.offer\\(");

  /** File (relative to the testdata package) to what the check gets wrong there. */
  static final Map<String, String> KNOWN_WRONG = Map.of();

  private static final Map<String, TreeSet<Long>> warned = new TreeMap<>();
  private static final List<Path> programs = new ArrayList<>();
  private static Path root;

  @BeforeAll
  static void compileEveryProgram() throws IOException {
    Path sources = Javac.mainSources();
    root = sources.resolve("io/leakedproducer/testdata".replace('/', File.separatorChar));
    List<Path> all;
    try (Stream<Path> files = Files.walk(root)) {
      all = files.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    }
    for (Path p : all) {
      String name = p.getFileName().toString();
      if (name.endsWith("Leaky.java") || name.endsWith("Fixed.java")) {
        programs.add(p);
      }
    }
    Path classes = Files.createTempDirectory("leaked-producer-verdicts");
    try {
      Javac.Result result = Javac.compile(all, classes, "-XepDisableAllChecks -Xep:LeakedProducer:WARN");
      assertFalse(result.hasErrors(), result.render());
      for (Diagnostic<? extends JavaFileObject> d : result.diagnostics) {
        if (d.getKind() == Diagnostic.Kind.WARNING && d.getMessage(null).contains("[LeakedProducer]")) {
          String file = relative(Paths.get(d.getSource().toUri()));
          warned.computeIfAbsent(file, f -> new TreeSet<>()).add(d.getLineNumber());
        }
      }
    } finally {
      try (Stream<Path> files = Files.walk(classes)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> warnsAtEveryLeakyInsertionAndNowhereElse() {
    return programs.stream().map(p -> DynamicTest.dynamicTest(relative(p), () -> check(p)));
  }

  private static void check(Path program) throws IOException {
    String file = relative(program);
    TreeSet<Long> expected = new TreeSet<>();
    if (file.endsWith("Leaky.java")) {
      List<String> lines = Files.readAllLines(program, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        if (INSERTION.matcher(lines.get(i)).find()) {
          expected.add((long) i + 1);
        }
      }
      assertFalse(expected.isEmpty(), file + " has no blocking insertion to warn at");
    }
    TreeSet<Long> actual = warned.getOrDefault(file, new TreeSet<>());
    String known = KNOWN_WRONG.get(file);
    boolean strict = Boolean.getBoolean("leakedproducer.e2e.strict");
    try {
      assertEquals(expected, actual, file + ": lines the check should warn at vs lines it warned at");
    } catch (AssertionError e) {
      if (known != null && !strict) {
        Assumptions.abort("known checker issue (" + known + "): " + e.getMessage());
      }
      throw e;
    }
    if (known != null) {
      fail(file + " is right now; remove it from KNOWN_WRONG (" + known + ")");
    }
  }

  private static String relative(Path file) {
    return root.relativize(file.toAbsolutePath().normalize()).toString().replace(File.separatorChar, '/');
  }
}
