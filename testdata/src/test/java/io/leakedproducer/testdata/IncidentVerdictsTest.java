package io.leakedproducer.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * The check's verdict on the reductions of real incidents ({@code incidents/}, one program per
 * file, each label verified at run time by {@code incidents/verify-labels.sh}): compiled with only
 * LeakedProducer enabled, in strict mode, the check must warn on exactly the lines that carry a
 * {@code // LEAK} marker in every file.
 *
 * <p>What the check gets wrong today is written down exactly in {@link #KNOWN_WRONG}; a file whose
 * difference changes fails, and so does a listed file that became right, so that the entry is
 * removed. The compilation must report no error (in strict mode an internal analysis error is
 * one).
 */
@Timeout(600)
final class IncidentVerdictsTest {
  private static final String MARKER = "// LEAK";
  private static final String NO_COPY = "Written for leaked-producer; no upstream code copied.";
  private static final String FLAGS =
      "-XepDisableAllChecks -Xep:LeakedProducer:WARN -XepOpt:LeakedProducer:Strict=true";

  /**
   * File name to the exact difference between the check's warnings and the markers today, as
   * {@link #difference} renders it: {@code "missed 42"}, {@code "false alarm 17"}, {@code
   * "missed 42, 57; false alarm 17"}.
   */
  static final Map<String, String> KNOWN_WRONG =
      Map.ofEntries(
          Map.entry("HibernateSearchMassIndexer.java", "false alarm 52"),
          Map.entry("HibernateSearchMassIndexerFixed.java", "false alarm 48, 56"),
          Map.entry("JettyReservedThreadExecutorFixed.java", "false alarm 177"),
          Map.entry("LogbackKafkaAppenderFixed.java", "false alarm 59"),
          Map.entry("MavenIndexerIndexDataReaderFixed.java", "false alarm 136"),
          Map.entry("NatsStreamingPublishAcks.java", "missed 120"),
          Map.entry("RabbitMqAmqpWorkPool.java", "missed 42"));

  private static final Map<String, SortedSet<Long>> warned = new TreeMap<>();
  private static final List<Path> incidents = new ArrayList<>();
  private static Javac.Result result;

  @BeforeAll
  static void compileEveryIncident() throws IOException {
    Path folder =
        Paths.get(System.getProperty("basedir", "."), "src", "test", "java", "io", "leakedproducer",
            "testdata", "incidents");
    try (Stream<Path> files = Files.list(folder)) {
      incidents.addAll(files.filter(p -> p.toString().endsWith(".java")).sorted()
          .collect(Collectors.toList()));
    }
    Path classes = Files.createTempDirectory("leaked-producer-incidents");
    try {
      result = Javac.compile(incidents, classes, FLAGS);
    } finally {
      try (Stream<Path> files = Files.walk(classes)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.deleteIfExists(p);
        }
      }
    }
    for (Diagnostic<? extends JavaFileObject> d : result.diagnostics) {
      if (d.getKind() == Diagnostic.Kind.WARNING
          && d.getMessage(null).contains("[LeakedProducer]")) {
        String file = Paths.get(d.getSource().toUri()).getFileName().toString();
        warned.computeIfAbsent(file, f -> new TreeSet<>()).add(d.getLineNumber());
      }
    }
  }

  @Test
  void compilesWithoutErrorsInStrictMode() {
    assertFalse(incidents.isEmpty(), "no incident found");
    assertFalse(result.hasErrors(), result.render());
  }

  @Test
  void knownWrongNamesOnlyExistingFiles() {
    List<String> names = incidents.stream().map(p -> p.getFileName().toString()).toList();
    for (String listed : KNOWN_WRONG.keySet()) {
      assertTrue(names.contains(listed), "KNOWN_WRONG lists a file that does not exist: " + listed);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyIncidentNamesItsSourceAndRuns() {
    return incidents.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
      List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
      StringBuilder header = new StringBuilder();
      for (String line : lines) {
        if (!line.startsWith("//")) {
          break;
        }
        header.append(line.substring(2).strip()).append(' ');
      }
      assertTrue(header.toString().matches("Reduction of [^/]+ https?://\\S+ .*"),
          "the header must name the project and the issue: " + header);
      assertTrue(header.toString().contains(NO_COPY),
          "the header must say that no upstream code was copied: " + header);
      assertTrue(lines.stream().anyMatch(
              l -> l.contains("public static void main(String[] args) throws Exception")),
          "the program must run its scenario from main");
    }));
  }

  @TestFactory
  Stream<DynamicTest> warnsExactlyAtTheMarkedInsertions() {
    return incidents.stream()
        .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p)));
  }

  private static void check(Path incident) throws IOException {
    assertFalse(result.hasErrors(), result.render());
    String file = incident.getFileName().toString();
    SortedSet<Long> marked = new TreeSet<>();
    List<String> lines = Files.readAllLines(incident, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(MARKER)) {
        marked.add((long) i + 1);
      }
    }
    String difference = difference(marked, warned.getOrDefault(file, new TreeSet<>()));
    String known = KNOWN_WRONG.get(file);
    if (known == null) {
      assertEquals("", difference, file + ": the check must warn exactly at the // LEAK lines");
    } else if (difference.isEmpty()) {
      fail(file + " is right now; remove it from KNOWN_WRONG (" + known + ")");
    } else {
      assertEquals(known, difference, file + ": the recorded checker gap changed");
    }
  }

  /** "missed a, b; false alarm c", or the empty string when the warnings match the markers. */
  static String difference(SortedSet<Long> marked, SortedSet<Long> warnedLines) {
    SortedSet<Long> missed = new TreeSet<>(marked);
    missed.removeAll(warnedLines);
    SortedSet<Long> falseAlarms = new TreeSet<>(warnedLines);
    falseAlarms.removeAll(marked);
    List<String> parts = new ArrayList<>();
    if (!missed.isEmpty()) {
      parts.add("missed " + join(missed));
    }
    if (!falseAlarms.isEmpty()) {
      parts.add("false alarm " + join(falseAlarms));
    }
    return String.join("; ", parts);
  }

  private static String join(SortedSet<Long> lines) {
    return lines.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }
}
