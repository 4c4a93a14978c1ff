package io.leakedproducer.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every leaky shape the suite knows, patched with Error Prone's patch mode: the patched code must
 * compile with the check as an error and Error Prone's default checks on, with no warning at all.
 */
final class FixSoundnessTest {
  static Stream<Arguments> leakyPrograms() {
    return LeakyPrograms.ALL.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("leakyPrograms")
  void patchedProgramCompilesCleanAndIsSilent(String name, String source) throws Exception {
    PatchRunner.Result result = PatchRunner.patchAndRecompile(fileNameOf(source), source);
    assertNotEquals(result.original, result.patched, "no fix was applied to " + name);
    assertEquals(List.of(), result.newDiagnostics, PatchRunner.describe(result));
  }

  @org.junit.jupiter.api.Test
  void runtimeFixOutputCompilesCleanAndIsSilent() throws Exception {
    List<String> original =
        PatchRunner.compileWithDefaults(
            "Purger.java", LeakFixesTest.PURGER, "-Xep:LeakedProducer:OFF");
    List<String> fixed =
        PatchRunner.compileWithDefaults(
            "Purger.java",
            LeakFixesTest.PURGER_WITH_CANCELLABLE_QUEUE,
            "-Xep:LeakedProducer:ERROR");
    assertEquals(original, fixed);
  }

  static Stream<Arguments> noFixPrograms() {
    return LeakyPrograms.NO_FIX.entrySet().stream()
        .map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("noFixPrograms")
  void noFixShapesGetNoFixAndSayWhatToDoByHand(String name, String source) throws Exception {
    PatchRunner.Result result = PatchRunner.patchAndRecompile(fileNameOf(source), source);
    assertEquals(result.original, result.patched, "a fix was applied to " + name);
    assertTrue(
        result.recompileDiagnostics.stream()
            .anyMatch(
                d ->
                    d.startsWith("ERROR")
                        && d.contains("[LeakedProducer]")
                        && d.contains(LeakyPrograms.NO_FIX_TEXT.get(name).trim())),
        () -> String.join("\n", result.recompileDiagnostics));
  }

  /**
   * The reductions of real incidents in testdata (files with a {@code // LEAK} marker): whatever
   * the check patches must compile clean and leave the check silent. Incidents the check misses or
   * cannot fix stay unpatched; the score scripts count those.
   */
  static Stream<Arguments> incidentPrograms() throws java.io.IOException {
    java.nio.file.Path dir =
        java.nio.file.Path.of("../testdata/src/test/java/io/leakedproducer/testdata/incidents");
    try (Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
      List<java.nio.file.Path> leaky =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> readUnchecked(f).contains("// LEAK"))
              .sorted()
              .toList();
      assertTrue(leaky.size() >= 10, "incident corpus not found under " + dir.toAbsolutePath());
      return leaky.stream().map(f -> Arguments.of(f.getFileName().toString(), readUnchecked(f)));
    }
  }

  /**
   * Incidents whose patch does not leave the check silent today, to the exact diagnostics the
   * patched source still gets (severity and line, as {@link PatchRunner} renders them). Written
   * down as in {@code IncidentVerdictsTest.KNOWN_WRONG}: a listed file whose patch becomes sound,
   * or whose difference changes, fails, so that the entry is updated or removed.
   */
  static final Map<String, List<String>> KNOWN_UNSOUND_PATCHES = Map.of();

  @ParameterizedTest(name = "{0}")
  @MethodSource("incidentPrograms")
  void patchedIncidentCompilesCleanAndIsSilent(String fileName, String source) throws Exception {
    PatchRunner.Result result = PatchRunner.patchAndRecompile(fileName, source);
    List<String> known = KNOWN_UNSOUND_PATCHES.get(fileName);
    if (known != null) {
      assertNotEquals(
          result.original,
          result.patched,
          fileName + " is no longer patched; update KNOWN_UNSOUND_PATCHES");
      List<String> still =
          result.newDiagnostics.stream()
              .map(d -> d.contains(": ") ? d.substring(0, d.indexOf(": ")) : d)
              .toList();
      assertEquals(
          known,
          still,
          fileName
              + ": update or remove its KNOWN_UNSOUND_PATCHES entry\n"
              + PatchRunner.describe(result));
      return;
    }
    if (!result.original.equals(result.patched)) {
      assertEquals(List.of(), result.newDiagnostics, PatchRunner.describe(result));
    }
  }

  private static String readUnchecked(java.nio.file.Path file) {
    try {
      return java.nio.file.Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String fileNameOf(String source) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?m)^(?:final )?class (\\w+)").matcher(source);
    if (!m.find()) {
      throw new IllegalArgumentException("no top-level class in source");
    }
    return m.group(1) + ".java";
  }
}
