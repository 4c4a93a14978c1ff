package io.leakedproducer.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * CI smoke of the real-world harness (testdata/realworld/run.sh): compiles every source file of
 * commons-pool2 (its source jar is copied to target/smoke by maven-dependency-plugin) with only
 * LeakedProducer enabled, together with one known leak (the canary, which must be reported, so a
 * silent run cannot pass). Error Prone must not crash, and the library's findings must be exactly
 * the reviewed ones listed in docs/dev/real-world.md (none for this library).
 */
final class RealWorldSmokeTest {
  private static final Path SOURCE_JAR = Paths.get("target", "smoke", "commons-pool2-sources.jar");

  /**
   * These two need cglib, an optional dependency of commons-pool2 that is not on the test class
   * path.
   */
  private static final Set<String> NEEDS_OPTIONAL_DEPENDENCY =
      Set.of(
          "org/apache/commons/pool2/proxy/CglibProxyHandler.java",
          "org/apache/commons/pool2/proxy/CglibProxySource.java");

  private static final int EXPECTED_FILES = 50;
  private static final int EXPECTED_FINDINGS = 0;

  /** A known leak compiled with the library: proves that the check ran on this compilation. */
  private static final JavaFileObject CANARY =
      JavaFileObjects.forSourceString(
          "smoke.Canary",
          """
          package smoke;

          import java.util.List;
          import java.util.concurrent.ArrayBlockingQueue;
          import java.util.concurrent.BlockingQueue;
          import java.util.concurrent.ExecutorService;

          class Canary {
            int firstNegative(List<Integer> numbers, ExecutorService pool) throws InterruptedException {
              BlockingQueue<Integer> pipe = new ArrayBlockingQueue<>(4);
              pool.execute(() -> {
                try {
                  for (Integer n : numbers) {
                    pipe.put(n);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
              while (true) {
                int n = pipe.take();
                if (n < 0) {
                  return n;
                }
              }
            }
          }
          """);

  private static final String CRASH =
      "An unhandled exception was thrown by the Error Prone static analysis plugin";

  private static List<JavaFileObject> sources() throws IOException {
    assertTrue(
        Files.isRegularFile(SOURCE_JAR),
        SOURCE_JAR + " is missing: run through Maven (generate-test-resources)");
    List<JavaFileObject> files = new ArrayList<>();
    try (ZipFile zip = new ZipFile(SOURCE_JAR.toFile())) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        String name = entry.getName();
        if (!name.endsWith(".java")
            || name.startsWith("META-INF/")
            || name.endsWith("module-info.java")
            || NEEDS_OPTIONAL_DEPENDENCY.contains(name)) {
          continue;
        }
        try (InputStream in = zip.getInputStream(entry)) {
          String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          String binaryName = name.substring(0, name.length() - ".java".length()).replace('/', '.');
          files.add(JavaFileObjects.forSourceString(binaryName, text));
        }
      }
    }
    return files;
  }

  private static List<File> processorPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(File::new)
        .collect(Collectors.toList());
  }

  @Test
  void commonsPool2CompilesWithoutCrashAndWithTheReviewedFindings() throws IOException {
    List<JavaFileObject> files = sources();
    assertEquals(EXPECTED_FILES, files.size(), "files taken from " + SOURCE_JAR);
    files.add(CANARY);

    Compilation compilation =
        Compiler.javac()
            .withOptions(
                "-encoding",
                "UTF-8",
                "-Xmaxwarns",
                "100000",
                "-Xmaxerrs",
                "100000",
                "-XDcompilePolicy=simple",
                "--should-stop=ifError=FLOW",
                "-Xplugin:ErrorProne -XepDisableAllChecks -Xep:LeakedProducer:WARN")
            .withAnnotationProcessorPath(processorPath())
            .compile(files);

    List<String> crashes = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    List<String> findings = new ArrayList<>();
    List<String> canaryFindings = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : compilation.diagnostics()) {
      String message = d.getMessage(null);
      String where =
          (d.getSource() == null ? "?" : d.getSource().getName()) + ":" + d.getLineNumber();
      if (message.contains(CRASH)) {
        crashes.add(where + ": " + message);
      } else if (message.contains("[LeakedProducer]") && d.getSource() == CANARY) {
        canaryFindings.add(where + ": " + message);
      } else if (message.contains("[LeakedProducer]")) {
        findings.add(where + ": " + message);
      } else if (d.getKind() == Diagnostic.Kind.ERROR) {
        errors.add(where + ": " + message);
      }
    }
    assertEquals(List.of(), crashes, "Error Prone crashed");
    // With --should-stop=ifError=FLOW a compile error would silently skip the analysis.
    assertEquals(List.of(), errors, "commons-pool2 must compile cleanly, or the check did not run");
    assertEquals(Compilation.Status.SUCCESS, compilation.status());
    assertEquals(
        1,
        canaryFindings.size(),
        "the canary leak must be reported, or the check did not run: " + canaryFindings);
    assertEquals(
        EXPECTED_FINDINGS,
        findings.size(),
        "findings (review them in docs/dev/real-world.md): " + findings);
  }
}
