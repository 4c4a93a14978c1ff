package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.fixes.SuggestedFix;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.type.TypeKind;
import org.jspecify.annotations.Nullable;

/**
 * Decides the fix for re-entrancy: a consumer whose processing reaches a blocking insertion into
 * the queue it drains waits there for room that only it can make. No stop signal helps, because the
 * consumer never leaves. What the maintainers of the real projects proposed (logback issue 788):
 * the method that inserts first asks which thread is calling, and the consumer's own thread never
 * waits for room. It offers without waiting (the element is dropped when the queue is full) and
 * returns.
 */
final class ReentrantGuards {
  private ReentrantGuards() {}

  /** Whether some consumer reaches an insertion into the queue it drains. */
  static boolean anyReentrant(List<QueueConsumer> consumers) {
    return consumers.stream().anyMatch(c -> !c.reentrantInsertions.isEmpty());
  }

  /**
   * Whether every way a consumer stops is re-entrancy, so that the guard alone removes the leak.
   */
  static boolean onlyReentrant(List<QueueConsumer> consumers) {
    // addReentrantExits records one exit per re-entrant consumer.
    return consumers.stream()
        .allMatch(c -> c.exits.size() == (c.reentrantInsertions.isEmpty() ? 0 : 1));
  }

  /**
   * A guard first thing in the method of each re-entrant insertion, or empty when the consumer's
   * thread is not held in a field that method can read, or the method returns a value.
   */
  static Optional<SuggestedFix> guardFix(
      List<QueueConsumer> consumers, CompilationUnitIndex index, VisitorState state) {
    SuggestedFix.Builder fix = SuggestedFix.builder();
    Set<MethodTree> guarded = new HashSet<>();
    for (QueueConsumer consumer : consumers) {
      if (consumer.reentrantInsertions.isEmpty()) {
        continue;
      }
      VarSymbol thread = consumerThread(consumer, index, state);
      if (thread == null) {
        return Optional.empty();
      }
      for (TreePath insertion : consumer.reentrantInsertions) {
        TreePath method = directMethod(insertion);
        if (method == null) {
          return Optional.empty();
        }
        if (guarded.add((MethodTree) method.getLeaf())
            && !guard(insertion, method, thread, fix, state)) {
          return Optional.empty();
        }
      }
    }
    return guarded.isEmpty() ? Optional.empty() : Optional.of(fix.build());
  }

  /**
   * The field that holds the consumer's thread ({@code worker = new Thread(this::drain)}), or null.
   */
  @Nullable
  static VarSymbol consumerThread(
      QueueConsumer consumer, CompilationUnitIndex index, VisitorState state) {
    TaskSpawns.Spawn spawn = TaskSpawns.of(consumer.root, index, state);
    if (spawn.kind != TaskSpawns.Kind.THREAD
        || spawn.handle == null
        || spawn.handleIsCollection
        || spawn.handle.getKind() != ElementKind.FIELD
        || spawn.call == null
        || AstPaths.enclosingLoop(spawn.call, AstPaths.taskRoot(spawn.call).getLeaf()) != null) {
      return null; // no single thread to compare with
    }
    return spawn.handle;
  }

  /** The method whose own body (not a lambda or class inside it) holds the insertion. */
  @Nullable
  private static TreePath directMethod(TreePath insertion) {
    for (TreePath p = insertion.getParentPath(); p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof MethodTree) {
        return p;
      }
      if (p.getLeaf() instanceof LambdaExpressionTree || p.getLeaf() instanceof ClassTree) {
        return null;
      }
    }
    return null;
  }

  private static boolean guard(
      TreePath insertion,
      TreePath methodPath,
      VarSymbol thread,
      SuggestedFix.Builder fix,
      VisitorState state) {
    MethodTree method = (MethodTree) methodPath.getLeaf();
    MethodSymbol symbol = ASTHelpers.getSymbol(method);
    if (symbol == null
        || symbol.getReturnType().getKind() != TypeKind.VOID
        || symbol.isConstructor()
        || method.getBody() == null
        || method.getBody().getStatements().isEmpty()
        || !FieldQueueFixes.seesField(
            methodPath, thread.owner, thread.getModifiers().contains(Modifier.STATIC))
        || declaresName(method, thread.getSimpleName().toString())) {
      return false;
    }
    StatementTree first = method.getBody().getStatements().get(0);
    String indent = LeakFixes.indentOf(first, state);
    String offer = offerAtEntry((MethodInvocationTree) insertion.getLeaf(), symbol, state);
    fix.prefixWith(
        first,
        "if (Thread.currentThread() == "
            + thread.getSimpleName()
            + ") {\n"
            + indent
            + "  // Only this thread takes from the queue: it must never wait for room in it.\n"
            + (offer == null ? "" : indent + "  " + offer + "\n")
            + indent
            + "  return;\n"
            + indent
            + "}\n"
            + indent);
    return true;
  }

  /**
   * {@code queue.offer(element);} when the queue is a field and the element a parameter, so that
   * the guard can offer at the method's entry; else null and the element is dropped.
   */
  @Nullable
  private static String offerAtEntry(
      MethodInvocationTree insertion, MethodSymbol method, VisitorState state) {
    ExpressionTree receiver = ASTHelpers.getReceiver(insertion);
    if (receiver == null || insertion.getArguments().isEmpty()) {
      return null;
    }
    Symbol queue = ASTHelpers.getSymbol(receiver);
    ExpressionTree element = insertion.getArguments().get(0);
    Symbol elementSymbol = element instanceof IdentifierTree ? ASTHelpers.getSymbol(element) : null;
    if (!(queue instanceof VarSymbol)
        || queue.getKind() != ElementKind.FIELD
        || elementSymbol == null
        || elementSymbol.getKind() != ElementKind.PARAMETER
        || elementSymbol.owner != method) {
      return null;
    }
    String queueText = state.getSourceForNode(receiver);
    return queueText == null ? null : queueText + ".offer(" + elementSymbol.getSimpleName() + ");";
  }

  private static boolean declaresName(MethodTree method, String name) {
    return AstPaths.anyMatch(
        method, t -> t instanceof VariableTree v && v.getName().contentEquals(name));
  }
}
