package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.fixes.SuggestedFix;
import com.google.errorprone.fixes.SuggestedFixes;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.lang.model.element.Modifier;

/**
 * Decides the fix for a shutdown pill: a lifecycle method ({@code stop()}, {@code close()}) puts an
 * end marker into the queue of its consumer thread, which may already have died. Waiting for room
 * is right while that thread lives (it will take the marker) and wrong once it is dead (nothing
 * will). The fix offers with a timeout while the consumer thread is alive, then goes on with the
 * rest of the lifecycle method.
 */
final class ShutdownPills {
  private ShutdownPills() {}

  /** The producers that are shutdown pills, and the fix for them. */
  record Pills(List<ProducerDiscovery.Producer> pills, SuggestedFix fix) {}

  /**
   * The pill insertions among {@code producers} with their rewrite, or empty when there is none or
   * the consumer is not one thread held in a field that the lifecycle method can read.
   */
  static Optional<Pills> find(
      List<ProducerDiscovery.Producer> producers,
      List<QueueConsumer> consumers,
      CompilationUnitIndex index,
      VisitorState state) {
    if (consumers.size() != 1) {
      return Optional.empty();
    }
    VarSymbol thread = ReentrantGuards.consumerThread(consumers.get(0), index, state);
    if (thread == null) {
      return Optional.empty();
    }
    List<ProducerDiscovery.Producer> pills = new ArrayList<>();
    SuggestedFix.Builder fix = SuggestedFix.builder();
    for (ProducerDiscovery.Producer producer : producers) {
      if (onLifecyclePath(producer)
          && producer.insertion == ProducerDiscovery.Insertion.PUT
          && FieldQueueFixes.seesField(
              producer.insertionPath(),
              thread.owner,
              thread.getModifiers().contains(Modifier.STATIC))
          && rewrite(producer.insertionPath(), thread, fix, state)) {
        pills.add(producer);
      }
    }
    return pills.isEmpty() ? Optional.empty() : Optional.of(new Pills(pills, fix.build()));
  }

  /** The insertion runs in a lifecycle method, or in a helper it calls. */
  private static boolean onLifecyclePath(ProducerDiscovery.Producer producer) {
    for (TreePath site : producer.chain) {
      if (AstPaths.taskRoot(site).getLeaf() instanceof MethodTree method
          && ASTHelpers.getSymbol(method) != null
          && ConcurrencyApiModel.isLifecycleMethod(ASTHelpers.getSymbol(method))) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code queue.put(pill);} becomes {@code while (thread.isAlive() && !queue.offer(pill, ..)) {}};
   * the pill must be cheap to evaluate again (no call, no allocation).
   */
  private static boolean rewrite(
      TreePath insertion, VarSymbol thread, SuggestedFix.Builder fix, VisitorState state) {
    MethodInvocationTree call = (MethodInvocationTree) insertion.getLeaf();
    TreePath statement = insertion.getParentPath();
    ExpressionTree receiver = ASTHelpers.getReceiver(call);
    if (!(statement.getLeaf() instanceof ExpressionStatementTree)
        || call.getArguments().size() != 1
        || receiver == null
        || !ConcurrencyApiModel.isPut(ASTHelpers.getSymbol(call))
        || AstPaths.anyMatch(
            call.getArguments().get(0),
            t -> t instanceof MethodInvocationTree || t instanceof NewClassTree)) {
      return false;
    }
    String queue = state.getSourceForNode(receiver);
    String pill = state.getSourceForNode(call.getArguments().get(0));
    if (queue == null || pill == null) {
      return false;
    }
    String indent = LeakFixes.indentOf(statement.getLeaf(), state);
    String timeUnit = SuggestedFixes.qualifyType(state, fix, "java.util.concurrent.TimeUnit");
    fix.replace(
        statement.getLeaf(),
        "while ("
            + thread.getSimpleName()
            + ".isAlive() && !"
            + queue
            + ".offer("
            + pill
            + ", 10, "
            + timeUnit
            + ".MILLISECONDS)) {\n"
            + indent
            + "  // A dead consumer thread takes nothing: go on without the marker.\n"
            + indent
            + "}");
    return true;
  }
}
