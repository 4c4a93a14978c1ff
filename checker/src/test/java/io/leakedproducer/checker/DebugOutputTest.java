package io.leakedproducer.checker;

import static com.google.common.truth.Truth.assertThat;

import com.google.errorprone.CompilationTestHelper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code -Dleakedproducer.debug=true}: every blocking insertion the check sees gets exactly one
 * line, {@code file:line:column: why}, whether it is reported or dropped.
 */
final class DebugOutputTest {

  private static final String SERVICE =
      """
      import java.util.List;
      import java.util.concurrent.ArrayBlockingQueue;
      import java.util.concurrent.BlockingQueue;
      import java.util.concurrent.ExecutorService;
      import java.util.concurrent.Future;
      import java.util.concurrent.LinkedBlockingQueue;

      class Exporter {
        void unbounded(List<String> rows) throws InterruptedException {
          BlockingQueue<String> q = new LinkedBlockingQueue<>();
          for (String row : rows) {
            q.put(row);
          }
        }

        void injected(BlockingQueue<String> q, String row) throws InterruptedException {
          q.put(row);
        }

        String cancelled(List<String> rows, ExecutorService pool) throws Exception {
          BlockingQueue<String> q = new ArrayBlockingQueue<>(2);
          Future<?> producer =
              pool.submit(
                  () -> {
                    for (String row : rows) {
                      q.put(row);
                    }
                    return null;
                  });
          try {
            return q.take();
          } finally {
            producer.cancel(true);
          }
        }

        String leaks(List<String> rows, ExecutorService pool) throws Exception {
          BlockingQueue<String> q = new ArrayBlockingQueue<>(2);
          pool.execute(
              () -> {
                try {
                  for (String row : rows) {
                    // BUG: Diagnostic contains: can block forever in put() on 'q'
                    q.put(row);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
          return q.take();
        }
      }
      """;

  @Test
  void everyInsertionGetsOneLineSayingWhy() {
    String output = compileWithDebug();
    assertThat(debugLines(output))
        .containsExactly(
            "Exporter.java:12:7: not known to be a bounded handoff: UNBOUNDED (new"
                + " LinkedBlockingQueue<>())",
            "Exporter.java:17:5: not known to be a bounded handoff: UNKNOWN (a queue created"
                + " elsewhere)",
            "Exporter.java:26:17: safe: the producer is interrupted",
            "Exporter.java:44:15: reported; fix offered: true")
        .inOrder();
  }

  @Test
  void withoutThePropertyNothingIsPrinted() {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      helper().doTest();
    } finally {
      System.setErr(originalErr);
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("[LeakedProducer debug]");
  }

  private static CompilationTestHelper helper() {
    return CompilationTestHelper.newInstance(LeakedProducer.class, DebugOutputTest.class)
        .addSourceLines("Exporter.java", SERVICE.split("\n"));
  }

  private static String compileWithDebug() {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String before = System.getProperty(LeakedProducer.DEBUG_PROPERTY);
    System.setProperty(LeakedProducer.DEBUG_PROPERTY, "true");
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      helper().doTest();
    } finally {
      System.setErr(originalErr);
      if (before == null) {
        System.clearProperty(LeakedProducer.DEBUG_PROPERTY);
      } else {
        System.setProperty(LeakedProducer.DEBUG_PROPERTY, before);
      }
    }
    return err.toString(StandardCharsets.UTF_8);
  }

  /** The debug lines, with the source file's directory left out. */
  private static List<String> debugLines(String output) {
    return output
        .lines()
        .filter(line -> line.startsWith("[LeakedProducer debug] "))
        .map(line -> line.substring("[LeakedProducer debug] ".length()))
        .map(line -> line.substring(line.lastIndexOf('/') + 1))
        .toList();
  }
}
