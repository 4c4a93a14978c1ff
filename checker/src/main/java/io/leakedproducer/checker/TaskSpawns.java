package io.leakedproducer.checker;

import static com.google.errorprone.util.ASTHelpers.getEnclosedElements;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.code.Type;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decides which thread runs a task root: where a lambda, anonymous class, {@code Runnable} class or
 * method reference is handed to an executor or a thread, and which handles (future, thread,
 * executor) could later cancel it. A root that is handed to nothing runs on the caller's thread.
 */
final class TaskSpawns {
  enum Kind {
    /** ExecutorService.submit and friends: the returned Future's cancel(true) interrupts. */
    FUTURE,
    /** Executor.execute: no handle, only shutdownNow on the executor interrupts. */
    EXECUTE,
    /** CompletableFuture.runAsync/supplyAsync: cancel never interrupts. */
    COMPLETABLE_FUTURE,
    THREAD,
    INVOKE_ALL,
    INVOKE_ALL_TIMED,
    /** Not handed to any thread: runs on the caller's own thread. */
    CALLER
  }

  /** How a task is started and what can reach it. */
  static final class Spawn {
    final Kind kind;
    @Nullable final TreePath call;

    /** The variable holding the Future or Thread, or a collection they are added to. */
    @Nullable final VarSymbol handle;

    final boolean handleIsCollection;

    /** The executor the task runs on, when it is a variable. */
    @Nullable final VarSymbol executor;

    /** True when the executor is known but not a plain variable (a method call, say). */
    final boolean executorOpaque;

    Spawn(
        Kind kind,
        @Nullable TreePath call,
        @Nullable VarSymbol handle,
        boolean handleIsCollection,
        @Nullable VarSymbol executor,
        boolean executorOpaque) {
      this.kind = kind;
      this.call = call;
      this.handle = handle;
      this.handleIsCollection = handleIsCollection;
      this.executor = executor;
      this.executorOpaque = executorOpaque;
    }

    static final Spawn CALLER_THREAD = new Spawn(Kind.CALLER, null, null, false, null, false);
  }

  private TaskSpawns() {}

  /** How the task rooted at {@code root} is started. */
  static Spawn of(TreePath root, CompilationUnitIndex index, VisitorState state) {
    Tree leaf = root.getLeaf();
    if (leaf instanceof LambdaExpressionTree) {
      Spawn s = fromExpression(root, index, state, 0);
      return s == null ? Spawn.CALLER_THREAD : s;
    }
    if (leaf instanceof MethodTree methodTree) {
      MethodSymbol method = ASTHelpers.getSymbol(methodTree);
      if (method == null) {
        return Spawn.CALLER_THREAD;
      }
      for (TreePath ref : index.memberReferences.getOrDefault(method, List.of())) {
        Spawn s = fromExpression(ref, index, state, 0);
        if (s != null) {
          return s;
        }
      }
      if (isTaskMethod(method, state)) {
        ClassSymbol owner = method.enclClass();
        TreePath classPath = index.classes.get(owner);
        if (classPath != null
            && classPath.getParentPath() != null
            && classPath.getParentPath().getLeaf() instanceof NewClassTree) {
          Spawn s = fromExpression(classPath.getParentPath(), index, state, 0);
          return s == null ? Spawn.CALLER_THREAD : s;
        }
        for (Symbol member : getEnclosedElements(owner)) {
          if (member instanceof MethodSymbol methodSymbol && methodSymbol.isConstructor()) {
            for (TreePath creation : index.callSitesOf(methodSymbol)) {
              if (creation.getLeaf() instanceof NewClassTree) {
                Spawn s = fromExpression(creation, index, state, 0);
                if (s != null) {
                  return s;
                }
              }
            }
          }
        }
      }
    }
    return Spawn.CALLER_THREAD;
  }

  /** run() or call() of a Runnable, Callable or Thread: a method some other thread invokes. */
  static boolean isTaskMethod(MethodSymbol method, VisitorState state) {
    String name = method.getSimpleName().toString();
    if (!method.getParameters().isEmpty()
        || !(name.equals("run")
            || name.equals("call")
            || name.equals("get")
            || name.equals("compute"))) {
      return false;
    }
    Type owner = method.enclClass().type;
    for (String task :
        List.of(
            "java.lang.Runnable",
            "java.util.concurrent.Callable",
            "java.util.function.Supplier",
            "java.util.concurrent.ForkJoinTask")) {
      Type type = state.getTypeFromString(task);
      if (type != null && ASTHelpers.isSubtype(owner, type, state)) {
        return true;
      }
    }
    return false;
  }

  /** Follows a task expression (lambda, `new Task()`, method reference) to where it is started. */
  @Nullable
  private static Spawn fromExpression(
      TreePath expr, CompilationUnitIndex index, VisitorState state, int depth) {
    if (depth > 4) {
      return null;
    }
    TreePath parentPath = AstPaths.parentSkippingParens(expr);
    if (parentPath == null) {
      return null;
    }
    Tree parent = parentPath.getLeaf();
    if (parent instanceof MethodInvocationTree || parent instanceof NewClassTree) {
      if (ConcurrencyApiModel.isSpawn(parent, state)) {
        return spawnAt(parentPath, state);
      }
      if (parent instanceof MethodInvocationTree call) {

        String name = ASTHelpers.getSymbol(call).getSimpleName().toString();
        VarSymbol collection = AstPaths.receiverVariable(call);
        // Tasks gathered into a list and started later with invokeAll.
        if (collection != null && (name.equals("add") || name.equals("of"))) {
          return fromVariable(collection, index, state, depth);
        }
        if (name.equals("of") || name.equals("asList") || name.equals("add")) {
          return fromExpression(parentPath, index, state, depth + 1);
        }
      }
      return null;
    }
    if (parent instanceof VariableTree) {
      Symbol var = ASTHelpers.getSymbol(parent);
      return var instanceof VarSymbol varSymbol
          ? fromVariable(varSymbol, index, state, depth)
          : null;
    }
    if (parent instanceof AssignmentTree assignmentTree) {
      VarSymbol var = AstPaths.variable(assignmentTree.getVariable());
      return var == null ? null : fromVariable(var, index, state, depth);
    }
    if (parent instanceof MemberSelectTree memberSelectTree) {
      // new Producer().start() or new Thread(task).start()
      String name = memberSelectTree.getIdentifier().toString();
      if (name.equals("start")
          && expr.getLeaf() instanceof NewClassTree
          && isThread(expr.getLeaf())) {
        return new Spawn(Kind.THREAD, expr, null, false, null, false);
      }
    }
    return null;
  }

  @Nullable
  private static Spawn fromVariable(
      VarSymbol var, CompilationUnitIndex index, VisitorState state, int depth) {
    for (TreePath use : index.usesOf(var)) {
      TreePath parent = AstPaths.parentSkippingParens(use);
      if (parent != null
          && parent.getLeaf() instanceof MemberSelectTree select
          && select.getIdentifier().contentEquals("start")
          && isThreadType(var)) {
        return new Spawn(Kind.THREAD, use, var, false, null, false);
      }
      Spawn s = fromExpression(use, index, state, depth + 1);
      if (s != null) {
        return s;
      }
    }
    return null;
  }

  private static Spawn spawnAt(TreePath callPath, VisitorState state) {
    ExpressionTree call = (ExpressionTree) callPath.getLeaf();
    if (ConcurrencyApiModel.isThreadConstructor(call, state)) {
      return new Spawn(
          Kind.THREAD, callPath, AstPaths.assignedVariable(callPath), false, null, false);
    }
    if (!(call instanceof MethodInvocationTree invocation)) {
      return new Spawn(Kind.EXECUTE, callPath, null, false, null, true);
    }

    MethodSymbol sym = ASTHelpers.getSymbol(invocation);
    String name = sym.getSimpleName().toString();
    ExpressionTree receiver = ASTHelpers.getReceiver(invocation);
    VarSymbol executor = AstPaths.variable(receiver);
    boolean opaque = receiver != null && executor == null;
    if (sym.owner.getQualifiedName().contentEquals("java.util.concurrent.ForkJoinPool")
        && name.equals("submit")) {
      return new Spawn(
          Kind.COMPLETABLE_FUTURE,
          callPath,
          null,
          false,
          executor,
          opaque); // its cancel never interrupts
    }
    if (sym.owner.getQualifiedName().contentEquals("java.util.concurrent.CompletableFuture")) {
      List<? extends ExpressionTree> args = invocation.getArguments();
      VarSymbol explicit = args.size() > 1 ? AstPaths.variable(args.get(1)) : null;
      return new Spawn(
          Kind.COMPLETABLE_FUTURE,
          callPath,
          null,
          false,
          explicit,
          args.size() > 1 && explicit == null);
    }
    if (name.equals("invokeAll") || name.equals("invokeAny")) {
      Kind kind =
          ConcurrencyApiModel.isTimedInvokeAll(invocation, state)
              ? Kind.INVOKE_ALL_TIMED
              : Kind.INVOKE_ALL;
      return new Spawn(kind, callPath, null, false, executor, opaque);
    }
    if (name.equals("start")
        || name.equals("startVirtualThread")
        || name.equals("unstarted")
        || name.equals("newThread")) {
      return new Spawn(
          Kind.THREAD, callPath, AstPaths.assignedVariable(callPath), false, null, false);
    }
    if (ConcurrencyApiModel.returnsInterruptibleFuture(invocation, state)) {
      TreePath parent = AstPaths.parentSkippingParens(callPath);
      VarSymbol handle = AstPaths.assignedVariable(callPath);
      boolean inCollection = false;
      if (handle == null
          && parent != null
          && parent.getLeaf() instanceof MethodInvocationTree addedTo) {
        handle = AstPaths.receiverVariable(addedTo);
        inCollection = handle != null;
      }
      return new Spawn(Kind.FUTURE, callPath, handle, inCollection, executor, opaque);
    }
    return new Spawn(Kind.EXECUTE, callPath, null, false, executor, opaque);
  }

  private static boolean isThread(Tree newClass) {
    Type type = ASTHelpers.getType(newClass);
    for (Type t = type; t != null && t.tsym != null; t = ((ClassSymbol) t.tsym).getSuperclass()) {
      if (t.tsym.getQualifiedName().contentEquals("java.lang.Thread")) {
        return true;
      }
      if (!(t.tsym instanceof ClassSymbol)) {
        break;
      }
    }
    return false;
  }

  private static boolean isThreadType(VarSymbol var) {
    Type t = var.type;
    while (t != null && t.tsym instanceof ClassSymbol cls) {
      if (cls.getQualifiedName().contentEquals("java.lang.Thread")) {
        return true;
      }
      t = cls.getSuperclass();
    }
    return false;
  }
}
