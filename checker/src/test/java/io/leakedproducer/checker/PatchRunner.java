package io.leakedproducer.checker;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Applies the check's fixes the way users do, with Error Prone's patch mode, then compiles the
 * patched source again with the check as an error and Error Prone's default checks on.
 */
final class PatchRunner {
  /** What a patch-and-recompile run produced. */
  static final class Result {
    final String original;
    final String patched;
    final List<String> recompileDiagnostics;

    /**
     * Diagnostics of the patched code that the original (with this check off) did not have, by
     * check name.
     */
    final List<String> newDiagnostics;

    Result(
        String original,
        String patched,
        List<String> recompileDiagnostics,
        List<String> newDiagnostics) {
      this.original = original;
      this.patched = patched;
      this.recompileDiagnostics = recompileDiagnostics;
      this.newDiagnostics = newDiagnostics;
    }
  }

  private PatchRunner() {}

  static Result patchAndRecompile(String fileName, String source) throws IOException {
    Path dir = Files.createTempDirectory("leaked-producer-patch");
    Path file = dir.resolve(fileName);
    Files.writeString(file, source, StandardCharsets.UTF_8);
    List<String> baseline =
        compile(Files.createDirectories(dir.resolve("classes0")), file, "-Xep:LeakedProducer:OFF");
    List<String> first =
        compile(
            Files.createDirectories(dir.resolve("classes1")),
            file,
            "-XepPatchChecks:LeakedProducer -XepPatchLocation:IN_PLACE");
    if (first.stream().anyMatch(d -> d.contains("An unhandled exception"))) {
      throw new AssertionError("crash while patching: " + first);
    }
    String patched = Files.readString(file, StandardCharsets.UTF_8);
    List<String> second =
        compile(
            Files.createDirectories(dir.resolve("classes2")), file, "-Xep:LeakedProducer:ERROR");
    List<String> fresh = new ArrayList<>();
    List<String> before =
        baseline.stream().map(PatchRunner::key).collect(Collectors.toCollection(ArrayList::new));
    for (String d : second) {
      if (!before.remove(key(d))) {
        fresh.add(d);
      }
    }
    return new Result(source, patched, second, fresh);
  }

  /**
   * Compiles one source with Error Prone's default checks plus {@code errorProneArgs}; returns the
   * diagnostics.
   */
  static List<String> compileWithDefaults(String fileName, String source, String errorProneArgs)
      throws IOException {
    Path dir = Files.createTempDirectory("leaked-producer-compile");
    Path file = dir.resolve(fileName);
    Files.writeString(file, source, StandardCharsets.UTF_8);
    return compile(Files.createDirectories(dir.resolve("classes")), file, errorProneArgs);
  }

  private static List<String> compile(Path out, Path file, String errorProneArgs)
      throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options = new ArrayList<>();
      options.add("-d");
      options.add(out.toString());
      options.add("-XDcompilePolicy=simple");
      options.add("--should-stop=ifError=FLOW");
      options.add("-processorpath");
      options.add(System.getProperty("java.class.path"));
      options.add("-Xplugin:ErrorProne " + errorProneArgs);
      StringWriter output = new StringWriter();
      javac
          .getTask(
              output, files, diagnostics, options, null, files.getJavaFileObjects(file.toFile()))
          .call();
    }
    return diagnostics.getDiagnostics().stream()
        .filter(d -> d.getKind() != Diagnostic.Kind.NOTE)
        .map(d -> d.getKind() + " line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT))
        .collect(Collectors.toList());
  }

  /** A diagnostic without its line: its kind and check name, or its whole text for javac errors. */
  private static String key(String diagnostic) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("^(\\w+) line \\d+: (\\[\\w+\\])").matcher(diagnostic);
    return m.find() ? m.group(1) + " " + m.group(2) : diagnostic.replaceFirst(" line \\d+", "");
  }

  static String describe(Result r) {
    return "patched source:\n"
        + r.patched
        + "\nrecompile diagnostics:\n"
        + String.join("\n", r.recompileDiagnostics)
        + File.separator;
  }
}
