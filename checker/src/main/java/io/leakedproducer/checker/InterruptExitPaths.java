package io.leakedproducer.checker;

import static com.google.errorprone.util.ASTHelpers.getEnclosedElements;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
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
import org.jspecify.annotations.Nullable;

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
 *       consumer's), or for room in a queue that is full once the consumers stopped (the producer's
 *       own, or one a consumer is stuck inserting into), it never runs.
 * </ul>
 *
 * Any other way (another thread, the coordinator after joining the consumers, a lifecycle method
 * the callers hold, an entry point of the unit) counts, as before.
 */
final class InterruptExitPaths {
  /** How many callers up to follow the interrupt before giving it the benefit of the doubt. */
  private static final int MAX_DEPTH = 5;

  private InterruptExitPaths() {}

  /** What the first wait on the way to a call waits for. */
  private enum Waits {
    NOTHING,
    /** The stuck producer, or room in a queue that is full once the consumers stopped. */
    STUCK,
    CONSUMER,
    /**
     * A consumer's {@code future.get()} in the same sequence: it rethrows the consumer's failure,
     * so what follows runs only when the consumer did not fail.
     */
    CONSUMER_MAY_FAIL
  }

  /**
   * The producer, its consumers, and the queues that are full once they stopped: the producer's
   * own, and those its consumers insert into (a consumer stuck there is why it stopped).
   */
  private record Scene(
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      Set<VarSymbol> fullQueues,
      CompilationUnitIndex index,
      VisitorState state) {
    static Scene of(
        ProducerDiscovery.Producer producer,
        List<QueueConsumer> consumers,
        QueueAliases queue,
        CompilationUnitIndex index,
        VisitorState state) {
      Set<VarSymbol> full = new HashSet<>(queue.variables);
      for (QueueConsumer consumer : consumers) {
        ReachableCalls.find(
            bodyOf(consumer.root),
            call -> {
              MethodInvocationTree insertion = (MethodInvocationTree) call.getLeaf();
              VarSymbol receiver = index.receiverVariable(insertion);
              if (receiver != null
                  && ConcurrencyApiModel.isBuiltinBlockingInsertion(insertion, state)) {
                full.addAll(QueueAliases.of(receiver, index).variables);
              }
              return false;
            },
            index);
      }
      return new Scene(producer, consumers, full, index, state);
    }
  }

  /** True when the interrupt at {@code site} runs on the way every consumer stops. */
  static boolean runsWhenConsumersStop(
      TreePath site,
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    return runsWhenConsumersStop(site, Scene.of(producer, consumers, queue, index, state));
  }

  private static boolean runsWhenConsumersStop(TreePath site, Scene scene) {
    List<TreePath> inConsumers = new ArrayList<>();
    if (reachedIndependently(site, scene, inConsumers, new ArrayList<>(), new HashSet<>())) {
      return true;
    }
    // Reached only from the consumers' own code: it must run however they stop.
    return !inConsumers.isEmpty()
        && SignalExitPaths.runsOnEveryExit(
            new SignalExitPaths.Sites(inConsumers, inConsumers),
            scene.consumers(),
            scene.index(),
            scene.state());
  }

  /**
   * True when the lifecycle method can run once the consumers stopped: a caller that holds its
   * object calls it, or, for an object the unit keeps to itself, one of the unit's calls of it runs
   * on the way every consumer stops.
   */
  static boolean lifecycleRuns(
      MethodSymbol lifecycle,
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    if (!keptByTheUnit(lifecycle.enclClass(), index)) {
      return true;
    }
    Scene scene = Scene.of(producer, consumers, queue, index, state);
    for (TreePath call : index.callSitesOf(lifecycle)) {
      if (!AstPaths.isWithin(call, producer.root.getLeaf()) && runsWhenConsumersStop(call, scene)) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when some way to {@code site} runs whether or not the consumers go on. A way that enters
   * the consumers' own code adds its calls, from the consumer down to the interrupt, to {@code
   * inConsumers}: a {@code finally} in a helper on the consumer's way out holds the interrupt
   * itself, the consumer's task holds the call of that helper.
   *
   * @param trail the calls already followed from the interrupt up to {@code site}
   */
  private static boolean reachedIndependently(
      TreePath site,
      Scene scene,
      List<TreePath> inConsumers,
      List<TreePath> trail,
      Set<MethodSymbol> visited) {
    if (neverGetsPast(firstWaitBefore(site, scene))) {
      return false; // that wait never returns, or throws, once the consumers stopped
    }
    for (QueueConsumer consumer : scene.consumers()) {
      if (AstPaths.isWithin(site, consumer.root.getLeaf())) {
        for (TreePath call : trail) {
          inConsumers.add(wholeLoop(call, scene.index()));
        }
        inConsumers.add(wholeLoop(site, scene.index()));
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
    if (!lifecycle && ConcurrencyApiModel.isPullApiClass(method.enclClass(), scene.state())) {
      return false; // runs only while the holder keeps pulling
    }
    CompilationUnitIndex index = scene.index();
    List<TreePath> callers = index.callSitesOf(method);
    if (lifecycle && isPublicApi(method) && !keptByTheUnit(method.enclClass(), index)) {
      // Whoever holds the object may call it at any time, whatever the unit's own calls do.
      return true;
    }
    if (callers.isEmpty()) {
      // An entry point: the callers (or a thread) run it. A lifecycle method of an object no
      // caller can hold is never run at all.
      return !(lifecycle && keptByTheUnit(method.enclClass(), index));
    }
    if (trail.size() >= MAX_DEPTH || !visited.add(method)) {
      return true; // too far to tell: as before, the interrupt counts
    }
    List<TreePath> longer = new ArrayList<>(trail);
    longer.add(site);
    for (TreePath call : callers) {
      if (AstPaths.isWithin(call, scene.producer().root.getLeaf())) {
        continue; // a producer cannot rescue itself
      }
      if (reachedIndependently(call, scene, inConsumers, longer, visited)) {
        return true;
      }
    }
    return false;
  }

  /** A public method of a public class: code outside the unit can call it. */
  private static boolean isPublicApi(MethodSymbol method) {
    return method.getModifiers().contains(Modifier.PUBLIC)
        && method.enclClass().getModifiers().contains(Modifier.PUBLIC);
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
  @Nullable
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
      if (leaf instanceof MethodInvocationTree call
          && call.getArguments().contains(use.getLeaf())) {
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
   * True when the interrupt at {@code site} (in a lifecycle method, say) runs only after a wait
   * that never returns once the consumers stopped: the stuck producer's {@code get()}, room in a
   * full queue.
   */
  static boolean afterAWaitThatNeverEnds(
      TreePath site,
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    return neverGetsPast(firstWaitBefore(site, Scene.of(producer, consumers, queue, index, state)));
  }

  private static boolean neverGetsPast(Waits waits) {
    return waits == Waits.STUCK || waits == Waits.CONSUMER_MAY_FAIL;
  }

  /**
   * What the first wait that runs before {@code site} in its method waits for: the statements
   * before it in each enclosing block, and the {@code try} block of a {@code catch} or {@code
   * finally} it is in, outermost first.
   */
  private static Waits firstWaitBefore(TreePath site, Scene scene) {
    List<List<TreePath>> before = new ArrayList<>();
    List<Boolean> sequential = new ArrayList<>();
    for (TreePath p = site;
        p.getParentPath() != null && !AstPaths.isTaskRoot(p.getLeaf());
        p = p.getParentPath()) {
      TreePath parent = p.getParentPath();
      if (parent.getLeaf() instanceof BlockTree block) {
        List<TreePath> earlier = new ArrayList<>();
        for (StatementTree statement : block.getStatements()) {
          if (statement == p.getLeaf()) {
            break;
          }
          earlier.add(new TreePath(parent, statement));
        }
        before.add(earlier);
        sequential.add(true);
      } else if (parent.getLeaf() instanceof TryTree tryTree
          && (p.getLeaf() instanceof CatchTree || p.getLeaf() == tryTree.getFinallyBlock())) {
        List<TreePath> tried = new ArrayList<>();
        for (Tree resource : tryTree.getResources()) {
          tried.add(new TreePath(parent, resource));
        }
        tried.add(new TreePath(parent, tryTree.getBlock()));
        before.add(tried);
        sequential.add(false);
      }
    }
    Collections.reverse(before);
    Collections.reverse(sequential);
    for (int i = 0; i < before.size(); i++) {
      for (TreePath code : before.get(i)) {
        // The first such call in source order, here or in a method of the unit it calls.
        ReachableCalls.Reach wait =
            ReachableCalls.find(code, call -> waits(call, scene) != Waits.NOTHING, scene.index());
        if (wait == null) {
          continue;
        }
        Waits waits = waits(wait.target(), scene);
        MethodInvocationTree call = (MethodInvocationTree) wait.target().getLeaf();
        if (waits == Waits.CONSUMER
            && sequential.get(i)
            && !ConcurrencyApiModel.isUntimedThreadJoin(call, scene.state())
            && scene.consumers().stream().anyMatch(InterruptExitPaths::canFail)) {
          return Waits.CONSUMER_MAY_FAIL;
        }
        return waits;
      }
    }
    return Waits.NOTHING;
  }

  /**
   * What the call waits for with no timeout: the task of the producer or of a consumer, or room in
   * a queue that is full once the consumers stopped ({@link Waits#STUCK}).
   */
  private static Waits waits(TreePath path, Scene scene) {
    MethodInvocationTree call = (MethodInvocationTree) path.getLeaf();
    VisitorState state = scene.state();
    if (ConcurrencyApiModel.isBuiltinBlockingInsertion(call, state)) {
      VarSymbol queue = scene.index().receiverVariable(call);
      return queue != null && scene.fullQueues().contains(queue) ? Waits.STUCK : Waits.NOTHING;
    }
    if (!ConcurrencyApiModel.isUntimedTaskWait(call, state)) {
      return Waits.NOTHING;
    }
    return waitedFor(AstPaths.receiverVariable(call), scene);
  }

  /**
   * Whose task the handle {@code waited} holds: the producer's (its future, thread, or an element
   * of the collection its future was added to before every consumer's), a consumer's, or neither.
   */
  private static Waits waitedFor(@Nullable VarSymbol waited, Scene scene) {
    if (waited == null) {
      return Waits.NOTHING;
    }
    CompilationUnitIndex index = scene.index();
    TaskSpawns.Spawn spawn = scene.producer().spawn;
    List<TaskSpawns.Spawn> consumerSpawns = new ArrayList<>();
    for (QueueConsumer consumer : scene.consumers()) {
      consumerSpawns.add(TaskSpawns.of(consumer.root, index, scene.state()));
    }
    for (TaskSpawns.Spawn consumer : consumerSpawns) {
      if (consumer.handle != null
          && !consumer.handleIsCollection
          && HandleAliases.of(consumer, index).contains(waited)) {
        return Waits.CONSUMER;
      }
    }
    if (!spawn.handleIsCollection && HandleAliases.of(spawn, index).contains(waited)) {
      return Waits.STUCK;
    }
    VarSymbol collection = HandleAliases.collectionOf(waited, index);
    if (collection == null || !spawn.handleIsCollection || !collection.equals(spawn.handle)) {
      return Waits.NOTHING;
    }
    // A loop over the tasks waits for them in the order they were added: a consumer added before
    // the producer ends that loop (with its failure) before the producer is waited for.
    for (TaskSpawns.Spawn consumer : consumerSpawns) {
      if (consumer.call == null || spawn.call == null) {
        return Waits.NOTHING; // cannot tell which comes first
      }
      if (consumer.handleIsCollection
          && collection.equals(consumer.handle)
          && start(consumer.call) < start(spawn.call)) {
        return Waits.CONSUMER;
      }
    }
    return Waits.STUCK;
  }

  /**
   * {@code for (Future<?> f : tasks) f.cancel(true)} or {@code tasks.forEach(f -> f.cancel(true))}
   * cancels every task whenever the statement runs: the loop, not the call in it, is what must be
   * on the consumers' way out. Any other call stands for itself.
   */
  private static TreePath wholeLoop(TreePath call, CompilationUnitIndex index) {
    VarSymbol element =
        call.getLeaf() instanceof MethodInvocationTree invocation
            ? AstPaths.receiverVariable(invocation)
            : null;
    TreePath declaration = element == null ? null : index.declarations.get(element);
    if (declaration == null
        || declaration.getParentPath() == null
        || HandleAliases.collectionOf(element, index) == null) {
      return call;
    }
    TreePath loop = declaration.getParentPath();
    if (loop.getLeaf() instanceof com.sun.source.tree.LambdaExpressionTree) {
      TreePath forEach = AstPaths.parentSkippingParens(loop);
      TreePath statement = forEach == null ? null : forEach.getParentPath();
      return statement != null && statement.getLeaf() instanceof StatementTree ? statement : call;
    }
    return AstPaths.isWithin(call, loop.getLeaf()) ? loop : call;
  }

  /** The consumer can stop by an exception, which its future's {@code get()} rethrows. */
  private static boolean canFail(QueueConsumer consumer) {
    return consumer.exits.stream()
        .anyMatch(exit -> exit.at() instanceof ThrowTree || !exit.thrown().isEmpty());
  }

  /** The code a task root runs (a lambda's or method's body), which ReachableCalls scans. */
  private static TreePath bodyOf(TreePath root) {
    if (root.getLeaf() instanceof com.sun.source.tree.LambdaExpressionTree lambda) {
      return new TreePath(root, lambda.getBody());
    }
    if (root.getLeaf() instanceof MethodTree method && method.getBody() != null) {
      return new TreePath(root, method.getBody());
    }
    return root;
  }

  private static int start(TreePath path) {
    return ((com.sun.tools.javac.tree.JCTree) path.getLeaf()).getStartPosition();
  }
}
