package io.leakedproducer.checker;

import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Finds a call that code runs on its own thread, directly or through methods declared in the unit:
 * what a take loop's processing or a lifecycle method reaches. Lambdas and classes nested in the
 * code are skipped unless they run inline (a {@code forEach} step), since they may run elsewhere.
 */
final class ReachableCalls {
  /** How deep to follow calls into methods of the unit. */
  private static final int MAX_DEPTH = 4;

  /**
   * A call that satisfies the target, and the call in the scanned region that leads to it (the same
   * call when it is in the region itself).
   */
  record Reach(TreePath via, TreePath target) {}

  private ReachableCalls() {}

  /** The first call reachable from {@code region} that {@code target} accepts, or null. */
  @Nullable
  static Reach find(TreePath region, Predicate<TreePath> target, CompilationUnitIndex index) {
    return find(region, target, index, 0, new HashSet<>());
  }

  @Nullable
  private static Reach find(
      TreePath region,
      Predicate<TreePath> target,
      CompilationUnitIndex index,
      int depth,
      Set<MethodSymbol> visited) {
    Reach[] found = {null};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void scan(Tree tree, Void unused) {
        return found[0] != null ? null : super.scan(tree, null);
      }

      @Override
      public Void visitLambdaExpression(LambdaExpressionTree tree, Void unused) {
        return AstPaths.isTaskRoot(tree) ? null : super.visitLambdaExpression(tree, null);
      }

      @Override
      public Void visitClass(ClassTree tree, Void unused) {
        return null;
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree tree, Void unused) {
        TreePath call = getCurrentPath();
        if (target.test(call)) {
          found[0] = new Reach(call, call);
          return null;
        }
        Symbol callee = ASTHelpers.getSymbol(tree);
        TreePath declaration =
            callee instanceof MethodSymbol methodSymbol ? index.methods.get(methodSymbol) : null;
        if (declaration != null
            && depth < MAX_DEPTH
            && visited.add((MethodSymbol) callee)
            && ((MethodTree) declaration.getLeaf()).getBody() != null) {
          Reach inner =
              find(
                  new TreePath(declaration, ((MethodTree) declaration.getLeaf()).getBody()),
                  target,
                  index,
                  depth + 1,
                  visited);
          if (inner != null) {
            found[0] = new Reach(call, inner.target());
            return null;
          }
        }
        return super.visitMethodInvocation(tree, null);
      }
    }.scan(region, null);
    return found[0];
  }
}
