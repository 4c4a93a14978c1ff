package io.leakedproducer.checker;

import static com.google.errorprone.util.ASTHelpers.getEnclosedElements;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Modifier;
import org.jspecify.annotations.Nullable;

/**
 * Decides which consumers are the callers of a public API (an Iterator's {@code hasNext}/{@code
 * next}, a Spliterator, a Stream generated from takes, a {@code poll()}/{@code receive()} method of
 * the owner) and whether such a caller can leave the producer behind. A caller can stop pulling at
 * any time, so the producer is safe only if every lifecycle method ({@code close}, {@code stop},
 * {@code cancel}, {@code shutdown}, a Stream's {@code onClose} handler...) of every object the
 * caller holds reaches a cancellation of the producer. An object with no lifecycle method at all
 * leaves the producer behind as soon as the caller stops (a leak on abandonment).
 */
final class ExternalConsumers {

  /** A lifecycle method, or an {@code onClose} handler of a stream, and the code it runs. */
  record Lifecycle(String name, TreePath body, int line) {}

  /** Something the caller holds: the owner, its iterator, or a stream. */
  record Holder(String name, List<Lifecycle> lifecycles) {}

  /** A consumer that is the caller of an API: what that API is called and what the caller holds. */
  record External(String api, String stopping, Tree at, List<Holder> holders) {}

  /**
   * The decision for a producer whose consumers include callers of an API.
   *
   * @param safe every lifecycle method of every held object stops the producer
   * @param exit how the caller stops taking, for the message
   * @param missing what no lifecycle method does, for the message (null when safe)
   */
  record Verdict(boolean safe, ConsumerExit exit, @Nullable String missing) {}

  private ExternalConsumers() {}

  /**
   * Judges a producer whose consumers include an API's callers, or returns null when none does, or
   * when the producer is itself the caller of a public method (a plain bounded buffer, judged by
   * its consumers' exits as any other). A producer in a callback that a library calls on its own
   * thread is not such a caller: it keeps being called after the API's caller stops.
   */
  @Nullable
  static Verdict judge(
      List<QueueConsumer> consumers,
      ProducerDiscovery.Producer producer,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    if (producer.spawn.kind == TaskSpawns.Kind.CALLER
        && producer.root.getLeaf() instanceof MethodTree method
        && !Callbacks.isCallback(ASTHelpers.getSymbol(method), index, state)) {
      return null;
    }
    List<External> externals = new ArrayList<>();
    for (QueueConsumer consumer : consumers) {
      External external = classify(consumer, queue, index, state);
      if (external != null) {
        externals.add(external);
      }
    }
    if (externals.isEmpty()) {
      return null;
    }
    External first = externals.get(0);
    ConsumerExit exit =
        new ConsumerExit(
            AstPaths.line(index.unit, first.at()),
            "the caller of " + first.api() + " can stop taking at any time");
    List<String> holders = new ArrayList<>();
    for (External external : externals) {
      for (Holder holder : external.holders()) {
        if (!holders.contains(holder.name())) {
          holders.add(holder.name());
        }
        for (Lifecycle lifecycle : holder.lifecycles()) {
          if (!reachesCancellation(lifecycle, producer, consumers, queue, index, state)) {
            return new Verdict(
                false,
                exit,
                lifecycle.name() + " (line " + lifecycle.line() + ") does not stop the producer");
          }
          // An object the unit keeps to itself is closed only where the unit closes it.
          if (lifecycle.body().getParentPath().getLeaf() instanceof MethodTree method
              && !InterruptExitPaths.lifecycleRuns(
                  ASTHelpers.getSymbol(method), producer, consumers, queue, index, state)) {
            return new Verdict(
                false,
                exit,
                lifecycle.name()
                    + " (line "
                    + lifecycle.line()
                    + ") stops the producer, but every "
                    + holder.name()
                    + " is kept in a private field here and nothing calls it when the caller"
                    + " stops");
          }
        }
      }
    }
    if (externals.stream()
        .allMatch(e -> e.holders().stream().allMatch(h -> h.lifecycles().isEmpty()))) {
      return new Verdict(
          false,
          exit,
          "a caller that stops "
              + first.stopping()
              + " abandons the producer; "
              + (holders.size() == 1
                  ? holders.get(0) + " has no close()"
                  : "neither " + String.join(" nor ", holders) + " has a close()"));
    }
    return new Verdict(true, exit, null);
  }

  /**
   * The API through which {@code consumer}'s takes reach a caller, or null if they do not. A method
   * that searches the queue in its own take loop, or takes from a queue it made itself, is a
   * consumer of its own (judged by its exits), not an API that hands elements out.
   */
  @Nullable
  static External classify(
      QueueConsumer consumer, QueueAliases queue, CompilationUnitIndex index, VisitorState state) {
    External direct = classifyRoot(consumer, queue, index, state);
    return direct != null ? direct : pulledThroughApi(consumer, queue, index, state);
  }

  /**
   * A consumer of the unit that takes once through a receive API of an owner ({@code task.poll()}
   * called by a driver that then stops the task): it stops whenever it stops calling, as any caller
   * of that API does, and the owner's lifecycle methods are how it says so. Its take loop, if it
   * had one, would make it a consumer judged by its own exits instead.
   */
  @Nullable
  private static External pulledThroughApi(
      QueueConsumer consumer, QueueAliases queue, CompilationUnitIndex index, VisitorState state) {
    if (!consumer.loops.isEmpty() || consumer.takes.isEmpty()) {
      return null;
    }
    External found = null;
    for (TreePath take : consumer.takes) {
      if (!(take.getLeaf() instanceof MethodInvocationTree)) {
        return null; // a getter hands out the queue itself
      }
      List<TreePath> chain = ProducerDiscovery.callChain(take, index, state);
      External outermost = null;
      for (int k = 1; k < chain.size(); k++) {
        TreePath api = AstPaths.taskRoot(chain.get(k - 1));
        MethodSymbol method =
            api.getLeaf() instanceof MethodTree tree ? ASTHelpers.getSymbol(tree) : null;
        if (method != null
            && api.getLeaf() instanceof MethodTree methodTree
            && handsTakenToCaller(method, methodTree, chain.get(k - 1), state)
            && !createdIn(queue, methodTree, index)) {
          outermost = apiOf(method, take.getLeaf(), index);
        }
      }
      if (outermost == null) {
        return null;
      }
      found = found == null ? outermost : found;
    }
    return found;
  }

  /**
   * A method the caller pulls elements through: not private, static, a task or a lifecycle method,
   * and named like a receive or returning what the call {@code inner} brought.
   */
  private static boolean handsTakenToCaller(
      MethodSymbol method, MethodTree tree, TreePath inner, VisitorState state) {
    if (method.getModifiers().contains(Modifier.PRIVATE)
        || method.isStatic()
        || ConcurrencyApiModel.isTaskMethod(method, state)
        || ConcurrencyApiModel.isLifecycleMethod(method)) {
      return false;
    }
    if (ConcurrencyApiModel.isReceiveMethodName(method)) {
      return true;
    }
    TreePath parent = AstPaths.parentSkippingParens(inner);
    return parent != null && parent.getLeaf() instanceof ReturnTree && tree.getBody() != null;
  }

  /** The API of a plain (not Iterator) receive method and what its caller holds. */
  private static External apiOf(MethodSymbol method, Tree at, CompilationUnitIndex index) {
    ClassSymbol owner = method.enclClass();
    List<Holder> holders = new ArrayList<>();
    holders.add(holder(owner, index));
    if (owner.owner instanceof ClassSymbol outer && !owner.isStatic() && !owner.isAnonymous()) {
      holders.add(holder(outer, index));
    }
    return new External(
        owner.getSimpleName() + "." + method.getSimpleName() + "()",
        "calling " + method.getSimpleName() + "()",
        at,
        holders);
  }

  @Nullable
  private static External classifyRoot(
      QueueConsumer consumer, QueueAliases queue, CompilationUnitIndex index, VisitorState state) {
    Tree root = consumer.root.getLeaf();
    if (root instanceof LambdaExpressionTree) {
      return streamSource(consumer, index, state);
    }
    if (!(root instanceof MethodTree methodTree)) {
      return null;
    }
    MethodSymbol method = ASTHelpers.getSymbol(methodTree);
    if (method == null || method.getModifiers().contains(Modifier.PRIVATE)) {
      return null;
    }
    ClassSymbol owner = method.enclClass();
    if (queue.returnedToCallers.stream().anyMatch(r -> AstPaths.isWithin(r, root))) {
      return new External(
          method.getSimpleName() + "()",
          "taking from the queue " + method.getSimpleName() + "() returns",
          consumer.takes.get(0).getLeaf(),
          List.of(holder(owner, index)));
    }
    boolean pull = ConcurrencyApiModel.isPullApiMethod(method, state);
    if (!pull
        && (method.isStatic()
            || ConcurrencyApiModel.isTaskMethod(method, state)
            || ConcurrencyApiModel.isLifecycleMethod(method)
            || !index.callSitesOf(method).isEmpty()
            || !(ConcurrencyApiModel.isReceiveMethodName(method)
                || returnsTaken(consumer, root, state))
            || !consumer.loops.stream().allMatch(loop -> onlyRetriesTheTake(loop, consumer))
            || createdIn(queue, root, index))) {
      return null;
    }
    List<Holder> holders = new ArrayList<>();
    holders.add(holder(owner, index));
    String api = owner.getSimpleName() + "." + method.getSimpleName() + "()";
    // An iterator made inside a method of its owner (iterator(), stream()) hands the owner's caller
    // an object that also keeps the owner: both are what the caller can close.
    Symbol enclosing = owner.owner;
    if (pull && enclosing instanceof MethodSymbol && !handedToCaller(index.classes.get(owner))) {
      return null; // an iterator used inside the method that made it: that method consumes
    }
    if (pull && UnitOnlyInstances.keptInUnit(owner, index)) {
      return null; // no caller outside the unit: the unit's loops over it consume
    }
    if (owner.isAnonymous() || enclosing instanceof MethodSymbol) {
      if (enclosing instanceof MethodSymbol factory) {
        api = factory.getSimpleName() + "()";
        if (!factory.isStatic()) {
          holders.add(holder(factory.enclClass(), index));
        }
      }
    } else if (enclosing instanceof ClassSymbol outer && !owner.isStatic()) {
      holders.add(holder(outer, index));
    }
    if (pull && owner.isAnonymous()) {
      holders.set(0, new Holder("its " + firstPullInterface(owner), holders.get(0).lifecycles()));
    }
    if (pull) {
      // new QueueSpliterator(queue) handed to StreamSupport.stream(..): the caller holds the
      // stream, whose onClose handlers run when it closes it.
      Holder stream = streamAround(owner, index, state);
      if (stream != null) {
        holders.add(stream);
      }
    }
    if (pull && owner.isAnonymous() && holders.size() > 1) {
      // Name the owner first: "neither TableScanner nor its Iterator".
      holders.add(holders.remove(0));
    }
    String stopping = pull ? "iterating" : "calling " + method.getSimpleName() + "()";
    return new External(api, stopping, consumer.takes.get(0).getLeaf(), holders);
  }

  /** {@code Stream.generate(() -> queue.take())}: the stream's holder pulls. */
  @Nullable
  private static External streamSource(
      QueueConsumer consumer, CompilationUnitIndex index, VisitorState state) {
    TreePath source = AstPaths.parentSkippingParens(consumer.root);
    if (source == null
        || !(source.getLeaf() instanceof MethodInvocationTree call)
        || !ConcurrencyApiModel.isStreamSource(call, state)) {
      return null;
    }
    if (!handedToCaller(outermostCallInChain(source))) {
      return null; // the stream is consumed where it is made
    }
    // source.onClose(h).map(...).onClose(h2): every handler chained on the stream.
    List<Lifecycle> handlers = onCloseHandlers(source, index, state);
    List<Holder> holders = new ArrayList<>();
    holders.add(new Holder("the stream", handlers));
    TreePath method = AstPaths.taskRoot(source);
    String api = "the stream";
    if (method.getLeaf() instanceof MethodTree tree) {
      MethodSymbol factory = ASTHelpers.getSymbol(tree);
      api = factory.getSimpleName() + "()";
      if (!factory.isStatic()) {
        holders.add(holder(factory.enclClass(), index));
      }
    }
    return new External(api, "iterating", consumer.takes.get(0).getLeaf(), holders);
  }

  /**
   * The stream every instance of a pull API class is wrapped into where the unit creates it ({@code
   * StreamSupport.stream(new QueueSpliterator(q), false).onClose(h)}), with the onClose handlers
   * chained on it; null when an instance is created elsewhere or no handler is chained.
   */
  @Nullable
  private static Holder streamAround(
      ClassSymbol owner, CompilationUnitIndex index, VisitorState state) {
    List<TreePath> creations = AstPaths.creationsOf(owner, index.unit);
    List<Lifecycle> handlers = new ArrayList<>();
    for (TreePath creation : creations) {
      TreePath source = AstPaths.parentSkippingParens(creation);
      if (source == null
          || !(source.getLeaf() instanceof MethodInvocationTree call)
          || !ConcurrencyApiModel.isStreamSource(call, state)
          || !call.getArguments().contains(creation.getLeaf())) {
        return null;
      }
      handlers.addAll(onCloseHandlers(source, index, state));
    }
    return creations.isEmpty() || handlers.isEmpty() ? null : new Holder("the stream", handlers);
  }

  /** The onClose handlers chained on the stream made at {@code source}. */
  private static List<Lifecycle> onCloseHandlers(
      TreePath source, CompilationUnitIndex index, VisitorState state) {
    List<Lifecycle> handlers = new ArrayList<>();
    TreePath p = source;
    while (p.getParentPath() != null
        && p.getParentPath().getLeaf() instanceof MemberSelectTree
        && p.getParentPath().getParentPath() != null
        && p.getParentPath().getParentPath().getLeaf() instanceof MethodInvocationTree chained) {
      p = p.getParentPath().getParentPath();
      if (ConcurrencyApiModel.isStreamOnClose(chained, state)
          && chained.getArguments().size() == 1) {
        TreePath handler = new TreePath(p, chained.getArguments().get(0));
        handlers.add(
            new Lifecycle(
                "the stream's onClose handler",
                handlerBody(handler),
                AstPaths.line(index.unit, chained)));
      }
    }
    return handlers;
  }

  /** {@code a.b().c()}: the outermost call of the chain that starts at {@code call}. */
  private static TreePath outermostCallInChain(TreePath call) {
    TreePath p = call;
    while (p.getParentPath() != null
        && p.getParentPath().getLeaf() instanceof MemberSelectTree
        && p.getParentPath().getParentPath() != null
        && p.getParentPath().getParentPath().getLeaf() instanceof MethodInvocationTree) {
      p = p.getParentPath().getParentPath();
    }
    return p;
  }

  /**
   * The object made at {@code path} (a class declaration's {@code new}, or an expression) is
   * returned to the caller, directly or wrapped by the call it is an argument of.
   */
  private static boolean handedToCaller(@Nullable TreePath path) {
    if (path == null) {
      return false;
    }
    TreePath p =
        path.getLeaf() instanceof com.sun.source.tree.ClassTree ? path.getParentPath() : path;
    for (int depth = 0; p != null && depth < 6; depth++) {
      TreePath parent = AstPaths.parentSkippingParens(p);
      if (parent == null) {
        return false;
      }
      if (parent.getLeaf() instanceof ReturnTree) {
        return true;
      }
      if (!(parent.getLeaf() instanceof MethodInvocationTree
          || parent.getLeaf() instanceof com.sun.source.tree.NewClassTree
          || parent.getLeaf() instanceof MemberSelectTree)) {
        return false;
      }
      p = parent;
    }
    return false;
  }

  /**
   * A loop around the take that leaves only by returning what it took (an uninterruptible take).
   */
  private static boolean onlyRetriesTheTake(TreePath loop, QueueConsumer consumer) {
    return consumer.takes.stream()
        .anyMatch(
            take -> {
              TreePath parent = AstPaths.parentSkippingParens(take);
              return parent != null
                  && parent.getLeaf() instanceof ReturnTree
                  && AstPaths.isWithin(take, loop.getLeaf());
            });
  }

  /** The queue is created inside {@code root}, so it lives only as long as that call. */
  private static boolean createdIn(QueueAliases queue, Tree root, CompilationUnitIndex index) {
    for (ExpressionTree origin : queue.origins) {
      TreePath site = queue.creationSite(origin, index);
      if (site != null && AstPaths.isWithin(site, root)) {
        return true;
      }
    }
    return false;
  }

  /** A handler lambda's body, or a method reference's target method, whose code runs on close. */
  private static TreePath handlerBody(TreePath handler) {
    if (handler.getLeaf() instanceof LambdaExpressionTree lambda) {
      return new TreePath(handler, lambda.getBody());
    }
    return handler; // a method reference: scanned as the call it stands for
  }

  private static Holder holder(ClassSymbol type, CompilationUnitIndex index) {
    List<Lifecycle> lifecycles = new ArrayList<>();
    for (Symbol member : getEnclosedElements(type)) {
      if (member instanceof MethodSymbol method && ConcurrencyApiModel.isLifecycleMethod(method)) {
        TreePath declaration = index.methods.get(method);
        MethodTree tree = declaration == null ? null : (MethodTree) declaration.getLeaf();
        if (tree != null
            && tree.getBody() != null
            && !method.getModifiers().contains(Modifier.PRIVATE)) {
          lifecycles.add(
              new Lifecycle(
                  method.getSimpleName() + "()",
                  new TreePath(declaration, tree.getBody()),
                  AstPaths.line(index.unit, tree.getBody())));
        }
      }
    }
    return new Holder(
        type.isAnonymous() ? "the anonymous class" : type.getSimpleName().toString(), lifecycles);
  }

  private static String firstPullInterface(ClassSymbol type) {
    for (com.sun.tools.javac.code.Type implemented : type.getInterfaces()) {
      return implemented.tsym.getSimpleName().toString();
    }
    return type.getSuperclass().tsym.getSimpleName().toString();
  }

  /** The method returns the element it took: {@code return queue.take();} or via a variable. */
  private static boolean returnsTaken(QueueConsumer consumer, Tree root, VisitorState state) {
    for (TreePath take : consumer.takes) {
      TreePath parent = AstPaths.parentSkippingParens(take);
      if (parent != null && parent.getLeaf() instanceof ReturnTree) {
        return true;
      }
      VarSymbol taken = ConsumerDiscovery.takenVariable(take, state);
      if (taken != null
          && AstPaths.anyMatch(
              root,
              t ->
                  t instanceof ReturnTree r
                      && r.getExpression() != null
                      && taken.equals(AstPaths.variable(r.getExpression())))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The lifecycle code, directly or through methods of the unit, cancels the producer: interrupts
   * its thread, cancels its future with interruption, shuts its executor down now, cancels or
   * closes the queue, sets a stop signal the producer checks between timed offers, or sets a flag
   * the producer tests and then clears the queue.
   */
  private static boolean reachesCancellation(
      Lifecycle lifecycle,
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    boolean interruptible = !producer.swallowsInterrupt;
    Set<VarSymbol> handles = HandleAliases.of(producer.spawn, index);
    ReachableCalls.Reach cancel =
        ReachableCalls.find(
            lifecycle.body(),
            call ->
                (interruptible
                        && interrupts(
                            (MethodInvocationTree) call.getLeaf(), producer, handles, state))
                    || closesQueue((MethodInvocationTree) call.getLeaf(), queue, index),
            index);
    if (cancel != null) {
      // A close() that first waits for room in the full queue never gets to the cancellation.
      return !InterruptExitPaths.afterAWaitThatNeverEnds(
              cancel.via(), producer, consumers, queue, index, state)
          && !InterruptExitPaths.afterAWaitThatNeverEnds(
              cancel.target(), producer, consumers, queue, index, state);
    }
    List<VarSymbol> flags = new ArrayList<>();
    collectSignalWrites(lifecycle.body(), producer, index, flags);
    for (VarSymbol flag : flags) {
      if (producer.stopSignals.contains(flag)) {
        return true; // checked between timed offers
      }
    }
    // Flag, then clear: the producer tests the flag before it inserts, and what it can still insert
    // after its last test fits the room the clear makes (the flag must be set before the clear).
    return FlagThenClear.inLifecycle(lifecycle.body(), producer, queue, index, state);
  }

  private static boolean interrupts(
      MethodInvocationTree call,
      ProducerDiscovery.Producer producer,
      Set<VarSymbol> handles,
      VisitorState state) {
    TaskSpawns.Spawn spawn = producer.spawn;
    VarSymbol receiver = AstPaths.receiverVariable(call);
    if (ConcurrencyApiModel.isShutdownNow(call, state)) {
      return spawn.executorOpaque || (receiver != null && receiver.equals(spawn.executor));
    }
    if (receiver == null || !handles.contains(receiver)) {
      return false;
    }
    return ConcurrencyApiModel.isInterruptOfOtherThread(call, state)
        || ConcurrencyApiModel.isInterruptingCancel(call, state);
  }

  /** {@code queue.close()} or {@code queue.cancel()} on a queue that wakes its producers. */
  private static boolean closesQueue(
      MethodInvocationTree call, QueueAliases queue, CompilationUnitIndex index) {
    VarSymbol receiver = index.receiverVariable(call);
    Symbol callee = ASTHelpers.getSymbol(call);
    return receiver != null
        && queue.variables.contains(receiver)
        && callee instanceof MethodSymbol method
        && ConcurrencyApiModel.isLifecycleMethod(method);
  }

  /**
   * The variables the lifecycle code sets (assignments and signal mutators such as {@code set} or
   * {@code countDown}) that the producer's task reads.
   */
  private static void collectSignalWrites(
      TreePath body,
      ProducerDiscovery.Producer producer,
      CompilationUnitIndex index,
      List<VarSymbol> flags) {
    ReachableCalls.find(
        body,
        call -> {
          if (CancellationPaths.isSignalMutator(call)) {
            addIfProducerReads(
                AstPaths.receiverVariable((MethodInvocationTree) call.getLeaf()), producer, flags);
          }
          return false;
        },
        index);
    collectAssignments(body.getLeaf(), producer, flags);
    // closed = true in a method the lifecycle method calls (reader.stop() of an owned reader).
    ReachableCalls.find(
        body,
        call -> {
          Symbol callee = ASTHelpers.getSymbol((MethodInvocationTree) call.getLeaf());
          TreePath declaration =
              callee instanceof MethodSymbol method ? index.methods.get(method) : null;
          if (declaration != null && ((MethodTree) declaration.getLeaf()).getBody() != null) {
            collectAssignments(((MethodTree) declaration.getLeaf()).getBody(), producer, flags);
          }
          return false;
        },
        index);
  }

  private static void collectAssignments(
      Tree code, ProducerDiscovery.Producer producer, List<VarSymbol> flags) {
    AstPaths.anyMatch(
        code,
        t -> {
          if (t instanceof AssignmentTree assignment) {
            addIfProducerReads(AstPaths.variable(assignment.getVariable()), producer, flags);
          }
          return false;
        });
  }

  private static void addIfProducerReads(
      @Nullable VarSymbol variable, ProducerDiscovery.Producer producer, List<VarSymbol> flags) {
    if (variable == null || flags.contains(variable)) {
      return;
    }
    boolean read =
        producer.chain.stream()
            .anyMatch(
                site ->
                    AstPaths.anyMatch(
                        AstPaths.taskRoot(site).getLeaf(),
                        t ->
                            t instanceof ExpressionTree e
                                && variable.equals(AstPaths.variable(e))));
    if (read) {
      flags.add(variable);
    }
  }
}
