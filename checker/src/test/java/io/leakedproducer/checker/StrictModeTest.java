package io.leakedproducer.checker;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.File;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code -XepOpt:LeakedProducer:Strict=true} turns an internal analysis error into a failed
 * compilation; without it the same error yields no finding and javac goes on. An injected fault
 * stands in for code the analysis does not understand.
 */
final class StrictModeTest {
  /** A purge whose worker returns on a match: one finding at {@code q.put(key)}, line 20. */
  static final String LEAKY =
      """
      import java.util.List;
      import java.util.concurrent.*;

      class Purger {
        void purge(List<String> keys) throws InterruptedException {
          BlockingQueue<String> q = new ArrayBlockingQueue<>(2);
          Thread worker = new Thread(() -> {
            try {
              while (true) {
                if (q.take().isEmpty()) {
                  return;
                }
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
          worker.start();
          for (String key : keys) {
            q.put(key);
          }
        }
      }
      """;

  @AfterEach
  void removeFault() {
    LeakedProducer.faultInjectionForTests = t -> {};
  }

  @Test
  void strictModeFailsTheCompilationOnAnInternalError() {
    LeakedProducer.faultInjectionForTests = StrictModeTest::fail;
    Compilation compilation = compile("-XepOpt:LeakedProducer:Strict=true");
    assertThat(compilation).failed();
    String errors = compilation.errors().toString();
    assertTrue(
        errors.contains(
            "LeakedProducer failed to analyse 'q.put(key)' (strict mode, -XepOpt:LeakedProducer:Strict=true)"),
        errors);
    assertTrue(errors.contains("injected analysis fault"), errors);
  }

  @Test
  void withoutStrictModeAnInternalErrorIsNoFinding() {
    LeakedProducer.faultInjectionForTests = StrictModeTest::fail;
    Compilation compilation = compile("-XepOpt:LeakedProducer:Strict=false");
    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void strictModeStillReportsWhenNothingFails() {
    Compilation compilation = compile("-XepOpt:LeakedProducer:Strict=true");
    assertThat(compilation).succeeded();
    assertEquals(1, compilation.warnings().size(), compilation.warnings().toString());
    assertThat(compilation)
        .hadWarningContaining(
            "[LeakedProducer] the calling thread can block forever in put() on 'q'");
  }

  private static void fail(Object tree) {
    throw new IllegalStateException("injected analysis fault");
  }

  private static Compilation compile(String flags) {
    return Compiler.javac()
        .withOptions(
            "-XDcompilePolicy=simple",
            "--should-stop=ifError=FLOW",
            "-Xplugin:ErrorProne -XepDisableAllChecks -Xep:LeakedProducer:WARN " + flags)
        .withAnnotationProcessorPath(
            Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(File::new)
                .collect(Collectors.toList()))
        .compile(JavaFileObjects.forSourceString("Purger", LEAKY));
  }
}
