// Written for leaked-producer. Measures the compile-time cost of LeakedProducer with less noise than
// wall or process CPU time: every compile runs in this one JVM, on one thread, and is timed by that
// thread's own CPU time (GC and JIT threads, and other processes on the machine, are not counted).
// It also prints Error Prone's own timer for the check (time inside its matcher calls).
//
//   java <--add-exports flags> -cp <error_prone_core classpath>:<checker jar> CheckTime.java \
//       ROUNDS OUT_DIR CLASSPATH_FILE FILES_ARGS
//
// Modes alternate every round (none, lp; then lp, none), after two untimed warm-up compiles of each,
// so that the JIT has compiled javac, Error Prone and the check before anything is timed.
import com.google.errorprone.ErrorProneTimings;
import com.sun.tools.javac.api.BasicJavacTask;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

public final class CheckTime {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  record Run(String mode, double cpuSeconds, double checkSeconds) {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    Path out = Path.of(args[1]);
    String classpath = Files.readString(Path.of(args[2])).trim();
    List<String> files = Files.readAllLines(Path.of(args[3]));
    Map<String, List<Run>> runs = new TreeMap<>();
    for (int i = -2; i < rounds; i++) {
      List<String> order = new ArrayList<>(List.of("none", "lp"));
      if (Math.floorMod(i, 2) == 1) {
        Collections.reverse(order);
      }
      for (String mode : order) {
        Run run = compile(mode, out, classpath, files);
        if (i >= 0) {
          runs.computeIfAbsent(mode, k -> new ArrayList<>()).add(run);
          System.err.printf("round %d %-4s thread cpu %7.2f s  in LeakedProducer %6.3f s%n",
              i + 1, mode, run.cpuSeconds(), run.checkSeconds());
        }
      }
    }
    double none = median(runs.get("none").stream().map(Run::cpuSeconds).toList());
    double lp = median(runs.get("lp").stream().map(Run::cpuSeconds).toList());
    double inCheck = median(runs.get("lp").stream().map(Run::checkSeconds).toList());
    System.out.printf("median thread cpu: none %.2f s, lp %.2f s, ratio lp/none %.4f%n", none, lp, lp / none);
    System.out.printf("median time inside LeakedProducer's matchers: %.3f s = %.2f %% of the lp compile%n",
        inCheck, 100 * inCheck / lp);
  }

  private static Run compile(String mode, Path out, String classpath, List<String> files) throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    String plugin = mode.equals("lp")
        ? "-Xplugin:ErrorProne -XepDisableAllChecks -Xep:LeakedProducer:WARN"
        : "-Xplugin:ErrorProne -XepDisableAllChecks";
    try (StandardJavaFileManager fm = javac.getStandardFileManager(null, null, null)) {
      List<String> options = List.of("-encoding", "UTF-8", "-source", "17", "-target", "17",
          "-Xmaxwarns", "100000", "-XDcompilePolicy=simple", "--should-stop=ifError=FLOW",
          "-processorpath", System.getProperty("java.class.path"), plugin,
          "-cp", classpath, "-d", out.toString());
      List<String> errors = new ArrayList<>();
      var task = (BasicJavacTask) javac.getTask(Writer.NULL, fm, d -> {
            if (d.getKind() == javax.tools.Diagnostic.Kind.ERROR && errors.size() < 5) {
              errors.add(d.toString());
            }
          }, options, null,
          fm.getJavaFileObjectsFromStrings(files));
      // Created here, before the compile, because javac clears its context when the task ends;
      // Error Prone's initialization finds this instance in the same context and times into it.
      ErrorProneTimings timings = ErrorProneTimings.instance(task.getContext());
      long start = THREADS.getCurrentThreadCpuTime();
      boolean ok = task.call();
      double cpu = (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
      if (!ok) {
        throw new IllegalStateException("compile failed in mode " + mode + ": " + errors);
      }
      Duration check = timings.timings()
          .getOrDefault("LeakedProducer", Duration.ZERO);
      return new Run(mode, cpu, check.toNanos() / 1e9);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static final class Writer extends java.io.Writer {
    static final Writer NULL = new Writer();
    @Override public void write(char[] c, int o, int l) {}
    @Override public void flush() {}
    @Override public void close() {}
  }
}
