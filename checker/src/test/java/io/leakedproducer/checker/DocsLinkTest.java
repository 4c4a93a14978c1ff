package io.leakedproducer.checker;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A finding links to no page unless the user names one with {@code -XepOpt:LeakedProducer:DocsUrl}:
 * errorprone.info has no page for a plugin check.
 */
final class DocsLinkTest {
  private static final String LEAKY =
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

  @Test
  void withoutTheFlagAFindingHasNoLink() {
    Compilation compilation = compile("");
    assertThat(compilation).succeeded();
    assertEquals(1, compilation.warnings().size(), compilation.warnings().toString());
    String message = compilation.warnings().get(0).getMessage(null);
    assertTrue(message.contains("[LeakedProducer] the calling thread can block"), message);
    assertFalse(message.contains("(see "), message);
    assertFalse(message.contains("errorprone.info"), message);
  }

  @Test
  void theFlagGivesEveryFindingTheUsersLink() {
    Compilation compilation =
        compile("-XepOpt:LeakedProducer:DocsUrl=https://docs.example.com/LeakedProducer.html");
    assertThat(compilation).succeeded();
    assertEquals(1, compilation.warnings().size(), compilation.warnings().toString());
    String message = compilation.warnings().get(0).getMessage(null);
    assertTrue(
        message.contains("\n    (see https://docs.example.com/LeakedProducer.html)\n"), message);
  }

  @Test
  void aRelativeUrlIsAClearErrorNamingTheFlag() {
    // Error Prone cannot create the check; javac reports the cause on System.err and fails.
    PrintStream originalErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      assertThrows(
          RuntimeException.class,
          () -> compile("-XepOpt:LeakedProducer:DocsUrl=docs/LeakedProducer.md"));
    } finally {
      System.setErr(originalErr);
    }
    String printed = err.toString(StandardCharsets.UTF_8);
    assertTrue(
        printed.contains(
            "-XepOpt:LeakedProducer:DocsUrl expects an absolute URL such as https://host/page,"
                + " got 'docs/LeakedProducer.md'"),
        printed);
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
