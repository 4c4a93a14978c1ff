package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a loop around a take only waits for something to arrive: it goes round while the
 * take brought nothing (a {@code drainTo} that moved no element, a timed {@code poll} that timed
 * out) and leaves as soon as it has something, to hand it on once ({@code while (running &&
 * queue.drainTo(batch, max) == 0) sleep(10); return batch;}). Such a loop is one take, not a take
 * loop: whether its consumer keeps taking is decided where the result goes, in a loop of its caller
 * or by the caller of a {@code poll()} API.
 */
final class ElementWaitLoops {
  private ElementWaitLoops() {}

  /**
   * {@code loop} encloses {@code take} (whose element is stored in {@code taken}, if anywhere) and
   * only waits for it to bring something: its condition goes round on "nothing taken" and reads the
   * queue's state no other way, or its body returns what it took; the body does nothing else with
   * the element.
   */
  static boolean onlyWaitsForAnElement(
      TreePath loop, TreePath take, @Nullable VarSymbol taken, VisitorState state) {
    Tree leaf = loop.getLeaf();
    if (!(leaf instanceof WhileLoopTree
        || leaf instanceof DoWhileLoopTree
        || leaf instanceof ForLoopTree)) {
      return false;
    }
    Tree body = AstPaths.loopBody(leaf);
    ExpressionTree condition = AstPaths.loopCondition(leaf);
    if (returnsWhatItTook(body, take, taken)) {
      return true;
    }
    if (condition == null) {
      return false;
    }
    List<ExpressionTree> conjuncts = new ArrayList<>();
    conjunctsOf(condition, conjuncts);
    int nothingTakenTests = 0;
    for (ExpressionTree conjunct : conjuncts) {
      if (testsNothingTaken(conjunct, take.getLeaf(), taken)) {
        nothingTakenTests++;
      } else if (AstPaths.contains(conjunct, take.getLeaf())
          || (taken != null && mentions(conjunct, taken))) {
        return false; // the element decides something else: a take loop with a test
      }
    }
    if (nothingTakenTests != 1) {
      return false;
    }
    // The body only waits (a sleep, a retry of the take): it does not handle the element.
    return taken == null || !usesOtherThanStoring(body, take.getLeaf(), taken);
  }

  /** {@code a && b && c}: its operands, flattened. */
  private static void conjunctsOf(ExpressionTree condition, List<ExpressionTree> into) {
    ExpressionTree c = Trees.skipParensAndCasts(condition);
    if (c.getKind() == Tree.Kind.CONDITIONAL_AND) {
      conjunctsOf(((BinaryTree) c).getLeftOperand(), into);
      conjunctsOf(((BinaryTree) c).getRightOperand(), into);
    } else {
      into.add(c);
    }
  }

  /**
   * {@code queue.drainTo(batch) == 0}, {@code (e = queue.poll(t, unit)) == null}, {@code e ==
   * null}, {@code batch.isEmpty()}: true while the take brought nothing.
   */
  private static boolean testsNothingTaken(
      ExpressionTree test, Tree take, @Nullable VarSymbol taken) {
    ExpressionTree t = Trees.skipParensAndCasts(test);
    if (t instanceof MethodInvocationTree call
        && ConcurrencyApiModel.isEmptinessTest(ASTHelpers.getSymbol(call))) {
      ExpressionTree receiver = ASTHelpers.getReceiver(call);
      return receiver != null && isTaken(receiver, take, taken);
    }
    if (!(t instanceof BinaryTree b)) {
      return false;
    }
    ExpressionTree left = Trees.skipParensAndCasts(b.getLeftOperand());
    ExpressionTree right = Trees.skipParensAndCasts(b.getRightOperand());
    if (t.getKind() == Tree.Kind.EQUAL_TO || t.getKind() == Tree.Kind.LESS_THAN_EQUAL) {
      return (isTaken(left, take, taken) && isNothing(right))
          || (t.getKind() == Tree.Kind.EQUAL_TO && isTaken(right, take, taken) && isNothing(left));
    }
    return false;
  }

  /** {@code null}, or the count {@code 0}. */
  private static boolean isNothing(ExpressionTree e) {
    return e.getKind() == Tree.Kind.NULL_LITERAL
        || (e instanceof LiteralTree literal && Integer.valueOf(0).equals(literal.getValue()));
  }

  /** The take itself, an assignment of it, or the variable it stores into. */
  private static boolean isTaken(ExpressionTree e, Tree take, @Nullable VarSymbol taken) {
    ExpressionTree x = Trees.skipParensAndCasts(e);
    if (x == take) {
      return true;
    }
    if (x instanceof AssignmentTree assignment
        && Trees.skipParensAndCasts(assignment.getExpression()) == take) {
      return true;
    }
    return taken != null && taken.equals(AstPaths.variable(x));
  }

  /**
   * The body returns the take's result ({@code return queue.take();} retried on interruption), or
   * the variable that holds it, and uses that variable for nothing else than storing it, testing it
   * for nothing and returning it ({@code e = queue.poll(t, unit); if (e != null) return e;}).
   */
  private static boolean returnsWhatItTook(Tree body, TreePath take, @Nullable VarSymbol taken) {
    boolean returned =
        AstPaths.anyMatch(
            body,
            t ->
                t instanceof ReturnTree r
                    && r.getExpression() != null
                    && (Trees.skipParensAndCasts(r.getExpression()) == take.getLeaf()
                        || (taken != null && taken.equals(AstPaths.variable(r.getExpression())))));
    if (!returned || taken == null) {
      return returned;
    }
    return !AstPaths.anyMatch(
        body,
        t -> {
          if (!(t instanceof ExpressionTree e) || !taken.equals(AstPaths.variable(e))) {
            return false;
          }
          return !isStoreOfTake(body, t, take.getLeaf())
              && !isReturned(body, t)
              && !inNothingTakenTest(body, t, take.getLeaf(), taken);
        });
  }

  private static boolean isReturned(Tree body, Tree use) {
    return AstPaths.anyMatch(
        body,
        t ->
            t instanceof ReturnTree r
                && r.getExpression() != null
                && Trees.skipParensAndCasts(r.getExpression()) == use);
  }

  /** {@code use} sits in {@code e == null}, {@code e != null} or {@code batch.isEmpty()}. */
  private static boolean inNothingTakenTest(Tree body, Tree use, Tree take, VarSymbol taken) {
    return AstPaths.anyMatch(
        body,
        t -> {
          if (!(t instanceof ExpressionTree e) || !AstPaths.contains(t, use) || t == use) {
            return false;
          }
          ExpressionTree x = Trees.skipParensAndCasts(e);
          if (x.getKind() == Tree.Kind.NOT_EQUAL_TO && x instanceof BinaryTree b) {
            return (isTaken(b.getLeftOperand(), take, taken)
                    && isNothing(Trees.skipParensAndCasts(b.getRightOperand())))
                || (isTaken(b.getRightOperand(), take, taken)
                    && isNothing(Trees.skipParensAndCasts(b.getLeftOperand())));
          }
          return testsNothingTaken(x, take, taken);
        });
  }

  /**
   * The body reads {@code taken} other than where the take stores into it ({@code e =
   * queue.poll(..)}, {@code queue.drainTo(batch)}).
   */
  private static boolean usesOtherThanStoring(Tree body, Tree take, VarSymbol taken) {
    return AstPaths.anyMatch(
        body,
        t -> {
          if (!(t instanceof ExpressionTree e) || !taken.equals(AstPaths.variable(e))) {
            return false;
          }
          return !isStoreOfTake(body, t, take);
        });
  }

  /** {@code use} is the variable assigned the take, or the take's own argument. */
  private static boolean isStoreOfTake(Tree body, Tree use, Tree take) {
    if (AstPaths.contains(take, use)) {
      return true; // queue.drainTo(batch): the take fills it
    }
    return AstPaths.anyMatch(
        body,
        t ->
            t instanceof AssignmentTree assignment
                && assignment.getVariable() == use
                && Trees.skipParensAndCasts(assignment.getExpression()) == take);
  }

  private static boolean mentions(Tree tree, VarSymbol v) {
    return AstPaths.anyMatch(
        tree, t -> t instanceof ExpressionTree e && v.equals(AstPaths.variable(e)));
  }
}
