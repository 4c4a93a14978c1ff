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
import com.sun.tools.javac.code.Type;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether anything stops a producer once its consumers are gone: an interrupt that reaches
 * it and that it honours, a stop signal checked between timed offers, consumers that drain until
 * the producer is done, or a capacity that holds every element.
 */
final class CancellationPaths {
  private static final Set<String> SIGNAL_MUTATORS =
      Set.of(
          "set",
          "lazySet",
          "setRelease",
          "setPlain",
          "setOpaque",
          "compareAndSet",
          "weakCompareAndSet",
          "getAndSet",
          "countDown",
          "complete",
          "completeExceptionally",
          "cancel",
          "close",
          "arrive",
          "arriveAndDeregister",
          "arriveAndAwaitAdvance",
          "forceTermination",
          "incrementAndGet",
          "decrementAndGet",
          "getAndIncrement",
          "getAndDecrement",
          "addAndGet",
          "getAndAdd",
          "release",
          "signal",
          "signalAll",
          "interrupt",
          "shutdown",
          "shutdownNow",
          "obtrudeValue",
          "add",
          "put",
          "offer");

  private static final Set<String> SELF_CHANGING_TYPES =
      Set.of(
          "java.util.concurrent.Future",
          "java.lang.Thread",
          "java.util.concurrent.ExecutorService");

  private CancellationPaths() {}

  /**
   * Names the cancellation path that makes the producer safe, or returns null when there is none.
   */
  @Nullable
  static String find(
      ProducerDiscovery.Producer producer,
      QueueAliases queue,
      QueueBoundedness.Verdict verdict,
      ConcurrencyApiModel api,
      CompilationUnitIndex index,
      VisitorState state) {
    if (capacityCoversEveryElement(queue, verdict, api, index, state)) {
      return "capacity covers every element";
    }
    boolean interrupted = interruptReachesProducer(producer, index, state);
    if (interrupted && !producer.swallowsInterrupt) {
      return "the producer is interrupted";
    }
    if (producer.insertion == ProducerDiscovery.Insertion.TIMED_OFFER_RETRY) {
      for (VarSymbol signal : producer.stopSignals) {
        if (!queue.variables.contains(signal) && isSetSomewhere(signal, index, state)) {
          return "the producer checks '" + signal.getSimpleName() + "' between timed offers";
        }
      }
    }
    for (VarSymbol alias : queue.variables) {
      for (TreePath call : index.callsOn(alias)) {
        if (ASTHelpers.getSymbol((MethodInvocationTree) call.getLeaf())
                .getSimpleName()
                .contentEquals("cancel")
            && !AstPaths.isWithin(call, producer.root.getLeaf())) {
          return "the queue is cancelled"; // CancellableBoundedQueue.cancel() wakes and fails the
          // producer
        }
      }
    }
    if (consumersDrainUntilDone(producer, queue, index)) {
      return "consumers drain until the producer is done";
    }
    return null;
  }

  static boolean isSignalMutator(TreePath call) {
    return call.getLeaf() instanceof MethodInvocationTree invocation
        && SIGNAL_MUTATORS.contains(ASTHelpers.getSymbol(invocation).getSimpleName().toString());
  }

  /**
   * Something outside the producer's own retry test changes the signal (or it changes by itself).
   */
  private static boolean isSetSomewhere(
      VarSymbol signal, CompilationUnitIndex index, VisitorState state) {
    for (String typeName : SELF_CHANGING_TYPES) {
      Type type = state.getTypeFromString(typeName);
      if (type != null && ASTHelpers.isSubtype(signal.type, type, state)) {
        return true;
      }
    }
    if (!index.writesOf(signal).isEmpty()
        || !index.mutations.getOrDefault(signal, List.of()).isEmpty()) {
      return true;
    }
    for (TreePath call : index.callsOn(signal)) {
      if (isSignalMutator(call)) {
        return true;
      }
    }
    return false;
  }

  private static boolean interruptReachesProducer(
      ProducerDiscovery.Producer producer, CompilationUnitIndex index, VisitorState state) {
    TaskSpawns.Spawn spawn = producer.spawn;
    if (spawn.kind == TaskSpawns.Kind.INVOKE_ALL_TIMED) {
      return true;
    }
    Set<VarSymbol> handles = HandleAliases.of(spawn, index);
    for (TreePath path : index.calls) {
      MethodInvocationTree call = (MethodInvocationTree) path.getLeaf();
      if (AstPaths.isWithin(path, producer.root.getLeaf())) {
        continue; // a producer cannot rescue itself
      }
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
          if (ConcurrencyApiModel.isShutdownNow(call, state)
              && (spawn.executorOpaque || (receiver != null && receiver.equals(spawn.executor)))) {
            return true;
          }
          break;
        case THREAD:
          if (ConcurrencyApiModel.isInterruptOfOtherThread(call, state)
              && receiver != null
              && (handles.contains(receiver)
                  || (spawn.handle == null && isThreadElement(receiver, index)))) {
            return true;
          }
          break;
        default:
          break;
      }
    }
    return false;
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
    TreePath decl = index.declarations.get(element);
    if (decl == null || decl.getParentPath() == null) {
      return false;
    }
    ExpressionTree collection = null;
    Tree parent = decl.getParentPath().getLeaf();
    if (parent instanceof EnhancedForLoopTree enhancedForLoopTree) {
      collection = enhancedForLoopTree.getExpression();
    } else if (parent instanceof com.sun.source.tree.LambdaExpressionTree) {
      TreePath call = AstPaths.parentSkippingParens(decl.getParentPath());
      if (call != null && call.getLeaf() instanceof MethodInvocationTree invocation) {
        collection = ASTHelpers.getReceiver(invocation);
      }
    }
    VarSymbol tasks = AstPaths.variable(collection);
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
   * (the producer's future, a done flag): the producer is never left without a taker.
   */
  private static boolean consumersDrainUntilDone(
      ProducerDiscovery.Producer producer, QueueAliases queue, CompilationUnitIndex index) {
    for (VarSymbol alias : queue.variables) {
      for (TreePath call : index.callsOn(alias)) {
        if (AstPaths.isWithin(call, producer.root.getLeaf()) || !AstPaths.isInExitPath(call)) {
          continue;
        }
        String name =
            ASTHelpers.getSymbol((MethodInvocationTree) call.getLeaf()).getSimpleName().toString();
        if (name.equals("clear")
            || name.equals("put")
            || name.startsWith("offer")
            || name.equals("add")) {
          continue;
        }
        TreePath loop = AstPaths.enclosingLoop(call, AstPaths.taskRoot(call).getLeaf());
        if (loop != null && conditionConsultsSomethingElse(loop.getLeaf(), queue)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean conditionConsultsSomethingElse(Tree loop, QueueAliases queue) {
    ExpressionTree condition = AstPaths.loopCondition(loop);
    if (condition == null) {
      return false;
    }
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
    ElementCount inserted = ElementCount.of(0);
    for (VarSymbol alias : queue.variables) {
      for (TreePath call : index.callsOn(alias)) {
        if (!api.mayInsert((MethodInvocationTree) call.getLeaf(), state)) {
          continue;
        }
        List<TreePath> chain = ProducerDiscovery.callChain(call, index, state);
        ElementCount count = ProducerDiscovery.countOf(chain, state);
        if (count == null || !AstPaths.isWithin(chain.get(chain.size() - 1), creatingMethod)) {
          return false;
        }
        inserted = inserted.plus(count);
      }
    }
    return capacity.covers(inserted);
  }
}
