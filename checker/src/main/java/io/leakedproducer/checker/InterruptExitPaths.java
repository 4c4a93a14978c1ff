package io.leakedproducer.checker;

import static com.google.errorprone.util.ASTHelpers.getEnclosedElements;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Decides whether an interrupt of the producer (a {@code cancel(true)}, {@code shutdownNow()} or
 * {@code interrupt()} found for its handle) runs when every consumer has stopped, as a stop signal
 * must ({@link SignalExitPaths}). The call is followed up through the methods of the unit that
 * reach it, and a way to it counts when it does not depend on the consumers going on:
 *
 * <ul>
 *   <li>in a consumer's own code, it must run on every way that consumer stops;
 *   <li>in code of an Iterator (or Spliterator, Enumeration) other than its lifecycle methods, it
 *       runs only while the holder keeps pulling, for example once the end marker was taken; a
 *       holder that abandons the iterator never gets there;
 *   <li>in a lifecycle method of a class whose every instance the unit keeps in its own private
 *       fields, it runs only where the unit calls that method, since no caller can reach it;
 *   <li>after waiting with no timeout for the producer itself (its {@code future.get()} before any
 *       consumer's), it never runs when the producer is the one stuck.
 * </ul>
 *
 * Any other way (another thread, the coordinator after joining the consumers, a lifecycle method
 * the callers hold, an entry point of the unit) counts, as before.
 */
final class InterruptExitPaths {
  /** How many callers up to follow the interrupt before giving the benefit of the doubt. */
  private static final int MAX_DEPTH = 5;

  private InterruptExitPaths() {}

  /** What the first untimed wait on the way to a call waits for. */
  private enum Waits {
    NOTHING,
    PRODUCER,
    CONSUMER
  }

  /** True when the interrupt at {@code site} runs on the way every consumer stops. */
  static boolean runsWhenConsumersStop(
      TreePath site,
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      CompilationUnitIndex index,
      VisitorState state) {
    List<TreePath> inConsumers = new ArrayList<>();
    if (reachedIndependently(
        site, producer, consumers, inConsumers, index, state, 0, new HashSet<>())) {
      return true;
    }
    // Reached only from the consumers' own code: it must run however they stop.
    return !inConsumers.isEmpty()
        && SignalExitPaths.runsOnEveryExit(
            new SignalExitPaths.Sites(inConsumers, inConsumers), consumers, index, state);
  }

  /**
   * True when the lifecycle method can run once the consumers stopped: a caller that holds its
   * object calls it, or, for an object the unit keeps to itself, one of the unit's calls of it
   * runs on the way every consumer stops.
   */
  static boolean lifecycleRuns(
      MethodSymbol lifecycle,
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      CompilationUnitIndex index,
      VisitorState state) {
    if (!keptByTheUnit(lifecycle.enclClass(), index)) {
      return true;
    }
    for (TreePath call : index.callSitesOf(lifecycle)) {
      if (!AstPaths.isWithin(call, producer.root.getLeaf())
          && runsWhenConsumersStop(call, producer, consumers, index, state)) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when some way to {@code site} runs whether or not the consumers go on; the places where a
   * way enters the consumers' own code are collected in {@code inConsumers}.
   */
  private static boolean reachedIndependently(
      TreePath site,
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      List<TreePath> inConsumers,
      CompilationUnitIndex index,
      VisitorState state,
      int depth,
      Set<MethodSymbol> visited) {
    if (firstWaitBefore(site, producer, consumers, index, state) == Waits.PRODUCER) {
      return false; // the producer is the one stuck: that wait never returns
    }
    for (QueueConsumer consumer : consumers) {
      if (AstPaths.isWithin(site, consumer.root.getLeaf())) {
        inConsumers.add(site);
        return false;
      }
    }
    TreePath root = AstPaths.taskRoot(site);
    if (!(root.getLeaf() instanceof MethodTree methodTree)) {
      return true; // a task of its own (a watchdog, a shutdown hook): another thread
    }
    MethodSymbol method = ASTHelpers.getSymbol(methodTree);
    if (method == null) {
      return true;
    }
    boolean lifecycle = ConcurrencyApiModel.isLifecycleMethod(method);
    if (!lifecycle && ConcurrencyApiModel.isPullApiClass(method.enclClass(), state)) {
      return false; // runs only while the holder keeps pulling
    }
    List<TreePath> callers = index.callSitesOf(method);
    if (callers.isEmpty()) {
      // An entry point: the callers (or a thread) run it. A lifecycle method of an object no
      // caller can hold is never run at all.
      return !(lifecycle && keptByTheUnit(method.enclClass(), index));
    }
    if (depth >= MAX_DEPTH || !visited.add(method)) {
      return true; // too far to tell: as before, the interrupt counts
    }
    for (TreePath call : callers) {
      if (AstPaths.isWithin(call, producer.root.getLeaf())) {
        continue; // a producer cannot rescue itself
      }
      if (reachedIndependently(
          call, producer, consumers, inConsumers, index, state, depth + 1, visited)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every instance of {@code type} is created in the unit and stored in a private field that is
   * used only as a receiver or passed to methods of the unit: no caller can get hold of one.
   */
  private static boolean keptByTheUnit(ClassSymbol type, CompilationUnitIndex index) {
    if (type.getModifiers().contains(Modifier.PUBLIC) || !(type.owner instanceof ClassSymbol)) {
      return false;
    }
    boolean created = false;
    for (Symbol member : getEnclosedElements(type)) {
      if (!(member instanceof MethodSymbol constructor) || !constructor.isConstructor()) {
        continue;
      }
      for (TreePath creation : index.callSitesOf(constructor)) {
        VarSymbol field = storedIn(creation);
        if (field == null
            || !field.getKind().isField()
            || !field.getModifiers().contains(Modifier.PRIVATE)
            || !staysInTheUnit(field, index)) {
          return false;
        }
        created = true;
      }
    }
    return created;
  }

  /** The variable a {@code new} expression initialises or is assigned to, or null. */
  private static VarSymbol storedIn(TreePath creation) {
    TreePath parent = AstPaths.parentSkippingParens(creation);
    if (parent == null) {
      return null;
    }
    if (parent.getLeaf() instanceof VariableTree variable
        && variable.getInitializer() == creation.getLeaf()) {
      return ASTHelpers.getSymbol(variable);
    }
    if (parent.getLeaf() instanceof AssignmentTree assignment
        && assignment.getExpression() == creation.getLeaf()) {
      return AstPaths.variable(assignment.getVariable());
    }
    return null;
  }

  /** Every use of the field is a call on it, a write to it, or an argument to the unit's method. */
  private static boolean staysInTheUnit(VarSymbol field, CompilationUnitIndex index) {
    for (TreePath use : index.usesOf(field)) {
      TreePath parent = AstPaths.parentSkippingParens(use);
      if (parent == null) {
        return false;
      }
      Tree leaf = parent.getLeaf();
      if (leaf instanceof com.sun.source.tree.MemberSelectTree
          && parent.getParentPath() != null
          && parent.getParentPath().getLeaf() instanceof MethodInvocationTree) {
        continue; // field.method()
      }
      if (leaf instanceof AssignmentTree assignment && assignment.getVariable() == use.getLeaf()) {
        continue;
      }
      if (leaf instanceof MethodInvocationTree call && call.getArguments().contains(use.getLeaf())) {
        MethodSymbol callee = ASTHelpers.getSymbol(call);
        if (callee != null
            && index.methods.containsKey(callee)
            && callee.getModifiers().contains(Modifier.PRIVATE)) {
          continue;
        }
      }
      return false;
    }
    return true;
  }

  /**
   * What the first wait with no timeout that runs before {@code site} in its method waits for: the
   * statements before it in each enclosing block, and the {@code try} block of a {@code catch} or
   * {@code finally} it is in, outermost first.
   */
  private static Waits firstWaitBefore(
      TreePath site,
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      CompilationUnitIndex index,
      VisitorState state) {
    List<List<Tree>> before = new ArrayList<>();
    for (TreePath p = site;
        p.getParentPath() != null && !AstPaths.isTaskRoot(p.getLeaf());
        p = p.getParentPath()) {
      Tree parent = p.getParentPath().getLeaf();
      if (parent instanceof BlockTree block) {
        List<Tree> earlier = new ArrayList<>();
        for (StatementTree statement : block.getStatements()) {
          if (statement == p.getLeaf()) {
            break;
          }
          earlier.add(statement);
        }
        before.add(earlier);
      } else if (parent instanceof TryTree tryTree
          && (p.getLeaf() instanceof CatchTree || p.getLeaf() == tryTree.getFinallyBlock())) {
        List<Tree> tried = new ArrayList<>(tryTree.getResources());
        tried.add(tryTree.getBlock());
        before.add(tried);
      }
    }
    Collections.reverse(before);
    for (List<Tree> region : before) {
      for (Tree tree : region) {
        Waits waits = firstWaitIn(tree, producer, consumers, index, state);
        if (waits != Waits.NOTHING) {
          return waits;
        }
      }
    }
    return Waits.NOTHING;
  }

  /** The first untimed wait in {@code tree}, in source order, for the producer or a consumer. */
  private static Waits firstWaitIn(
      Tree tree,
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      CompilationUnitIndex index,
      VisitorState state) {
    Waits[] found = {Waits.NOTHING};
    new TreeScanner<Void, Void>() {
      @Override
      public Void scan(Tree t, Void unused) {
        return found[0] != Waits.NOTHING ? null : super.scan(t, null);
      }

      @Override
      public Void visitLambdaExpression(LambdaExpressionTree lambda, Void unused) {
        return null; // runs elsewhere, or later
      }

      @Override
      public Void visitClass(ClassTree type, Void unused) {
        return null;
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree call, Void unused) {
        super.visitMethodInvocation(call, null); // the receiver and arguments are evaluated first
        if (found[0] == Waits.NOTHING && ConcurrencyApiModel.isUntimedTaskWait(call, state)) {
          found[0] = waitedFor(AstPaths.receiverVariable(call), producer, consumers, index, state);
        }
        return null;
      }
    }.scan(tree, null);
    return found[0];
  }

  /**
   * Whose task the handle {@code waited} holds: the producer's (its future, thread, or an element
   * of the collection its future was added to before every consumer's), a consumer's, or neither.
   */
  private static Waits waitedFor(
      VarSymbol waited,
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      CompilationUnitIndex index,
      VisitorState state) {
    if (waited == null) {
      return Waits.NOTHING;
    }
    TaskSpawns.Spawn spawn = producer.spawn;
    List<TaskSpawns.Spawn> consumerSpawns = new ArrayList<>();
    for (QueueConsumer consumer : consumers) {
      consumerSpawns.add(TaskSpawns.of(consumer.root, index, state));
    }
    for (TaskSpawns.Spawn consumer : consumerSpawns) {
      if (!consumer.handleIsCollection
          && HandleAliases.of(consumer, index).contains(waited)
          && consumer.handle != null) {
        return Waits.CONSUMER;
      }
    }
    if (!spawn.handleIsCollection && HandleAliases.of(spawn, index).contains(waited)) {
      return Waits.PRODUCER;
    }
    VarSymbol collection = CancellationPaths.handleCollectionOf(waited, index);
    if (collection == null || !collection.equals(spawn.handle) || !spawn.handleIsCollection) {
      return Waits.NOTHING;
    }
    // A loop over the tasks waits for them in the order they were added: a consumer added before
    // the producer ends that loop (with its failure) before the producer is waited for.
    for (TaskSpawns.Spawn consumer : consumerSpawns) {
      if (consumer.call == null) {
        return Waits.NOTHING; // cannot tell which comes first
      }
      if (collection.equals(consumer.handle)
          && consumer.handleIsCollection
          && spawn.call != null
          && start(consumer.call) < start(spawn.call)) {
        return Waits.CONSUMER;
      }
    }
    return Waits.PRODUCER;
  }

  private static int start(TreePath path) {
    return ((com.sun.tools.javac.tree.JCTree) path.getLeaf()).getStartPosition();
  }
}
