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

  /** Bounded only when constructed with a capacity. */
  private static final List<String> CAPACITY_CONSTRUCTED =
      List.of(
          "java.util.concurrent.LinkedBlockingQueue", "java.util.concurrent.LinkedBlockingDeque");

  /** Guava's factories, matched by name so that no Guava dependency is needed. */
  private static final List<String> BUILTIN_FACTORIES =
      List.of(
          "com.google.common.collect.Queues#newArrayBlockingQueue",
          "com.google.common.collect.Queues#newLinkedBlockingQueue",
          "com.google.common.collect.Queues#newLinkedBlockingDeque");

  private final ImmutableList<String> extraFactories;
  private final boolean unknownIsBounded;

  QueueBoundedness(ImmutableList<String> extraFactories, boolean unknownIsBounded) {
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
      if (isSubtype(type, "java.util.concurrent.SynchronousQueue", state)) {
        return new Verdict(Kind.BOUNDED, null, true, shown, origin);
      }
      List<? extends ExpressionTree> args = creation.getArguments();
      ExpressionTree capacity = !args.isEmpty() && isInt(args.get(0)) ? args.get(0) : null;
      // ArrayBlockingQueue is always bounded, subclasses included.
      if (isSubtype(type, "java.util.concurrent.ArrayBlockingQueue", state)) {
        return new Verdict(Kind.BOUNDED, capacity, false, shown, origin);
      }
      for (String optionallyBounded : CAPACITY_CONSTRUCTED) {
        if (isSubtype(type, optionallyBounded, state)) {
          if (capacity != null) {
            return new Verdict(Kind.BOUNDED, capacity, false, shown, origin);
          }
          boolean exact =
              type.tsym.getQualifiedName().contentEquals(optionallyBounded)
                  && creation.getClassBody() == null;
          return new Verdict(exact ? Kind.UNBOUNDED : Kind.UNKNOWN, null, false, shown, origin);
        }
      }
      if (type.tsym.getQualifiedName().contentEquals(RuntimeLibrary.WITNESS)) {
        // Consumer tracking (a second argument) is its cancellation path; without it only cancel()
        // is.
        return new Verdict(
            args.size() == 1 ? Kind.BOUNDED : Kind.UNBOUNDED, capacity, false, shown, origin);
      }
      if (isSubtype(type, "java.util.Queue", state)) {
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
    String key = sym.owner.getQualifiedName() + "#" + sym.getSimpleName();
    return BUILTIN_FACTORIES.contains(key) || extraFactories.contains(key);
  }

  private static boolean isBuiltinFactory(MethodSymbol sym) {
    return BUILTIN_FACTORIES.contains(sym.owner.getQualifiedName() + "#" + sym.getSimpleName());
  }

  private static boolean isSubtype(Type type, String name, VisitorState state) {
    Type other = state.getTypeFromString(name);
    return other != null
        && ASTHelpers.isSubtype(
            state.getTypes().erasure(type), state.getTypes().erasure(other), state);
  }

  private static boolean isInt(ExpressionTree tree) {
    Type type = ASTHelpers.getType(tree);
    return type != null && type.getKind() == javax.lang.model.type.TypeKind.INT;
  }
}
