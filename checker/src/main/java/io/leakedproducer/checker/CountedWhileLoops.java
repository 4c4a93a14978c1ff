package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.CompoundAssignmentTree;
import com.sun.source.tree.ContinueTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import javax.lang.model.element.ElementKind;
import org.jspecify.annotations.Nullable;

/**
 * Decides the trip count of a {@code while} loop that is a {@code for} loop in disguise: {@code int
 * n = 0; while (n < bound) { ...; n++; }}, where the body's one unconditional increment is the only
 * write to {@code n} after its declaration. A consumer that takes once per trip of such a loop
 * stops after {@code bound} elements, exactly like a counted {@code for} loop.
 */
final class CountedWhileLoops {
  private CountedWhileLoops() {}

  /** The loop's trip count, or null when it is not such a loop. */
  @Nullable
  static ElementCount tripCount(TreePath loopPath, VisitorState state) {
    if (!(loopPath.getLeaf() instanceof WhileLoopTree loop)
        || !(ASTHelpers.stripParentheses(loop.getCondition()) instanceof BinaryTree condition)
        || (condition.getKind() != Tree.Kind.LESS_THAN
            && condition.getKind() != Tree.Kind.LESS_THAN_EQUAL)
        || !(ASTHelpers.getSymbol(condition.getLeftOperand()) instanceof VarSymbol counter)
        || counter.getKind() != ElementKind.LOCAL_VARIABLE
        || !(loop.getStatement() instanceof BlockTree body)) {
      return null;
    }
    // A continue could skip the increment, and then the loop runs longer than its bound.
    if (AstPaths.anyMatch(body, t -> t instanceof ContinueTree)) {
      return null;
    }
    int increments = 0;
    for (StatementTree statement : body.getStatements()) {
      if (isIncrementOf(statement, counter)) {
        increments++;
      }
    }
    Tree method = enclosingMethod(loopPath);
    if (increments != 1 || method == null || writesTo(method, counter) != 1) {
      return null;
    }
    if (!startsAtZero(method, counter)) {
      return null;
    }
    ElementCount bound = ElementCount.valueOf(condition.getRightOperand(), state);
    if (bound == null) {
      return null;
    }
    return condition.getKind() == Tree.Kind.LESS_THAN ? bound : bound.plus(ElementCount.ONE);
  }

  private static boolean isIncrementOf(StatementTree statement, VarSymbol counter) {
    if (!(statement instanceof ExpressionStatementTree expression)
        || !(expression.getExpression() instanceof UnaryTree unary)) {
      return false;
    }
    return (unary.getKind() == Tree.Kind.POSTFIX_INCREMENT
            || unary.getKind() == Tree.Kind.PREFIX_INCREMENT)
        && counter.equals(ASTHelpers.getSymbol(unary.getExpression()));
  }

  /** Assignments, compound assignments, increments and decrements of {@code counter}. */
  private static int writesTo(Tree method, VarSymbol counter) {
    int[] writes = {0};
    AstPaths.anyMatch(
        method,
        t -> {
          ExpressionTree target = null;
          if (t instanceof AssignmentTree assignment) {
            target = assignment.getVariable();
          } else if (t instanceof CompoundAssignmentTree compound) {
            target = compound.getVariable();
          } else if (t instanceof UnaryTree unary
              && (unary.getKind() == Tree.Kind.POSTFIX_INCREMENT
                  || unary.getKind() == Tree.Kind.PREFIX_INCREMENT
                  || unary.getKind() == Tree.Kind.POSTFIX_DECREMENT
                  || unary.getKind() == Tree.Kind.PREFIX_DECREMENT)) {
            target = unary.getExpression();
          }
          if (target != null && counter.equals(ASTHelpers.getSymbol(target))) {
            writes[0]++;
          }
          return false;
        });
    return writes[0];
  }

  private static boolean startsAtZero(Tree method, VarSymbol counter) {
    return AstPaths.anyMatch(
        method,
        t -> {
          if (!(t instanceof VariableTree declaration)) {
            return false;
          }
          Symbol declared = ASTHelpers.getSymbol(declaration);
          if (!counter.equals(declared) || declaration.getInitializer() == null) {
            return false;
          }
          Integer start = ASTHelpers.constValue(declaration.getInitializer(), Integer.class);
          return start != null && start == 0;
        });
  }

  @Nullable
  private static Tree enclosingMethod(TreePath path) {
    for (TreePath p = path; p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof MethodTree || p.getLeaf() instanceof LambdaExpressionTree) {
        return p.getLeaf();
      }
    }
    return null;
  }
}
