package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ConditionalExpressionTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Decides who consumes: every call that takes from the queue, outside the producer's own task,
 * grouped by the task it runs in. Each consumer carries the early exits that {@link EarlyExits}
 * finds in its take loop.
 */
final class ConsumerDiscovery {

  private ConsumerDiscovery() {}

  static List<QueueConsumer> discover(QueueContext context) {
    QueueAliases queue = context.queue();
    ProducerDiscovery.Producer producer = context.producer();
    CompilationUnitIndex index = context.index();
    VisitorState state = context.state();
    Tree queueOwner = ProducerDiscovery.localOwner(queue, index);
    Map<Tree, QueueConsumer> byRoot = new LinkedHashMap<>();
    Map<QueueConsumer, List<List<TreePath>>> chains = new LinkedHashMap<>();
    for (VarSymbol alias : queue.variables) {
      for (TreePath call : index.callsOn(alias)) {
        MethodInvocationTree invocation = (MethodInvocationTree) call.getLeaf();
        if (!ConcurrencyApiModel.isRemoval(invocation, state)
            || ConcurrencyApiModel.isClear(invocation, state)
            || AstPaths.isInExitPath(call)) {
          continue;
        }
        List<TreePath> chain = ProducerDiscovery.callChain(call, index, state, queueOwner);
        TreePath site = chain.get(chain.size() - 1);
        TreePath root = AstPaths.taskRoot(site);
        if (root.getLeaf() == producer.root.getLeaf()) {
          continue; // the producer's own thread: not a separate consumer
        }
        if (isLifecycleFlush(invocation, chain, state)) {
          // close() writing out what is left: it runs once, as the owner shuts down, and no
          // producer waits for it to take again.
          continue;
        }
        QueueConsumer consumer =
            byRoot.computeIfAbsent(root.getLeaf(), r -> new QueueConsumer(root));
        consumer.takes.add(call);
        chains.computeIfAbsent(consumer, c -> new ArrayList<>()).add(chain);
      }
    }
    for (Map.Entry<QueueConsumer, List<List<TreePath>>> entry : chains.entrySet()) {
      // A consumer with a take loop is judged by that loop: a removal after it (a last drainTo of
      // the leftovers) does not make it a single-take consumer.
      boolean hasLoop = entry.getValue().stream().anyMatch(ConsumerDiscovery::inLoop);
      for (List<TreePath> chain : entry.getValue()) {
        if (hasLoop && !inLoop(chain)) {
          continue;
        }
        // Nor does a flush loop after the take loop (for (e : queue) write(e)): it runs once the
        // consumer has been asked to stop, takes only what is left and never waits for more, so
        // how it ends is not how the consumer stops taking.
        if (isFlushAfterTakeLoop(chain, entry.getValue(), state)) {
          continue;
        }
        EarlyExits.collect(chain, takenVariable(chain.get(0), state), entry.getKey(), context);
      }
    }
    // A visible getter hands the queue itself to callers: each is a consumer of its own.
    for (TreePath returned : queue.returnedToCallers) {
      TreePath root = AstPaths.taskRoot(returned);
      byRoot.computeIfAbsent(root.getLeaf(), r -> new QueueConsumer(root)).takes.add(returned);
    }
    return new ArrayList<>(byRoot.values());
  }

  /**
   * {@code chain} only removes what is there now ({@link ConcurrencyApiModel#isWaitingTake} is
   * false), and runs after a loop of another chain of the same consumer that waits for elements:
   * its loop, or a call that leads to it, sits in a statement after one that holds that take loop
   * or a call leading to it ({@code dispatchAll(); dispatchRemaining();}).
   */
  private static boolean isFlushAfterTakeLoop(
      List<TreePath> chain, List<List<TreePath>> chains, VisitorState state) {
    TreePath flush = loopOf(chain);
    if (flush == null
        || ConcurrencyApiModel.isWaitingTake((ExpressionTree) chain.get(0).getLeaf(), state)) {
      return false;
    }
    List<TreePath> later = new ArrayList<>(chain);
    later.add(flush);
    for (List<TreePath> other : chains) {
      TreePath takeLoop = loopOf(other);
      if (other == chain
          || takeLoop == null
          || !ConcurrencyApiModel.isWaitingTake((ExpressionTree) other.get(0).getLeaf(), state)) {
        continue;
      }
      List<Tree> earlier = new ArrayList<>();
      earlier.add(takeLoop.getLeaf());
      other.forEach(site -> earlier.add(site.getLeaf()));
      for (TreePath l : later) {
        for (Tree e : earlier) {
          if (runsAfter(l, e)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * A removal that does not wait, in the owner's lifecycle method (close, stop, shutdown), whoever
   * calls that method: the task that stops the owner runs it once.
   */
  private static boolean isLifecycleFlush(
      MethodInvocationTree removal, List<TreePath> chain, VisitorState state) {
    if (ConcurrencyApiModel.isWaitingTake(removal, state)) {
      return false;
    }
    for (TreePath site : chain) {
      if (AstPaths.taskRoot(site).getLeaf() instanceof MethodTree method
          && ConcurrencyApiModel.isLifecycleMethod(ASTHelpers.getSymbol(method))) {
        return true;
      }
    }
    return false;
  }

  /** The innermost loop around the first call of the chain that sits in one. */
  private static @Nullable TreePath loopOf(List<TreePath> chain) {
    for (TreePath site : chain) {
      TreePath loop = AstPaths.enclosingLoop(site, AstPaths.taskRoot(site).getLeaf());
      if (loop != null) {
        return loop;
      }
    }
    return null;
  }

  /** Some block holds {@code earlier} in a statement before the one that holds {@code later}. */
  private static boolean runsAfter(TreePath later, Tree earlier) {
    for (TreePath p = later; p.getParentPath() != null; p = p.getParentPath()) {
      if (p.getParentPath().getLeaf() instanceof BlockTree block) {
        for (StatementTree statement : block.getStatements()) {
          if (statement == p.getLeaf()) {
            break;
          }
          if (AstPaths.contains(statement, earlier)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static boolean inLoop(List<TreePath> chain) {
    return chain.stream()
        .anyMatch(site -> AstPaths.enclosingLoop(site, AstPaths.taskRoot(site).getLeaf()) != null);
  }

  /** The variable an element taken by {@code call} is stored in, if any. */
  @Nullable
  static VarSymbol takenVariable(TreePath call, VisitorState state) {
    // t = idleTime <= 0 ? queue.take() : queue.poll(idleTime, unit): either arm is what t holds.
    TreePath stored = call;
    TreePath parent = AstPaths.parentSkippingParens(call);
    if (parent != null
        && parent.getLeaf() instanceof ConditionalExpressionTree conditional
        && conditional.getCondition()
            != Trees.skipParensAndCasts((ExpressionTree) call.getLeaf())) {
      stored = parent;
    }
    VarSymbol assigned = AstPaths.assignedVariable(stored);
    if (assigned != null) {
      return assigned;
    }
    MethodInvocationTree invocation = (MethodInvocationTree) call.getLeaf();
    if (ConcurrencyApiModel.isDrainTo(invocation, state) && !invocation.getArguments().isEmpty()) {
      return AstPaths.variable(invocation.getArguments().get(0));
    }
    return null;
  }
}
