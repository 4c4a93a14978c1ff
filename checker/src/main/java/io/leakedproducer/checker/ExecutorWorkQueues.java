package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.fixes.SuggestedFix;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.lang.model.element.ElementKind;
import org.jspecify.annotations.Nullable;

/**
 * Decides blocking insertions into a thread pool's <em>own</em> work queue ({@code
 * pool.getQueue().put(task)}, typically in a {@code RejectedExecutionHandler} that "blocks the
 * caller instead of rejecting"). The queue's only consumers are the pool's workers, and they stop
 * taking once the pool shuts down: from then on the submitting thread waits forever. An {@code
 * isShutdown()} test before the {@code put} is check-then-act (the pool can shut down right after
 * it); a timed-offer loop that re-tests the pool's state each round and rejects is safe.
 */
final class ExecutorWorkQueues {

  /** A blocking insertion into a pool's work queue that can wait forever. */
  record Finding(String message, Optional<SuggestedFix> fix) {}

  private ExecutorWorkQueues() {}

  /**
   * True when the insertion's receiver is {@code pool.getQueue()}: decided here, not by the queue
   * analysis.
   */
  static boolean isWorkQueueInsertion(MethodInvocationTree insertion) {
    return workQueueCall(insertion) != null;
  }

  /**
   * Decides one insertion whose receiver is {@code pool.getQueue()}; empty when it cannot block
   * forever.
   */
  static Optional<Finding> decide(
      TreePath insertionPath, CompilationUnitIndex index, VisitorState state) {
    MethodInvocationTree insertion = (MethodInvocationTree) insertionPath.getLeaf();
    MethodInvocationTree getQueue = workQueueCall(insertion);
    ExpressionTree pool = getQueue == null ? null : ASTHelpers.getReceiver(getQueue);
    if (pool == null) {
      return Optional.empty();
    }
    Where where = where(pool, index, state);
    if (where == Where.UNKNOWN || where == Where.UNBOUNDED_POOL) {
      return Optional.empty();
    }
    boolean timedOffer = ConcurrencyApiModel.isTimedOffer(insertion, state);
    if (timedOffer) {
      ProducerDiscovery.Producer producer = ProducerDiscovery.discover(insertionPath, index, state);
      if (producer == null
          || producer.retryLoop == null
          || retestsPoolState(producer.retryLoop.getLeaf())
          || producer.checksInterruptStatus) {
        return Optional.empty();
      }
    }
    String call = ASTHelpers.getSymbol(insertion).getSimpleName().toString();
    String poolText = state.getSourceForNode(pool);
    String who = where == Where.REJECTION_HANDLER ? "the submitting thread" : "the calling thread";
    String message =
        String.format(
            "%s can block forever in %s on '%s.getQueue()', the pool's own work queue: only the pool's workers"
                + " take from it and they stop once the pool shuts down, so an isShutdown() test before the"
                + " insertion is check-then-act.",
            who, timedOffer ? "a retry loop around " + call + "()" : call + "()", poolText);
    Optional<SuggestedFix> fix =
        timedOffer ? Optional.empty() : timedOfferFix(insertionPath, pool, state);
    return Optional.of(
        new Finding(
            message
                + (fix.isPresent()
                    ? " The suggested fix offers with a timeout and rejects the task once the pool is shut down."
                    : " Offer with a timeout and re-test isShutdown() each round, rejecting the task once it is."),
            fix));
  }

  private enum Where {
    /**
     * {@code executor} is the pool parameter of {@code rejectedExecution}: the pool is saturated.
     */
    REJECTION_HANDLER,
    /** A pool created in this unit on a bounded queue. */
    BOUNDED_POOL,
    /** A pool created in this unit on an unbounded queue: {@code put} never waits. */
    UNBOUNDED_POOL,
    UNKNOWN
  }

  private static Where where(ExpressionTree pool, CompilationUnitIndex index, VisitorState state) {
    VarSymbol variable = index.variable(pool);
    if (variable == null) {
      return Where.UNKNOWN;
    }
    if (variable.getKind() == ElementKind.PARAMETER
        && variable.owner instanceof MethodSymbol method
        && ConcurrencyApiModel.isRejectionHandlerMethod(method, state)) {
      return Where.REJECTION_HANDLER;
    }
    TreePath declaration = index.declarations.get(variable);
    if (variable.getKind() == ElementKind.PARAMETER
        && declaration != null
        && declaration.getParentPath() != null
        && declaration.getParentPath().getLeaf() instanceof LambdaExpressionTree lambda
        && ConcurrencyApiModel.isRejectionHandlerLambdaPool(lambda, variable)) {
      return Where.REJECTION_HANDLER;
    }
    List<ExpressionTree> creations = new ArrayList<>();
    if (declaration != null
        && declaration.getLeaf() instanceof VariableTree decl
        && decl.getInitializer() != null) {
      creations.add(Trees.skipParensAndCasts(decl.getInitializer()));
    }
    for (TreePath write : index.writesOf(variable)) {
      creations.add(
          Trees.skipParensAndCasts(
              ((com.sun.source.tree.AssignmentTree) write.getLeaf()).getExpression()));
    }
    Where result = Where.UNKNOWN;
    for (ExpressionTree creation : creations) {
      Where one = poolCreation(creation, index, state);
      if (one != Where.BOUNDED_POOL) {
        return one;
      }
      result = one;
    }
    return result;
  }

  /**
   * {@code new ThreadPoolExecutor(core, max, keepAlive, unit, workQueue, ...)}: judged by its work
   * queue.
   */
  private static Where poolCreation(
      ExpressionTree creation, CompilationUnitIndex index, VisitorState state) {
    if (!(creation instanceof NewClassTree newPool)
        || !ConcurrencyApiModel.isThreadPoolConstruction(newPool, state)) {
      return Where.UNKNOWN;
    }
    int position = ConcurrencyApiModel.WORK_QUEUE_CONSTRUCTOR_ARGUMENT;
    if (newPool.getArguments().size() <= position) {
      return Where.UNKNOWN;
    }
    ExpressionTree workQueue = Trees.skipParensAndCasts(newPool.getArguments().get(position));
    VarSymbol queueVariable = index.variable(workQueue);
    QueueBoundedness.Kind kind;
    QueueBoundedness boundedness =
        new QueueBoundedness(com.google.common.collect.ImmutableList.of(), false);
    if (queueVariable != null) {
      kind = boundedness.classify(QueueAliases.of(queueVariable, index), state).kind;
    } else {
      kind = boundedness.classifyCreation(workQueue, state).kind;
    }
    return switch (kind) {
      case BOUNDED -> Where.BOUNDED_POOL;
      case UNBOUNDED -> Where.UNBOUNDED_POOL;
      case UNKNOWN -> Where.UNKNOWN;
    };
  }

  /** The retry loop consults the pool's state ({@code isShutdown()} and kin) each round. */
  private static boolean retestsPoolState(Tree loop) {
    return AstPaths.anyMatch(
        loop,
        t -> t instanceof MethodInvocationTree call && ConcurrencyApiModel.isPoolStateQuery(call));
  }

  /**
   * {@code pool.getQueue().put(task);} becomes a timed offer that rejects once the pool is shut
   * down, as {@code ThreadPoolExecutor} itself would have.
   */
  private static Optional<SuggestedFix> timedOfferFix(
      TreePath insertionPath, ExpressionTree pool, VisitorState state) {
    TreePath parent = insertionPath.getParentPath();
    MethodInvocationTree insertion = (MethodInvocationTree) insertionPath.getLeaf();
    if (parent == null
        || !(parent.getLeaf() instanceof ExpressionStatementTree statement)
        || insertion.getArguments().size() != 1) {
      return Optional.empty();
    }
    String poolText = state.getSourceForNode(pool);
    String task = state.getSourceForNode(insertion.getArguments().get(0));
    String replacement =
        "while (!"
            + poolText
            + ".getQueue().offer("
            + task
            + ", 100, TimeUnit.MILLISECONDS)) {\n"
            + "  if ("
            + poolText
            + ".isShutdown()) {\n"
            + "    throw new RejectedExecutionException(\"pool shut down while waiting for queue space\");\n"
            + "  }\n"
            + "}";
    return Optional.of(
        SuggestedFix.builder()
            .replace(statement, replacement)
            .addImport("java.util.concurrent.TimeUnit")
            .addImport("java.util.concurrent.RejectedExecutionException")
            .build());
  }

  @Nullable
  private static MethodInvocationTree workQueueCall(MethodInvocationTree insertion) {
    ExpressionTree receiver = ASTHelpers.getReceiver(insertion);
    if (receiver == null) {
      return null;
    }
    ExpressionTree r = Trees.skipParensAndCasts(receiver);
    return r instanceof MethodInvocationTree call && ConcurrencyApiModel.isWorkQueueAccessor(call)
        ? call
        : null;
  }
}
