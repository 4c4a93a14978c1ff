package io.leakedproducer.runtime;

import io.leakedproducer.runtime.ThreadDumps.DumpedThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A test-time oracle for leaked producers: it fails when a live thread is left stuck in a blocking
 * insertion into a queue, the run-time symptom of the bug the LeakedProducer check finds at compile
 * time.
 *
 * <pre>{@code
 * LeakedProducers.verifyNone();                       // any thread, default timeout
 *
 * LeakedProducers.Verifier verifier = LeakedProducers.verifier().ignoreCurrent();
 * runTheCodeUnderTest();
 * verifier.verify();                                  // only threads started since ignoreCurrent()
 * }</pre>
 *
 * <h2>What counts as stuck</h2>
 *
 * A thread is stuck when, in a sample of every thread's stack:
 *
 * <ul>
 *   <li>it is <b>parked in a blocking insertion</b>: its stack enters {@code put}, {@code
 *       putFirst}, {@code putLast} or {@code transfer} of a {@link BlockingQueue} class of {@code
 *       java.util.concurrent} ({@code ArrayBlockingQueue}, {@code LinkedBlockingQueue}, {@code
 *       LinkedBlockingDeque}, {@code SynchronousQueue}, {@code LinkedTransferQueue}, ...) or {@code
 *       put} of {@link CancellableBoundedQueue}, and it is parked ({@code WAITING} or {@code
 *       TIMED_WAITING}, with {@code LockSupport.park} above that frame) inside that call; or
 *   <li>it <b>keeps re-entering a timed offer</b>: it is parked inside a timed {@code offer},
 *       {@code offerFirst}, {@code offerLast} or {@code tryTransfer} (the untimed forms never park)
 *       in the samples that cover more than half of the retry window (a sighting counts until the
 *       next sample), and it is still alive at the end: the shape of a {@code while
 *       (!queue.offer(e, timeout, unit))} retry loop. With a zero timeout there is one sample, and
 *       a thread inside a timed offer in it is reported.
 * </ul>
 *
 * A thread waiting in {@code take}, {@code poll} or any other removal is a consumer and is never
 * reported. The <b>insertion frame</b> is the queue's method the calling code entered; the
 * <b>caller frame</b> is the first frame of the calling code: the first frame, from the top, whose
 * class is outside {@code java.*}, {@code javax.*}, {@code jdk.*}, {@code sun.*} and this library's
 * own classes (or, for a stack made only of those, the frame below the insertion).
 *
 * <h2>Retries</h2>
 *
 * A producer may be on its way out when the check starts (its consumer just took the last item). So
 * each check samples the threads, and while anything looks stuck it samples again with a backoff
 * that starts at 1 ms and doubles up to 100 ms, until the {@linkplain Verifier#timeout timeout} (1
 * s by default) has passed; only what is still stuck in the last sample is reported. When a sample
 * finds nothing stuck (and no thread seen in a timed offer before is still alive), the check
 * returns at once, so a clean check costs one sample.
 *
 * <h2>Which threads are seen</h2>
 *
 * Platform threads through {@link Thread#getAllStackTraces()}. On JDK 21 and later, virtual threads
 * too, through the JDK's thread dump ({@code HotSpotDiagnosticMXBean.dumpThreads}, reached by
 * reflection so that this jar runs on JDK 17, where only platform threads are seen). The dump lists
 * a virtual thread only while the JDK tracks it, which is the default ({@code
 * -Djdk.trackAllThreads=false} hides virtual threads started outside an executor).
 *
 * <p>This class has no dependency beyond the JDK. It is thread-safe; a {@link Verifier} is not
 * (configure it on one thread, then call it from any one thread at a time).
 */
public final class LeakedProducers {
  /** How long a check retries while something looks stuck, unless {@link Verifier#timeout} says. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

  private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private static final Set<String> BLOCKING_INSERTIONS =
      Set.of("put", "putFirst", "putLast", "transfer");
  // Only the timed overloads of these park; a frame name cannot tell the overloads apart, but a
  // thread parked inside one of them is in the timed overload.
  private static final Set<String> TIMED_OFFERS =
      Set.of("offer", "offerFirst", "offerLast", "tryTransfer");

  /** Frames of these packages are never "the calling code". */
  private static final List<String> PLATFORM_PREFIXES = List.of("java.", "javax.", "jdk.", "sun.");

  /**
   * This library's own classes (top-level names), never "the calling code" either. Listed one by
   * one rather than by package, so that a user's (or our tests') class in the same package still
   * counts as calling code. The JUnit extension is named as a string: loading it needs JUnit.
   */
  private static final Set<String> OWN_CLASSES =
      Set.of(
          BoundedDeleter.class.getName(),
          CancellableBoundedQueue.class.getName(),
          Deleter.class.getName(),
          Json.class.getName(),
          LeakedProducers.class.getName(),
          QueueAbandonedException.class.getName(),
          QueueClosedException.class.getName(),
          ThreadDumps.class.getName(),
          "io.leakedproducer.runtime.junit.NoLeakedProducers");

  /** Whether a {@code java.util.concurrent} class (by name) is a {@link BlockingQueue}. */
  private static final Map<String, Boolean> QUEUE_CLASSES = new ConcurrentHashMap<>();

  private LeakedProducers() {}

  /**
   * Fails if any live thread is stuck in a blocking insertion, after retrying for up to {@link
   * #DEFAULT_TIMEOUT}. Same as {@code verifier().verify()}.
   *
   * @throws AssertionError naming, for each stuck thread, the thread, its insertion frame and its
   *     caller frame
   */
  public static void verifyNone() {
    verifier().verify();
  }

  /** A new check with the defaults: every thread, {@link #DEFAULT_TIMEOUT}. */
  public static Verifier verifier() {
    return new Verifier();
  }

  /** How a stuck thread is stuck. */
  public enum Kind {
    /** Parked inside {@code put}, {@code putFirst}, {@code putLast} or {@code transfer}. */
    BLOCKING_INSERTION,
    /** Seen parked inside a timed {@code offer}/{@code tryTransfer} for most of the window. */
    TIMED_OFFER_LOOP
  }

  /**
   * A thread found stuck.
   *
   * @param threadName the thread's name ({@code ""} for an unnamed virtual thread)
   * @param threadId the thread's id ({@code Thread.getId()})
   * @param virtual true for a virtual thread
   * @param kind how it is stuck
   * @param insertionFrame the queue method the calling code entered, e.g. {@code
   *     java.util.concurrent.ArrayBlockingQueue.put(ArrayBlockingQueue.java:371)}
   * @param callerFrame the first frame of the calling code (see the class comment)
   * @param stack the thread's whole stack in the sample that found it, innermost frame first
   */
  public record StuckProducer(
      String threadName,
      long threadId,
      boolean virtual,
      Kind kind,
      StackTraceElement insertionFrame,
      StackTraceElement callerFrame,
      List<StackTraceElement> stack) {
    public StuckProducer {
      Objects.requireNonNull(threadName, "threadName");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(insertionFrame, "insertionFrame");
      Objects.requireNonNull(callerFrame, "callerFrame");
      stack = List.copyOf(stack);
    }

    /** One line: the thread, how it is stuck, the insertion frame and the caller frame. */
    @Override
    public String toString() {
      String how = kind == Kind.BLOCKING_INSERTION ? "is parked in " : "keeps re-entering a timed ";
      return "thread \""
          + threadName
          + "\" (id "
          + threadId
          + (virtual ? ", virtual" : "")
          + ") "
          + how
          + frameText(insertionFrame)
          + ", called from "
          + frameText(callerFrame);
    }
  }

  /**
   * A configurable check. Each {@link #verify()} or {@link #stuckProducers()} call is an
   * independent check with the configuration at that moment.
   */
  public static final class Verifier {
    private final Set<Long> ignoredIds = new HashSet<>();
    private final List<Pattern> ignoredNames = new ArrayList<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private Consumer<List<StuckProducer>> onSample = sample -> {};

    private Verifier() {}

    /**
     * Ignores every thread alive now (including this one), whatever it does later: call this before
     * the code under test, and only the threads that code starts are checked. On JDK 21+ this
     * includes the virtual threads alive now.
     */
    public Verifier ignoreCurrent() {
      for (Thread thread : Thread.getAllStackTraces().keySet()) {
        ignoredIds.add(thread.getId());
      }
      ignoredIds.add(Thread.currentThread().getId());
      if (ThreadDumps.available()) {
        for (DumpedThread thread : ThreadDumps.dump()) {
          ignoredIds.add(thread.id());
        }
      }
      return this;
    }

    /** Ignores threads whose whole name matches {@code pattern}. */
    public Verifier ignoreThreadsNamed(Pattern pattern) {
      ignoredNames.add(Objects.requireNonNull(pattern, "pattern"));
      return this;
    }

    /**
     * Ignores threads whose whole name matches the regular expression {@code regex}.
     *
     * @throws java.util.regex.PatternSyntaxException if {@code regex} is not a valid expression
     */
    public Verifier ignoreThreadsNamed(String regex) {
      return ignoreThreadsNamed(Pattern.compile(Objects.requireNonNull(regex, "regex")));
    }

    /**
     * How long a check keeps retrying while something looks stuck (default {@link
     * #DEFAULT_TIMEOUT}). {@link Duration#ZERO} takes a single sample.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public Verifier timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** Test hook: called after each sample with the threads that sample found stuck. */
    Verifier onSample(Consumer<List<StuckProducer>> listener) {
      this.onSample = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Fails if a thread not ignored is still stuck after the retries.
     *
     * @throws AssertionError whose message names, for each stuck thread, the thread, the insertion
     *     frame and the caller frame, followed by its stack
     */
    public void verify() {
      List<StuckProducer> stuck = stuckProducers();
      if (!stuck.isEmpty()) {
        throw new AssertionError(message(stuck, timeout));
      }
    }

    /**
     * The threads still stuck after the retries, in thread-name order; empty at once when the first
     * sample finds nothing. Never throws for a stuck thread.
     *
     * <p>If the calling thread is interrupted when it calls this, the first sample is the last one;
     * if it is interrupted while it waits between samples, the next sample is. Either way its
     * interrupt status is set again before this returns.
     *
     * @throws java.io.UncheckedIOException if, on JDK 21+, the JDK's thread dump cannot be written
     *     to or read from the temporary directory
     */
    public List<StuckProducer> stuckProducers() {
      long start = System.nanoTime();
      long deadline = start + timeout.toNanos();
      long backoff = FIRST_BACKOFF_NANOS;
      // Timed-offer candidates: how long each was seen inside the offer (a sighting counts until
      // the next sample, so the dense early samples weigh little), and its last sighting, kept
      // while the thread is alive even if a sample caught it between two offers.
      Map<Long, Long> offerNanos = new HashMap<>();
      Map<Long, StuckProducer> offerCandidates = new HashMap<>();
      Set<Long> inOfferLastSample = Set.of();
      long lastSample = start;
      int samples = 0;
      // An interrupted caller gets one sample; its interrupt status is restored in the end.
      boolean interrupted = Thread.interrupted();
      try {
        while (true) {
          List<Sample> threads = sample();
          long now = System.nanoTime();
          for (Long id : inOfferLastSample) {
            offerNanos.merge(id, now - lastSample, Long::sum);
          }
          lastSample = now;
          samples++;
          List<StuckProducer> blocked = new ArrayList<>();
          List<StuckProducer> seen = new ArrayList<>();
          Set<Long> inOffer = new HashSet<>();
          Set<Long> alive = new HashSet<>();
          for (Sample thread : threads) {
            alive.add(thread.id());
            StuckProducer stuck = classify(thread);
            if (stuck == null) {
              continue;
            }
            seen.add(stuck);
            if (stuck.kind() == Kind.BLOCKING_INSERTION) {
              blocked.add(stuck);
            } else {
              inOffer.add(stuck.threadId());
              offerCandidates.put(stuck.threadId(), stuck);
            }
          }
          inOfferLastSample = inOffer;
          offerCandidates.keySet().retainAll(alive);
          onSample.accept(List.copyOf(seen));
          if (blocked.isEmpty() && offerCandidates.isEmpty()) {
            return List.of();
          }
          long remaining = deadline - now;
          if (remaining <= 0 || interrupted) {
            List<StuckProducer> result = new ArrayList<>(blocked);
            long window = now - start;
            for (StuckProducer candidate : offerCandidates.values()) {
              long inside = offerNanos.getOrDefault(candidate.threadId(), 0L);
              // A single sample (zero timeout) has no window: a sighting in it is enough.
              boolean mostOfTheWindow =
                  samples == 1 ? inOffer.contains(candidate.threadId()) : 2 * inside > window;
              if (mostOfTheWindow) {
                result.add(candidate);
              }
            }
            result.sort(
                Comparator.comparing(StuckProducer::threadName)
                    .thenComparingLong(StuckProducer::threadId));
            return List.copyOf(result);
          }
          try {
            TimeUnit.NANOSECONDS.sleep(Math.min(backoff, remaining));
          } catch (InterruptedException e) {
            interrupted = true;
          }
          backoff = Math.min(2 * backoff, MAX_BACKOFF_NANOS);
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** Every live thread not ignored: platform threads, plus virtual ones on JDK 21+. */
    private List<Sample> sample() {
      // The dump first: a platform thread it lists was started before getAllStackTraces runs.
      List<DumpedThread> dumped = ThreadDumps.available() ? ThreadDumps.dump() : List.of();
      Map<Thread, StackTraceElement[]> platform = Thread.getAllStackTraces();
      List<Sample> threads = new ArrayList<>();
      Set<Long> platformIds = new HashSet<>();
      for (Map.Entry<Thread, StackTraceElement[]> entry : platform.entrySet()) {
        Thread thread = entry.getKey();
        platformIds.add(thread.getId());
        if (!ignored(thread.getId(), thread.getName())) {
          threads.add(
              new Sample(
                  thread.getId(), thread.getName(), false, thread.getState(), entry.getValue()));
        }
      }
      for (DumpedThread thread : dumped) {
        // Platform threads were taken from the Thread objects above; JDK 21's dump has no
        // "virtual" flag, so there any thread that is not a platform thread is virtual.
        if (platformIds.contains(thread.id()) || Boolean.FALSE.equals(thread.virtual())) {
          continue;
        }
        if (!ignored(thread.id(), thread.name())) {
          threads.add(new Sample(thread.id(), thread.name(), true, thread.state(), thread.stack()));
        }
      }
      return threads;
    }

    private boolean ignored(long id, String name) {
      if (ignoredIds.contains(id)) {
        return true;
      }
      for (Pattern pattern : ignoredNames) {
        if (pattern.matcher(name).matches()) {
          return true;
        }
      }
      return false;
    }
  }

  /** One thread in one sample; {@code state} is null when the JDK's dump does not give it. */
  // The stack is the array the JDK hands out, read once and never compared or exposed: a list copy
  // per sampled thread would buy nothing.
  @SuppressWarnings("ArrayRecordComponent")
  record Sample(
      long id, String name, boolean virtual, Thread.State state, StackTraceElement[] stack) {}

  /** The thread as a stuck producer, or null when it is not parked in an insertion. */
  static StuckProducer classify(Sample thread) {
    if (thread.state() != null
        && thread.state() != Thread.State.WAITING
        && thread.state() != Thread.State.TIMED_WAITING) {
      return null;
    }
    StackTraceElement[] stack = thread.stack();
    int caller = 0;
    while (caller < stack.length && isLibraryFrame(stack[caller])) {
      caller++;
    }
    // The insertion the calling code entered is the one nearest to it: walk up from the caller.
    for (int i = caller - 1; i >= 0; i--) {
      Kind kind = insertionKind(stack[i]);
      if (kind == null) {
        continue;
      }
      if (!parksAbove(stack, i)) {
        return null;
      }
      StackTraceElement callerFrame =
          caller < stack.length ? stack[caller] : stack[Math.min(i + 1, stack.length - 1)];
      return new StuckProducer(
          thread.name(),
          thread.id(),
          thread.virtual(),
          kind,
          stack[i],
          callerFrame,
          Arrays.asList(stack));
    }
    return null;
  }

  private static Kind insertionKind(StackTraceElement frame) {
    String method = frame.getMethodName();
    boolean blocking = BLOCKING_INSERTIONS.contains(method);
    if (!blocking && !TIMED_OFFERS.contains(method)) {
      return null;
    }
    if (!isQueueClass(frame.getClassName())) {
      return null;
    }
    return blocking ? Kind.BLOCKING_INSERTION : Kind.TIMED_OFFER_LOOP;
  }

  /**
   * {@link CancellableBoundedQueue}, or a {@link BlockingQueue} of {@code java.util.concurrent}.
   */
  private static boolean isQueueClass(String className) {
    if (className.equals(CancellableBoundedQueue.class.getName())) {
      return true;
    }
    String prefix = "java.util.concurrent.";
    if (!className.startsWith(prefix) || className.indexOf('.', prefix.length()) >= 0) {
      return false;
    }
    return QUEUE_CLASSES.computeIfAbsent(
        className,
        name -> {
          try {
            // Bootstrap classes only: this never loads or initializes application code.
            return BlockingQueue.class.isAssignableFrom(Class.forName(name, false, null));
          } catch (ClassNotFoundException | LinkageError e) {
            return false;
          }
        });
  }

  /** True when the thread parks above frame {@code index}, i.e. inside that call. */
  private static boolean parksAbove(StackTraceElement[] stack, int index) {
    for (int i = 0; i < index; i++) {
      if (stack[i].getClassName().equals("java.util.concurrent.locks.LockSupport")
          && stack[i].getMethodName().startsWith("park")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isLibraryFrame(StackTraceElement frame) {
    String className = frame.getClassName();
    for (String prefix : PLATFORM_PREFIXES) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    int nested = className.indexOf('$');
    return OWN_CLASSES.contains(nested < 0 ? className : className.substring(0, nested));
  }

  /**
   * A frame as {@code Class.method(File.java:line)}, without the module and class loader parts that
   * {@link StackTraceElement#toString()} adds: messages stay the same across JDKs and runners.
   */
  static String frameText(StackTraceElement frame) {
    String location;
    if (frame.isNativeMethod()) {
      location = "Native Method";
    } else if (frame.getFileName() == null) {
      location = "Unknown Source";
    } else if (frame.getLineNumber() >= 0) {
      location = frame.getFileName() + ":" + frame.getLineNumber();
    } else {
      location = frame.getFileName();
    }
    return frame.getClassName() + "." + frame.getMethodName() + "(" + location + ")";
  }

  private static String message(List<StuckProducer> stuck, Duration timeout) {
    StringBuilder out = new StringBuilder();
    out.append(stuck.size())
        .append(stuck.size() == 1 ? " thread is" : " threads are")
        .append(" stuck in a blocking queue insertion (still there after retrying for ")
        .append(timeout.toMillis())
        .append(" ms):");
    for (StuckProducer producer : stuck) {
      out.append("\n  ").append(producer);
      for (StackTraceElement frame : producer.stack()) {
        out.append("\n        at ").append(frameText(frame));
      }
    }
    return out.toString();
  }
}
