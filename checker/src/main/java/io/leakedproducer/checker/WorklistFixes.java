package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.fixes.SuggestedFix;
import com.google.errorprone.fixes.SuggestedFixes;
import com.google.errorprone.suppliers.Supplier;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.NewClassTree;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.code.Type;
import java.util.Optional;

/**
 * Decides the fix for a worklist that only its own thread drains: a bounded queue there deadlocks
 * as soon as one step adds more than the free capacity, so the queue becomes an unbounded linked
 * one of the same kind (queue or deque). Offered only where every variable that holds the queue is
 * typed by an interface the linked queue also implements, so nothing else in the code changes.
 */
final class WorklistFixes {
  private WorklistFixes() {}

  static Optional<SuggestedFix> unboundedQueue(
      QueueAliases queue, QueueBoundedness.Verdict verdict, VisitorState state) {
    if (!(verdict.creation instanceof NewClassTree creation) || creation.getClassBody() != null) {
      return Optional.empty();
    }
    Type created = ASTHelpers.getType(creation);
    Type deque = BLOCKING_DEQUE.get(state);
    Type linkedQueue = LINKED_BLOCKING_QUEUE.get(state);
    Type linkedDeque = LINKED_BLOCKING_DEQUE.get(state);
    if (created == null || deque == null || linkedQueue == null || linkedDeque == null) {
      return Optional.empty();
    }
    boolean isDeque = ASTHelpers.isSubtype(created, deque, state);
    Type replacement = isDeque ? linkedDeque : linkedQueue;
    for (VarSymbol alias : queue.variables) {
      if (!ASTHelpers.isSubtype(
          state.getTypes().erasure(replacement), state.getTypes().erasure(alias.type), state)) {
        return Optional.empty(); // declared as ArrayBlockingQueue or the like: leave it to the user
      }
    }
    SuggestedFix.Builder fix = SuggestedFix.builder();
    String type =
        SuggestedFixes.qualifyType(
            state,
            fix,
            isDeque
                ? "java.util.concurrent.LinkedBlockingDeque"
                : "java.util.concurrent.LinkedBlockingQueue");
    fix.replace(creation, "new " + type + "<>()");
    return Optional.of(fix.build());
  }

  private static final Supplier<Type> BLOCKING_DEQUE =
      VisitorState.memoize(state -> state.getTypeFromString("java.util.concurrent.BlockingDeque"));

  private static final Supplier<Type> LINKED_BLOCKING_QUEUE =
      VisitorState.memoize(
          state -> state.getTypeFromString("java.util.concurrent.LinkedBlockingQueue"));

  private static final Supplier<Type> LINKED_BLOCKING_DEQUE =
      VisitorState.memoize(
          state -> state.getTypeFromString("java.util.concurrent.LinkedBlockingDeque"));
}
