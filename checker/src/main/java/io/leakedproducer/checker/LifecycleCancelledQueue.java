package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.fixes.SuggestedFix;
import com.google.errorprone.fixes.SuggestedFixes;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.ParameterizedTypeTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.code.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import org.jspecify.annotations.Nullable;

/**
 * Decides the runtime-backed fix for a queue that reaches its producer and its consumers through
 * constructors or parameters, so that no one field both sides see can carry a stop flag (ksqlDB's
 * {@code QueuePopulator} holds the row queue, the query's {@code close()} holds it too, and neither
 * sees the other). The queue object itself is the one thing both sides share, so the signal goes on
 * it: the queue is created as a {@code CancellableBoundedQueue} with the same capacity, and every
 * lifecycle method of a class that holds it and inserts nothing cancels it first thing. A producer
 * waiting for room then fails fast and leaves as with the plain fix. What ksqlDB's maintainers
 * wrote is the same idea by hand: a {@code closed} flag on the queue's owner, set first by the
 * query's {@code close()}, checked between timed offers.
 *
 * <p>Offered only when the swap keeps the program compiling and meaning the same: the queue has a
 * single origin, a JDK {@code ArrayBlockingQueue}/{@code LinkedBlockingQueue} with a capacity;
 * every variable and getter that holds it is typed by an interface the runtime queue implements;
 * every insertion is a {@code put} or {@code offer}; and some such lifecycle method runs when the
 * consumers stop (on their exit path, or as the API an outside caller ends its use with).
 */
final class LifecycleCancelledQueue {
  private LifecycleCancelledQueue() {}

  /** A lifecycle method that will cancel the queue, through the field it holds it in. */
  record Site(MethodTree method, VarSymbol field) {}

  /** The fix, and where it cancels the queue (for the message). */
  record Plan(SuggestedFix fix, String where) {}

  static Optional<Plan> fix(
      List<ProducerDiscovery.Producer> producers,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      QueueBoundedness.Verdict verdict,
      CompilationUnitIndex index,
      VisitorState state) {
    if (!swappable(producers, queue, verdict, index, state)) {
      return Optional.empty();
    }
    List<Site> sites = cancellingSites(producers, queue, index);
    if (sites.isEmpty()
        || !producers.stream()
            .allMatch(
                p ->
                    sites.stream()
                        .anyMatch(
                            s ->
                                InterruptExitPaths.lifecycleRuns(
                                    ASTHelpers.getSymbol(s.method()),
                                    p,
                                    consumers,
                                    queue,
                                    index,
                                    state)))) {
      return Optional.empty(); // no lifecycle method runs when the consumers stop
    }
    SuggestedFix.Builder fix = SuggestedFix.builder();
    String type = swapCreation(verdict, fix, state);
    if (type == null) {
      return Optional.empty();
    }
    for (Site site : sites) {
      StatementTree first = site.method().getBody().getStatements().get(0);
      String indent = LeakFixes.indentOf(first, state);
      String field = site.field().getSimpleName().toString();
      fix.prefixWith(
          first,
          "// Nothing takes from '"
              + field
              + "' once closed: its producers must not wait for room.\n"
              + indent
              + cancelIfSwapped(field, type, indent)
              + "\n"
              + indent);
    }
    if (!LeakFixes.leaveWhenAbandoned(producers, true, fix, state)) {
      return Optional.empty();
    }
    List<String> where = new ArrayList<>();
    for (Site site : sites) {
      where.add(
          site.method().getName() + "() (line " + AstPaths.line(index.unit, site.method()) + ")");
    }
    return Optional.of(new Plan(fix.build(), "first thing in " + String.join(", ", where)));
  }

  /**
   * The queue can be created as a {@code CancellableBoundedQueue} instead: the runtime is there,
   * the queue has a single origin that is a JDK queue with a capacity, every insertion keeps its
   * meaning on the runtime queue, and every variable and getter that holds it accepts the runtime
   * queue.
   */
  private static boolean swappable(
      List<ProducerDiscovery.Producer> producers,
      QueueAliases queue,
      QueueBoundedness.Verdict verdict,
      CompilationUnitIndex index,
      VisitorState state) {
    if (!RuntimeLibrary.isOnClasspath(state)
        || verdict.capacity == null
        || verdict.synchronous
        || queue.origins.size() != 1
        || queue.origins.get(0) != verdict.creation
        || !(verdict.creation instanceof NewClassTree creation)
        || creation.getClassBody() != null
        || creation.getArguments().size() != 1
        || ASTHelpers.getType(creation) == null
        || !ConcurrencyApiModel.isSwappableForCancellableQueue(ASTHelpers.getType(creation))
        || producers.stream()
            .anyMatch(
                p ->
                    p.insertion != ProducerDiscovery.Insertion.PUT
                        || !ConcurrencyApiModel.isCancellableQueueInsertion(
                            ASTHelpers.getSymbol(p.insertionPath().getLeaf())))) {
      return false;
    }
    Type cancellable = RuntimeLibrary.witnessType(state);
    return cancellable != null && everyHolderAccepts(queue, cancellable, index, state);
  }

  /** Replaces the queue's creation; returns the runtime queue's name as written, or null. */
  private static @Nullable String swapCreation(
      QueueBoundedness.Verdict verdict, SuggestedFix.Builder fix, VisitorState state) {
    NewClassTree creation = (NewClassTree) verdict.creation;
    String type = SuggestedFixes.qualifyType(state, fix, RuntimeLibrary.WITNESS);
    String capacity = state.getSourceForNode(verdict.capacity);
    String typeArguments = typeArguments(creation, state);
    if (capacity == null || typeArguments == null) {
      return null;
    }
    fix.replace(creation, "new " + type + typeArguments + "(" + capacity + ")");
    return type;
  }

  /**
   * The consumers are callers of a Spliterator that the unit wraps into a Stream it returns (APOC's
   * {@code QueueBasedSpliterator} behind a procedure's result), and nothing they hold has a
   * lifecycle method. The stream does have one: its {@code close()}, which the caller that stops
   * reading runs, and which this unit runs itself (a try-with-resources around the call that
   * returns it). The fix swaps the queue for a {@code CancellableBoundedQueue} and cancels it in an
   * {@code onClose} handler of that stream. Offered only when something in the unit closes the
   * stream: otherwise the handler would never run, and the no-fix text says so.
   */
  static Optional<Plan> streamFix(
      List<ProducerDiscovery.Producer> producers,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      QueueBoundedness.Verdict verdict,
      CompilationUnitIndex index,
      VisitorState state) {
    if (consumers.isEmpty() || !swappable(producers, queue, verdict, index, state)) {
      return Optional.empty();
    }
    List<TreePath> sources = new ArrayList<>();
    List<String> handles = new ArrayList<>();
    for (QueueConsumer consumer : consumers) {
      ExternalConsumers.External external =
          ExternalConsumers.classify(consumer, queue, index, state);
      if (external == null
          || external.holders().stream().anyMatch(h -> !h.lifecycles().isEmpty())
          || !(consumer.root.getLeaf() instanceof MethodTree method)
          || ASTHelpers.getSymbol(method) == null) {
        return Optional.empty();
      }
      Symbol owner = ASTHelpers.getSymbol(method).enclClass();
      List<TreePath> creations = AstPaths.creationsOf(owner, index.unit);
      if (creations.isEmpty()) {
        return Optional.empty();
      }
      for (TreePath creation : creations) {
        TreePath source = AstPaths.parentSkippingParens(creation);
        String handle = handleIn((NewClassTree) creation.getLeaf(), creation, queue);
        if (source == null
            || !(source.getLeaf() instanceof com.sun.source.tree.MethodInvocationTree call)
            || !ConcurrencyApiModel.isStreamSource(call, state)
            || !call.getArguments().contains(creation.getLeaf())
            || handle == null
            || !closedByTheUnit(source, index, 0)) {
          return Optional.empty();
        }
        if (sources.stream().noneMatch(p -> p.getLeaf() == source.getLeaf())) {
          sources.add(source);
          handles.add(handle);
        }
      }
    }
    SuggestedFix.Builder fix = SuggestedFix.builder();
    String type = swapCreation(verdict, fix, state);
    if (type == null) {
      return Optional.empty();
    }
    List<String> where = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      TreePath source = sources.get(i);
      String in = LeakFixes.indentOf(source.getLeaf(), state) + "    ";
      fix.postfixWith(
          source.getLeaf(),
          "\n"
              + in
              + ".onClose(\n"
              + in
              + "    () -> {\n"
              + in
              + "      // The caller closes the stream when it stops reading: no producer may wait.\n"
              + in
              + "      "
              + cancelIfSwapped(handles.get(i), type, in + "      ")
              + "\n"
              + in
              + "    })");
      where.add("line " + AstPaths.line(index.unit, source.getLeaf()));
    }
    if (!LeakFixes.leaveWhenAbandoned(producers, true, fix, state)) {
      return Optional.empty();
    }
    return Optional.of(
        new Plan(
            fix.build(), "in an onClose handler of the stream (" + String.join(", ", where) + ")"));
  }

  /**
   * {@code if (q instanceof CancellableBoundedQueue) { ((CancellableBoundedQueue<?>) q).cancel();
   * }}: the cast keeps the call on the queue's own variable, where the check sees the cancellation;
   * the test keeps a holder that got no queue (null) from failing.
   */
  private static String cancelIfSwapped(String handle, String type, String indent) {
    return "if ("
        + handle
        + " instanceof "
        + type
        + ") {\n"
        + indent
        + "  (("
        + type
        + "<?>) "
        + handle
        + ")."
        + ConcurrencyApiModel.QUEUE_CANCEL
        + "();\n"
        + indent
        + "}";
  }

  /**
   * How a handler written next to {@code creation} names the queue: an argument of the creation
   * that is a local or parameter the lambda may capture (effectively final), or a field.
   */
  private static @Nullable String handleIn(NewClassTree creation, TreePath at, QueueAliases queue) {
    for (ExpressionTree argument : creation.getArguments()) {
      Symbol symbol = ASTHelpers.getSymbol(argument);
      if (argument instanceof com.sun.source.tree.IdentifierTree identifier
          && symbol instanceof VarSymbol variable
          && queue.variables.contains(variable)
          && (variable.getKind() == ElementKind.FIELD
              ? FieldQueueFixes.seesField(
                  at, variable.owner, variable.getModifiers().contains(Modifier.STATIC))
              : ASTHelpers.isConsideredFinal(variable))) {
        return identifier.getName().toString();
      }
    }
    return null;
  }

  /**
   * The stream made at {@code source} reaches a try-with-resources of the unit: as a resource
   * itself, or returned (through a chain of calls on it) by a method whose call reaches one.
   */
  private static boolean closedByTheUnit(TreePath source, CompilationUnitIndex index, int depth) {
    if (depth > 5) {
      return false;
    }
    TreePath p = source;
    while (true) {
      TreePath parent = AstPaths.parentSkippingParens(p);
      if (parent == null) {
        return false;
      }
      Tree leaf = parent.getLeaf();
      if (leaf instanceof com.sun.source.tree.MemberSelectTree
          && parent.getParentPath() != null
          && parent.getParentPath().getLeaf() instanceof com.sun.source.tree.MethodInvocationTree) {
        p = parent.getParentPath(); // stream.map(...): the chained stream is the same stream's
        continue;
      }
      if (leaf instanceof VariableTree variable
          && parent.getParentPath() != null
          && parent.getParentPath().getLeaf() instanceof com.sun.source.tree.TryTree tryTree) {
        return tryTree.getResources().contains(variable);
      }
      if (leaf instanceof ReturnTree) {
        MethodTree method = ASTHelpers.findEnclosingNode(parent, MethodTree.class);
        MethodSymbol symbol = method == null ? null : ASTHelpers.getSymbol(method);
        if (symbol == null) {
          return false;
        }
        for (TreePath call : index.callSitesOf(symbol)) {
          if (closedByTheUnit(call, index, depth + 1)) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /**
   * Every variable that holds the queue, and every getter that returns it, is typed by an interface
   * or class the runtime queue also is: the swapped creation flows everywhere the old one did.
   */
  private static boolean everyHolderAccepts(
      QueueAliases queue, Type cancellable, CompilationUnitIndex index, VisitorState state) {
    Type erased = state.getTypes().erasure(cancellable);
    for (VarSymbol alias : queue.variables) {
      if (!ASTHelpers.isSubtype(erased, state.getTypes().erasure(alias.type), state)) {
        return false;
      }
    }
    for (TreePath method : index.methods.values()) {
      MethodSymbol symbol = ASTHelpers.getSymbol((MethodTree) method.getLeaf());
      if (symbol != null
          && AstPaths.anyMatch(
              method.getLeaf(),
              t ->
                  t instanceof ReturnTree ret
                      && ret.getExpression() != null
                      && queue.variables.contains(
                          ASTHelpers.getSymbol(Trees.skipParensAndCasts(ret.getExpression()))))
          && !ASTHelpers.isSubtype(
              erased, state.getTypes().erasure(symbol.getReturnType()), state)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The lifecycle methods (close, stop, shutdown...) of the classes that hold the queue in a field,
   * where that field can be read, unless the class also inserts: an end-of-production close() must
   * not throw away what its consumers have still to take.
   */
  private static List<Site> cancellingSites(
      List<ProducerDiscovery.Producer> producers, QueueAliases queue, CompilationUnitIndex index) {
    List<Site> sites = new ArrayList<>();
    for (VarSymbol alias : queue.variables) {
      if (alias.getKind() != ElementKind.FIELD) {
        continue;
      }
      TreePath owner = index.classes.get(alias.owner);
      if (owner == null || !(owner.getLeaf() instanceof ClassTree classTree)) {
        continue;
      }
      boolean isStatic = alias.getModifiers().contains(Modifier.STATIC);
      if (producers.stream().anyMatch(p -> AstPaths.isWithin(p.insertionPath(), classTree))
          || insertsInto(classTree, queue)) {
        continue;
      }
      for (MethodTree method : LifecycleReach.lifecycleMethods(classTree, isStatic)) {
        if (!declares(method, alias.getSimpleName().toString())
            && !cancelsAlready(method, queue)
            && sites.stream().noneMatch(s -> s.method() == method)) {
          sites.add(new Site(method, alias));
        }
      }
    }
    return sites;
  }

  /** Some code of the class inserts into the queue (an end marker, a wake-up element). */
  private static boolean insertsInto(ClassTree classTree, QueueAliases queue) {
    return AstPaths.anyMatch(
        classTree,
        t -> {
          if (!(t instanceof com.sun.source.tree.MethodInvocationTree call)) {
            return false;
          }
          VarSymbol receiver = AstPaths.receiverVariable(call);
          return receiver != null
              && queue.variables.contains(receiver)
              && ConcurrencyApiModel.isElementInsertion(ASTHelpers.getSymbol(call));
        });
  }

  /** A local or parameter of the method hides the field. */
  private static boolean declares(MethodTree method, String name) {
    return AstPaths.anyMatch(
        method, t -> t instanceof VariableTree v && v.getName().contentEquals(name));
  }

  private static boolean cancelsAlready(MethodTree method, QueueAliases queue) {
    return AstPaths.anyMatch(
        method,
        t -> {
          if (!(t instanceof com.sun.source.tree.MethodInvocationTree call)) {
            return false;
          }
          ExpressionTree receiverTree = ASTHelpers.getReceiver(call);
          Symbol receiver = receiverTree == null ? null : ASTHelpers.getSymbol(receiverTree);
          return receiver != null
              && queue.variables.contains(receiver)
              && ConcurrencyApiModel.isQueueCancel(ASTHelpers.getSymbol(call));
        });
  }

  /** "<>", or the explicit type arguments of {@code new LinkedBlockingQueue<String>(n)}. */
  private static @Nullable String typeArguments(NewClassTree creation, VisitorState state) {
    if (!(creation.getIdentifier() instanceof ParameterizedTypeTree parameterized)
        || parameterized.getTypeArguments().isEmpty()) {
      return "<>";
    }
    List<String> arguments = new ArrayList<>();
    for (Tree argument : parameterized.getTypeArguments()) {
      String source = state.getSourceForNode(argument);
      if (source == null) {
        return null;
      }
      arguments.add(source);
    }
    return "<" + String.join(", ", arguments) + ">";
  }
}
