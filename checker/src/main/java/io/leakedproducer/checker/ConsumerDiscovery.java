package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.sun.source.tree.MethodInvocationTree;
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
    com.sun.source.tree.Tree queueOwner = ProducerDiscovery.localOwner(queue, index);
    Map<com.sun.source.tree.Tree, QueueConsumer> byRoot = new LinkedHashMap<>();
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

  private static boolean inLoop(List<TreePath> chain) {
    return chain.stream()
        .anyMatch(site -> AstPaths.enclosingLoop(site, AstPaths.taskRoot(site).getLeaf()) != null);
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
