package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether anything stops a producer once its consumers are gone: an interrupt that reaches
 * it and that it honours, a stop signal checked between timed offers, consumers that drain until
 * the producer is done, or a capacity that holds every element.
 */
final class CancellationPaths {
  private CancellationPaths() {}

  /** What stops the producer once its consumers are gone. */
  enum Kind {
    CAPACITY("capacity covers every element"),
    INTERRUPT("the producer is interrupted"),
    STOP_SIGNAL("the producer checks a stop signal between timed offers"),
    QUEUE_CANCELLED("the queue is cancelled"),
    FLAG_THEN_CLEAR("every consumer sets a flag the producer tests, then clears the queue"),
    DRAINED("consumers drain until the producer is done"),
    LIFECYCLE("every lifecycle method of what the callers hold stops the producer");

    final String description;

    Kind(String description) {
      this.description = description;
    }
  }

  /**
   * The cancellation path that makes a producer safe.
   *
   * @param kind what stops the producer
   * @param signal for {@link Kind#STOP_SIGNAL}, the variable it checks; null otherwise
   */
  record Cancellation(Kind kind, @Nullable VarSymbol signal) {
    static Cancellation of(Kind kind) {
      return new Cancellation(kind, null);
    }

    /** In words, for the debug output. */
    String describe() {
      return signal == null
          ? kind.description
          : "the producer checks '" + signal.getSimpleName() + "' between timed offers";
    }
  }

  /** The cancellation path that makes the producer safe, or null when there is none. */
  @Nullable
  static Cancellation find(
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      QueueBoundedness.Verdict verdict,
      ConcurrencyApiModel api,
      CompilationUnitIndex index,
      VisitorState state) {
    if (capacityCoversEveryElement(queue, verdict, api, index, state)) {
      return Cancellation.of(Kind.CAPACITY);
    }
    boolean interrupted = interruptReachesProducer(producer, consumers, queue, index, state);
    if (interrupted && !producer.swallowsInterrupt) {
      return Cancellation.of(Kind.INTERRUPT);
    }
    if (producer.insertion == ProducerDiscovery.Insertion.TIMED_OFFER_RETRY) {
      for (VarSymbol signal : producer.stopSignals) {
        // The signal must be set on the consumers' exit path, not only on success or only by the
        // producer itself; a signal that changes by itself (a timer, a future) needs no setter.
        if (!queue.variables.contains(signal)
            && (ConcurrencyApiModel.changesByItself(signal.type, state)
                || changesEachRetry(signal, producer, index)
                || SignalExitPaths.setOnEveryExit(signal, consumers, producer, index, state))) {
          return new Cancellation(Kind.STOP_SIGNAL, signal);
        }
      }
    }
    if (FlagThenClear.releasesProducer(producer, consumers, queue, index, state)) {
      return Cancellation.of(Kind.FLAG_THEN_CLEAR);
    }
    for (VarSymbol alias : queue.variables) {
      for (TreePath call : index.callsOn(alias)) {
        // CancellableBoundedQueue.cancel() wakes and fails the producer.
        if (ConcurrencyApiModel.isQueueCancel(
                ASTHelpers.getSymbol((MethodInvocationTree) call.getLeaf()))
            && !AstPaths.isWithin(call, producer.root.getLeaf())) {
          return Cancellation.of(Kind.QUEUE_CANCELLED);
        }
      }
    }
    if (consumersDrainUntilDone(producer, consumers, queue, index, state)) {
      return Cancellation.of(Kind.DRAINED);
    }
    return null;
  }

  static boolean isSignalMutator(TreePath call) {
    return call.getLeaf() instanceof MethodInvocationTree invocation
        && ConcurrencyApiModel.isSignalMutator(ASTHelpers.getSymbol(invocation));
  }

  /**
   * The retry loop changes the signal itself ({@code ++attempts == 3}): a bounded retry that gives
   * up on its own, so it cannot wait forever.
   */
  private static boolean changesEachRetry(
      VarSymbol signal, ProducerDiscovery.Producer producer, CompilationUnitIndex index) {
    if (producer.retryLoop == null) {
      return false;
    }
    Tree loop = producer.retryLoop.getLeaf();
    for (TreePath change : index.mutations.getOrDefault(signal, List.of())) {
      if (AstPaths.isWithin(change, loop)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Some call interrupts the producer's thread, and it runs on the way every consumer stops ({@link
   * InterruptExitPaths}): an interrupt that comes only on the success path, or only after waiting
   * for the stuck producer, never comes.
   */
  private static boolean interruptReachesProducer(
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    if (producer.spawn.kind == TaskSpawns.Kind.INVOKE_ALL_TIMED) {
      return true;
    }
    for (TreePath path : interruptsOf(producer, index, state)) {
      if (InterruptExitPaths.runsWhenConsumersStop(
          path, producer, consumers, queue, index, state)) {
        return true;
      }
    }
    return false;
  }

  /** The calls outside the producer that interrupt its thread, wherever they run. */
  private static List<TreePath> interruptsOf(
      ProducerDiscovery.Producer producer, CompilationUnitIndex index, VisitorState state) {
    TaskSpawns.Spawn spawn = producer.spawn;
    Set<VarSymbol> handles = new LinkedHashSet<>(HandleAliases.of(spawn, index));
    handles.addAll(HandleAliases.recordedThread(producer.chain, index, state));
    List<TreePath> found = new ArrayList<>();
    for (TreePath path : index.calls) {
      if (AstPaths.isWithin(path, producer.root.getLeaf())) {
        continue; // a producer cannot rescue itself
      }
      if (interrupts((MethodInvocationTree) path.getLeaf(), spawn, handles, index, state)) {
        found.add(path);
      }
    }
    return found;
  }

  /**
   * The second half of a finding's message: what would cancel the producer and is missing. When the
   * program has an interrupt or a checked stop signal that does not count, it says which and why,
   * so that the reader is not told that nothing exists while looking at it.
   */
  static String missing(
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    // Name the interrupt that runs on the consumers' way out when there is one: that is the line
    // the user must look at (the producer ignores it), not an earlier one that never runs then.
    List<TreePath> interrupts = interruptsOf(producer, index, state);
    for (TreePath path : interrupts) {
      if (InterruptExitPaths.runsWhenConsumersStop(
          path, producer, consumers, queue, index, state)) {
        // It runs, so the producer must be the one that ignores it.
        return String.format(
            "the %s at line %d reaches it, but it catches the InterruptedException and goes on"
                + " inserting",
            interruptName(path), AstPaths.line(index.unit, path.getLeaf()));
      }
    }
    if (!interrupts.isEmpty()) {
      TreePath first = interrupts.get(0);
      return String.format(
          "the %s at line %d does not run once every consumer has stopped, and nothing else"
              + " cancels the producer",
          interruptName(first), AstPaths.line(index.unit, first.getLeaf()));
    }
    boolean timed =
        ConcurrencyApiModel.isTimedOffer(
            (ExpressionTree) producer.insertionPath().getLeaf(), state);
    if (producer.insertion == ProducerDiscovery.Insertion.TIMED_OFFER_RETRY
        && !producer.stopSignals.isEmpty()) {
      VarSymbol signal = producer.stopSignals.iterator().next();
      return String.format(
          "'%s' is checked between %s, but it is not set on every way the consumers stop",
          signal.getSimpleName(), timed ? "timed offers" : "offers");
    }
    return "nothing cancels the producer (no Future.cancel(true), shutdownNow() or"
        + " Thread.interrupt() reaches it, and no stop signal is checked between "
        + (producer.insertion != ProducerDiscovery.Insertion.TIMED_OFFER_RETRY || timed
            ? "timed offers)"
            : "offers)");
  }

  private static String interruptName(TreePath interrupt) {
    return ASTHelpers.getSymbol((MethodInvocationTree) interrupt.getLeaf()).getSimpleName() + "()";
  }

  /** The call interrupts the thread of the task started by {@code spawn}. */
  private static boolean interrupts(
      MethodInvocationTree call,
      TaskSpawns.Spawn spawn,
      Set<VarSymbol> handles,
      CompilationUnitIndex index,
      VisitorState state) {
    VarSymbol receiver = AstPaths.receiverVariable(call);
    switch (spawn.kind) {
      case FUTURE:
        if (ConcurrencyApiModel.isInterruptingCancel(call, state)
            && receiver != null
            && (handles.contains(receiver)
                || isElementOfHandleCollection(receiver, spawn, index))) {
          return true;
        }
      // fall through: shutdownNow() interrupts submitted tasks too
      case EXECUTE:
      case INVOKE_ALL:
      case COMPLETABLE_FUTURE:
        return ConcurrencyApiModel.isShutdownNow(call, state)
            && (spawn.executorOpaque || (receiver != null && receiver.equals(spawn.executor)));
      case CALLER:
        // The caller's thread, recorded by the producer's own code and interrupted by another.
        return ConcurrencyApiModel.isInterruptOfOtherThread(call, state)
            && receiver != null
            && handles.contains(receiver);
      case THREAD:
        return ConcurrencyApiModel.isInterruptOfOtherThread(call, state)
            && receiver != null
            && (handles.contains(receiver)
                || (spawn.handle == null && isThreadElement(receiver, index)));
      default:
        return false;
    }
  }

  /**
   * {@code for (Future<?> f : tasks) f.cancel(true)} or {@code tasks.forEach(f -> f.cancel(true))},
   * where {@code tasks} holds the producer's future.
   */
  private static boolean isElementOfHandleCollection(
      VarSymbol element, TaskSpawns.Spawn spawn, CompilationUnitIndex index) {
    if (spawn.handle == null) {
      return false;
    }
    VarSymbol tasks = HandleAliases.collectionOf(element, index);
    if (tasks == null) {
      return false;
    }
    if (spawn.handleIsCollection) {
      return tasks.equals(spawn.handle);
    }
    for (TreePath add : index.callsOn(tasks)) {
      for (ExpressionTree arg : ((MethodInvocationTree) add.getLeaf()).getArguments()) {
        if (spawn.handle.equals(AstPaths.variable(arg))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A thread taken from a collection (for (Thread t : threads) t.interrupt()): we cannot tell
   * which.
   */
  private static boolean isThreadElement(VarSymbol receiver, CompilationUnitIndex index) {
    TreePath decl = index.declarations.get(receiver);
    return decl != null
        && decl.getParentPath() != null
        && decl.getParentPath().getLeaf() instanceof EnhancedForLoopTree;
  }

  /**
   * A loop in a finally or catch that keeps taking until something other than the queue says stop
   * (the producer's future, a done flag): the producer is never left without a taker. For consumers
   * that are the callers of the unit's methods (a pull API such as {@code advance()}), the same
   * loop in the owner's lifecycle method counts too: that is where such callers stop (Beam's
   * KafkaIO reader: close() polls until the poll thread's executor has terminated).
   */
  private static boolean consumersDrainUntilDone(
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    for (VarSymbol alias : queue.variables) {
      for (TreePath call : index.callsOn(alias)) {
        if (AstPaths.isWithin(call, producer.root.getLeaf())
            || !(AstPaths.isInExitPath(call)
                || inLifecycleOfCallerConsumers(call, producer, consumers, queue, index, state))) {
          continue;
        }
        if (ConcurrencyApiModel.isInsertionOrClear(
            ASTHelpers.getSymbol((MethodInvocationTree) call.getLeaf()))) {
          continue;
        }
        TreePath loop = AstPaths.enclosingLoop(call, AstPaths.taskRoot(call).getLeaf());
        if (loop != null
            && (conditionConsultsSomethingElse(loop.getLeaf(), queue)
                || breaksOnSomethingElse(loop.getLeaf(), queue))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The call is in a lifecycle method that runs once the consumers stopped, and every consumer runs
   * in a method the unit's callers call (not a task of its own, which could die without anybody
   * calling the lifecycle method).
   */
  private static boolean inLifecycleOfCallerConsumers(
      TreePath call,
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    if (consumers.isEmpty()
        || !(AstPaths.taskRoot(call).getLeaf() instanceof com.sun.source.tree.MethodTree tree)) {
      return false;
    }
    com.sun.tools.javac.code.Symbol.MethodSymbol method = ASTHelpers.getSymbol(tree);
    if (method == null || !ConcurrencyApiModel.isLifecycleMethod(method)) {
      return false;
    }
    for (QueueConsumer consumer : consumers) {
      if (!(consumer.root.getLeaf() instanceof com.sun.source.tree.MethodTree root)
          || ConcurrencyApiModel.isTaskMethod(ASTHelpers.getSymbol(root), state)
          || !index
              .memberReferences
              .getOrDefault(ASTHelpers.getSymbol(root), List.of())
              .isEmpty()) {
        return false;
      }
    }
    return InterruptExitPaths.lifecycleRuns(method, producer, consumers, queue, index, state);
  }

  /**
   * {@code while (true) { q.poll(); if (pool.awaitTermination(..)) break; }}: the loop ends on a
   * test of something other than the queue.
   */
  private static boolean breaksOnSomethingElse(Tree loop, QueueAliases queue) {
    return AstPaths.anyMatch(
        AstPaths.loopBody(loop),
        t ->
            t instanceof com.sun.source.tree.IfTree ifTree
                && AstPaths.anyMatch(
                    ifTree.getThenStatement(), u -> u instanceof com.sun.source.tree.BreakTree)
                && consultsSomethingElse(ifTree.getCondition(), loop, queue));
  }

  private static boolean conditionConsultsSomethingElse(Tree loop, QueueAliases queue) {
    ExpressionTree condition = AstPaths.loopCondition(loop);
    return condition != null && consultsSomethingElse(condition, loop, queue);
  }

  private static boolean consultsSomethingElse(Tree condition, Tree loop, QueueAliases queue) {
    return AstPaths.anyMatch(
        condition,
        t -> {
          if (t instanceof MethodInvocationTree methodInvocationTree) {
            VarSymbol receiver = AstPaths.receiverVariable(methodInvocationTree);
            return receiver != null && !queue.variables.contains(receiver);
          }
          if (t instanceof ExpressionTree expressionTree) {
            VarSymbol v = AstPaths.variable(expressionTree);
            return v != null
                && !queue.variables.contains(v)
                && !(v.getKind() == javax.lang.model.element.ElementKind.LOCAL_VARIABLE
                    && isDeclaredIn(v, loop));
          }
          return false;
        });
  }

  private static boolean isDeclaredIn(VarSymbol v, Tree loop) {
    return AstPaths.anyMatch(
        loop, t -> t instanceof VariableTree && v.equals(ASTHelpers.getSymbol(t)));
  }

  /**
   * The queue can hold every element ever inserted: each insertion site's trip count appears among
   * the capacity's summands (for example capacity {@code items.size()} and one loop over {@code
   * items}), and the constant parts fit.
   */
  static boolean capacityCoversEveryElement(
      QueueAliases queue,
      QueueBoundedness.Verdict verdict,
      ConcurrencyApiModel api,
      CompilationUnitIndex index,
      VisitorState state) {
    if (verdict.capacity == null) {
      return false;
    }
    // Counting elements only means something for a queue made per call: a field queue is fed by
    // however many calls there are.
    TreePath creation =
        verdict.creation == null ? null : queue.creationSite(verdict.creation, index);
    if (creation == null
        // Made in a method but kept in a field (a map of per-key queues): fed by every call.
        || queue.variables.stream().anyMatch(v -> v.getKind().isField())
        || !(AstPaths.taskRoot(creation).getLeaf() instanceof com.sun.source.tree.MethodTree
            || AstPaths.taskRoot(creation).getLeaf()
                instanceof com.sun.source.tree.LambdaExpressionTree)) {
      return false;
    }
    Tree creatingMethod = AstPaths.taskRoot(creation).getLeaf();
    ElementCount capacity = ElementCount.valueOf(verdict.capacity, state);
    if (capacity == null) {
      return false;
    }
    List<List<TreePath>> chains = new ArrayList<>();
    List<ElementCount> counts = new ArrayList<>();
    for (VarSymbol alias : queue.variables) {
      for (TreePath call : index.callsOn(alias)) {
        if (!api.mayInsert((MethodInvocationTree) call.getLeaf(), state)) {
          continue;
        }
        List<TreePath> chain = ProducerDiscovery.callChain(call, index, state);
        ElementCount count = ProducerDiscovery.totalCountOf(chain, creatingMethod, index, state);
        if (count == null || !AstPaths.isWithin(chain.get(chain.size() - 1), creatingMethod)) {
          return false;
        }
        chains.add(chain);
        counts.add(count);
      }
    }
    // The queue must hold what any one pass inserts: sites in opposite branches never add up.
    return ExclusiveBranches.pathTotals(chains, counts).stream().allMatch(capacity::covers);
  }
}
