package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.CompoundAssignmentTree;
import com.sun.source.tree.ContinueTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.List;
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
  static ElementCount tripCount(TreePath loopPath, CompilationUnitIndex index, VisitorState state) {
    return loopPath.getLeaf() instanceof WhileLoopTree loop
            && ASTHelpers.stripParentheses(loop.getCondition()) instanceof BinaryTree condition
        ? tripCount(loop, condition, index, state)
        : null;
  }

  /**
   * The most trips the loop can make: its trip count, or for {@code while (n < bound && more)} the
   * count of its first test, which ends the loop after {@code bound} trips if nothing else ends it
   * sooner (a reader that shows the first ten rows). Null when it is not such a loop.
   */
  @Nullable
  static ElementCount tripsAtMost(
      TreePath loopPath, CompilationUnitIndex index, VisitorState state) {
    if (!(loopPath.getLeaf() instanceof WhileLoopTree loop)) {
      return null;
    }
    ExpressionTree condition = ASTHelpers.stripParentheses(loop.getCondition());
    while (condition.getKind() == Tree.Kind.CONDITIONAL_AND) {
      condition = ASTHelpers.stripParentheses(((BinaryTree) condition).getLeftOperand());
    }
    return condition instanceof BinaryTree first ? tripCount(loop, first, index, state) : null;
  }

  @Nullable
  private static ElementCount tripCount(
      WhileLoopTree loop, BinaryTree condition, CompilationUnitIndex index, VisitorState state) {
    if (!(ASTHelpers.getSymbol(condition.getLeftOperand()) instanceof VarSymbol counter)
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
    if (increments != 1 || writesTo(counter, index) != 1 || !startsAtZero(counter, index)) {
      return null;
    }
    return ElementCount.tripsWhileBelow(condition, state);
  }

  private static boolean isIncrementOf(StatementTree statement, VarSymbol counter) {
    return statement instanceof ExpressionStatementTree expression
        && expression.getExpression() instanceof UnaryTree unary
        && (unary.getKind() == Tree.Kind.POSTFIX_INCREMENT
            || unary.getKind() == Tree.Kind.PREFIX_INCREMENT)
        && counter.equals(ASTHelpers.getSymbol(unary.getExpression()));
  }

  /**
   * Assignments, compound assignments, increments and decrements of {@code counter}, from the
   * unit's index (a local is written only in its own method).
   */
  private static int writesTo(VarSymbol counter, CompilationUnitIndex index) {
    int writes = index.writesOf(counter).size();
    for (TreePath mutation : index.mutations.getOrDefault(counter, List.of())) {
      // The index files every unary operator on the variable here, -n and !b included.
      if (mutation.getLeaf() instanceof CompoundAssignmentTree
          || (mutation.getLeaf() instanceof UnaryTree unary && isIncrementOrDecrement(unary))) {
        writes++;
      }
    }
    return writes;
  }

  private static boolean isIncrementOrDecrement(UnaryTree unary) {
    return switch (unary.getKind()) {
      case POSTFIX_INCREMENT, PREFIX_INCREMENT, POSTFIX_DECREMENT, PREFIX_DECREMENT -> true;
      default -> false;
    };
  }

  private static boolean startsAtZero(VarSymbol counter, CompilationUnitIndex index) {
    TreePath declaration = index.declarations.get(counter);
    if (declaration == null
        || !(declaration.getLeaf() instanceof VariableTree variable)
        || variable.getInitializer() == null) {
      return false;
    }
    Integer start = ASTHelpers.constValue(variable.getInitializer(), Integer.class);
    return start != null && start == 0;
  }
}
