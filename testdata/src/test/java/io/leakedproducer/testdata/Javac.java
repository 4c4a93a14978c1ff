package io.leakedproducer.testdata;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** javac in-process with Error Prone and the checker loaded from the test class path. */
final class Javac {
  /** What one compilation reported. */
  static final class Result {
    final List<Diagnostic<? extends JavaFileObject>> diagnostics;
    final String output;

    Result(List<Diagnostic<? extends JavaFileObject>> diagnostics, String output) {
      this.diagnostics = diagnostics;
      this.output = output;
    }

    boolean hasErrors() {
      return diagnostics.stream().anyMatch(d -> d.getKind() == Diagnostic.Kind.ERROR);
    }

    /** Errors and warnings: what a clean compilation must not report. */
    List<Diagnostic<? extends JavaFileObject>> findings() {
      List<Diagnostic<? extends JavaFileObject>> findings = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
        if (d.getKind() == Diagnostic.Kind.ERROR || d.getKind() == Diagnostic.Kind.WARNING
            || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING) {
          findings.add(d);
        }
      }
      return findings;
    }

    String render() {
      return Javac.render(diagnostics) + output;
    }
  }

  private Javac() {}

  /** The module's main sources. */
  static Path mainSources() {
    return Paths.get(System.getProperty("basedir", "."), "src", "main", "java");
  }

  /**
   * Compiles {@code files} into {@code classes} with {@code -Xplugin:ErrorProne <flags>}; the class
   * path and the processor path are the test JVM's class path.
   */
  static Result compile(List<Path> files, Path classes, String errorProneFlags) throws IOException {
    Files.createDirectories(classes);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> collector = new DiagnosticCollector<>();
    String classPath = System.getProperty("java.class.path");
    List<String> options =
        List.of(
            "-d", classes.toString(),
            "-classpath", classPath,
            "-processorpath", classPath,
            "-encoding", "UTF-8",
            "-XDcompilePolicy=simple",
            "--should-stop=ifError=FLOW",
            "-Xmaxwarns", "10000",
            "-Xplugin:ErrorProne " + errorProneFlags);
    StringWriter out = new StringWriter();
    try (StandardJavaFileManager fm = javac.getStandardFileManager(collector, Locale.ROOT, StandardCharsets.UTF_8)) {
      Iterable<? extends JavaFileObject> units = fm.getJavaFileObjectsFromPaths(files);
      javac.getTask(out, fm, collector, options, null, units).call();
    }
    return new Result(new ArrayList<>(collector.getDiagnostics()), out.toString());
  }

  static String render(List<Diagnostic<? extends JavaFileObject>> diagnostics) {
    StringBuilder out = new StringBuilder();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
      out.append(d.getKind()).append(' ')
          .append(d.getSource() == null ? "" : Paths.get(d.getSource().toUri()).getFileName())
          .append(':').append(d.getLineNumber()).append(": ").append(d.getMessage(Locale.ROOT)).append('\n');
    }
    return out.toString();
  }
}
