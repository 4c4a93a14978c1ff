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

    private Spawn(
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

    /** A thread started at {@code call}, held in {@code thread} when that is a variable. */
    static Spawn thread(TreePath call, @Nullable VarSymbol thread) {
      return new Spawn(Kind.THREAD, call, thread, false, null, false);
    }

    /**
     * A task handed to an executor at {@code call} with no interrupting handle kept; {@code
     * executorOpaque} when the executor is known but not a variable.
     */
    static Spawn task(
        Kind kind, TreePath call, @Nullable VarSymbol executor, boolean executorOpaque) {
      return new Spawn(kind, call, null, false, executor, executorOpaque);
    }

    /**
     * A task whose interrupting {@code Future} is kept in {@code handle}, or added to the
     * collection {@code handle} when {@code inCollection}.
     */
    static Spawn future(
        TreePath call,
        @Nullable VarSymbol handle,
        boolean inCollection,
        @Nullable VarSymbol executor,
        boolean executorOpaque) {
      return new Spawn(Kind.FUTURE, call, handle, inCollection, executor, executorOpaque);
    }
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
      if (ConcurrencyApiModel.isTaskMethod(method, state)) {
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
        return spawnAt(parentPath, index, state);
      }
      if (parent instanceof MethodInvocationTree call) {

        MethodSymbol method = ASTHelpers.getSymbol(call);
        VarSymbol collection = AstPaths.receiverVariable(call);
        // Tasks gathered into a list and started later with invokeAll.
        if (collection != null && ConcurrencyApiModel.isTaskCollector(method)) {
          return fromVariable(collection, index, state, depth);
        }
        if (ConcurrencyApiModel.isTaskCollectionBuilder(method)) {
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
      if (ConcurrencyApiModel.isThreadStart(memberSelectTree)
          && expr.getLeaf() instanceof NewClassTree
          && ConcurrencyApiModel.isThreadType(ASTHelpers.getType(expr.getLeaf()))) {
        return Spawn.thread(expr, null);
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
          && ConcurrencyApiModel.isThreadStart(select)
          && ConcurrencyApiModel.isThreadType(var.type)) {
        return Spawn.thread(use, var);
      }
      Spawn s = fromExpression(use, index, state, depth + 1);
      if (s != null) {
        return s;
      }
    }
    return null;
  }

  /**
   * The pool a completion service was built on ({@code new ExecutorCompletionService<>(pool)}): its
   * tasks run there, so that pool's {@code shutdownNow()} interrupts them. Otherwise the variable
   * itself.
   */
  @Nullable
  private static VarSymbol underlyingExecutor(
      @Nullable VarSymbol executor, CompilationUnitIndex index, VisitorState state) {
    if (executor == null) {
      return null;
    }
    List<ExpressionTree> values = new java.util.ArrayList<>();
    TreePath declaration = index.declarations.get(executor);
    if (declaration != null
        && declaration.getLeaf() instanceof VariableTree variable
        && variable.getInitializer() != null) {
      values.add(variable.getInitializer());
    }
    for (TreePath write : index.writesOf(executor)) {
      if (write.getLeaf() instanceof AssignmentTree assignment) {
        values.add(assignment.getExpression());
      }
    }
    VarSymbol pool = null;
    for (ExpressionTree value : values) {
      ExpressionTree v = Trees.skipParensAndCasts(value);
      VarSymbol wrapped =
          v instanceof NewClassTree created
                  && ConcurrencyApiModel.isExecutorWrapper(created, state)
                  && !created.getArguments().isEmpty()
              ? AstPaths.variable(created.getArguments().get(0))
              : null;
      if (wrapped == null || (pool != null && !pool.equals(wrapped))) {
        return executor;
      }
      pool = wrapped;
    }
    return pool == null ? executor : pool;
  }

  private static Spawn spawnAt(TreePath callPath, CompilationUnitIndex index, VisitorState state) {
    ExpressionTree call = (ExpressionTree) callPath.getLeaf();
    if (ConcurrencyApiModel.isThreadConstructor(call, state)) {
      return Spawn.thread(callPath, AstPaths.assignedVariable(callPath));
    }
    if (!(call instanceof MethodInvocationTree invocation)) {
      return Spawn.task(Kind.EXECUTE, callPath, null, true);
    }

    ExpressionTree receiver = ASTHelpers.getReceiver(invocation);
    VarSymbol executor = underlyingExecutor(AstPaths.variable(receiver), index, state);
    boolean opaque = receiver != null && executor == null;
    switch (ConcurrencyApiModel.spawnMethod(ASTHelpers.getSymbol(invocation))) {
      case FORK_JOIN_SUBMIT -> {
        return Spawn.task(Kind.COMPLETABLE_FUTURE, callPath, executor, opaque); // never interrupts
      }
      case COMPLETABLE_FUTURE -> {
        List<? extends ExpressionTree> args = invocation.getArguments();
        VarSymbol explicit = args.size() > 1 ? AstPaths.variable(args.get(1)) : null;
        return Spawn.task(
            Kind.COMPLETABLE_FUTURE, callPath, explicit, args.size() > 1 && explicit == null);
      }
      case INVOKE_ALL -> {
        Kind kind =
            ConcurrencyApiModel.isTimedInvokeAll(invocation, state)
                ? Kind.INVOKE_ALL_TIMED
                : Kind.INVOKE_ALL;
        return Spawn.task(kind, callPath, executor, opaque);
      }
      case THREAD -> {
        return Spawn.thread(callPath, AstPaths.assignedVariable(callPath));
      }
      case OTHER -> {}
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
      return Spawn.future(callPath, handle, inCollection, executor, opaque);
    }
    return Spawn.task(Kind.EXECUTE, callPath, executor, opaque);
  }
}
