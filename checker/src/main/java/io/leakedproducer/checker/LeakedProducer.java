package io.leakedproducer.checker;

import static com.google.errorprone.BugPattern.SeverityLevel.WARNING;

import com.google.auto.service.AutoService;
import com.google.common.collect.ImmutableList;
import com.google.errorprone.BugPattern;
import com.google.errorprone.ErrorProneFlags;
import com.google.errorprone.VisitorState;
import com.google.errorprone.bugpatterns.BugChecker;
import com.google.errorprone.bugpatterns.BugChecker.MethodInvocationTreeMatcher;
import com.google.errorprone.matchers.Description;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.google.errorprone.fixes.SuggestedFix;
import com.sun.source.tree.Tree;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Flags a blocking insertion into a bounded handoff whose consumers can all stop taking while
 * nothing cancels the producer: the thread then blocks forever and keeps everything it references
 * alive. The analysis is split by decision; see {@link ConcurrencyApiModel}, {@link QueueAliases},
 * {@link QueueBoundedness}, {@link ProducerDiscovery}, {@link ConsumerDiscovery},
 * {@link EarlyExits}, {@link CancellationPaths} and {@link LeakFixes}.
 */
@AutoService(BugChecker.class)
@BugPattern(
    name = "LeakedProducer",
    summary = "A producer can block forever on a bounded queue after every consumer has stopped taking",
    severity = WARNING,
    documentSuppression = true)
public final class LeakedProducer extends BugChecker implements MethodInvocationTreeMatcher {
  private static final long serialVersionUID = 1L;
  /** {@code -Dleakedproducer.debug=true} prints what the check swallowed instead of crashing javac. */
  private static final boolean DEBUG = Boolean.getBoolean("leakedproducer.debug");

  static final String FLAG_INSERTIONS = "LeakedProducer:BlockingInsertionMethods";
  static final String FLAG_FACTORIES = "LeakedProducer:BoundedQueueFactories";
  static final String FLAG_UNKNOWN_BOUNDED = "LeakedProducer:UnknownQueuesBounded";
  static final String FLAG_STRICT = "LeakedProducer:Strict";

  /**
   * The default of {@link #FLAG_STRICT} when the flag is not given. The project's own builds set it
   * for every test JVM, so that no test can pass because the analysis crashed into "no finding".
   */
  static final String STRICT_PROPERTY = "leakedproducer.strict";

  /** Test-only fault injection: called before each analysis, so tests can prove what strict mode does. */
  static volatile java.util.function.Consumer<MethodInvocationTree> faultInjectionForTests = t -> {};

  private final transient ConcurrencyApiModel api;
  private final transient QueueBoundedness boundedness;
  /** Which exceptions can kill a consumer: {@code -XepOpt:LeakedProducer:ConsumerDeath}. */
  private final transient ConsumerDeath consumerDeath;
  /** Rethrow internal analysis errors instead of reporting nothing. */
  private final boolean strict;

  /** One index per compilation unit, rebuilt when Error Prone moves to the next unit. */
  private transient CompilationUnitTree indexedUnit;
  private transient CompilationUnitIndex index;
  private transient Map<Set<VarSymbol>, QueueAnalysis> analyses = new HashMap<>();

  public LeakedProducer() {
    this(ErrorProneFlags.empty());
  }

  public LeakedProducer(ErrorProneFlags flags) {
    this.api = new ConcurrencyApiModel(listFlag(flags, FLAG_INSERTIONS));
    this.boundedness =
        new QueueBoundedness(listFlag(flags, FLAG_FACTORIES), flags.getBoolean(FLAG_UNKNOWN_BOUNDED).orElse(false));
    this.consumerDeath = ConsumerDeath.fromFlags(flags);
    this.strict = flags.getBoolean(FLAG_STRICT).orElse(Boolean.getBoolean(STRICT_PROPERTY));
  }

  private static ImmutableList<String> listFlag(ErrorProneFlags flags, String name) {
    ImmutableList<String> values = flags.getListOrEmpty(name);
    for (String value : values) {
      int hash = value.indexOf('#');
      if (hash <= 0 || hash == value.length() - 1) {
        throw new IllegalArgumentException(
            "-XepOpt:" + name + " expects fully.qualified.Type#method entries, got '" + value + "'");
      }
    }
    return values;
  }

  @Override
  public Description matchMethodInvocation(MethodInvocationTree tree, VisitorState state) {
    if (!api.mayBeInsertion(tree)) {
      return Description.NO_MATCH; // the common case: decided from the tree alone
    }
    try {
      if (!api.isBlockingInsertion(tree, state) && !ConcurrencyApiModel.isTimedOffer(tree, state)) {
        return Description.NO_MATCH;
      }
      faultInjectionForTests.accept(tree);
      return analyse(tree, state);
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      if (strict) {
        throw new IllegalStateException(
            "LeakedProducer failed to analyse '" + state.getSourceForNode(tree) + "' (strict mode, -XepOpt:"
                + FLAG_STRICT + "=true)", e);
      }
      // Code we do not understand (or a javac model we did not expect) yields no finding, never a crash.
      if (DEBUG) {
        e.printStackTrace();
      }
      return Description.NO_MATCH;
    }
  }

  private Description analyse(MethodInvocationTree tree, VisitorState state) {
    CompilationUnitIndex units = indexFor(state);
    if (ExecutorWorkQueues.isWorkQueueInsertion(tree)) {
      Optional<ExecutorWorkQueues.Finding> finding = ExecutorWorkQueues.decide(state.getPath(), units, state);
      if (finding.isEmpty()) {
        debug(tree, "a pool's work queue that is unbounded, unknown, or re-tested for shutdown between offers");
        return Description.NO_MATCH;
      }
      Description.Builder description = buildDescription(tree).setMessage(finding.get().message());
      finding.get().fix().ifPresent(description::addFix);
      return description.build();
    }
    VarSymbol queueVariable = units.receiverVariable(tree);
    if (queueVariable == null) {
      debug(tree, "the queue is not a variable, field, getter or element of a container of this unit");
      return Description.NO_MATCH;
    }
    QueueAliases queue = QueueAliases.of(queueVariable, units);
    QueueAnalysis analysis = analyses.computeIfAbsent(queue.variables, k -> analyseQueue(queue, units, state));
    Finding finding = analysis.findings.get(tree);
    if (finding == null) {
      return Description.NO_MATCH;
    }
    String message = message(tree, queueVariable, finding.verdict, finding.producer, finding.exit);
    Description.Builder description =
        buildDescription(tree)
            .setMessage(message + (analysis.fix.isPresent() ? FIX_OFFERED : NO_FIX)
                + (analysis.runtimeFix.isPresent() ? RUNTIME_FIX_OFFERED : ""));
    analysis.fix.ifPresent(description::addFix);
    analysis.runtimeFix.ifPresent(description::addFix);
    return description.build();
  }

  /** Decides once per queue which of its insertions leak, and builds one fix that covers all of them. */
  private QueueAnalysis analyseQueue(QueueAliases queue, CompilationUnitIndex units, VisitorState state) {
    QueueAnalysis analysis = new QueueAnalysis(boundedness.classify(queue, state));
    if (queue.escapes) {
      debug(null, "queue escapes: " + queue.variables);
      return analysis;
    }
    List<ConsumerDiscovery.Consumer> allConsumers = new ArrayList<>();
    List<ProducerDiscovery.Producer> leaking = new ArrayList<>();
    for (VarSymbol alias : queue.variables) {
      for (TreePath site : units.callsOn(alias)) {
        MethodInvocationTree call = (MethodInvocationTree) site.getLeaf();
        if (!api.isBlockingInsertion(call, state) && !ConcurrencyApiModel.isTimedOffer(call, state)) {
          continue;
        }
        ProducerDiscovery.Producer producer = ProducerDiscovery.discover(site, units, state);
        if (producer == null) {
          continue;
        }
        QueueBoundedness.Verdict verdict = analysis.verdict;
        if (producer.insertion == ProducerDiscovery.Insertion.TRANSFER && verdict.kind != QueueBoundedness.Kind.UNKNOWN) {
          verdict = new QueueBoundedness.Verdict(QueueBoundedness.Kind.BOUNDED, null, true, verdict.description, verdict.creation);
        }
        if (verdict.kind != QueueBoundedness.Kind.BOUNDED) {
          debug(call, "not a bounded handoff: " + verdict.kind);
          continue;
        }
        List<ConsumerDiscovery.Consumer> consumers = ConsumerDiscovery.discover(queue, producer, units, consumerDeath, state);
        if (consumers.isEmpty() || consumers.stream().anyMatch(c -> c.exits.isEmpty())) {
          debug(call, "consumers: " + consumers.size() + ", some never stop early");
          continue; // no consumer we can see, or one that never stops early
        }
        String cancellation = CancellationPaths.find(producer, queue, verdict, api, units, state);
        if (cancellation != null) {
          debug(call, "safe: " + cancellation);
          continue;
        }
        EarlyExits.Exit exit =
            consumers.stream()
                .map(c -> c.exits.stream().min(Comparator.comparingInt(e -> e.line)).get())
                .min(Comparator.comparingInt(e -> e.line))
                .get();
        analysis.findings.put(call, new Finding(producer, exit, verdict));
        leaking.add(producer);
        for (ConsumerDiscovery.Consumer consumer : consumers) {
          if (allConsumers.stream().noneMatch(c -> c.root.getLeaf() == consumer.root.getLeaf())) {
            allConsumers.add(consumer);
          }
        }
      }
    }
    if (!leaking.isEmpty()) {
      analysis.fix = LeakFixes.consumerCountFix(leaking, allConsumers, queue, analysis.verdict, units, state);
      analysis.runtimeFix = LeakFixes.cancellableQueueFix(leaking, allConsumers, queue, analysis.verdict, units, state);
      debug(leaking.get(0).insertionPath().getLeaf(), "fix offered: " + analysis.fix.isPresent());
    }
    return analysis;
  }

  private static final class Finding {
    final ProducerDiscovery.Producer producer;
    final EarlyExits.Exit exit;
    final QueueBoundedness.Verdict verdict;

    Finding(ProducerDiscovery.Producer producer, EarlyExits.Exit exit, QueueBoundedness.Verdict verdict) {
      this.producer = producer;
      this.exit = exit;
      this.verdict = verdict;
    }
  }

  private static final class QueueAnalysis {
    final QueueBoundedness.Verdict verdict;
    final Map<Tree, Finding> findings = new IdentityHashMap<>();
    Optional<SuggestedFix> fix = Optional.empty();
    Optional<SuggestedFix> runtimeFix = Optional.empty();

    QueueAnalysis(QueueBoundedness.Verdict verdict) {
      this.verdict = verdict;
    }
  }

  private static void debug(Tree at, String why) {
    if (DEBUG) {
      System.err.println("[LeakedProducer debug] " + at + ": " + why);
    }
  }

  private CompilationUnitIndex indexFor(VisitorState state) {
    CompilationUnitTree unit = state.getPath().getCompilationUnit();
    if (unit != indexedUnit) {
      index = CompilationUnitIndex.build(unit);
      indexedUnit = unit;
      analyses = new HashMap<>();
    }
    return index;
  }

  static final String FIX_OFFERED = " Stop the producer when the consumers exit, as the suggested fix does.";
  static final String RUNTIME_FIX_OFFERED =
      " A second fix swaps the queue for io.leakedproducer.runtime.CancellableBoundedQueue, whose put() fails fast"
          + " once every consumer has left.";
  static final String NO_FIX =
      " No automatic fix for this shape (the producer or its consumers live outside the method that creates the queue):"
          + " cancel the producer when the consumers exit, e.g. Future.cancel(true) or shutdownNow() in a finally after"
          + " joining them, or use io.leakedproducer.runtime.CancellableBoundedQueue and close a consumer registration"
          + " when each consumer stops.";

  private static String message(MethodInvocationTree tree, VarSymbol queue, QueueBoundedness.Verdict verdict,
      ProducerDiscovery.Producer producer, EarlyExits.Exit exit) {
    String call = ASTHelpers.getSymbol(tree).getSimpleName().toString();
    String blocking =
        producer.insertion == ProducerDiscovery.Insertion.TIMED_OFFER_RETRY
            ? "a retry loop around " + call + "() that never checks for cancellation"
            : call + "()";
    String who = producer.spawn.kind == TaskSpawns.Kind.CALLER ? "the calling thread" : "this producer";
    return String.format(
        "%s can block forever in %s on '%s' (%s): every consumer can stop taking (line %d: %s) and nothing cancels the producer "
            + "(no Future.cancel(true), shutdownNow() or Thread.interrupt() reaches it, and no stop signal is checked "
            + "between timed offers).",
        who, blocking, queue.getSimpleName(), verdict.synchronous ? "a synchronous handoff: " + verdict.description : verdict.description,
        exit.line, exit.reason);
  }
}
