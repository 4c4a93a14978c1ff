package io.leakedproducer.checker;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Runs javac with {@code -Xplugin:ErrorProne} the way a build does, so that the service
 * registration, the check name and the flags are exercised, not just the check class.
 */
final class PluginEndToEndTest {
  private static final JavaFileObject LEAKY =
      JavaFileObjects.forSourceString(
          "demo.Exporter",
          """
          package demo;

          import java.util.List;
          import java.util.concurrent.ArrayBlockingQueue;
          import java.util.concurrent.BlockingQueue;
          import java.util.concurrent.ExecutorService;

          class Exporter {
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
          """);

  private static List<File> processorPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(File::new)
        .collect(Collectors.toList());
  }

  private static Compilation compile(String errorProneArgs) {
    return Compiler.javac()
        .withOptions(
            "-XDcompilePolicy=simple",
            "--should-stop=ifError=FLOW",
            "-Xplugin:ErrorProne " + errorProneArgs)
        .withAnnotationProcessorPath(processorPath())
        .compile(LEAKY);
  }

  @Test
  void warnsThroughThePlugin() {
    Compilation compilation = compile("-XepDisableAllChecks -Xep:LeakedProducer:WARN");
    assertThat(compilation).succeeded();
    assertThat(compilation)
        .hadWarningContaining(
            "[LeakedProducer] the executor thread that runs the task passed to execute() (line 11) can block forever in put() on 'batch' (new ArrayBlockingQueue<>(8)): "
                + "every consumer can stop taking (line 23: return after a matching element)")
        .inFile(LEAKY)
        .onLine(14);
  }

  @Test
  void errorLevelFailsTheBuild() {
    Compilation compilation = compile("-XepDisableAllChecks -Xep:LeakedProducer:ERROR");
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining("[LeakedProducer]").inFile(LEAKY).onLine(14);
  }

  @Test
  void offTurnsItOff() {
    Compilation compilation = compile("-XepDisableAllChecks -Xep:LeakedProducer:OFF");
    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void badFlagIsNamed() {
    IllegalArgumentException thrown =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                new LeakedProducer(
                    com.google.errorprone.ErrorProneFlags.builder()
                        .putFlag("LeakedProducer:BlockingInsertionMethods", "com.example.Channel")
                        .build()));
    org.junit.jupiter.api.Assertions.assertEquals(
        "-XepOpt:LeakedProducer:BlockingInsertionMethods expects fully.qualified.Type#method entries, got 'com.example.Channel'",
        thrown.getMessage());
  }
}
