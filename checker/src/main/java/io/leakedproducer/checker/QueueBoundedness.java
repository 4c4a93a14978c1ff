package io.leakedproducer.checker;

import com.google.common.collect.ImmutableList;
import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewClassTree;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Type;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a queue is a bounded handoff, and with what capacity, from the expressions that
 * created it. A queue whose origin we cannot see is "unknown", which counts as bounded only when
 * {@code -XepOpt:LeakedProducer:UnknownQueuesBounded=true}.
 */
final class QueueBoundedness {
  enum Kind {
    BOUNDED,
    UNBOUNDED,
    UNKNOWN
  }

  /**
   * The verdict, the capacity expression when there is one, and how to name the queue's type in a
   * message.
   */
  static final class Verdict {
    final Kind kind;
    @Nullable final ExpressionTree capacity;
    final boolean synchronous;
    final String description;
    @Nullable final ExpressionTree creation;

    Verdict(
        Kind kind,
        @Nullable ExpressionTree capacity,
        boolean synchronous,
        String description,
        @Nullable ExpressionTree creation) {
      this.kind = kind;
      this.capacity = capacity;
      this.synchronous = synchronous;
      this.description = description;
      this.creation = creation;
    }
  }

  private final ImmutableList<MethodRef> extraFactories;
  private final boolean unknownIsBounded;

  QueueBoundedness(ImmutableList<MethodRef> extraFactories, boolean unknownIsBounded) {
    this.extraFactories = extraFactories;
    this.unknownIsBounded = unknownIsBounded;
  }

  boolean unknownIsBounded() {
    return unknownIsBounded;
  }

  Verdict classify(QueueAliases queue, VisitorState state) {
    Verdict result = null;
    for (ExpressionTree origin : queue.origins) {
      Verdict v = classifyOrigin(origin, state);
      if (v.kind != Kind.BOUNDED) {
        return v; // one unbounded or unknown creation is enough to stay silent
      }
      result = result == null ? v : result;
    }
    if (result == null || queue.unknownOrigin) {
      // A parameter, an injected field, a lambda argument: we cannot see where it was made.
      Kind kind = unknownIsBounded ? Kind.BOUNDED : Kind.UNKNOWN;
      return result != null && kind == Kind.BOUNDED
          ? result
          : new Verdict(kind, null, false, "a queue created elsewhere", null);
    }
    return result;
  }

  /** The verdict for one creation expression, for queues that are not held in a variable. */
  Verdict classifyCreation(ExpressionTree creation, VisitorState state) {
    return classifyOrigin(creation, state);
  }

  private Verdict classifyOrigin(ExpressionTree origin, VisitorState state) {
    String source = state.getSourceForNode(origin);
    String shown = source == null ? "the queue" : source;
    if (origin instanceof NewClassTree creation) {

      Type type = ASTHelpers.getType(creation);
      if (type == null) {
        return new Verdict(Kind.UNKNOWN, null, false, shown, origin);
      }
      ConcurrencyApiModel.QueueFamily family = ConcurrencyApiModel.queueFamily(type, state);
      if (family == ConcurrencyApiModel.QueueFamily.SYNCHRONOUS) {
        return new Verdict(Kind.BOUNDED, null, true, shown, origin);
      }
      List<? extends ExpressionTree> args = creation.getArguments();
      ExpressionTree capacity = !args.isEmpty() && isInt(args.get(0)) ? args.get(0) : null;
      if (family == ConcurrencyApiModel.QueueFamily.ALWAYS_BOUNDED) {
        return new Verdict(Kind.BOUNDED, capacity, false, shown, origin);
      }
      if (family == ConcurrencyApiModel.QueueFamily.BOUNDED_BY_CAPACITY_ARGUMENT) {
        if (capacity != null) {
          return new Verdict(Kind.BOUNDED, capacity, false, shown, origin);
        }
        // A subclass (or an anonymous one) may bound itself: only the library class is known
        // unbounded.
        boolean exact =
            ConcurrencyApiModel.isLibraryQueueClass(type) && creation.getClassBody() == null;
        return new Verdict(exact ? Kind.UNBOUNDED : Kind.UNKNOWN, null, false, shown, origin);
      }
      if (type.tsym.getQualifiedName().contentEquals(RuntimeLibrary.WITNESS)) {
        // Consumer tracking (a second argument) is its cancellation path; without it only cancel()
        // is.
        return new Verdict(
            args.size() == 1 ? Kind.BOUNDED : Kind.UNBOUNDED, capacity, false, shown, origin);
      }
      if (family == ConcurrencyApiModel.QueueFamily.OTHER_QUEUE) {
        return new Verdict(Kind.UNBOUNDED, null, false, shown, origin);
      }
      return new Verdict(
          unknownIsBounded ? Kind.BOUNDED : Kind.UNKNOWN, null, false, shown, origin);
    }
    if (origin instanceof MethodInvocationTree methodInvocationTree) {
      Symbol sym = ASTHelpers.getSymbol(origin);
      if (sym instanceof MethodSymbol methodSymbol && isFactory(methodSymbol)) {
        List<? extends ExpressionTree> args = methodInvocationTree.getArguments();
        ExpressionTree capacity = !args.isEmpty() && isInt(args.get(0)) ? args.get(0) : null;
        boolean namedBounded = isBuiltinFactory(methodSymbol);
        if (namedBounded && capacity == null) {
          return new Verdict(Kind.UNBOUNDED, null, false, shown, origin);
        }
        return new Verdict(Kind.BOUNDED, capacity, false, shown, origin);
      }
    }
    return new Verdict(unknownIsBounded ? Kind.BOUNDED : Kind.UNKNOWN, null, false, shown, origin);
  }

  private boolean isFactory(MethodSymbol sym) {
    return ConcurrencyApiModel.isBoundedQueueFactory(sym)
        || MethodRef.anyMatches(extraFactories, sym);
  }

  private static boolean isBuiltinFactory(MethodSymbol sym) {
    return ConcurrencyApiModel.isBoundedQueueFactory(sym);
  }

  private static boolean isInt(ExpressionTree tree) {
    Type type = ASTHelpers.getType(tree);
    return type != null && type.getKind() == javax.lang.model.type.TypeKind.INT;
  }
}
