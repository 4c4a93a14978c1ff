package io.leakedproducer.checker;

import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a producer inserts until it is stopped: its loop has no end of its own, only a
 * stop flag or the thread's interrupt status ({@code while (running)}, {@code while (true)}, {@code
 * while (!Thread.currentThread().isInterrupted())}). Such a producer always has another element to
 * insert, so a consumer that takes a fixed number of elements and stops leaves it behind, although
 * its element count is unknown. A loop over data ({@code while (it.hasNext())}, a local the loop
 * updates, a {@code break} when the input ends) may end by itself: its count stays unknown.
 */
final class EndlessProducers {
  private EndlessProducers() {}

  static boolean insertsUntilStopped(
      ProducerDiscovery.Producer producer, CompilationUnitIndex index) {
    for (TreePath site : producer.chain) {
      Tree root = AstPaths.taskRoot(site).getLeaf();
      TreePath loop = AstPaths.enclosingLoop(site, root);
      if (loop != null
          && producer.retryLoop != null
          && loop.getLeaf() == producer.retryLoop.getLeaf()) {
        // The retry loop of a timed offer repeats one element: the loop around it inserts.
        loop = AstPaths.enclosingLoop(loop, root);
      }
      if (loop != null) {
        return endsOnlyWhenStopped(loop, index);
      }
    }
    return false;
  }

  /**
   * The loop's condition reads only stop flags (fields the loop itself never writes) or the
   * interrupt status, and its body never leaves it except by an interrupt.
   */
  private static boolean endsOnlyWhenStopped(TreePath loop, CompilationUnitIndex index) {
    if (loop.getLeaf() instanceof EnhancedForLoopTree) {
      return false;
    }
    Tree body = AstPaths.loopBody(loop.getLeaf());
    ExpressionTree condition = AstPaths.loopCondition(loop.getLeaf());
    return (condition == null || onlyReadsStopState(condition, body, index)) && !leaves(body);
  }

  private static boolean onlyReadsStopState(
      ExpressionTree condition, Tree body, CompilationUnitIndex index) {
    ExpressionTree c = Trees.skipParensAndCasts(condition);
    if (c instanceof LiteralTree literal) {
      return Boolean.TRUE.equals(literal.getValue());
    }
    return !AstPaths.anyMatch(
        c,
        t -> {
          if (t instanceof MethodInvocationTree call) {
            if (ConcurrencyApiModel.isInterruptStatusQuery(ASTHelpers.getSymbol(call))
                || ConcurrencyApiModel.isCurrentThread(call)) {
              return false;
            }
            // running.get(), stopped.isSet(): a query of a stop flag held in a field.
            VarSymbol receiver = AstPaths.receiverVariable(call);
            return !call.getArguments().isEmpty() || !isUnwrittenField(receiver, body, index);
          }
          VarSymbol v = t instanceof ExpressionTree e ? AstPaths.variable(e) : null;
          return v != null && !isUnwrittenField(v, body, index);
        });
  }

  /** A field that the loop's body does not write: a flag only another method changes. */
  private static boolean isUnwrittenField(
      @Nullable VarSymbol v, Tree body, CompilationUnitIndex index) {
    if (v == null || !v.getKind().isField()) {
      return false;
    }
    for (TreePath write : index.writesOf(v)) {
      if (AstPaths.isWithin(write, body)) {
        return false;
      }
    }
    for (TreePath mutation : index.mutations.getOrDefault(v, java.util.List.of())) {
      if (AstPaths.isWithin(mutation, body)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A {@code break}, {@code return} or {@code throw} in the body outside a {@code catch}: the loop
   * may end by itself (the input is over). A {@code catch} is where an interrupt leaves.
   */
  private static boolean leaves(Tree body) {
    boolean[] found = {false};
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitBreak(BreakTree tree, Void unused) {
        found[0] = true;
        return null;
      }

      @Override
      public Void visitReturn(ReturnTree tree, Void unused) {
        found[0] = true;
        return null;
      }

      @Override
      public Void visitThrow(ThrowTree tree, Void unused) {
        found[0] = true;
        return null;
      }

      @Override
      public Void visitCatch(CatchTree tree, Void unused) {
        return null;
      }

      @Override
      public Void visitLambdaExpression(LambdaExpressionTree tree, Void unused) {
        return null;
      }

      @Override
      public Void visitClass(ClassTree tree, Void unused) {
        return null;
      }
    }.scan(body, null);
    return found[0];
  }
}
