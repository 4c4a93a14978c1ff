package io.leakedproducer.checker;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Every {@code -XepOpt:LeakedProducer:*} flag that docs/usage.md documents, run through {@code
 * -Xplugin:ErrorProne} the way a build passes it: one program per flag, compiled with and without
 * the flag, and the exact finding (or its absence) asserted.
 */
final class FlagsEndToEndTest {
  /** A consumer that stops at the first blank row while the producer keeps inserting. */
  private static String exporter(String declaration, String insertion) {
    return """
        package demo;

        import java.util.List;
        import java.util.concurrent.ArrayBlockingQueue;
        import java.util.concurrent.BlockingQueue;
        import java.util.concurrent.ExecutorService;

        class Exporter {
          void export(List<String> rows, ExecutorService pool) throws InterruptedException {
            %s
            pool.execute(() -> {
              try {
                for (String row : rows) {
                  %s;
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
        """
        .formatted(declaration, insertion);
  }

  private static final String FINDING_SUFFIX =
      "every consumer can stop taking (line 23: return after a matching element) and nothing cancels the producer";

  // --- BlockingInsertionMethods ---------------------------------------------------------------

  private static final JavaFileObject CHANNEL =
      JavaFileObjects.forSourceString(
          "demo.Channel",
          """
          package demo;

          import java.util.concurrent.ArrayBlockingQueue;

          /** A bounded channel whose send blocks until a consumer makes room, like put. */
          class Channel<T> extends ArrayBlockingQueue<T> {
            Channel(int capacity) {
              super(capacity);
            }

            static <T> Channel<T> withCapacity(int capacity) {
              return new Channel<>(capacity);
            }

            void send(T item) throws InterruptedException {
              put(item);
            }
          }
          """);

  private static final JavaFileObject SENDS_ON_CHANNEL =
      JavaFileObjects.forSourceString(
          "demo.Exporter",
          exporter("Channel<String> batch = Channel.withCapacity(8);", "batch.send(row)") + "}\n");

  @Test
  void blockingInsertionMethods_makesACustomSendAProducer() {
    // The channel comes from a method the check cannot see into; UnknownQueuesBounded=true makes it
    // count as bounded, so that only BlockingInsertionMethods changes between the two runs.
    String unknownBounded = "-XepOpt:LeakedProducer:UnknownQueuesBounded=true";

    Compilation without = compile(unknownBounded, CHANNEL, SENDS_ON_CHANNEL);
    assertThat(without).succeededWithoutWarnings();

    Compilation with =
        compile(
            unknownBounded
                + " -XepOpt:LeakedProducer:BlockingInsertionMethods=com.example.Unused#send,demo.Channel#send",
            CHANNEL,
            SENDS_ON_CHANNEL);
    assertThat(with).succeeded();
    assertThat(with)
        .hadWarningContaining(
            "[LeakedProducer] the executor thread that runs the task passed to execute() (line 11) can block forever in send() on 'batch' (Channel.withCapacity(8)): "
                + FINDING_SUFFIX)
        .inFile(SENDS_ON_CHANNEL)
        .onLine(14);
    assertThat(findingLines(with)).containsExactly(14L);
  }

  /** A custom insertion on a queue from a BoundedQueueFactories factory: both flags together. */
  @Test
  void blockingInsertionMethods_onAFactoryQueue() {
    Compilation with =
        compile(
            "-XepOpt:LeakedProducer:BoundedQueueFactories=demo.Channel#withCapacity"
                + " -XepOpt:LeakedProducer:BlockingInsertionMethods=demo.Channel#send",
            CHANNEL,
            SENDS_ON_CHANNEL);
    assertThat(with).succeeded();
    assertThat(findingLines(with)).containsExactly(14L);
  }

  // --- BoundedQueueFactories ------------------------------------------------------------------

  private static final JavaFileObject POOLS =
      JavaFileObjects.forSourceString(
          "demo.Pools",
          """
          package demo;

          import java.util.concurrent.ArrayBlockingQueue;
          import java.util.concurrent.BlockingQueue;

          final class Pools {
            static <T> BlockingQueue<T> bounded(int capacity) {
              return new ArrayBlockingQueue<>(capacity);
            }
          }
          """);

  private static final JavaFileObject PUTS_ON_FACTORY_QUEUE =
      JavaFileObjects.forSourceString(
          "demo.Exporter",
          exporter("BlockingQueue<String> batch = Pools.bounded(8);", "batch.put(row)") + "}\n");

  @Test
  void boundedQueueFactories_treatsTheFactoryResultAsBounded() {
    Compilation without = compile("", POOLS, PUTS_ON_FACTORY_QUEUE);
    assertThat(without).succeededWithoutWarnings();

    Compilation with =
        compile(
            "-XepOpt:LeakedProducer:BoundedQueueFactories=demo.Pools#bounded",
            POOLS,
            PUTS_ON_FACTORY_QUEUE);
    assertThat(with).succeeded();
    assertThat(with)
        .hadWarningContaining(
            "[LeakedProducer] the executor thread that runs the task passed to execute() (line 11) can block forever in put() on 'batch' (Pools.bounded(8)): "
                + FINDING_SUFFIX)
        .inFile(PUTS_ON_FACTORY_QUEUE)
        .onLine(14);
    assertThat(findingLines(with)).containsExactly(14L);
  }

  // --- UnknownQueuesBounded -------------------------------------------------------------------

  /** The queue comes from a method whose body the check does not read as a known queue creation. */
  private static final JavaFileObject PUTS_ON_METHOD_RESULT =
      JavaFileObjects.forSourceString(
          "demo.Exporter",
          exporter("BlockingQueue<String> batch = newBatch();", "batch.put(row)")
              + """

                BlockingQueue<String> newBatch() {
                  return new ArrayBlockingQueue<>(8);
                }
              }
              """);

  @Test
  void unknownQueuesBounded_reportsAQueueFromAMethodResult() {
    Compilation byDefault = compile("", PUTS_ON_METHOD_RESULT);
    assertThat(byDefault).succeededWithoutWarnings();

    Compilation off =
        compile("-XepOpt:LeakedProducer:UnknownQueuesBounded=false", PUTS_ON_METHOD_RESULT);
    assertThat(off).succeededWithoutWarnings();

    Compilation on =
        compile("-XepOpt:LeakedProducer:UnknownQueuesBounded=true", PUTS_ON_METHOD_RESULT);
    assertThat(on).succeeded();
    assertThat(on)
        .hadWarningContaining(
            "[LeakedProducer] the executor thread that runs the task passed to execute() (line 11) can block forever in put() on 'batch' (newBatch()): "
                + FINDING_SUFFIX)
        .inFile(PUTS_ON_METHOD_RESULT)
        .onLine(14);
    assertThat(findingLines(on)).containsExactly(14L);
  }

  // --- ConsumerDeath -------------------------------------------------------------------------

  /** The consumer hands each row to a sink passed in by the caller; nothing in the file throws. */
  private static final JavaFileObject FORWARDS_TO_A_SINK =
      JavaFileObjects.forSourceString(
          "demo.Forwarder",
          """
          package demo;

          import java.util.List;
          import java.util.concurrent.ArrayBlockingQueue;
          import java.util.concurrent.BlockingQueue;
          import java.util.concurrent.ExecutorService;
          import java.util.function.Consumer;

          class Forwarder {
            void forward(List<String> rows, ExecutorService pool, Consumer<String> sink)
                throws InterruptedException {
              BlockingQueue<String> batch = new ArrayBlockingQueue<>(8);
              pool.execute(() -> {
                try {
                  while (true) {
                    sink.accept(batch.take());
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
              for (String row : rows) {
                batch.put(row);
              }
            }
          }
          """);

  @Test
  void consumerDeath_callbacksCountsASinkPassedIn() {
    assertThat(compile("", FORWARDS_TO_A_SINK)).succeededWithoutWarnings();
    assertThat(compile("-XepOpt:LeakedProducer:ConsumerDeath=STRICT", FORWARDS_TO_A_SINK))
        .succeededWithoutWarnings();

    for (String level : List.of("CALLBACKS", "BROAD")) {
      Compilation with =
          compile("-XepOpt:LeakedProducer:ConsumerDeath=" + level, FORWARDS_TO_A_SINK);
      assertThat(with).succeeded();
      assertThat(with)
          .hadWarningContaining(
              "[LeakedProducer] the calling thread can block forever in put() on 'batch'"
                  + " (new ArrayBlockingQueue<>(8)): every consumer can stop taking (line 16:"
                  + " Consumer.accept() is a callback and can throw any RuntimeException or Error out"
                  + " of the take loop)")
          .inFile(FORWARDS_TO_A_SINK)
          .onLine(23);
      assertThat(findingLines(with)).containsExactly(23L);
    }
  }

  @Test
  void consumerDeath_badLevelFailsNamingTheFlag() {
    assertThat(failureOutput("-XepOpt:LeakedProducer:ConsumerDeath=SOMETIMES", FORWARDS_TO_A_SINK))
        .contains(
            "-XepOpt:LeakedProducer:ConsumerDeath expects one of STRICT, CALLBACKS, BROAD, got"
                + " 'SOMETIMES'");
  }

  // --- Library-model extensions ---------------------------------------------------------------

  /** The consumer's loop, returning at the first blank row: every program below stops this way. */
  private static final String TAKE_LOOP =
      """
          int imported = 0;
          try {
            while (true) {
              String row = %s;
              if (row.isBlank()) {
                return imported;
              }
              imported++;
            }
          } finally {
            %s
          }
      """;

  private static JavaFileObject importer(
      String parameters, String declaration, String producerBody, String take, String onExit) {
    return JavaFileObjects.forSourceString(
        "demo.Importer",
        """
        package demo;

        import java.util.List;
        import java.util.concurrent.ArrayBlockingQueue;
        import java.util.concurrent.BlockingQueue;
        import java.util.concurrent.TimeUnit;

        class Importer {
          int importRows(List<String> rows, %s) throws InterruptedException {
            %s
            %s
        %s  }
        }
        """
            .formatted(parameters, declaration, producerBody, TAKE_LOOP.formatted(take, onExit)));
  }

  /** Puts every row from a task handed to {@code spawn}; line 14 is the put. */
  private static String putsRowsVia(String spawn) {
    return """
        %s(() -> {
              try {
                for (String row : rows) {
                  batch.put(row);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });"""
        .formatted(spawn);
  }

  private static final JavaFileObject CREW =
      JavaFileObjects.forSourceString(
          "demo.Crew",
          """
          package demo;

          import java.util.concurrent.Executor;

          /** Runs tasks on threads of its own: launch() starts one, kill() interrupts them all. */
          interface Crew extends Executor {
            void launch(Runnable task);

            void kill();
          }
          """);

  private static final String BATCH = "BlockingQueue<String> batch = new ArrayBlockingQueue<>(8);";

  private static final String LEAK_AT_14 =
      "on 'batch' (new ArrayBlockingQueue<>(8)): every consumer can stop taking (line 25: return"
          + " after a matching element)";

  @Test
  void interruptingMethods_makeACustomKillACancellation() {
    JavaFileObject source =
        importer("Crew crew", BATCH, putsRowsVia("crew.execute"), "batch.take()", "crew.kill();");
    Compilation without = compile("", CREW, source);
    assertThat(without)
        .hadWarningContaining(
            "[LeakedProducer] the executor thread that runs the task passed to execute() (line 11)"
                + " can block forever in put() "
                + LEAK_AT_14)
        .inFile(source)
        .onLine(14);
    assertThat(findingLines(without)).containsExactly(14L);

    Compilation with =
        compile("-XepOpt:LeakedProducer:InterruptingMethods=demo.Crew#kill", CREW, source);
    assertThat(with).succeededWithoutWarnings();
  }

  @Test
  void spawnMethods_makeACustomLaunchASpawnThatCancellationsReach() {
    // Without SpawnMethods the task handed to launch() has no executor the kill() could reach.
    JavaFileObject source =
        importer("Crew crew", BATCH, putsRowsVia("crew.launch"), "batch.take()", "crew.kill();");
    String kill = "-XepOpt:LeakedProducer:InterruptingMethods=demo.Crew#kill";
    Compilation without = compile(kill, CREW, source);
    assertThat(without)
        .hadWarningContaining(
            "[LeakedProducer] the thread that runs the lambda passed to launch() (line 11) can block"
                + " forever in put() "
                + LEAK_AT_14)
        .inFile(source)
        .onLine(14);
    assertThat(findingLines(without)).containsExactly(14L);

    Compilation with =
        compile(kill + " -XepOpt:LeakedProducer:SpawnMethods=demo.Crew#launch", CREW, source);
    assertThat(with).succeededWithoutWarnings();
  }

  private static final JavaFileObject MAILBOX =
      JavaFileObjects.forSourceString(
          "demo.Mailbox",
          """
          package demo;

          import java.util.concurrent.ArrayBlockingQueue;

          /** A bounded mailbox; receive() waits for the next message, as take() does. */
          abstract class Mailbox<T> extends ArrayBlockingQueue<T> {
            Mailbox(int capacity) {
              super(capacity);
            }

            abstract T receive() throws InterruptedException;

            static <T> Mailbox<T> create(int capacity) {
              return new Mailbox<T>(capacity) {
                @Override
                T receive() throws InterruptedException {
                  return take();
                }
              };
            }
          }
          """);

  @Test
  void takeMethods_makeACustomReceiveATake() {
    // Without TakeMethods the consumer's receive() is no take: nothing is known to consume, and
    // the check stays silent.
    JavaFileObject source =
        importer(
            "java.util.concurrent.Executor pool",
            "Mailbox<String> batch = Mailbox.create(8);",
            putsRowsVia("pool.execute"),
            "batch.receive()",
            "");
    String bounded = "-XepOpt:LeakedProducer:BoundedQueueFactories=demo.Mailbox#create";
    assertThat(compile(bounded, MAILBOX, source)).succeededWithoutWarnings();

    Compilation with =
        compile(
            bounded + " -XepOpt:LeakedProducer:TakeMethods=demo.Mailbox#receive", MAILBOX, source);
    assertThat(with)
        .hadWarningContaining(
            "on 'batch' (Mailbox.create(8)): every consumer can stop taking (line 25: return after a"
                + " matching element)")
        .inFile(source)
        .onLine(14);
    assertThat(findingLines(with)).containsExactly(14L);
  }

  private static final JavaFileObject CHECKS =
      JavaFileObjects.forSourceString(
          "demo.Checks",
          """
          package demo;

          /** Argument checks that return what they checked. */
          final class Checks {
            static <T> T present(T value) {
              if (value == null) {
                throw new IllegalArgumentException("missing");
              }
              return value;
            }
          }
          """);

  @Test
  void identityWrappers_seeTheQueueThroughACustomCheck() {
    JavaFileObject source =
        importer(
            "java.util.concurrent.Executor pool",
            "BlockingQueue<String> batch = Checks.present(new ArrayBlockingQueue<>(8));",
            putsRowsVia("pool.execute"),
            "batch.take()",
            "");
    assertThat(compile("", CHECKS, source)).succeededWithoutWarnings();

    Compilation with =
        compile("-XepOpt:LeakedProducer:IdentityWrappers=demo.Checks#present", CHECKS, source);
    assertThat(with).hadWarningContaining(LEAK_AT_14).inFile(source).onLine(14);
    assertThat(findingLines(with)).containsExactly(14L);
  }

  private static final JavaFileObject GATE =
      JavaFileObjects.forSourceString(
          "demo.Gate",
          """
          package demo;

          /** Open until shut(); every thread sees it shut afterwards. */
          interface Gate {
            boolean isShut();

            void shut();
          }
          """);

  /** The producer re-tests {@code test} between timed offers; line 14 is the offer. */
  private static final String OFFERS_UNTIL =
      """
      pool.execute(() -> {
            try {
              for (String row : rows) {
                while (!batch.offer(row, 50, TimeUnit.MILLISECONDS)) {
                  if (%s) {
                    return;
                  }
                }
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });""";

  @Test
  void signalSetters_makeACustomShutASignalOnTheExitPath() {
    JavaFileObject source =
        importer(
            "java.util.concurrent.Executor pool, Gate gate",
            BATCH,
            OFFERS_UNTIL.formatted("gate.isShut()"),
            "batch.take()",
            "gate.shut();");
    Compilation without = compile("", GATE, source);
    assertThat(without)
        .hadWarningContaining("can block forever in a retry loop around offer()")
        .inFile(source)
        .onLine(14);
    assertThat(findingLines(without)).containsExactly(14L);

    assertThat(compile("-XepOpt:LeakedProducer:SignalSetters=demo.Gate#shut", GATE, source))
        .succeededWithoutWarnings();
  }

  private static final JavaFileObject DEADLINE =
      JavaFileObjects.forSourceString(
          "demo.Deadline",
          """
          package demo;

          /** A point in time: hasPassed() turns true by itself. */
          interface Deadline {
            boolean hasPassed();
          }
          """);

  @Test
  void signalTypes_makeACustomDeadlineASignal() {
    JavaFileObject source =
        importer(
            "java.util.concurrent.Executor pool, Deadline deadline",
            BATCH,
            OFFERS_UNTIL.formatted("deadline.hasPassed()"),
            "batch.take()",
            "");
    Compilation without = compile("", DEADLINE, source);
    assertThat(without)
        .hadWarningContaining("can block forever in a retry loop around offer()")
        .inFile(source)
        .onLine(14);
    assertThat(findingLines(without)).containsExactly(14L);

    assertThat(compile("-XepOpt:LeakedProducer:SignalTypes=demo.Deadline", DEADLINE, source))
        .succeededWithoutWarnings();
  }

  private static final JavaFileObject ROW_CURSOR =
      JavaFileObjects.forSourceString(
          "demo.RowCursor",
          """
          package demo;

          import java.util.Iterator;
          import java.util.List;
          import java.util.concurrent.ArrayBlockingQueue;
          import java.util.concurrent.BlockingQueue;

          /** Prefetches rows on a thread of its own; callers iterate, then call finish(). */
          class RowCursor implements Iterator<String> {
            private final BlockingQueue<String> rows = new ArrayBlockingQueue<>(8);
            private final Thread prefetcher;
            private String next;

            RowCursor(List<String> source) {
              prefetcher = new Thread(() -> {
                try {
                  for (String row : source) {
                    rows.put(row);
                  }
                  rows.put("");
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
              prefetcher.start();
            }

            @Override
            public boolean hasNext() {
              if (next == null) {
                try {
                  next = rows.take();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return false;
                }
              }
              return !next.isEmpty();
            }

            @Override
            public String next() {
              hasNext();
              String row = next;
              next = null;
              return row;
            }

            void finish() {
              prefetcher.interrupt();
            }
          }
          """);

  @Test
  void lifecycleMethods_makeACustomFinishTheOwnersLifecycle() {
    Compilation without = compile("", ROW_CURSOR);
    assertThat(without)
        .hadWarningContaining(
            "[LeakedProducer] the thread 'prefetcher' (created at line 15) can block forever in"
                + " put() on 'rows' (new ArrayBlockingQueue<>(8)): every consumer can stop taking"
                + " (line 32: the caller of RowCursor.next() can stop taking at any time) and a"
                + " caller that stops iterating abandons the producer; RowCursor has no close().")
        .inFile(ROW_CURSOR)
        .onLine(18);
    assertThat(findingLines(without)).containsExactly(18L, 20L);

    assertThat(compile("-XepOpt:LeakedProducer:LifecycleMethods=finish", ROW_CURSOR))
        .succeededWithoutWarnings();
  }

  @Test
  void modelFlags_badEntriesFailNamingTheFlag() {
    assertThat(failureOutput("-XepOpt:LeakedProducer:TakeMethods=receive", ROW_CURSOR))
        .contains(
            "-XepOpt:LeakedProducer:TakeMethods expects fully.qualified.Type#method entries, got"
                + " 'receive'");
    assertThat(failureOutput("-XepOpt:LeakedProducer:LifecycleMethods=finish()", ROW_CURSOR))
        .contains("-XepOpt:LeakedProducer:LifecycleMethods expects method names, got 'finish()'");
    assertThat(failureOutput("-XepOpt:LeakedProducer:SignalTypes=demo.Dead-line", ROW_CURSOR))
        .contains(
            "-XepOpt:LeakedProducer:SignalTypes expects fully qualified type names, got"
                + " 'demo.Dead-line'");
  }

  // --- DocsUrl ----------------------------------------------------------------------------------

  private static final JavaFileObject PURGER =
      JavaFileObjects.forSourceString("Purger", StrictModeTest.LEAKY);

  @Test
  void docsUrl_withoutItAFindingHasNoLink() {
    Compilation compilation = compile("", PURGER);
    assertThat(findingLines(compilation)).containsExactly(20L);
    String message = compilation.warnings().get(0).getMessage(null);
    assertThat(message).contains("[LeakedProducer] the calling thread can block");
    assertThat(message).doesNotContain("(see ");
    assertThat(message).doesNotContain("errorprone.info");
  }

  @Test
  void docsUrl_givesEveryFindingTheUsersLink() {
    Compilation compilation =
        compile(
            "-XepOpt:LeakedProducer:DocsUrl=https://docs.example.com/LeakedProducer.html", PURGER);
    assertThat(findingLines(compilation)).containsExactly(20L);
    assertThat(compilation.warnings().get(0).getMessage(null))
        .contains("\n    (see https://docs.example.com/LeakedProducer.html)\n");
  }

  @Test
  void docsUrl_aRelativeUrlFailsNamingTheFlag() {
    assertThat(failureOutput("-XepOpt:LeakedProducer:DocsUrl=docs/LeakedProducer.md", PURGER))
        .contains(
            "-XepOpt:LeakedProducer:DocsUrl expects an absolute URL such as https://host/page,"
                + " got 'docs/LeakedProducer.md'");
  }

  // --- helpers --------------------------------------------------------------------------------

  /**
   * What javac printed when Error Prone could not create the check (a bad flag): it reports the
   * cause on System.err and fails the compilation.
   */
  private static String failureOutput(String extraFlags, JavaFileObject source) {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      assertThrows(RuntimeException.class, () -> compile(extraFlags, source));
    } finally {
      System.setErr(originalErr);
    }
    return err.toString(StandardCharsets.UTF_8);
  }

  private static List<File> processorPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(File::new)
        .collect(Collectors.toList());
  }

  /** Only this check, at WARN, plus {@code extraFlags}; the javac flags a build needs. */
  private static Compilation compile(String extraFlags, JavaFileObject... sources) {
    List<String> options = new ArrayList<>();
    options.add("-XDcompilePolicy=simple");
    options.add("--should-stop=ifError=FLOW");
    if (Runtime.version().feature() < 22) {
      // Error Prone 2.46+ refuses to run on JDK 21 without it; older javacs ignore the unknown -XD
      // key.
      options.add("-XDaddTypeAnnotationsToSymbol=true");
    }
    options.add(
        ("-Xplugin:ErrorProne -XepDisableAllChecks -Xep:LeakedProducer:WARN " + extraFlags).trim());
    return Compiler.javac()
        .withOptions(options)
        .withAnnotationProcessorPath(processorPath())
        .compile(sources);
  }

  /** Lines of all LeakedProducer findings, to assert there is exactly the expected one. */
  private static List<Long> findingLines(Compilation compilation) {
    return compilation.diagnostics().stream()
        .filter(d -> d.getKind() != Diagnostic.Kind.NOTE)
        .filter(d -> d.getMessage(null).contains("[LeakedProducer]"))
        .map(Diagnostic::getLineNumber)
        .collect(Collectors.toList());
  }
}
