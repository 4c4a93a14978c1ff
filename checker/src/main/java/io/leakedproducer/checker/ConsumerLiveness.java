package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.fixes.SuggestedFix;
import com.google.errorprone.fixes.SuggestedFixes;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import org.jspecify.annotations.Nullable;

/**
 * Decides the fix for a queue whose consumers each run as a task of their own, started on a {@code
 * Thread} or submitted for a {@code Future}, when no flag is visible to both sides (the queue is
 * handed to the consumer's own object through its constructor, and the owner has no lifecycle
 * method). A consumer that stops taking leaves its task: its thread ends, its future is done. The
 * producer then needs no signal of the consumer's making: it offers with a timeout and gives up
 * once every consumer's handle says its task has ended. The handle is what the producer can read: a
 * field the owner already has, or a local of the method that starts the consumer, which the fix
 * copies into a new field of the class right after the start.
 */
final class ConsumerLiveness {
  private ConsumerLiveness() {}

  static Optional<SuggestedFix> fix(
      List<ProducerDiscovery.Producer> producers,
      List<QueueConsumer> consumers,
      CompilationUnitIndex index,
      VisitorState state) {
    if (consumers.isEmpty()) {
      return Optional.empty();
    }
    SuggestedFix.Builder fix = SuggestedFix.builder();
    Set<String> reserved = new HashSet<>();
    List<Handle> handles = new ArrayList<>();
    for (QueueConsumer consumer : consumers) {
      Handle handle = handleOf(consumer, index, state, fix, reserved);
      if (handle == null) {
        handle = roundCaller(consumer, index, state, fix, reserved);
      }
      if (handle == null) {
        return Optional.empty();
      }
      String name = handle.name;
      if (handles.stream().noneMatch(h -> h.name.equals(name))) {
        handles.add(handle);
      }
    }
    for (ProducerDiscovery.Producer producer : producers) {
      for (Handle handle : handles) {
        if (!FieldQueueFixes.seesField(producer.insertionPath(), handle.owner, handle.isStatic)) {
          return Optional.empty();
        }
      }
    }
    List<String> ended = new ArrayList<>();
    for (Handle handle : handles) {
      ended.add(handle.endedCondition());
    }
    String condition = String.join(" && ", ended);
    for (ProducerDiscovery.Producer producer : producers) {
      if (!LeakFixes.stopProducer(producer, condition, true, reserved, fix, state)) {
        return Optional.empty();
      }
    }
    return Optional.of(fix.build());
  }

  /** A field the producer reads to learn whether one consumer's task has ended. */
  private record Handle(
      String name, Symbol owner, boolean isStatic, boolean mayBeNull, boolean isThread) {
    String endedCondition() {
      String ended =
          isThread
              ? "!" + name + "." + ConcurrencyApiModel.THREAD_ENDED_QUERY + "()"
              : name + "." + ConcurrencyApiModel.FUTURE_ENDED_QUERY + "()";
      // A handle not yet set means the consumer has not started: keep waiting for it.
      return mayBeNull ? name + " != null && " + ended : ended;
    }
  }

  /**
   * The field that tells whether {@code consumer}'s task has ended, adding it (and its assignment
   * after the start) to {@code fix} when the handle is a local; null when the consumer is not one
   * task of its own with a single thread or future, or the task does not end when the take loop
   * does.
   */
  @Nullable
  private static Handle handleOf(
      QueueConsumer consumer,
      CompilationUnitIndex index,
      VisitorState state,
      SuggestedFix.Builder fix,
      Set<String> reserved) {
    if (consumer.blocksItself || !consumer.reentrantInsertions.isEmpty()) {
      return null; // a consumer stuck in its own queue never ends its task
    }
    TaskSpawns.Spawn spawn = TaskSpawns.of(consumer.root, index, state);
    boolean isThread = spawn.kind == TaskSpawns.Kind.THREAD;
    if ((!isThread && spawn.kind != TaskSpawns.Kind.FUTURE)
        || spawn.call == null
        || spawn.handle == null
        || spawn.handleIsCollection
        || AstPaths.enclosingLoop(spawn.call, AstPaths.taskRoot(spawn.call).getLeaf()) != null
        || !takesOnlyInItsOwnTask(consumer)) {
      return null;
    }
    VarSymbol handle = spawn.handle;
    boolean isStatic = handle.getModifiers().contains(Modifier.STATIC);
    if (handle.getKind() == ElementKind.FIELD) {
      if (!writtenOnce(handle, index)) {
        return null; // a restarted consumer: the field may name an older task
      }
      return new Handle(
          handle.getSimpleName().toString(),
          handle.owner,
          isStatic,
          !handle.getModifiers().contains(Modifier.FINAL),
          isThread);
    }
    if (handle.getKind() != ElementKind.LOCAL_VARIABLE) {
      return null;
    }
    // A local handle: copy it into a field once the consumer has started.
    TreePath after = isThread ? startStatement(handle, index) : declarationStatement(handle, index);
    if (after == null) {
      return null;
    }
    TreePath classPath = enclosingClass(after);
    TreePath method = enclosingMethod(after);
    if (classPath == null || method == null || !(classPath.getLeaf() instanceof ClassTree owner)) {
      return null;
    }
    Symbol ownerSymbol = ASTHelpers.getSymbol(owner);
    boolean staticContext =
        ASTHelpers.getSymbol((MethodTree) method.getLeaf()) != null
            && ASTHelpers.getSymbol((MethodTree) method.getLeaf()).isStatic();
    if (ownerSymbol == null || !FieldQueueFixes.seesField(after, ownerSymbol, staticContext)) {
      return null;
    }
    String field = LeakFixes.freshName(handle.getSimpleName() + "Consumer", owner, reserved);
    reserved.add(field);
    String type = SuggestedFixes.prettyType(state, fix, handle.type);
    Tree lastField = lastField(owner);
    if (lastField == null) {
      return null;
    }
    String indent = LeakFixes.indentOf(lastField, state);
    fix.postfixWith(
        lastField,
        "\n\n"
            + indent
            + "/** The consumer's "
            + (isThread ? "thread, once started" : "task, once submitted")
            + ": producers stop offering when it has ended. */\n"
            + indent
            + "private "
            + (staticContext ? "static " : "")
            + "volatile "
            + type
            + " "
            + field
            + ";");
    fix.postfixWith(
        after.getLeaf(),
        "\n"
            + LeakFixes.indentOf(after.getLeaf(), state)
            + field
            + " = "
            + handle.getSimpleName()
            + ";");
    return new Handle(field, ownerSymbol, staticContext, true, isThread);
  }

  /**
   * A consumer that takes once per call of a method that some job outside the unit's sight runs
   * round after round on a thread of its own (Neo4j's {@code ContinuousJob} calling a handler's
   * {@code run()} until it is stopped): the method implements an interface method and nothing in
   * the unit calls it directly. The fix records the calling thread first thing in the method; once
   * the thread that took last has ended and no other has taken since, nothing takes any more. (A
   * pool thread never ends, so the producer then waits as before; a new thread that starts taking
   * after the last one ended finds the producer gone.) Null when the shape differs.
   */
  @Nullable
  private static Handle roundCaller(
      QueueConsumer consumer,
      CompilationUnitIndex index,
      VisitorState state,
      SuggestedFix.Builder fix,
      Set<String> reserved) {
    if (consumer.blocksItself
        || !consumer.reentrantInsertions.isEmpty()
        || !(consumer.root.getLeaf() instanceof MethodTree method)
        || method.getBody() == null
        || method.getBody().getStatements().isEmpty()
        || !takesOnlyInItsOwnTask(consumer)) {
      return null;
    }
    Symbol.MethodSymbol symbol = ASTHelpers.getSymbol(method);
    TreePath classPath = consumer.root.getParentPath();
    if (symbol == null
        || symbol.isStatic()
        || symbol.isConstructor()
        || symbol.getReturnType().getKind() != javax.lang.model.type.TypeKind.VOID
        || ASTHelpers.findSuperMethods(symbol, state.getTypes()).isEmpty()
        || !index.callSitesOf(symbol).isEmpty()
        || !index.memberReferences.getOrDefault(symbol, List.of()).isEmpty()
        || classPath == null
        || !(classPath.getLeaf() instanceof ClassTree owner)) {
      return null;
    }
    Tree lastField = lastField(owner);
    Symbol ownerSymbol = ASTHelpers.getSymbol(owner);
    if (lastField == null || ownerSymbol == null) {
      return null;
    }
    String field = LeakFixes.freshName(symbol.getSimpleName() + "Thread", owner, reserved);
    reserved.add(field);
    String indent = LeakFixes.indentOf(lastField, state);
    fix.postfixWith(
        lastField,
        "\n\n"
            + indent
            + "/** The thread that last took in "
            + symbol.getSimpleName()
            + "(): producers stop offering once it has ended. */\n"
            + indent
            + "private volatile Thread "
            + field
            + ";");
    StatementTree first = method.getBody().getStatements().get(0);
    fix.prefixWith(
        first, field + " = Thread.currentThread();\n" + LeakFixes.indentOf(first, state));
    return new Handle(field, ownerSymbol, false, true, true);
  }

  /**
   * Every take of the consumer sits in its task's own body, so that leaving the take loop is
   * leaving the task: no caller above it keeps its thread running after it stops taking.
   */
  private static boolean takesOnlyInItsOwnTask(QueueConsumer consumer) {
    if (consumer.takes.isEmpty()) {
      return false;
    }
    for (TreePath take : consumer.takes) {
      if (AstPaths.taskRoot(take).getLeaf() != consumer.root.getLeaf()) {
        return false;
      }
    }
    return true;
  }

  private static boolean writtenOnce(VarSymbol field, CompilationUnitIndex index) {
    TreePath declaration = index.declarations.get(field);
    int writes = index.writesOf(field).size();
    if (declaration != null
        && declaration.getLeaf() instanceof VariableTree variable
        && variable.getInitializer() != null) {
      writes++;
    }
    return writes == 1;
  }

  /** The statement {@code handle.start();} in a block, or null. */
  @Nullable
  private static TreePath startStatement(VarSymbol handle, CompilationUnitIndex index) {
    TreePath found = null;
    for (TreePath use : index.usesOf(handle)) {
      TreePath select = AstPaths.parentSkippingParens(use);
      if (select != null
          && select.getLeaf() instanceof MemberSelectTree member
          && ConcurrencyApiModel.isThreadStart(member)) {
        TreePath statement = statementOf(select);
        if (statement == null || found != null) {
          return null;
        }
        found = statement;
      }
    }
    return found;
  }

  /** The declaration {@code Future<?> f = pool.submit(task);} as a statement of a block. */
  @Nullable
  private static TreePath declarationStatement(VarSymbol handle, CompilationUnitIndex index) {
    TreePath declaration = index.declarations.get(handle);
    return declaration != null
            && declaration.getParentPath() != null
            && declaration.getParentPath().getLeaf() instanceof BlockTree
            && index.writesOf(handle).isEmpty()
        ? declaration
        : null;
  }

  @Nullable
  private static TreePath statementOf(TreePath path) {
    for (TreePath p = path; p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof StatementTree
          && p.getParentPath() != null
          && p.getParentPath().getLeaf() instanceof BlockTree) {
        return p;
      }
      if (AstPaths.isTaskRoot(p.getLeaf())) {
        return null;
      }
    }
    return null;
  }

  @Nullable
  private static TreePath enclosingMethod(TreePath path) {
    for (TreePath p = path; p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof MethodTree) {
        return p;
      }
      if (p.getLeaf() instanceof ClassTree) {
        return null;
      }
    }
    return null;
  }

  @Nullable
  private static TreePath enclosingClass(TreePath path) {
    for (TreePath p = path; p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof ClassTree) {
        return p;
      }
    }
    return null;
  }

  /** The last field of the class: the new field goes with the others. */
  @Nullable
  private static Tree lastField(ClassTree owner) {
    Tree last = null;
    for (Tree member : owner.getMembers()) {
      if (member instanceof VariableTree) {
        last = member;
      }
    }
    return last;
  }
}
