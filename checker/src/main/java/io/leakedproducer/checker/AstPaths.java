package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.ArrayAccessTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.code.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/** Small, allocation-light helpers over trees and paths that the analysis parts share. */
final class AstPaths {
  private AstPaths() {}

  static boolean isLoop(Tree tree) {
    return tree instanceof WhileLoopTree
        || tree instanceof DoWhileLoopTree
        || tree instanceof ForLoopTree
        || tree instanceof EnhancedForLoopTree;
  }

  /**
   * A task root is the unit of code that one thread runs: a method, a class initialiser, or a
   * lambda that can be handed to another thread. A lambda typed as a {@code java.util.function}
   * interface other than {@code Supplier} (the argument of {@code forEach}, a stream step, {@code
   * computeIfAbsent}) runs inline on its caller's thread, so it is part of the enclosing task.
   */
  static boolean isTaskRoot(Tree tree) {
    if (tree instanceof LambdaExpressionTree) {
      com.sun.tools.javac.code.Type type = ASTHelpers.getType(tree);
      if (type == null || type.tsym == null) {
        return true;
      }
      return !ConcurrencyApiModel.runsInline(type.tsym.getQualifiedName());
    }
    return tree instanceof MethodTree || tree instanceof ClassTree;
  }

  /**
   * The innermost enclosing lambda, method or class of {@code path}'s leaf (never the leaf itself).
   */
  static TreePath taskRoot(TreePath path) {
    for (TreePath p = path.getParentPath(); p != null; p = p.getParentPath()) {
      if (isTaskRoot(p.getLeaf())) {
        return p;
      }
    }
    return path;
  }

  /** The innermost loop between the leaf and {@code root} (exclusive), or null. */
  @Nullable
  static TreePath enclosingLoop(TreePath path, Tree root) {
    for (TreePath p = path.getParentPath();
        p != null && p.getLeaf() != root;
        p = p.getParentPath()) {
      if (isTaskRoot(p.getLeaf())) {
        return null;
      }
      if (isLoop(p.getLeaf())) {
        return p;
      }
    }
    return null;
  }

  static boolean contains(Tree outer, Tree inner) {
    if (outer == inner) {
      return true;
    }
    Boolean found =
        new TreeScanner<Boolean, Void>() {
          @Override
          public Boolean scan(Tree tree, Void unused) {
            if (tree == inner) {
              return true;
            }
            return Boolean.TRUE.equals(super.scan(tree, null));
          }

          @Override
          public Boolean reduce(Boolean a, Boolean b) {
            return Boolean.TRUE.equals(a) || Boolean.TRUE.equals(b);
          }
        }.scan(outer, null);
    return Boolean.TRUE.equals(found);
  }

  /** True if {@code path} passes through {@code ancestor}. */
  static boolean isWithin(TreePath path, Tree ancestor) {
    for (TreePath p = path; p != null; p = p.getParentPath()) {
      if (p.getLeaf() == ancestor) {
        return true;
      }
    }
    return false;
  }

  static boolean anyMatch(Tree tree, Predicate<Tree> predicate) {
    if (tree == null) {
      return false;
    }
    Boolean found =
        new TreeScanner<Boolean, Void>() {
          @Override
          public Boolean scan(Tree t, Void unused) {
            if (t != null && predicate.test(t)) {
              return true;
            }
            return Boolean.TRUE.equals(super.scan(t, null));
          }

          @Override
          public Boolean reduce(Boolean a, Boolean b) {
            return Boolean.TRUE.equals(a) || Boolean.TRUE.equals(b);
          }
        }.scan(tree, null);
    return Boolean.TRUE.equals(found);
  }

  /** The condition of a while, do-while or for loop (null for for(;;) and for-each). */
  @Nullable
  static ExpressionTree loopCondition(Tree loop) {
    if (loop instanceof WhileLoopTree whileLoopTree) {
      return whileLoopTree.getCondition();
    }
    if (loop instanceof DoWhileLoopTree doWhileLoopTree) {
      return doWhileLoopTree.getCondition();
    }
    if (loop instanceof ForLoopTree forLoopTree) {
      return forLoopTree.getCondition();
    }
    return null;
  }

  /** The body of any loop. */
  static StatementTree loopBody(Tree loop) {
    if (loop instanceof WhileLoopTree whileLoopTree) {
      return whileLoopTree.getStatement();
    }
    if (loop instanceof DoWhileLoopTree doWhileLoopTree) {
      return doWhileLoopTree.getStatement();
    }
    if (loop instanceof ForLoopTree forLoopTree) {
      return forLoopTree.getStatement();
    }
    return ((EnhancedForLoopTree) loop).getStatement();
  }

  /** True when the catch clause (a union type too) catches {@code thrown}. */
  static boolean catches(CatchTree clause, Type thrown, VisitorState state) {
    Type caught = ASTHelpers.getType(clause.getParameter());
    if (caught == null || thrown == null) {
      return false;
    }
    if (caught.isUnion()) {
      for (Type alternative : ((Type.UnionClassType) caught).getAlternativeTypes()) {
        if (ASTHelpers.isSubtype(thrown, alternative, state)) {
          return true;
        }
      }
      return false;
    }
    return ASTHelpers.isSubtype(thrown, caught, state);
  }

  /**
   * The variable a plain name or field access refers to, or null for anything else. Sees through
   * identity wrappers ({@code Objects.requireNonNull(q)}), and treats an element of an array or
   * list of queues ({@code queues[i]}, {@code queues.get(i)}) as the container variable: every
   * element was created in the same places, so the container stands for all of them.
   */
  @Nullable
  static VarSymbol variable(@Nullable ExpressionTree tree) {
    if (tree == null) {
      return null;
    }
    ExpressionTree t = Trees.skipParensAndCasts(tree);
    if (t instanceof MethodInvocationTree call) {
      if (ConcurrencyApiModel.isIdentityWrapper(call) && !call.getArguments().isEmpty()) {
        return variable(call.getArguments().get(0));
      }
      if ((ConcurrencyApiModel.isElementAccess(call)
              || ConcurrencyApiModel.returnsContainerValue(call))
          && isQueueTyped(call)) {
        return variable(ASTHelpers.getReceiver(call));
      }
      return null;
    }
    if (t instanceof ArrayAccessTree access) {
      return isQueueTyped(access) ? variable(access.getExpression()) : null;
    }
    if (!(t instanceof IdentifierTree) && !(t instanceof MemberSelectTree)) {
      return null;
    }
    Symbol sym = ASTHelpers.getSymbol(t);
    return sym instanceof VarSymbol varSymbol ? varSymbol : null;
  }

  /**
   * True when the expression's static type is a {@link java.util.Queue} (a queue, not a handle or
   * flag).
   */
  static boolean isQueueTyped(ExpressionTree tree) {
    Type type = ASTHelpers.getType(tree);
    return type != null && type.tsym instanceof ClassSymbol cls && implementsQueue(cls);
  }

  /** The symbol is a class or interface that is a {@link java.util.Queue}. */
  static boolean isQueueTypeSymbol(@Nullable Symbol sym) {
    return sym instanceof ClassSymbol cls && implementsQueue(cls);
  }

  private static boolean implementsQueue(ClassSymbol cls) {
    return Trees.isSubtypeByName(cls, name -> ConcurrencyApiModel.isQueueTypeName(name.toString()));
  }

  /**
   * The variable that receives the call's result when the call is {@code x.m(..)} on a variable.
   */
  @Nullable
  static VarSymbol receiverVariable(MethodInvocationTree call) {
    return variable(ASTHelpers.getReceiver(call));
  }

  /** The path's nearest ancestor that is not a parenthesis or cast. */
  static TreePath parentSkippingParens(TreePath path) {
    TreePath p = path.getParentPath();
    while (p != null
        && (p.getLeaf() instanceof ParenthesizedTree || p.getLeaf() instanceof TypeCastTree)) {
      p = p.getParentPath();
    }
    return p;
  }

  /**
   * The variable that {@code path}'s expression is stored in ({@code T v = expr;} or {@code v =
   * expr;}), or null.
   */
  @Nullable
  static VarSymbol assignedVariable(TreePath path) {
    TreePath parent = parentSkippingParens(path);
    if (parent == null) {
      return null;
    }
    if (parent.getLeaf() instanceof com.sun.source.tree.VariableTree) {
      Symbol sym = ASTHelpers.getSymbol(parent.getLeaf());
      return sym instanceof VarSymbol varSymbol ? varSymbol : null;
    }
    if (parent.getLeaf() instanceof com.sun.source.tree.AssignmentTree assignment) {
      return variable(assignment.getVariable());
    }
    return null;
  }

  static int line(CompilationUnitTree unit, Tree tree) {
    return (int) unit.getLineMap().getLineNumber(ASTHelpers.getStartPosition(tree));
  }

  /**
   * Takes inside a finally or catch are clean-up on the exit path, not the consumer's main loop.
   */
  static boolean isInExitPath(TreePath call) {
    Tree previous = call.getLeaf();
    for (TreePath p = call.getParentPath();
        p != null && !isTaskRoot(p.getLeaf());
        p = p.getParentPath()) {
      if (p.getLeaf() instanceof CatchTree) {
        return true;
      }
      if (p.getLeaf() instanceof TryTree tryTree && tryTree.getFinallyBlock() == previous) {
        return true;
      }
      previous = p.getLeaf();
    }
    return false;
  }

  /** The variable an expression is the initialiser of, or is assigned to; null otherwise. */
  static @Nullable VarSymbol storedInto(TreePath expression) {
    TreePath parentPath = AstPaths.parentSkippingParens(expression);
    if (parentPath == null) {
      return null;
    }
    Tree parent = parentPath.getLeaf();
    if (parent instanceof VariableTree variableTree
        && Trees.skipParensAndCasts(variableTree.getInitializer()) == expression.getLeaf()) {
      return ASTHelpers.getSymbol(variableTree);
    }
    if (parent instanceof AssignmentTree assignmentTree
        && Trees.skipParensAndCasts(assignmentTree.getExpression()) == expression.getLeaf()) {
      return AstPaths.variable(assignmentTree.getVariable());
    }
    return null;
  }

  /** The arguments of a method call or constructor call; none for anything else. */
  static List<? extends ExpressionTree> arguments(Tree call) {
    if (call instanceof MethodInvocationTree methodInvocationTree) {
      return methodInvocationTree.getArguments();
    }
    if (call instanceof NewClassTree newClassTree) {
      return newClassTree.getArguments();
    }
    return List.of();
  }

  /** Every {@code new Owner(...)} of the unit. */
  static List<TreePath> creationsOf(Symbol owner, CompilationUnitTree unit) {
    List<TreePath> creations = new ArrayList<>();
    new com.sun.source.util.TreePathScanner<Void, Void>() {
      @Override
      public Void visitNewClass(NewClassTree tree, Void unused) {
        Symbol constructor = ASTHelpers.getSymbol(tree);
        if (constructor != null && constructor.owner == owner) {
          creations.add(getCurrentPath());
        }
        return super.visitNewClass(tree, null);
      }
    }.scan(new TreePath(unit), null);
    return creations;
  }
}
