package io.leakedproducer.checker.sarif;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** javac in-process on source files on disk, with Error Prone and the check from the class path. */
final class TestJavac {
  /** What one compilation reported: its diagnostics, and what javac printed besides. */
  record Result(
      boolean success, List<Diagnostic<? extends JavaFileObject>> diagnostics, String output) {
    /** Lines of the LeakedProducer findings, in the order javac reported them. */
    List<Long> findingLines() {
      List<Long> lines = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
        if (d.getKind() != Diagnostic.Kind.NOTE
            && d.getMessage(Locale.ROOT).contains("[LeakedProducer]")) {
          lines.add(d.getLineNumber());
        }
      }
      return lines;
    }

    String render() {
      StringBuilder out = new StringBuilder();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
        out.append(d.getKind())
            .append(' ')
            .append(d.getLineNumber())
            .append(": ")
            .append(d.getMessage(Locale.ROOT))
            .append('\n');
      }
      return out.append(output).toString();
    }
  }

  private TestJavac() {}

  /** Compiles {@code files} with only LeakedProducer enabled plus {@code errorProneFlags}. */
  static Result compile(List<Path> files, Path classes, String errorProneFlags) throws IOException {
    Files.createDirectories(classes);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> collector = new DiagnosticCollector<>();
    String classPath = System.getProperty("java.class.path");
    List<String> options =
        new ArrayList<>(
            List.of(
                "-d",
                classes.toString(),
                "-classpath",
                classPath,
                "-processorpath",
                classPath,
                "-encoding",
                "UTF-8",
                "-XDcompilePolicy=simple",
                "--should-stop=ifError=FLOW"));
    if (Runtime.version().feature() < 22) {
      // Error Prone 2.46+ refuses to run on JDK 21 without it; JDK 17's javac ignores it.
      options.add("-XDaddTypeAnnotationsToSymbol=true");
    }
    options.add(
        ("-Xplugin:ErrorProne -XepDisableAllChecks -Xep:LeakedProducer:WARN " + errorProneFlags)
            .trim());
    StringWriter out = new StringWriter();
    try (StandardJavaFileManager fm =
        javac.getStandardFileManager(collector, Locale.ROOT, StandardCharsets.UTF_8)) {
      boolean success =
          javac
              .getTask(out, fm, collector, options, null, fm.getJavaFileObjectsFromPaths(files))
              .call();
      return new Result(success, new ArrayList<>(collector.getDiagnostics()), out.toString());
    }
  }
}
