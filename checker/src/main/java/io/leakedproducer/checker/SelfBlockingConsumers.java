package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import javax.lang.model.element.Modifier;
import org.jspecify.annotations.Nullable;

/**
 * Decides when a consumer blocks itself, so that it stops taking although nothing in its loop says
 * stop:
 *
 * <ul>
 *   <li>a worklist: the only taker runs on the inserting thread, so once the queue is full the
 *       insertion waits for itself;
 *   <li>re-entrancy: the consumer's processing reaches a blocking insertion into the queue it
 *       drains (a log writer that logs its own failures), and blocks there when producers have
 *       filled the queue;
 *   <li>a cascade: the consumer also produces into a downstream queue whose insertion leaks, and
 *       stops with it.
 * </ul>
 */
final class SelfBlockingConsumers {

  /** Tells whether a blocking insertion into some other queue of the unit leaks. */
  @FunctionalInterface
  interface DownstreamLeaks {
    boolean leaks(MethodInvocationTree insertion);
  }

  private SelfBlockingConsumers() {}

  /**
   * A taker on the producer's own thread whose take loop reaches the insertion.
   *
   * @param take the take, for its line
   * @param reentry the call in the take loop that leads to the insertion, when the queue fills up
   *     only because other producers feed it (re-entrancy); null for a worklist that fills itself
   */
  record SameThreadTaker(TreePath take, @Nullable TreePath reentry) {}

  /**
   * No other thread takes, and a take loop on the producer's own thread reaches the insertion in a
   * round that can insert more than it took (a nested loop, a second insertion) or while other
   * producers fill the queue. Returns that taker, or null when this is not the case.
   */
  @Nullable
  static SameThreadTaker sameThreadTaker(
      ProducerDiscovery.Producer producer,
      QueueAliases queue,
      ConcurrencyApiModel api,
      CompilationUnitIndex index,
      VisitorState state) {
    if (threadGuarded(producer.insertionPath(), index)) {
      return null; // the taker's own thread never reaches the insertion
    }
    // The insertion runs where each element of its chain is: the put, then the helpers' call sites.
    for (int k = 0; k < producer.chain.size(); k++) {
      TreePath site = producer.chain.get(k);
      Tree root = AstPaths.taskRoot(site).getLeaf();
      for (VarSymbol alias : queue.variables) {
        for (TreePath take : index.callsOn(alias)) {
          if (!isTake(take, state)
              || AstPaths.isInExitPath(take)
              || AstPaths.taskRoot(take).getLeaf() != root) {
            continue;
          }
          TreePath loop = AstPaths.enclosingLoop(take, root);
          if (loop == null || !AstPaths.isWithin(site, AstPaths.loopBody(loop.getLeaf()))) {
            continue;
          }
          if (insertsInNestedLoop(producer.chain, k, loop)
              || insertsTwice(loop, producer, queue, api, index, state)) {
            return new SameThreadTaker(take, null);
          }
          if (hasOtherProducers(producer, queue, api, index, state)) {
            return new SameThreadTaker(take, site);
          }
        }
      }
    }
    return null;
  }

  /**
   * The queue's only takers run on the caller's thread that also inserts, though not in a take loop
   * around the insertion (the caller read through the owner's cursor, stopped, and then closes:
   * close() puts an end marker into the buffer it no longer drains), while a task on another thread
   * fills it. Once the queue is full the insertion waits for a take that only its own thread would
   * make. Returns that taker, with the call on the taker's side that leads to the insertion, or
   * null. A take in a method the insertion's call chain also runs through (take one, put one back)
   * frees the room it needs, and a task spawned many times is many threads: neither is this case.
   */
  @Nullable
  static SameThreadTaker takerOnThisThread(
      ProducerDiscovery.Producer producer,
      QueueAliases queue,
      ConcurrencyApiModel api,
      CompilationUnitIndex index,
      VisitorState state) {
    if (producer.spawn.kind != TaskSpawns.Kind.CALLER
        || threadGuarded(producer.insertionPath(), index)
        || !filledByAnotherTask(producer, queue, api, index, state)) {
      return null;
    }
    Set<Tree> producerMethods = new HashSet<>();
    for (int i = 0; i + 1 < producer.chain.size(); i++) {
      producerMethods.add(AstPaths.taskRoot(producer.chain.get(i)).getLeaf());
    }
    for (VarSymbol alias : queue.variables) {
      for (TreePath take : index.callsOn(alias)) {
        if (!isTake(take, state) || AstPaths.isInExitPath(take)) {
          continue;
        }
        List<TreePath> chain = ProducerDiscovery.callChain(take, index, state);
        if (AstPaths.taskRoot(chain.get(chain.size() - 1)).getLeaf() != producer.root.getLeaf()
            || chain.stream()
                .anyMatch(site -> producerMethods.contains(AstPaths.taskRoot(site).getLeaf()))) {
          continue;
        }
        return new SameThreadTaker(take, producer.chain.get(producer.chain.size() - 1));
      }
    }
    return null;
  }

  /** Some insertion into the queue runs in a task other than the producer's (another thread). */
  private static boolean filledByAnotherTask(
      ProducerDiscovery.Producer producer,
      QueueAliases queue,
      ConcurrencyApiModel api,
      CompilationUnitIndex index,
      VisitorState state) {
    for (VarSymbol alias : queue.variables) {
      for (TreePath call : index.callsOn(alias)) {
        if (!api.mayInsert((MethodInvocationTree) call.getLeaf(), state)) {
          continue;
        }
        List<TreePath> chain = ProducerDiscovery.callChain(call, index, state);
        TreePath root = AstPaths.taskRoot(chain.get(chain.size() - 1));
        if (root.getLeaf() != producer.root.getLeaf()
            && TaskSpawns.of(root, index, state).kind != TaskSpawns.Kind.CALLER) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Re-entrancy: a consumer whose take loop reaches a blocking insertion into the same queue stops
   * taking when producers on other threads have filled it. A single insertion into a queue made
   * fresh in the same method cannot fill it, so it gains nothing from this.
   */
  static void addReentrantExits(
      List<QueueConsumer> consumers,
      ProducerDiscovery.Producer producer,
      QueueAliases queue,
      ConcurrencyApiModel api,
      CompilationUnitIndex index,
      VisitorState state) {
    if (producer.count != null
        && producer.count.isOne()
        && createdIn(queue, producer.root.getLeaf(), index)) {
      return;
    }
    for (QueueConsumer consumer : consumers) {
      for (TreePath loop : consumer.loops) {
        ReachableCalls.Reach reach =
            ReachableCalls.find(
                new TreePath(loop, AstPaths.loopBody(loop.getLeaf())),
                call -> isBlockingInsertionInto(call, queue, api, index, state),
                index);
        if (reach != null && !threadGuarded(reach.target(), index)) {
          consumer.reentrantInsertions.add(reach.target());
          consumer.blocksItself = true;
          consumer.exits.add(
              new ConsumerExit(
                  AstPaths.line(index.unit, reach.via().getLeaf()),
                  "its processing puts into the queue it drains"
                      + via(reach)
                      + " and blocks itself once the queue is full"));
          break;
        }
      }
    }
  }

  /**
   * A cascade: a consumer whose take loop reaches a blocking insertion into another queue that
   * leaks stops taking when that insertion blocks forever.
   */
  static void addCascadeExits(
      List<QueueConsumer> consumers,
      QueueAliases queue,
      ConcurrencyApiModel api,
      DownstreamLeaks downstream,
      CompilationUnitIndex index,
      VisitorState state) {
    for (QueueConsumer consumer : consumers) {
      for (TreePath loop : consumer.loops) {
        ReachableCalls.Reach reach =
            ReachableCalls.find(
                new TreePath(loop, AstPaths.loopBody(loop.getLeaf())),
                call -> {
                  MethodInvocationTree invocation = (MethodInvocationTree) call.getLeaf();
                  VarSymbol receiver = index.receiverVariable(invocation);
                  return receiver != null
                      && !queue.variables.contains(receiver)
                      && isBlocking(call, api, index, state)
                      && downstream.leaks(invocation);
                },
                index);
        if (reach != null) {
          MethodInvocationTree insertion = (MethodInvocationTree) reach.target().getLeaf();
          consumer.exits.add(
              new ConsumerExit(
                  AstPaths.line(index.unit, reach.via().getLeaf()),
                  "it also produces into '"
                      + index.receiverVariable(insertion).getSimpleName()
                      + "'"
                      + via(reach)
                      + ", where it can block forever"));
          break;
        }
      }
    }
  }

  /**
   * The fix real projects write for re-entrancy: the method that reaches the insertion first asks
   * which thread is calling ({@code if (Thread.currentThread() == worker) return;}) and never lets
   * the consumer's own thread wait for room in its queue.
   */
  private static boolean threadGuarded(TreePath insertion, CompilationUnitIndex index) {
    for (TreePath method : index.methods.values()) {
      MethodTree tree = (MethodTree) method.getLeaf();
      if (tree.getBody() == null || !hasThreadIdentityGuard(tree.getBody())) {
        continue;
      }
      if (AstPaths.isWithin(insertion, tree)
          || ReachableCalls.find(
                  new TreePath(method, tree.getBody()),
                  call -> call.getLeaf() == insertion.getLeaf(),
                  index)
              != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * An {@code if} that compares {@code Thread.currentThread()} by identity and leaves the method.
   */
  private static boolean hasThreadIdentityGuard(Tree body) {
    return AstPaths.anyMatch(
        body,
        t ->
            t instanceof IfTree ifTree
                && AstPaths.anyMatch(
                    ifTree.getCondition(),
                    c ->
                        (c.getKind() == Tree.Kind.EQUAL_TO || c.getKind() == Tree.Kind.NOT_EQUAL_TO)
                            && AstPaths.anyMatch(
                                c,
                                m ->
                                    m instanceof MethodInvocationTree call
                                        && ConcurrencyApiModel.isCurrentThread(call)))
                && AstPaths.anyMatch(ifTree, r -> r instanceof ReturnTree));
  }

  private static String via(ReachableCalls.Reach reach) {
    if (reach.via() == reach.target()) {
      return "";
    }
    return " through "
        + ASTHelpers.getSymbol((MethodInvocationTree) reach.via().getLeaf()).getSimpleName()
        + "()";
  }

  private static boolean isTake(TreePath call, VisitorState state) {
    MethodInvocationTree invocation = (MethodInvocationTree) call.getLeaf();
    return ConcurrencyApiModel.isRemoval(invocation, state)
        && !ConcurrencyApiModel.isClear(invocation, state);
  }

  private static boolean isBlockingInsertionInto(
      TreePath call,
      QueueAliases queue,
      ConcurrencyApiModel api,
      CompilationUnitIndex index,
      VisitorState state) {
    VarSymbol receiver = index.receiverVariable((MethodInvocationTree) call.getLeaf());
    return receiver != null
        && queue.variables.contains(receiver)
        && isBlocking(call, api, index, state)
        && !relaysTakenMarker(call, queue, index, state);
  }

  /**
   * {@code Object obj = queue.take(); if (obj == exitToken) { queue.put(exitToken); return null;
   * }}: the end marker, just taken, is put back for the other consumers. The take freed the slot it
   * goes back into, and the marker is what the producers insert last, so the relay waits for no
   * consumer: it is how the marker reaches every consumer, not a re-entrant insertion.
   */
  private static boolean relaysTakenMarker(
      TreePath call, QueueAliases queue, CompilationUnitIndex index, VisitorState state) {
    MethodInvocationTree insertion = (MethodInvocationTree) call.getLeaf();
    if (insertion.getArguments().size() != 1) {
      return false;
    }
    VarSymbol marker = AstPaths.variable(insertion.getArguments().get(0));
    if (marker == null
        || !marker.getModifiers().contains(Modifier.FINAL)
        || !insertedElsewhere(marker, call, queue, index)) {
      return false;
    }
    Tree method = AstPaths.taskRoot(call).getLeaf();
    for (TreePath p = call;
        p.getParentPath() != null && p.getLeaf() != method;
        p = p.getParentPath()) {
      if (!(p.getParentPath().getLeaf() instanceof IfTree branch)
          || branch.getThenStatement() != p.getLeaf()
          || !(Trees.skipParensAndCasts(branch.getCondition()) instanceof BinaryTree test)
          || test.getKind() != Tree.Kind.EQUAL_TO) {
        continue;
      }
      VarSymbol left = AstPaths.variable(test.getLeftOperand());
      VarSymbol right = AstPaths.variable(test.getRightOperand());
      VarSymbol taken = marker.equals(right) ? left : marker.equals(left) ? right : null;
      if (taken != null && takenFromQueue(taken, queue, index, state)) {
        return true;
      }
    }
    return false;
  }

  /** A producer inserts the marker: some other insertion into the queue puts that constant. */
  private static boolean insertedElsewhere(
      VarSymbol marker, TreePath relay, QueueAliases queue, CompilationUnitIndex index) {
    for (VarSymbol alias : queue.variables) {
      for (TreePath site : index.callsOn(alias)) {
        MethodInvocationTree other = (MethodInvocationTree) site.getLeaf();
        if (other != relay.getLeaf()
            && other.getArguments().size() == 1
            && marker.equals(AstPaths.variable(other.getArguments().get(0)))
            && AstPaths.taskRoot(site).getLeaf() != AstPaths.taskRoot(relay).getLeaf()) {
          return true;
        }
      }
    }
    return false;
  }

  /** The local is initialised with a waiting take from the queue, and never written again. */
  private static boolean takenFromQueue(
      VarSymbol local, QueueAliases queue, CompilationUnitIndex index, VisitorState state) {
    TreePath declaration = index.declarations.get(local);
    return local.getKind() == javax.lang.model.element.ElementKind.LOCAL_VARIABLE
        && index.writesOf(local).isEmpty()
        && declaration != null
        && declaration.getLeaf() instanceof com.sun.source.tree.VariableTree variable
        && variable.getInitializer() instanceof MethodInvocationTree take
        && queue.variables.contains(index.receiverVariable(take))
        && ConcurrencyApiModel.isWaitingTake(take, state);
  }

  /** A put, putFirst/putLast, transfer, or a timed offer that a loop retries. */
  private static boolean isBlocking(
      TreePath call, ConcurrencyApiModel api, CompilationUnitIndex index, VisitorState state) {
    MethodInvocationTree invocation = (MethodInvocationTree) call.getLeaf();
    if (!api.mayBeInsertion(invocation)) {
      return false;
    }
    if (api.isBlockingInsertion(invocation, state)) {
      return true;
    }
    return (ConcurrencyApiModel.isTimedOffer(invocation, state)
            || ConcurrencyApiModel.isPlainOffer(invocation, state))
        && ProducerDiscovery.discover(call, index, state) != null;
  }

  /**
   * The insertion sits in a loop inside the take loop's body, or in a loop of a helper on the way
   * to it: one round inserts many.
   */
  private static boolean insertsInNestedLoop(List<TreePath> chain, int k, TreePath takeLoop) {
    for (int i = 0; i <= k; i++) {
      Tree stop = i == k ? takeLoop.getLeaf() : AstPaths.taskRoot(chain.get(i)).getLeaf();
      for (TreePath p = chain.get(i).getParentPath(); p != null && p.getLeaf() != stop; ) {
        if (AstPaths.isLoop(p.getLeaf())) {
          return true;
        }
        p = p.getParentPath();
      }
    }
    return false;
  }

  /** Another blocking insertion into the queue also runs in the same round of the take loop. */
  private static boolean insertsTwice(
      TreePath loop,
      ProducerDiscovery.Producer producer,
      QueueAliases queue,
      ConcurrencyApiModel api,
      CompilationUnitIndex index,
      VisitorState state) {
    Predicate<TreePath> other =
        call ->
            producer.chain.stream().noneMatch(site -> site.getLeaf() == call.getLeaf())
                && isBlockingInsertionInto(call, queue, api, index, state);
    return ReachableCalls.find(new TreePath(loop, AstPaths.loopBody(loop.getLeaf())), other, index)
        != null;
  }

  /**
   * Some insertion into the queue can run on another thread at the same time: one in another task,
   * or one in a method that code outside the unit can call.
   */
  private static boolean hasOtherProducers(
      ProducerDiscovery.Producer producer,
      QueueAliases queue,
      ConcurrencyApiModel api,
      CompilationUnitIndex index,
      VisitorState state) {
    for (VarSymbol alias : queue.variables) {
      for (TreePath call : index.callsOn(alias)) {
        if (!isBlockingInsertionInto(call, queue, api, index, state)) {
          continue;
        }
        List<TreePath> chain = ProducerDiscovery.callChain(call, index, state);
        if (AstPaths.taskRoot(chain.get(chain.size() - 1)).getLeaf() != producer.root.getLeaf()) {
          return true;
        }
        for (int i = 0; i < chain.size() - 1; i++) {
          if (callableFromOutside(AstPaths.taskRoot(chain.get(i)).getLeaf())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** A non-private method of a non-private class: the unit is not the only place that calls it. */
  private static boolean callableFromOutside(Tree root) {
    if (!(root instanceof MethodTree method)) {
      return false;
    }
    MethodSymbol symbol = ASTHelpers.getSymbol(method);
    return symbol != null
        && !symbol.getModifiers().contains(Modifier.PRIVATE)
        && !symbol.enclClass().getModifiers().contains(Modifier.PRIVATE)
        && !symbol.enclClass().isAnonymous();
  }

  /** The queue is created by code inside {@code root}: a fresh, empty queue per run. */
  private static boolean createdIn(QueueAliases queue, Tree root, CompilationUnitIndex index) {
    for (var origin : queue.origins) {
      TreePath site = queue.creationSite(origin, index);
      if (site != null && AstPaths.isWithin(site, root) && !(root instanceof ClassTree)) {
        return true;
      }
    }
    return false;
  }
}
