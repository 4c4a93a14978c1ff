package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Decides which variables hold the producer's own {@code Thread} or {@code Future}: the one it was
 * stored in when it was started, and every local, field or parameter of the unit that value is
 * passed on to. A canceller or a liveness test usually sees the handle under another name (a {@code
 * fetcher} parameter, a {@code worker} field), so matching only the first variable misses real
 * cancellation paths.
 */
final class HandleAliases {
  private HandleAliases() {}

  /** The variables that hold the producer's handle; empty when it was never stored. */
  static Set<VarSymbol> of(TaskSpawns.Spawn spawn, CompilationUnitIndex index) {
    if (spawn.handle == null || spawn.handleIsCollection) {
      return spawn.handle == null ? Set.of() : Set.of(spawn.handle);
    }
    // The same value-flow as for queues: initialisers, assignments, arguments to the unit's
    // methods and constructors.
    return QueueAliases.of(spawn.handle, index).variables;
  }

  /**
   * The variables that hold the thread the producer runs on because the producer's own code
   * recorded it ({@code this.thread = Thread.currentThread()} in a method on the producer's call
   * chain), followed like any handle: a run loop on the caller's thread that registers itself with
   * a task manager is interrupted through that field, a wrapper object and a parameter.
   *
   * @param producerChain the insertion and the call sites that reach it, innermost first
   */
  static Set<VarSymbol> recordedThread(
      List<TreePath> producerChain, CompilationUnitIndex index, VisitorState state) {
    Set<VarSymbol> recorded = new LinkedHashSet<>();
    Set<com.sun.source.tree.Tree> methods = new LinkedHashSet<>();
    Deque<TreePath> work = new ArrayDeque<>();
    for (TreePath site : producerChain) {
      work.add(AstPaths.taskRoot(site));
    }
    // The producer's callers run on its thread too, also those that call it through a method it
    // overrides (a run loop calling work(), which pushes into the queue).
    while (!work.isEmpty() && methods.size() < 16) {
      TreePath root = work.poll();
      if (!methods.add(root.getLeaf())
          || !(ASTHelpers.getSymbol(root.getLeaf()) instanceof MethodSymbol method)) {
        continue;
      }
      Set<MethodSymbol> callees =
          new LinkedHashSet<>(ASTHelpers.findSuperMethods(method, state.getTypes()));
      callees.add(method);
      for (MethodSymbol callee : callees) {
        for (TreePath caller : index.callSitesOf(callee)) {
          work.add(AstPaths.taskRoot(caller));
        }
      }
    }
    for (com.sun.source.tree.Tree method : methods) {
      com.sun.source.tree.Tree body =
          method instanceof LambdaExpressionTree lambda ? lambda.getBody() : method;
      if (body instanceof ClassTree) {
        continue;
      }
      new TreeScanner<Void, Void>() {
        @Override
        public Void visitAssignment(AssignmentTree tree, Void unused) {
          if (isCurrentThread(tree.getExpression())) {
            VarSymbol target = AstPaths.variable(tree.getVariable());
            if (target != null) {
              recorded.add(target);
            }
          }
          return super.visitAssignment(tree, null);
        }

        @Override
        public Void visitVariable(VariableTree tree, Void unused) {
          Symbol sym = ASTHelpers.getSymbol(tree);
          if (isCurrentThread(tree.getInitializer()) && sym instanceof VarSymbol variable) {
            recorded.add(variable);
          }
          return super.visitVariable(tree, null);
        }

        @Override
        public Void visitLambdaExpression(LambdaExpressionTree tree, Void unused) {
          return null; // runs later or on another thread
        }

        @Override
        public Void visitClass(ClassTree tree, Void unused) {
          return null; // the same
        }
      }.scan(body, null);
    }
    Set<VarSymbol> handles = new LinkedHashSet<>();
    for (VarSymbol thread : recorded) {
      handles.addAll(QueueAliases.of(thread, index).variables);
    }
    return handles;
  }

  private static boolean isCurrentThread(@Nullable ExpressionTree value) {
    return value != null
        && Trees.skipParensAndCasts(value) instanceof MethodInvocationTree call
        && ConcurrencyApiModel.isCurrentThread(call);
  }

  /**
   * The collection {@code element} is taken from: {@code tasks} in {@code for (Future<?> f :
   * tasks)} or {@code tasks.forEach(f -> ...)}; null otherwise.
   */
  @Nullable
  static VarSymbol collectionOf(VarSymbol element, CompilationUnitIndex index) {
    TreePath decl = index.declarations.get(element);
    if (decl == null || decl.getParentPath() == null) {
      return null;
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
    return AstPaths.variable(collection);
  }
}
