package io.leakedproducer.testdata;

import io.leakedproducer.runtime.LeakedProducers;
import io.leakedproducer.runtime.LeakedProducers.StuckProducer;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Run-time labels for a program: which insertion sites are left stuck once its {@code main} is
 * done. The program runs in a child JVM (same JDK, same class path), so whatever it strands dies
 * with that JVM and cannot disturb the tests.
 *
 * <p>In the child, {@code main} runs on a fresh thread named {@code main} and gets {@link
 * #MAIN_BOUND} (by default) to return. Then the leaked-producer verifier ({@link
 * LeakedProducers.Verifier#stuckProducers()}, with its retry window) lists the threads started
 * since the child began that are stuck in a blocking insertion; the label is the set of their
 * caller sites, {@code File.java:line}. A {@code main} that does not return is a caller hang: the
 * label says so and carries its stack (and, when it is itself parked in an insertion, its site is
 * among the stuck sites).
 *
 * <p>The child writes its answer to a report file, one record per line, so that the program's own
 * output cannot mix with it:
 *
 * <pre>
 * outcome RETURNED|THREW|HUNG
 * thrown &lt;exception class&gt;: &lt;message&gt;      (THREW only)
 * main-frame &lt;frame&gt;                         (HUNG only, innermost first)
 * stuck &lt;File.java:line&gt;\t&lt;kind&gt;\t&lt;thread name&gt;
 * error &lt;text&gt;                               (the program could not be started)
 * end
 * </pre>
 */
public final class RunTimeLabels {
  /** How long {@code main} may run before it counts as a caller hang. */
  public static final Duration MAIN_BOUND = Duration.ofSeconds(5);

  /** Extra time the child JVM gets to start, to wait out the verifier and to exit. */
  private static final Duration CHILD_SLACK = Duration.ofSeconds(60);

  private static final Pattern LEAK_MARKER = Pattern.compile("//\\s*LEAK\\b");

  private RunTimeLabels() {}

  /** How the program's {@code main} ended. */
  public enum Outcome {
    RETURNED,
    THREW,
    /** Still running after the bound: the caller itself hangs. */
    HUNG
  }

  /**
   * One program's label.
   *
   * @param mainClass the program
   * @param outcome how its {@code main} ended
   * @param stuckSites the caller sites ({@code File.java:line}) of the threads left stuck
   * @param thrown for {@link Outcome#THREW}, {@code class: message} of what {@code main} threw
   * @param mainStack for {@link Outcome#HUNG}, the stack of the hung {@code main}, innermost first
   * @param output what the child JVM printed (stdout and stderr), for diagnosis
   */
  public record Label(
      String mainClass,
      Outcome outcome,
      SortedSet<String> stuckSites,
      String thrown,
      List<String> mainStack,
      String output) {
    public Label {
      stuckSites = Collections.unmodifiableSortedSet(new TreeSet<>(stuckSites));
      mainStack = List.copyOf(mainStack);
    }
  }

  /** Labels {@code mainClass} with the default {@link #MAIN_BOUND}. */
  public static Label label(String mainClass) throws IOException, InterruptedException {
    return label(mainClass, MAIN_BOUND);
  }

  /**
   * Runs {@code mainClass}'s {@code public static void main(String[])} with no arguments in a child
   * JVM and labels it.
   *
   * @throws IllegalArgumentException if the class or its {@code main} cannot be found
   * @throws IllegalStateException if the child JVM exits without a complete report (the program
   *     called {@code System.exit}, say) or does not exit in time
   */
  public static Label label(String mainClass, Duration mainBound)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("run-time-label");
    Path report = dir.resolve("report.txt");
    Path output = dir.resolve("output.txt");
    try {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process child =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  RunTimeLabels.class.getName(),
                  mainClass,
                  Long.toString(mainBound.toMillis()),
                  report.toString())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      long waitMillis = mainBound.plus(CHILD_SLACK).toMillis();
      if (!child.waitFor(waitMillis, TimeUnit.MILLISECONDS)) {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(
            "the child JVM for "
                + mainClass
                + " did not exit within "
                + waitMillis
                + " ms; output:\n"
                + read(output));
      }
      return parse(mainClass, read(report), read(output), child.exitValue());
    } finally {
      Files.deleteIfExists(report);
      Files.deleteIfExists(output);
      Files.deleteIfExists(dir);
    }
  }

  /**
   * The sites ({@code File.java:line}) of the lines in {@code source} that carry a {@code // LEAK}
   * marker: the expected label of a program whose leaking insertions are marked.
   */
  public static SortedSet<String> leakMarkers(Path source) throws IOException {
    SortedSet<String> sites = new TreeSet<>();
    List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      if (LEAK_MARKER.matcher(lines.get(i)).find()) {
        sites.add(source.getFileName() + ":" + (i + 1));
      }
    }
    return sites;
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  private static Label parse(String mainClass, String report, String output, int exitCode) {
    Outcome outcome = null;
    SortedSet<String> sites = new TreeSet<>();
    String thrown = null;
    List<String> mainStack = new ArrayList<>();
    boolean complete = false;
    for (String line : report.split("\n", -1)) {
      int space = line.indexOf(' ');
      String key = space < 0 ? line : line.substring(0, space);
      String value = space < 0 ? "" : line.substring(space + 1);
      switch (key) {
        case "outcome" -> outcome = Outcome.valueOf(value);
        case "thrown" -> thrown = value;
        case "main-frame" -> mainStack.add(value);
        case "stuck" -> sites.add(value.substring(0, value.indexOf('\t')));
        case "error" -> throw new IllegalArgumentException(value);
        case "end" -> complete = true;
        default -> {
          // blank line at the end
        }
      }
    }
    if (!complete || outcome == null) {
      throw new IllegalStateException(
          "no complete label for "
              + mainClass
              + " (child exit code "
              + exitCode
              + "); report:\n"
              + report
              + "\noutput:\n"
              + output);
    }
    return new Label(mainClass, outcome, sites, thrown, mainStack, output);
  }

  /**
   * The child JVM's entry point: {@code RunTimeLabels <mainClass> <boundMillis> <reportFile>}. Ends
   * the JVM with {@code Runtime.halt}, since the threads the program stranded would keep it alive.
   */
  public static void main(String[] args) throws IOException {
    String mainClass = args[0];
    Duration bound = Duration.ofMillis(Long.parseLong(args[1]));
    Path report = Path.of(args[2]);
    List<String> lines = new ArrayList<>();
    try {
      lines.addAll(labelHere(mainClass, bound));
    } catch (ReflectiveOperationException e) {
      lines.add("error " + mainClass + " has no public static void main(String[]): " + e);
    }
    lines.add("end");
    Files.write(report, lines, StandardCharsets.UTF_8);
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(0);
  }

  private static List<String> labelHere(String mainClass, Duration bound)
      throws ReflectiveOperationException {
    Method main = Class.forName(mainClass).getMethod("main", String[].class);
    if (!Modifier.isStatic(main.getModifiers())) {
      throw new NoSuchMethodException(mainClass + ".main is not static");
    }
    // Everything alive now (the JVM's own threads, this one) is not the program's doing.
    LeakedProducers.Verifier verifier = LeakedProducers.verifier().ignoreCurrent();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread runner =
        new Thread(
            () -> {
              try {
                main.invoke(null, (Object) new String[0]);
              } catch (InvocationTargetException e) {
                thrown.set(e.getCause());
              } catch (IllegalAccessException e) {
                thrown.set(e);
              }
            },
            "main");
    runner.start();
    try {
      runner.join(bound.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<String> lines = new ArrayList<>();
    if (runner.isAlive()) {
      lines.add("outcome " + Outcome.HUNG);
      for (StackTraceElement frame : runner.getStackTrace()) {
        lines.add(
            "main-frame "
                + frame.getClassName()
                + "."
                + frame.getMethodName()
                + "("
                + frame.getFileName()
                + ":"
                + frame.getLineNumber()
                + ")");
      }
    } else if (thrown.get() != null) {
      lines.add("outcome " + Outcome.THREW);
      lines.add("thrown " + String.valueOf(thrown.get()).replace('\n', ' '));
    } else {
      lines.add("outcome " + Outcome.RETURNED);
    }
    for (StuckProducer stuck : verifier.stuckProducers()) {
      StackTraceElement caller = stuck.callerFrame();
      String file = caller.getFileName() != null ? caller.getFileName() : caller.getClassName();
      lines.add(
          "stuck "
              + file
              + ":"
              + caller.getLineNumber()
              + "\t"
              + stuck.kind()
              + "\t"
              + stuck.threadName().replace('\n', ' '));
    }
    return lines;
  }
}
