package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.TryTree;
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

  static final class Consumer {
    final TreePath root;
    final List<TreePath> takes = new ArrayList<>();
    final List<EarlyExits.Exit> exits = new ArrayList<>();

    /** Take loops of this consumer, for the fix and for drain detection. */
    final List<TreePath> loops = new ArrayList<>();

    Consumer(TreePath root) {
      this.root = root;
    }
  }

  private ConsumerDiscovery() {}

  static List<Consumer> discover(
      QueueAliases queue,
      ProducerDiscovery.Producer producer,
      CompilationUnitIndex index,
      ConsumerDeath death,
      VisitorState state) {
    Map<com.sun.source.tree.Tree, Consumer> byRoot = new LinkedHashMap<>();
    Map<Consumer, List<List<TreePath>>> chains = new LinkedHashMap<>();
    for (VarSymbol alias : queue.variables) {
      for (TreePath call : index.callsOn(alias)) {
        MethodInvocationTree invocation = (MethodInvocationTree) call.getLeaf();
        if (!ConcurrencyApiModel.isRemoval(invocation, state)
            || ConcurrencyApiModel.isClear(invocation, state)
            || isInExitPath(call)) {
          continue;
        }
        List<TreePath> chain = ProducerDiscovery.callChain(call, index, state);
        TreePath site = chain.get(chain.size() - 1);
        TreePath root = AstPaths.taskRoot(site);
        if (root.getLeaf() == producer.root.getLeaf()) {
          continue; // the producer's own thread: not a separate consumer
        }
        Consumer consumer = byRoot.computeIfAbsent(root.getLeaf(), r -> new Consumer(root));
        consumer.takes.add(call);
        chains.computeIfAbsent(consumer, c -> new ArrayList<>()).add(chain);
      }
    }
    for (Map.Entry<Consumer, List<List<TreePath>>> entry : chains.entrySet()) {
      // A consumer with a take loop is judged by that loop: a removal after it (a last drainTo of
      // the leftovers) does not make it a single-take consumer.
      boolean hasLoop = entry.getValue().stream().anyMatch(ConsumerDiscovery::inLoop);
      for (List<TreePath> chain : entry.getValue()) {
        if (hasLoop && !inLoop(chain)) {
          continue;
        }
        EarlyExits.collect(
            chain,
            queue,
            takenVariable(chain.get(0), state),
            entry.getKey(),
            producer,
            index,
            death,
            state);
      }
    }
    // A visible getter hands the queue itself to callers: each is a consumer of its own.
    for (TreePath returned : queue.returnedToCallers) {
      TreePath root = AstPaths.taskRoot(returned);
      byRoot.computeIfAbsent(root.getLeaf(), r -> new Consumer(root)).takes.add(returned);
    }
    return new ArrayList<>(byRoot.values());
  }

  private static boolean inLoop(List<TreePath> chain) {
    return chain.stream()
        .anyMatch(site -> AstPaths.enclosingLoop(site, AstPaths.taskRoot(site).getLeaf()) != null);
  }

  /**
   * Takes inside a finally or catch are clean-up on the exit path, not the consumer's main loop.
   */
  static boolean isInExitPath(TreePath call) {
    com.sun.source.tree.Tree previous = call.getLeaf();
    for (TreePath p = call.getParentPath();
        p != null && !AstPaths.isTaskRoot(p.getLeaf());
        p = p.getParentPath()) {
      if (p.getLeaf() instanceof CatchTree) {
        return true;
      }
      if (p.getLeaf() instanceof TryTree && ((TryTree) p.getLeaf()).getFinallyBlock() == previous) {
        return true;
      }
      previous = p.getLeaf();
    }
    return false;
  }

  /** The variable an element taken by {@code call} is stored in, if any. */
  @Nullable
  static VarSymbol takenVariable(TreePath call, VisitorState state) {
    VarSymbol assigned = AstPaths.assignedVariable(call);
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
