package io.leakedproducer.checker;

import static com.google.errorprone.BugPattern.SeverityLevel.WARNING;

import com.google.auto.service.AutoService;
import com.google.common.collect.ImmutableList;
import com.google.errorprone.BugPattern;
import com.google.errorprone.BugPattern.LinkType;
import com.google.errorprone.ErrorProneFlags;
import com.google.errorprone.VisitorState;
import com.google.errorprone.bugpatterns.BugChecker;
import com.google.errorprone.bugpatterns.BugChecker.CompilationUnitTreeMatcher;
import com.google.errorprone.bugpatterns.BugChecker.MethodInvocationTreeMatcher;
import com.google.errorprone.fixes.SuggestedFix;
import com.google.errorprone.matchers.Description;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.tree.EndPosTable;
import com.sun.tools.javac.tree.JCTree;
import io.leakedproducer.checker.sarif.SarifRecorder;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.inject.Inject;
import org.jspecify.annotations.Nullable;

/**
 * Flags a blocking insertion into a bounded handoff whose consumers can all stop taking while
 * nothing cancels the producer: the thread then blocks forever and keeps everything it references
 * alive. The analysis is split by decision; see {@link ConcurrencyApiModel}, {@link QueueAliases},
 * {@link QueueBoundedness}, {@link ProducerDiscovery}, {@link ConsumerDiscovery}, {@link
 * EarlyExits}, {@link CancellationPaths} and {@link LeakFixes}.
 */
@AutoService(BugChecker.class)
@BugPattern(
    summary =
        "A producer can block forever on a bounded queue after every consumer has stopped taking",
    severity = WARNING,
    // No errorprone.info page exists for a plugin check; a link is shown only when the user
    // gives one with -XepOpt:LeakedProducer:DocsUrl (see linkUrl()).
    linkType = LinkType.NONE,
    documentSuppression = true)
public final class LeakedProducer extends BugChecker
    implements MethodInvocationTreeMatcher, CompilationUnitTreeMatcher {
  private static final long serialVersionUID = 1L;

  /**
   * {@code -Dleakedproducer.debug=true} prints, for every insertion it does not report, why (and
   * what the check swallowed outside strict mode).
   */
  static final String DEBUG_PROPERTY = "leakedproducer.debug";

  /** Read at each use (only on paths that drop or swallow), so a test can switch it on. */
  private static boolean debugging() {
    return Boolean.getBoolean(DEBUG_PROPERTY);
  }

  static final String FLAG_FACTORIES = "LeakedProducer:BoundedQueueFactories";
  static final String FLAG_UNKNOWN_BOUNDED = "LeakedProducer:UnknownQueuesBounded";
  static final String FLAG_STRICT = "LeakedProducer:Strict";
  static final String FLAG_DOCS_URL = "LeakedProducer:DocsUrl";

  /**
   * The default of {@link #FLAG_STRICT} when the flag is not given. The project's own builds set it
   * for every test JVM, so that no test can pass because the analysis crashed into "no finding".
   */
  static final String STRICT_PROPERTY = "leakedproducer.strict";

  /**
   * Test-only fault injection: called before each analysis, so tests can prove what strict mode
   * does.
   */
  static volatile java.util.function.Consumer<MethodInvocationTree> faultInjectionForTests =
      t -> {};

  private final transient ConcurrencyApiModel api;

  /** What the flags add to the library model, bound to the thread while an analysis runs. */
  private final transient ModelExtensions extensions;

  private final transient QueueBoundedness boundedness;

  /** Which exceptions can kill a consumer: {@code -XepOpt:LeakedProducer:ConsumerDeath}. */
  private final transient ConsumerDeath consumerDeath;

  /**
   * {@code -XepOpt:LeakedProducer:DocsUrl}: the page each finding links to (for example the
   * project's bug-pattern page on a team's docs host), or null for no link.
   */
  private final String docsUrl;

  /** Rethrow internal analysis errors instead of reporting nothing. */
  private final boolean strict;

  /** {@code -XepOpt:LeakedProducer:SarifFile}: the findings as a SARIF log (a no-op without it). */
  private final transient SarifRecorder sarif;

  /** One index per compilation unit, rebuilt when Error Prone moves to the next unit. */
  private transient CompilationUnitTree indexedUnit;

  private transient CompilationUnitIndex index;
  private transient Map<Set<VarSymbol>, QueueAnalysis> analyses = new HashMap<>();

  /** Queues whose analysis is running, so that a cascade through a cycle of queues ends. */
  private transient Set<Set<VarSymbol>> inProgress = new HashSet<>();

  public LeakedProducer() {
    this(ErrorProneFlags.empty());
  }

  @Inject
  public LeakedProducer(ErrorProneFlags flags) {
    this.extensions = ModelExtensions.fromFlags(flags);
    this.api = new ConcurrencyApiModel(extensions);
    this.boundedness =
        new QueueBoundedness(
            flags.getListOrEmpty(FLAG_FACTORIES).stream()
                .map(entry -> MethodRef.parse(FLAG_FACTORIES, entry))
                .collect(ImmutableList.toImmutableList()),
            flags.getBoolean(FLAG_UNKNOWN_BOUNDED).orElse(false));
    this.consumerDeath = ConsumerDeath.fromFlags(flags);
    this.strict = flags.getBoolean(FLAG_STRICT).orElse(Boolean.getBoolean(STRICT_PROPERTY));
    this.sarif = SarifRecorder.fromFlags(flags, this);
    this.docsUrl = flags.get(FLAG_DOCS_URL).map(LeakedProducer::checkedUrl).orElse(null);
  }

  private static String checkedUrl(String url) {
    try {
      java.net.URI uri = new java.net.URI(url);
      if (uri.isAbsolute() && uri.getHost() != null) {
        return url;
      }
    } catch (java.net.URISyntaxException e) {
      // reported below, with the flag's name
    }
    throw new IllegalArgumentException(
        "-XepOpt:"
            + FLAG_DOCS_URL
            + " expects an absolute URL such as https://host/page, got '"
            + url
            + "'");
  }

  /** A finding's description, linked to the user's {@code DocsUrl} if one was given. */
  private Description.Builder describe(Tree tree) {
    Description.Builder description = buildDescription(tree);
    return docsUrl == null ? description : description.setLinkUrl(docsUrl);
  }

  @Override
  public Description matchMethodInvocation(MethodInvocationTree tree, VisitorState state) {
    if (!api.mayBeInsertion(tree)) {
      return Description.NO_MATCH; // the common case: decided from the tree alone
    }
    try (ModelExtensions.Binding bound = extensions.bind()) {
      if (!ProducerDiscovery.mayWaitForRoom(state.getPath(), api, state)) {
        return Description.NO_MATCH;
      }
      faultInjectionForTests.accept(tree);
      return sarif.recorded(tree, analyse(tree, state), state);
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      if (strict) {
        throw new IllegalStateException(
            "LeakedProducer failed to analyse '"
                + state.getSourceForNode(tree)
                + "' (strict mode, -XepOpt:"
                + FLAG_STRICT
                + "=true)",
            e);
      }
      // Code we do not understand (or a javac model we did not expect) yields no finding, never a
      // crash.
      if (debugging()) {
        e.printStackTrace();
      }
      return Description.NO_MATCH;
    }
  }

  private Description analyse(MethodInvocationTree tree, VisitorState state) {
    CompilationUnitIndex units = indexFor(state);
    if (ExecutorWorkQueues.isWorkQueueInsertion(tree)) {
      Optional<ExecutorWorkQueues.Finding> finding =
          ExecutorWorkQueues.decide(state.getPath(), units, state);
      if (finding.isEmpty()) {
        debug(
            units.unit,
            tree,
            "a pool's work queue that is unbounded, unknown, or re-tested for shutdown between offers");
        return Description.NO_MATCH;
      }
      Description.Builder description = describe(tree).setMessage(finding.get().message());
      finding.get().fix().ifPresent(description::addFix);
      return description.build();
    }
    VarSymbol queueVariable = units.receiverVariable(tree);
    if (queueVariable == null) {
      debug(
          units.unit,
          tree,
          "the queue is not a variable, field, getter or element of a container of this unit");
      return Description.NO_MATCH;
    }
    QueueAliases queue = QueueAliases.of(queueVariable, units);
    QueueAnalysis analysis = analysisOf(queue, units, state);
    Finding finding = analysis.findings.get(tree);
    if (finding == null) {
      debug(
          units.unit,
          tree,
          analysis.dropped.getOrDefault(
              tree, "not reached from the queue's aliases " + queue.variables));
      return Description.NO_MATCH;
    }
    String message = message(tree, queueVariable, finding, units, state);
    Description.Builder description = describe(tree);
    if (finding.ownFix() != null) {
      // A fix of its own (a worklist made unbounded): the manual text says what it does.
      return description.setMessage(message + finding.manualFix()).addFix(finding.ownFix()).build();
    }
    // Patch mode applies the first fix. A user who put the runtime on the classpath added it for
    // its fix, so that one comes first; otherwise the plain-Java fix does.
    String fixes;
    if (analysis.fanOutFix.isPresent()) {
      fixes = FAN_OUT_FIX_FIRST + (analysis.fix.isPresent() ? PLAIN_FIX_SECOND : "");
      description.addFix(analysis.fanOutFix.get());
      analysis.fix.ifPresent(description::addFix);
      analysis.runtimeFix.ifPresent(description::addFix);
    } else if (analysis.runtimeFix.isPresent()) {
      fixes = analysis.runtimeFixText + (analysis.fix.isPresent() ? PLAIN_FIX_SECOND : "");
      description.addFix(analysis.runtimeFix.get());
      analysis.fix.ifPresent(description::addFix);
    } else if (analysis.fix.isPresent()) {
      fixes =
          analysis.unguardedReentry
              ? FIX_OFFERED + REENTRY_LEFT
              : analysis.reentrant ? REENTRANT_FIX_OFFERED : FIX_OFFERED;
      description.addFix(analysis.fix.get());
    } else if (analysis.reentrant) {
      fixes = REENTRANT_NO_FIX;
    } else {
      fixes = finding.manualFix() != null ? finding.manualFix() : analysis.manualText;
    }
    return description.setMessage(message + fixes).build();
  }

  /** Only for the SARIF log: a unit compiled again replaces its results from earlier runs. */
  @Override
  public Description matchCompilationUnit(CompilationUnitTree tree, VisitorState state) {
    sarif.unitStarted(tree);
    return Description.NO_MATCH;
  }

  /**
   * Decides once per queue which of its insertions leak, and builds one fix that covers all of
   * them.
   */
  private QueueAnalysis analyseQueue(
      QueueAliases queue, CompilationUnitIndex units, VisitorState state) {
    QueueAnalysis analysis = new QueueAnalysis(boundedness.classify(queue, state));
    if (queue.escapes) {
      analysis.dropAll(
          queue,
          units,
          "the queue escapes to code outside this unit, which may consume it: " + queue.variables);
      return analysis;
    }
    List<QueueConsumer> allConsumers = new ArrayList<>();
    List<ProducerDiscovery.Producer> leaking = new ArrayList<>();
    Tree queueOwner = ProducerDiscovery.localOwner(queue, units);
    for (VarSymbol alias : queue.variables) {
      for (TreePath site : units.callsOn(alias)) {
        MethodInvocationTree call = (MethodInvocationTree) site.getLeaf();
        if (!ProducerDiscovery.mayWaitForRoom(site, api, state)) {
          continue;
        }
        ProducerDiscovery.Producer producer =
            ProducerDiscovery.discover(site, units, state, queueOwner);
        if (producer == null) {
          analysis.drop(
              call,
              "an offer whose failure ends the producer, or a retry loop that takes from the queue"
                  + " itself: it cannot block forever");
          continue;
        }
        QueueBoundedness.Verdict verdict = analysis.verdict;
        if (producer.insertion == ProducerDiscovery.Insertion.TRANSFER
            && verdict.kind != QueueBoundedness.Kind.UNKNOWN) {
          verdict =
              new QueueBoundedness.Verdict(
                  QueueBoundedness.Kind.BOUNDED, null, true, verdict.description, verdict.creation);
        }
        if (verdict.kind != QueueBoundedness.Kind.BOUNDED) {
          analysis.drop(
              call,
              "not known to be a bounded handoff: "
                  + verdict.kind
                  + " ("
                  + verdict.description
                  + ")");
          continue;
        }
        List<QueueConsumer> consumers =
            ConsumerDiscovery.discover(
                new QueueContext(queue, producer, units, consumerDeath, state));
        if (consumers.isEmpty()) {
          // The only takers, if any, run on the producer's own thread: a worklist that fills up
          // waits for itself.
          SelfBlockingConsumers.SameThreadTaker self =
              SelfBlockingConsumers.sameThreadTaker(producer, queue, api, units, state);
          if (self == null) {
            self = SelfBlockingConsumers.takerOnThisThread(producer, queue, api, units, state);
            // No fix of the other producers reaches this insertion: patched, the program would
            // still hang here, so the queue gets no fix at all (see the end of this method).
            analysis.fixLeavesAnInsertion |= self != null;
          }
          if (self == null
              || CancellationPaths.capacityCoversEveryElement(queue, verdict, api, units, state)) {
            analysis.drop(
                call,
                "no consumer of this queue is visible in the unit on another thread,"
                    + " and no same-thread taker that fills it");
            continue;
          }
          // The consumer-count rewrite has no other consumer to count; a plain worklist can grow.
          analysis.findings.put(
              call,
              Finding.sameThread(
                  producer,
                  self,
                  verdict,
                  units,
                  self.reentry() == null
                      ? WorklistFixes.unboundedQueue(queue, analysis.verdict, state).orElse(null)
                      : ReentrantGuards.guardFix(sameThreadConsumer(producer), units, state)
                          .orElse(null)));
          continue;
        }
        SelfBlockingConsumers.addReentrantExits(consumers, producer, queue, api, units, state);
        SelfBlockingConsumers.addCascadeExits(
            consumers,
            queue,
            api,
            insertion -> downstreamLeaks(insertion, queue, units, state),
            units,
            state);
        ExternalConsumers.Verdict external =
            ExternalConsumers.judge(consumers, producer, queue, units, state);
        // Callers of an API count as consumers that can stop only when the producer is the
        // owner's own (a prefetcher, a callback); a caller-thread producer is judged by exits.
        if (consumers.stream()
            .anyMatch(
                c ->
                    c.exits.isEmpty()
                        && (external == null
                            || ExternalConsumers.classify(c, queue, units, state) == null))) {
          analysis.drop(
              call, "a consumer never stops taking early (" + consumers.size() + " consumers)");
          continue;
        }
        if (external != null && !external.safe()) {
          if (CancellationPaths.capacityCoversEveryElement(queue, verdict, api, units, state)) {
            analysis.drop(call, "safe: capacity covers every element");
            continue;
          }
          analysis.findings.put(call, Finding.external(producer, external, verdict));
        } else {
          CancellationPaths.Cancellation cancellation =
              CancellationPaths.find(producer, consumers, queue, verdict, api, units, state);
          if (cancellation == null
              && external != null
              && consumers.stream()
                  .allMatch(c -> ExternalConsumers.classify(c, queue, units, state) != null)) {
            cancellation = CancellationPaths.Cancellation.of(CancellationPaths.Kind.LIFECYCLE);
          }
          if (cancellation != null) {
            analysis.drop(call, "safe: " + cancellation.describe());
            continue;
          }
          ConsumerExit exit =
              consumers.stream()
                  .filter(c -> !c.exits.isEmpty())
                  .map(c -> c.exits.stream().min(Comparator.comparingInt(ConsumerExit::line)).get())
                  .min(Comparator.comparingInt(ConsumerExit::line))
                  .get();
          analysis.findings.put(
              call,
              Finding.earlyExit(
                  producer,
                  exit,
                  verdict,
                  CancellationPaths.missing(producer, consumers, queue, units, state)));
        }
        leaking.add(producer);
        for (QueueConsumer consumer : consumers) {
          if (allConsumers.stream().noneMatch(c -> c.root.getLeaf() == consumer.root.getLeaf())) {
            allConsumers.add(consumer);
          }
        }
      }
    }
    if (!leaking.isEmpty() && ReentrantGuards.anyReentrant(allConsumers)) {
      // A consumer that waits for room in its own queue never leaves, so no stop signal reaches
      // it: its thread must not wait there at all. Other exits still need their stop signal.
      Optional<SuggestedFix> guard = ReentrantGuards.guardFix(allConsumers, units, state);
      analysis.reentrant = true;
      if (!ReentrantGuards.onlyReentrant(allConsumers)) {
        Optional<SuggestedFix> stop =
            plainFix(leaking, allConsumers, queue, analysis, units, state);
        if (guard.isEmpty()) {
          // The stop signal still ends the leak on every other way the consumers stop; the
          // message says that the re-entrant insertion is left to be guarded by hand.
          analysis.unguardedReentry = stop.isPresent();
          guard = stop;
        } else {
          guard =
              stop.isPresent()
                  ? Optional.of(SuggestedFix.builder().merge(guard.get()).merge(stop.get()).build())
                  : Optional.empty();
        }
      } else if (guard.isEmpty()) {
        // No guard for the re-entrant insertion: a flag that the owner's lifecycle method sets
        // still releases every producer when the holder closes it, the consumer's own insertion
        // included (a flag set on the consumer's way out would not: it never gets out).
        guard = FieldQueueFixes.flagFix(leaking, allConsumers, queue, true, units, state);
        analysis.unguardedReentry = guard.isPresent();
      }
      analysis.fix = guard;
      debug(
          units.unit,
          leaking.get(0).insertionPath().getLeaf(),
          "reported; re-entrant guard offered: " + guard.isPresent());
    } else if (!leaking.isEmpty()) {
      analysis.fix = plainFix(leaking, allConsumers, queue, analysis, units, state);
      analysis.runtimeFix =
          LeakFixes.cancellableQueueFix(
              leaking, allConsumers, queue, analysis.verdict, units, state);
      if (analysis.runtimeFix.isEmpty() && analysis.fix.isEmpty()) {
        // No variable both sides see: the queue object itself carries the signal.
        Optional<LifecycleCancelledQueue.Plan> cancelled =
            LifecycleCancelledQueue.fix(
                    leaking, allConsumers, queue, analysis.verdict, units, state)
                .or(
                    () ->
                        LifecycleCancelledQueue.streamFix(
                            leaking, allConsumers, queue, analysis.verdict, units, state));
        if (cancelled.isPresent()) {
          analysis.runtimeFix = Optional.of(cancelled.get().fix());
          analysis.runtimeFixText = String.format(LIFECYCLE_CANCEL_FIX, cancelled.get().where());
        }
      }
      analysis.fanOutFix = FanOutRewrite.rewrite(leaking, allConsumers, queue, units, state);
      analysis.fix = applicable(analysis.fix, units, state);
      analysis.runtimeFix = applicable(analysis.runtimeFix, units, state);
      analysis.fanOutFix = applicable(analysis.fanOutFix, units, state);
      if (analysis.fix.isEmpty() && analysis.runtimeFix.isEmpty() && analysis.fanOutFix.isEmpty()) {
        analysis.manualText = ManualFixes.forShape(allConsumers, queue, units, state);
      }
      debug(
          units.unit,
          leaking.get(0).insertionPath().getLeaf(),
          "reported; fix offered: " + analysis.fix.isPresent());
    }
    if (analysis.fixLeavesAnInsertion) {
      analysis.fix = Optional.empty();
      analysis.runtimeFix = Optional.empty();
      analysis.fanOutFix = Optional.empty();
    }
    return analysis;
  }

  /**
   * The producer's own task, seen as the consumer that reaches the insertion: the taker on the
   * producer's thread.
   */
  private static List<QueueConsumer> sameThreadConsumer(ProducerDiscovery.Producer producer) {
    QueueConsumer consumer = new QueueConsumer(producer.root);
    consumer.reentrantInsertions.add(producer.insertionPath());
    return List.of(consumer);
  }

  /** The plain-Java stop signal: the consumers' count for a local queue, else a field's flag. */
  private static Optional<SuggestedFix> plainFix(
      List<ProducerDiscovery.Producer> leaking,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      QueueAnalysis analysis,
      CompilationUnitIndex units,
      VisitorState state) {
    Optional<SuggestedFix> fix =
        LeakFixes.consumerCountFix(leaking, consumers, queue, analysis.verdict, units, state);
    if (fix.isPresent()) {
      return fix;
    }
    // A shutdown marker waits only while its consumer thread lives; the other producers stop on
    // the field's flag.
    Optional<ShutdownPills.Pills> pills = ShutdownPills.find(leaking, consumers, units, state);
    if (pills.isEmpty()) {
      // No variable both sides see: the method that joins the consumers can still stop them.
      return FieldQueueFixes.flagFix(leaking, consumers, queue, units, state)
          .or(() -> ConsumerLiveness.fix(leaking, consumers, units, state))
          .or(() -> JoinedConsumers.interruptFix(leaking, consumers, units, state));
    }
    List<ProducerDiscovery.Producer> others = new ArrayList<>(leaking);
    others.removeAll(pills.get().pills());
    if (others.isEmpty()) {
      return Optional.of(pills.get().fix());
    }
    return FieldQueueFixes.flagFix(others, consumers, queue, units, state)
        .map(flag -> SuggestedFix.builder().merge(pills.get().fix()).merge(flag).build());
  }

  /**
   * A leaking insertion: how its consumers stop (with the line) and what cancellation is missing,
   * as the two halves of the message.
   */
  private record Finding(
      ProducerDiscovery.Producer producer,
      QueueBoundedness.Verdict verdict,
      String consumersStop,
      String missingCancellation,
      @Nullable String manualFix,
      @Nullable SuggestedFix ownFix) {

    static Finding earlyExit(
        ProducerDiscovery.Producer producer,
        ConsumerExit exit,
        QueueBoundedness.Verdict verdict,
        String missingCancellation) {
      return new Finding(
          producer,
          verdict,
          String.format("every consumer can stop taking (line %d: %s)", exit.line(), exit.reason()),
          missingCancellation,
          null,
          null);
    }

    static Finding sameThread(
        ProducerDiscovery.Producer producer,
        SelfBlockingConsumers.SameThreadTaker taker,
        QueueBoundedness.Verdict verdict,
        CompilationUnitIndex units,
        @Nullable SuggestedFix ownFix) {
      int takeLine = AstPaths.line(units.unit, taker.take().getLeaf());
      if (taker.reentry() == null) {
        return new Finding(
            producer,
            verdict,
            String.format("its only taker is this same thread (line %d)", takeLine),
            "it cannot take while it waits to insert, so it deadlocks on itself once the queue is"
                + " full",
            ownFix == null ? WORKLIST_FIX : WORKLIST_FIX_OFFERED,
            ownFix);
      }
      MethodInvocationTree reentry = (MethodInvocationTree) taker.reentry().getLeaf();
      if (reentry == producer.insertionPath().getLeaf()) {
        // The caller's own insertion, outside the loop that takes (an end marker put before it).
        return new Finding(
            producer,
            verdict,
            String.format(
                "its only taker is this same thread (line %d), which does not take while it waits",
                takeLine),
            "once other producers fill the queue nothing takes any more",
            ownFix == null ? REENTRANT_NO_FIX : REENTRANT_FIX_OFFERED,
            ownFix);
      }
      return new Finding(
          producer,
          verdict,
          String.format(
              "the consumer that drains it (line %d) also inserts into it through %s() (line %d)",
              takeLine,
              ASTHelpers.getSymbol(reentry).getSimpleName(),
              AstPaths.line(units.unit, reentry)),
          "once other producers fill the queue that consumer blocks on itself and nothing takes any"
              + " more",
          ownFix == null ? REENTRANT_NO_FIX : REENTRANT_FIX_OFFERED,
          ownFix);
    }

    static Finding external(
        ProducerDiscovery.Producer producer,
        ExternalConsumers.Verdict external,
        QueueBoundedness.Verdict verdict) {
      return new Finding(
          producer,
          verdict,
          String.format(
              "every consumer can stop taking (line %d: %s)",
              external.exit().line(), external.exit().reason()),
          external.missing(),
          null,
          null);
    }
  }

  /**
   * Whether a blocking insertion into another queue of the unit leaks, for consumers that also
   * produce downstream. A queue whose analysis is under way (a cycle of queues) counts as not
   * leaking, so that the answer never depends on a half-done analysis.
   */
  private boolean downstreamLeaks(
      MethodInvocationTree insertion,
      QueueAliases upstream,
      CompilationUnitIndex units,
      VisitorState state) {
    VarSymbol receiver = units.receiverVariable(insertion);
    if (receiver == null || upstream.variables.contains(receiver)) {
      return false;
    }
    QueueAliases downstream = QueueAliases.of(receiver, units);
    if (inProgress.contains(downstream.variables)) {
      return false;
    }
    return analysisOf(downstream, units, state).findings.containsKey(insertion);
  }

  private QueueAnalysis analysisOf(
      QueueAliases queue, CompilationUnitIndex units, VisitorState state) {
    QueueAnalysis analysis = analyses.get(queue.variables);
    if (analysis == null) {
      inProgress.add(queue.variables);
      try {
        analysis = analyseQueue(queue, units, state);
      } finally {
        inProgress.remove(queue.variables);
      }
      analyses.put(queue.variables, analysis);
    }
    return analysis;
  }

  private static final class QueueAnalysis {
    final QueueBoundedness.Verdict verdict;
    final IdentityHashMap<Tree, Finding> findings = new IdentityHashMap<>();
    Optional<SuggestedFix> fix = Optional.empty();
    Optional<SuggestedFix> runtimeFix = Optional.empty();

    /** What the runtime-backed fix does, for the message: the default, or a lifecycle's cancel. */
    String runtimeFixText = RUNTIME_FIX_FIRST;

    /** What to do by hand when no fix is offered, and why none is (see {@link ManualFixes}). */
    String manualText = NO_FIX;

    /** Some consumer reaches an insertion into the queue it drains. */
    boolean reentrant;

    /** The fix stops the producer on the other exits, but cannot guard the re-entrant insertion. */
    boolean unguardedReentry;

    /**
     * An insertion waits for a take only its own thread makes, and no fix of the queue's other
     * producers reaches it: the queue gets no fix.
     */
    boolean fixLeavesAnInsertion;

    /** The DeleteCollection fan-out rewritten to BoundedDeleter (the runtime is present). */
    Optional<SuggestedFix> fanOutFix = Optional.empty();

    /** Why each insertion of the queue that is not reported was dropped, for the debug output. */
    final IdentityHashMap<Tree, String> dropped = new IdentityHashMap<>();

    QueueAnalysis(QueueBoundedness.Verdict verdict) {
      this.verdict = verdict;
    }

    void drop(Tree insertion, String why) {
      dropped.put(insertion, why);
    }

    void dropAll(QueueAliases queue, CompilationUnitIndex units, String why) {
      for (VarSymbol alias : queue.variables) {
        for (TreePath site : units.callsOn(alias)) {
          dropped.put(site.getLeaf(), why);
        }
      }
    }
  }

  /**
   * The fix, unless its edits overlap: Error Prone would fail the whole compilation applying it, so
   * such a fix is dropped (the finding stays, with the manual text).
   */
  private static Optional<SuggestedFix> applicable(
      Optional<SuggestedFix> fix, CompilationUnitIndex units, VisitorState state) {
    if (fix.isEmpty()) {
      return fix;
    }
    try {
      GET_REPLACEMENTS.invoke(fix.get(), endPositions(state.getPath().getCompilationUnit()));
      return fix;
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException overlapping) {
        debug(units.unit, state.getPath().getLeaf(), "fix dropped: " + overlapping.getMessage());
        return Optional.empty();
      }
      throw new IllegalStateException("checking the fix's edits failed", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("SuggestedFix.getReplacements could not be called", e);
    }
  }

  /**
   * {@code SuggestedFix.getReplacements}, looked up by name: Error Prone 2.42 takes javac's {@code
   * EndPosTable}, 2.52 its own {@code ErrorProneEndPosTable}, so a direct call compiled against one
   * fails with {@code NoSuchMethodError} on the other (this project supports both).
   */
  private static final Method GET_REPLACEMENTS = getReplacementsMethod();

  private static Method getReplacementsMethod() {
    for (Method method : SuggestedFix.class.getMethods()) {
      if (method.getName().equals("getReplacements") && method.getParameterCount() == 1) {
        return method;
      }
    }
    throw new LinkageError("Error Prone's SuggestedFix has no getReplacements(end positions)");
  }

  /** The end-position table {@link #GET_REPLACEMENTS} takes, in this Error Prone's type. */
  private static Object endPositions(CompilationUnitTree unit) throws ReflectiveOperationException {
    Class<?> wanted = GET_REPLACEMENTS.getParameterTypes()[0];
    EndPosTable javacTable = ((JCTree.JCCompilationUnit) unit).endPositions;
    if (wanted.isInstance(javacTable)) {
      return javacTable;
    }
    return wanted.getMethod("create", CompilationUnitTree.class).invoke(null, unit);
  }

  /** One line per dropped insertion, as {@code file:line:column: why}, so a miss can be traced. */
  private static void debug(CompilationUnitTree unit, Tree at, String why) {
    if (debugging()) {
      long position = ((JCTree) at).getStartPosition();
      System.err.println(
          "[LeakedProducer debug] "
              + unit.getSourceFile().getName()
              + ":"
              + unit.getLineMap().getLineNumber(position)
              + ":"
              + unit.getLineMap().getColumnNumber(position)
              + ": "
              + why);
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

  static final String FIX_OFFERED =
      " Stop the producer when the consumers exit, as the suggested fix does.";
  static final String RUNTIME_FIX_FIRST =
      " The suggested fix swaps the queue for io.leakedproducer.runtime.CancellableBoundedQueue,"
          + " whose put() fails fast once every consumer has left.";
  static final String LIFECYCLE_CANCEL_FIX =
      " No field is seen by both the producer and the code that ends the consumers, so the"
          + " suggested fix puts the stop signal on the queue itself: it swaps the queue for"
          + " io.leakedproducer.runtime.CancellableBoundedQueue and cancels it %s; a producer"
          + " waiting for room then leaves at once.";

  static final String FAN_OUT_FIX_FIRST =
      " The suggested fix rewrites the fan-out to io.leakedproducer.runtime.BoundedDeleter:"
          + " the same number of workers, the first error reported as before, and nothing left"
          + " running when the call returns.";
  static final String PLAIN_FIX_SECOND =
      " A second fix does the same in plain Java: the consumers count themselves out and the"
          + " producer stops when none is left.";
  static final String WORKLIST_FIX_OFFERED =
      " The suggested fix makes the queue unbounded: a worklist that only its own thread drains"
          + " must hold everything one step adds.";
  static final String WORKLIST_FIX =
      " No automatic fix for this shape: a worklist that only its own thread drains needs an"
          + " unbounded queue (an ArrayDeque), or offer() with a decision for a full queue.";
  static final String REENTRANT_FIX_OFFERED =
      " The suggested fix lets the consumer's own thread offer without waiting (dropping the"
          + " element when the queue is full) instead of waiting for room that only it can make.";
  static final String REENTRY_LEFT =
      " The consumer's own insertion into the queue is not guarded by it: test"
          + " Thread.currentThread() against the consumer's thread there, and never wait for room"
          + " on that thread.";
  static final String REENTRANT_NO_FIX =
      " No automatic fix for this shape: the consumer's own thread inserts into the queue it"
          + " drains, and either its thread is not held in a field that the inserting method can"
          + " read, or that method returns a value, so a guard could not tell which thread is"
          + " calling. By hand: in the method that inserts, test Thread.currentThread() against"
          + " the consumer's thread and never wait for room on that thread (offer() and drop, or"
          + " hand the element to the consumer directly).";
  static final String NO_FIX = ManualFixes.GENERAL;

  private static String message(
      MethodInvocationTree tree,
      VarSymbol queue,
      Finding finding,
      CompilationUnitIndex units,
      VisitorState state) {
    ProducerDiscovery.Producer producer = finding.producer();
    QueueBoundedness.Verdict verdict = finding.verdict();
    String call = ASTHelpers.getSymbol(tree).getSimpleName().toString();
    String blocking =
        producer.insertion == ProducerDiscovery.Insertion.TIMED_OFFER_RETRY
            ? "a retry loop around " + call + "() that never checks for cancellation"
            : call + "()";
    return String.format(
        "%s can block forever in %s on '%s' (%s): %s and %s.",
        producerThread(producer, units, state),
        blocking,
        queue.getSimpleName(),
        verdict.synchronous ? "a synchronous handoff: " + verdict.description : verdict.description,
        finding.consumersStop(),
        finding.missingCancellation());
  }

  /**
   * Which thread runs the insertion: "the calling thread" only for a method's caller; a task that
   * is handed to something the analysis does not model (a helper, a library's callback) is named by
   * where it is handed over.
   */
  private static String producerThread(
      ProducerDiscovery.Producer producer, CompilationUnitIndex units, VisitorState state) {
    if (producer.spawn.kind != TaskSpawns.Kind.CALLER) {
      return spawnedThread(producer.spawn, units);
    }
    Tree root = producer.root.getLeaf();
    if (root instanceof com.sun.source.tree.MethodTree method) {
      MethodSymbol callback = ASTHelpers.getSymbol(method);
      if (callback != null && Callbacks.isCalledFromElsewhere(callback, units, state)) {
        // An observer's onNext(), a listener's method: it runs on whichever thread the library
        // (or the code that holds it as its interface) calls it from, not on a caller of the unit.
        return String.format("the thread that calls %s()", callback.getSimpleName());
      }
      TreePath registration = callback == null ? null : Callbacks.registration(callback, units);
      if (registration != null) {
        // client.registerListener(this::onEvent): the client calls it, on a thread of its own.
        MethodInvocationTree registering = (MethodInvocationTree) registration.getLeaf();
        return String.format(
            "the thread that runs %s() passed to %s() (line %d)",
            callback.getSimpleName(),
            ASTHelpers.getSymbol(registering).getSimpleName(),
            AstPaths.line(units.unit, registering));
      }
      return "the calling thread";
    }
    TreePath task =
        root instanceof com.sun.source.tree.ClassTree
                && producer.root.getParentPath().getLeaf()
                    instanceof com.sun.source.tree.NewClassTree
            ? producer.root.getParentPath()
            : producer.root;
    TreePath parent = AstPaths.parentSkippingParens(task);
    String what =
        root instanceof com.sun.source.tree.LambdaExpressionTree ? "the lambda" : "the task";
    if (parent != null && parent.getLeaf() instanceof MethodInvocationTree handedTo) {
      return String.format(
          "the thread that runs %s passed to %s() (line %d)",
          what,
          ASTHelpers.getSymbol(handedTo).getSimpleName(),
          AstPaths.line(units.unit, handedTo));
    }
    return String.format(
        "the thread that runs %s at line %d", what, AstPaths.line(units.unit, task.getLeaf()));
  }

  /**
   * The thread of a spawned producer, named by where it was started: the thread's variable, or the
   * executor call that took the task.
   */
  private static String spawnedThread(TaskSpawns.Spawn spawn, CompilationUnitIndex units) {
    if (spawn.call == null) {
      return "the producer's thread";
    }
    int line = AstPaths.line(units.unit, spawn.call.getLeaf());
    String via =
        spawn.call.getLeaf() instanceof MethodInvocationTree call
            ? ASTHelpers.getSymbol(call).getSimpleName() + "()"
            : null;
    if (spawn.kind == TaskSpawns.Kind.THREAD) {
      String how = spawn.call.getLeaf() instanceof NewClassTree ? "created" : "started";
      if (spawn.handle != null && !spawn.handleIsCollection) {
        return String.format(
            "the thread '%s' (%s at line %d)", spawn.handle.getSimpleName(), how, line);
      }
      return via == null
          ? String.format("the thread created at line %d", line)
          : String.format("the thread started by %s at line %d", via, line);
    }
    return via == null
        ? String.format("the thread that runs the task at line %d", line)
        : String.format("the executor thread that runs the task passed to %s (line %d)", via, line);
  }
}
