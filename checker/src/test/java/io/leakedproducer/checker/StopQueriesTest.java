package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * A stop signal checked between timed offers through the unit's own one-line query ({@code
 * isClosed() { return closed; }}, {@code isClosed() { return connection == null; }}) is the signal
 * it returns: safe when that is set on the consumers' way out, as for the field itself.
 */
final class StopQueriesTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  /**
   * A writer whose drain thread dies on an empty record; {@code onExit} runs in the drain's
   * finally, {@code query} is the body of isClosed(), {@code marker} marks the offer on line 19.
   */
  private static String writer(String query, String onExit, String marker) {
    return """
        import java.util.concurrent.*;

        class RecordWriter {
          private final BlockingQueue<String> records = new ArrayBlockingQueue<>(4);
          private volatile boolean closed;
          private volatile Object connection = new Object();

          RecordWriter() {
            new Thread(this::drain).start();
          }

          private boolean isClosed() {
            return %s;
          }

          void write(String record) throws InterruptedException {
            %s
            while (!records.offer(record, 10, TimeUnit.MILLISECONDS)) {
              if (isClosed()) {
                throw new IllegalStateException("writer closed");
              }
            }
          }

          private void drain() {
            try {
              while (true) {
                String record = records.take();
                if (record.isEmpty()) {
                  throw new IllegalStateException("empty record");
                }
              }
            } catch (InterruptedException e) {
              return;
            } finally {
              %s
            }
          }
        }
        """
        .formatted(query, marker, onExit);
  }

  @Test
  void negativeTheQueryReturnsTheFlagTheDrainSetsInItsFinally() {
    helper.addSourceLines("RecordWriter.java", writer("closed", "closed = true;", "")).doTest();
  }

  @Test
  void negativeTheQueryTestsTheConnectionTheDrainDropsInItsFinally() {
    helper
        .addSourceLines("RecordWriter.java", writer("connection == null", "connection = null;", ""))
        .doTest();
  }

  @Test
  void identificationTheQueryReturnsAFlagNothingSetsOnTheWayOut() {
    helper
        .addSourceLines(
            "RecordWriter.java",
            writer(
                "closed",
                "System.out.println(\"drain ended\");",
                "// BUG: Diagnostic contains: 'closed' is checked between timed offers, but it is"
                    + " not set on every way the consumers stop"))
        .doTest();
  }

  /** The query takes a lock around its one return, as a connection's isClosed() does. */
  @Test
  void negativeTheQueryReadsTheFlagUnderALock() {
    helper
        .addSourceLines(
            "RecordWriter.java",
            writer("closed", "closed = true;", "")
                .replace(
                    "    return closed;\n",
                    "    synchronized (this) {\n      return closed;\n    }\n"))
        .doTest();
  }

  /** Two returns: which one answers is not a single signal, so nothing is taken from it. */
  @Test
  void identificationAQueryWithTwoReturnsIsNotFollowed() {
    helper
        .addSourceLines(
            "RecordWriter.java",
            writer(
                    "closed",
                    "closed = true;",
                    "// BUG: Diagnostic contains: nothing cancels the producer")
                .replace(
                    "    return closed;\n",
                    "    if (connection != null) {\n      return false;\n    }\n    return true;\n"))
        .doTest();
  }
}
