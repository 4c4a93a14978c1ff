package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.SwitchTree;
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.code.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.ElementKind;
import javax.lang.model.type.TypeKind;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a consumer's take loop is ended from outside it, by its owner: a lifecycle method
 * ({@code close}, {@code stop}...) or a callback of the unit clears the flag the loop tests ({@code
 * while (running)}, {@code while (keepRunning.get())}, {@code while (canRun())} over such a flag),
 * or interrupts the consumer's own thread while the loop leaves on interruption. The consumer then
 * stops taking at that method, and the callers that go on inserting after it are left with nobody
 * taking (spec: "how consumers stop taking", "a close() that forgets the producer").
 *
 * <p>An interrupt aimed at the consumer's thread is the consumer's exit, not a cancellation of the
 * producer: only an interrupt that reaches the producer's own thread cancels it ({@link
 * CancellationPaths}). Such a stop does not count when it runs only after waiting for the stuck
 * producer (the owner joins the producers first, or first waits for room in the full queue), and a
 * loop that goes on draining until the queue is empty ({@code while (running || !queue.isEmpty())})
 * stops nobody whose every insertion tests the flag first.
 */
final class OwnerStops {
  private OwnerStops() {}

  /** How many methods of the unit to follow from the loop condition to the flag it reads. */
  private static final int MAX_READ_DEPTH = 3;

  /**
   * A field the loop condition needs in one state to go on.
   *
   * @param stopValue the value that ends the loop
   * @param drained the loop also goes on while the queue has elements
   */
  private record Flag(VarSymbol field, boolean stopValue, boolean drained) {}

  /**
   * Adds to {@code consumer} each way its owner ends the take loop {@code loop}: a lifecycle method
   * or callback that clears its loop flag, or interrupts its thread when the loop leaves on
   * interruption. {@code takeInLoop} is the call in the loop's own text that takes.
   */
  static void addExits(
      TreePath loop, Tree takeInLoop, QueueConsumer consumer, QueueContext context) {
    ExpressionTree condition = AstPaths.loopCondition(loop.getLeaf());
    if (condition != null) {
      List<Flag> flags = new ArrayList<>();
      collectFlags(condition, false, false, 0, context, flags);
      for (Flag flag : flags) {
        addFlagStop(flag, loop, consumer, context);
      }
    }
    Tree leaves = leavesOnInterrupt(loop, takeInLoop, context);
    if (leaves != null) {
      addInterruptStop(leaves, drainsAfter(loop, consumer, context), consumer, context);
    }
  }

  /**
   * The fields whose {@code stopValue} ends the loop, read directly or through the unit's methods.
   */
  private static void collectFlags(
      ExpressionTree test,
      boolean negated,
      boolean drained,
      int depth,
      QueueContext context,
      List<Flag> flags) {
    ExpressionTree e = Trees.skipParensAndCasts(test);
    switch (e.getKind()) {
      case LOGICAL_COMPLEMENT -> {
        collectFlags(((UnaryTree) e).getExpression(), !negated, drained, depth, context, flags);
        return;
      }
      case CONDITIONAL_AND, CONDITIONAL_OR -> {
        BinaryTree binary = (BinaryTree) e;
        // The loop goes on only while both sides hold: either side's flag ends it.
        boolean both = (e.getKind() == Tree.Kind.CONDITIONAL_AND) != negated;
        if (both) {
          collectFlags(binary.getLeftOperand(), negated, drained, depth, context, flags);
          collectFlags(binary.getRightOperand(), negated, drained, depth, context, flags);
          return;
        }
        // while (running || !queue.isEmpty()), also written with a helper of the unit
        // (hasDelivery()): it stops on the flag only once it has drained. With two or more state
        // tests (while (active || hasDelivery() || !cancelled())) the loop goes on until every
        // one of them lets it go, in an order this does not decide, so no single flag ends it.
        List<ExpressionTree> alternatives = new ArrayList<>();
        alternatives(e, e.getKind(), alternatives);
        List<ExpressionTree> states =
            alternatives.stream().filter(a -> !readsQueue(a, 0, context)).toList();
        if (states.size() == 1 && states.size() < alternatives.size()) {
          collectFlags(states.get(0), negated, true, depth, context, flags);
        }
        return;
      }
      default -> {}
    }
    if (e instanceof MethodInvocationTree call) {
      if (ConcurrencyApiModel.isAtomicFlagRead(call, context.state())) {
        VarSymbol atomic = AstPaths.receiverVariable(call);
        if (atomic != null && atomic.getKind() == ElementKind.FIELD) {
          flags.add(new Flag(atomic, negated, drained));
        }
        return;
      }
      ExpressionTree returned =
          depth < MAX_READ_DEPTH ? context.index().singleReturnOf(call) : null;
      if (returned != null) {
        // canRun() { return isRunning() && isConnected(); }: the unit's own code is what runs.
        collectFlags(returned, negated, drained, depth + 1, context, flags);
      }
      return;
    }
    VarSymbol field = AstPaths.variable(e);
    if (field != null
        && field.getKind() == ElementKind.FIELD
        && field.type.getKind() == TypeKind.BOOLEAN) {
      flags.add(new Flag(field, negated, drained));
    }
  }

  /** The operands of a chain of the same operator: {@code a || b || c} gives a, b, c. */
  private static void alternatives(ExpressionTree e, Tree.Kind kind, List<ExpressionTree> out) {
    ExpressionTree t = Trees.skipParensAndCasts(e);
    if (t.getKind() == kind) {
      alternatives(((BinaryTree) t).getLeftOperand(), kind, out);
      alternatives(((BinaryTree) t).getRightOperand(), kind, out);
    } else {
      out.add(t);
    }
  }

  /**
   * The operand reads the queue, directly or through a method of the unit whose body is one {@code
   * return} ({@code hasDelivery() { return !queue.isEmpty(); }}).
   */
  private static boolean readsQueue(ExpressionTree operand, int depth, QueueContext context) {
    return AstPaths.anyMatch(
        operand,
        t -> {
          if (!(t instanceof ExpressionTree expression)) {
            return false;
          }
          if (context.queue().variables.contains(context.index().variable(expression))) {
            return true;
          }
          ExpressionTree returned =
              depth < MAX_READ_DEPTH && expression instanceof MethodInvocationTree call
                  ? context.index().singleReturnOf(call)
                  : null;
          return returned != null && readsQueue(returned, depth + 1, context);
        });
  }

  /** A lifecycle method or callback that sets the flag to its stop value ends the loop there. */
  private static void addFlagStop(
      Flag flag, TreePath loop, QueueConsumer consumer, QueueContext context) {
    CompilationUnitIndex index = context.index();
    boolean drains = flag.drained() || drainsAfter(loop, consumer, context);
    if (drains && producerTests(flag.field(), context)) {
      return; // what passed its test before the flag was set still finds a consumer draining
    }
    List<TreePath> writes = new ArrayList<>();
    for (TreePath write : index.writesOf(flag.field())) {
      if (write.getLeaf() instanceof AssignmentTree assignment
          && Boolean.valueOf(flag.stopValue())
              .equals(ASTHelpers.constValue(assignment.getExpression(), Boolean.class))) {
        writes.add(write);
      }
    }
    for (TreePath call : index.callsOn(flag.field())) {
      ExpressionTree value =
          ConcurrencyApiModel.atomicFlagWrittenValue(
              (MethodInvocationTree) call.getLeaf(), context.state());
      if (value != null
          && Boolean.valueOf(flag.stopValue())
              .equals(ASTHelpers.constValue(value, Boolean.class))) {
        writes.add(call);
      }
    }
    for (TreePath write : writes) {
      Stop stop = stoppingMethod(write, consumer, context);
      // As for an interrupt: the stopping method may close the producers' entry first (started =
      // false in the outer stop() that calls dispatcher.stop()), and the consumer then drains.
      if (stop != null
          && !(drains
              && (setsTestedFlag(stop.site(), context)
                  || runsInheritedStopElsewhere(stop.site(), context)))) {
        consumer.exits.add(
            new ConsumerExit(
                AstPaths.line(index.unit, stop.site().getLeaf()),
                stop.method().getSimpleName()
                    + "() clears its loop flag '"
                    + flag.field().getSimpleName()
                    + "'",
                loop.getLeaf()));
        return;
      }
    }
  }

  /**
   * Some method on the producer's way to its insertion reads the flag (directly, or through the
   * unit's {@code isStarted()}) before it inserts.
   */
  private static boolean producerTests(VarSymbol flag, QueueContext context) {
    for (TreePath site : context.producer().chain) {
      if (AstPaths.anyMatch(
          AstPaths.taskRoot(site).getLeaf(),
          t -> t instanceof ExpressionTree e && reads(e, flag, context))) {
        return true;
      }
    }
    return false;
  }

  private static boolean reads(ExpressionTree e, VarSymbol flag, QueueContext context) {
    if (flag.equals(AstPaths.variable(e))) {
      return true;
    }
    if (!(e instanceof MethodInvocationTree call) || !call.getArguments().isEmpty()) {
      return false;
    }
    List<Flag> read = new ArrayList<>();
    collectFlags(call, false, false, 0, context, read);
    return read.stream().anyMatch(f -> f.field().equals(flag));
  }

  /**
   * After leaving the loop normally the consumer empties the queue (iterates it, drains it, clears
   * it): with a flag the producers test before each insertion, what they insert after their last
   * test finds room (the "flag, then clear" handshake, with the consumer doing the clearing).
   */
  private static boolean drainsAfter(TreePath loop, QueueConsumer consumer, QueueContext context) {
    if (statementsAfterDrain(loop, consumer, context)) {
      return true;
    }
    // run() { dispatchAll(); dispatchRemaining(); }: the loop is a helper's, the drain follows
    // the helper's call in the consumer's task.
    Tree helper = AstPaths.taskRoot(loop).getLeaf();
    if (helper != consumer.root.getLeaf() && helper instanceof MethodTree method) {
      for (TreePath call : context.index().callSitesOf(ASTHelpers.getSymbol(method))) {
        if (AstPaths.isWithin(call, consumer.root.getLeaf())
            && statementsAfterDrain(call, consumer, context)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean statementsAfterDrain(
      TreePath loop, QueueConsumer consumer, QueueContext context) {
    for (TreePath p = loop;
        p.getParentPath() != null && p.getLeaf() != consumer.root.getLeaf();
        p = p.getParentPath()) {
      Tree parent = p.getParentPath().getLeaf();
      List<? extends Tree> after = List.of();
      if (parent instanceof com.sun.source.tree.BlockTree block) {
        int at = block.getStatements().indexOf(p.getLeaf());
        after = block.getStatements().subList(at + 1, block.getStatements().size());
      } else if (parent instanceof TryTree tryTree
          && p.getLeaf() == tryTree.getBlock()
          && tryTree.getFinallyBlock() != null) {
        after = List.of(tryTree.getFinallyBlock());
      }
      for (Tree statement : after) {
        if (AstPaths.anyMatch(statement, t -> emptiesQueue(t, context))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean emptiesQueue(Tree t, QueueContext context) {
    return emptiesQueue(t, context, 0);
  }

  /** Empties the queue here, or in the unit's method it calls ({@code dispatchRemaining()}). */
  private static boolean emptiesQueue(Tree t, QueueContext context, int depth) {
    if (depth < 1 && t instanceof MethodInvocationTree call) {
      TreePath callee = context.index().methods.get(ASTHelpers.getSymbol(call));
      if (callee != null
          && callee.getLeaf() instanceof MethodTree method
          && method.getBody() != null
          && AstPaths.anyMatch(method.getBody(), u -> emptiesQueue(u, context, depth + 1))) {
        return true;
      }
    }
    Set<VarSymbol> queue = context.queue().variables;
    if (t instanceof com.sun.source.tree.EnhancedForLoopTree each) {
      return queue.contains(context.index().variable(each.getExpression()));
    }
    return t instanceof MethodInvocationTree call
        && queue.contains(context.index().receiverVariable(call))
        && (ConcurrencyApiModel.isClear(call, context.state())
            || ConcurrencyApiModel.isDrainTo(call, context.state())
            || ConcurrencyApiModel.isRemoval(call, context.state()));
  }

  /** The stopping method also sets a flag that the producer tests before it inserts. */
  /**
   * The stopping method also runs the lifecycle method it overrides, declared outside this file
   * ({@code super.stop()}): that code may close the entry the producers pass through (logback's
   * {@code doAppend} tests the {@code started} flag its superclass's {@code stop()} clears). With a
   * consumer that drains the queue on its way out, whether a producer can still arrive after the
   * drain is then not decidable here, so the interrupt is not taken for a stop.
   */
  private static boolean runsInheritedStopElsewhere(TreePath site, QueueContext context) {
    Tree method = AstPaths.taskRoot(site).getLeaf();
    return AstPaths.anyMatch(
        method,
        t ->
            t instanceof MethodInvocationTree call
                && call.getMethodSelect() instanceof com.sun.source.tree.MemberSelectTree select
                && select.getExpression() instanceof IdentifierTree receiver
                && receiver.getName().contentEquals("super")
                && ConcurrencyApiModel.isLifecycleMethod(ASTHelpers.getSymbol(call))
                && !context.index().methods.containsKey(ASTHelpers.getSymbol(call)));
  }

  private static boolean setsTestedFlag(TreePath site, QueueContext context) {
    Tree method = AstPaths.taskRoot(site).getLeaf();
    return AstPaths.anyMatch(
        method,
        t -> {
          VarSymbol written = null;
          if (t instanceof AssignmentTree assignment) {
            written = AstPaths.variable(assignment.getVariable());
          } else if (t instanceof MethodInvocationTree call
              && ConcurrencyApiModel.atomicFlagWrittenValue(call, context.state()) != null) {
            written = AstPaths.receiverVariable(call);
          }
          return written != null
              && written.getKind() == ElementKind.FIELD
              && producerTests(written, context);
        });
  }

  /**
   * Where the owner stops the consumer: the lifecycle method or callback, and its statement that
   * does it (the write itself, or its call of the unit's helper that does, as {@code shutdown()}
   * calling {@code drainer.halt()}).
   */
  private record Stop(MethodSymbol method, TreePath site) {}

  /** How many of the unit's helpers to climb from the stopping code to a lifecycle method. */
  private static final int MAX_HELPER_DEPTH = 2;

  /**
   * The lifecycle method or callback whose code {@code site} is, or that calls the helper of the
   * unit whose code it is, when that code can run while the producer is stuck: not the consumer's
   * own code, not a constructor, and not only after waiting for the producer or for room in the
   * full queue. Null otherwise.
   */
  private static @Nullable Stop stoppingMethod(
      TreePath site, QueueConsumer consumer, QueueContext context) {
    return stoppingMethod(site, consumer, context, 0);
  }

  private static @Nullable Stop stoppingMethod(
      TreePath site, QueueConsumer consumer, QueueContext context, int depth) {
    if (AstPaths.isWithin(site, consumer.root.getLeaf())
        || AstPaths.isWithin(site, context.producer().root.getLeaf())
        || !(AstPaths.taskRoot(site).getLeaf() instanceof MethodTree tree)) {
      return null;
    }
    MethodSymbol method = ASTHelpers.getSymbol(tree);
    if (method == null || method.isConstructor()) {
      return null;
    }
    if (!(ConcurrencyApiModel.isLifecycleMethod(method)
        || Callbacks.isCallback(method, context.index(), context.state()))) {
      // halt() { running = false; } is a stop where a lifecycle method calls it.
      if (depth >= MAX_HELPER_DEPTH || ConcurrencyApiModel.isTaskMethod(method, context.state())) {
        return null;
      }
      for (TreePath caller : context.index().callSitesOf(method)) {
        Stop stop = stoppingMethod(caller, consumer, context, depth + 1);
        if (stop != null) {
          return stop;
        }
      }
      return null;
    }
    return InterruptExitPaths.runsWhenConsumersStop(
            site,
            context.producer(),
            List.of(consumer),
            context.queue(),
            context.index(),
            context.state())
        ? new Stop(method, site)
        : null;
  }

  /**
   * Where the loop leaves when its thread is interrupted: a {@code break} or {@code return} in a
   * catch of {@code InterruptedException} inside it, or the take itself when its {@code
   * InterruptedException} is not caught inside the loop. Null when an interrupt does not end it.
   */
  private static @Nullable Tree leavesOnInterrupt(
      TreePath loop, Tree takeInLoop, QueueContext context) {
    VisitorState state = context.state();
    Tree[] found = {null};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitLambdaExpression(LambdaExpressionTree tree, Void unused) {
        return null;
      }

      @Override
      public Void visitClass(ClassTree tree, Void unused) {
        return null;
      }

      @Override
      public Void visitCatch(CatchTree tree, Void unused) {
        Type caught = ASTHelpers.getType(tree.getParameter());
        if (found[0] == null
            && caught != null
            && ConcurrencyApiModel.isInterruption(caught, state)) {
          found[0] = leavingStatement(new TreePath(getCurrentPath(), tree.getBlock()), loop);
        }
        return super.visitCatch(tree, null);
      }
    }.scan(new TreePath(loop, AstPaths.loopBody(loop.getLeaf())), null);
    if (found[0] != null) {
      return found[0];
    }
    TreePath take = TreePath.getPath(loop, takeInLoop);
    if (take == null
        || !(takeInLoop instanceof MethodInvocationTree call)
        || !throwsInterruption(call, state)) {
      return null;
    }
    Tree previous = take.getLeaf();
    for (TreePath p = take.getParentPath();
        p != null && p.getLeaf() != loop.getLeaf();
        previous = p.getLeaf(), p = p.getParentPath()) {
      if (p.getLeaf() instanceof TryTree tryTree && tryTree.getBlock() == previous) {
        for (CatchTree clause : tryTree.getCatches()) {
          Type caught = ASTHelpers.getType(clause.getParameter());
          if (caught != null && ConcurrencyApiModel.isInterruption(caught, state)) {
            return null; // handled in the loop, which then goes on
          }
        }
      }
      if (p.getLeaf() instanceof LambdaExpressionTree || p.getLeaf() instanceof ClassTree) {
        return null;
      }
    }
    return takeInLoop;
  }

  private static boolean throwsInterruption(MethodInvocationTree call, VisitorState state) {
    MethodSymbol callee = ASTHelpers.getSymbol(call);
    return callee != null
        && callee.getThrownTypes().stream()
            .anyMatch(thrown -> ConcurrencyApiModel.isInterruption(thrown, state));
  }

  /** A {@code break} out of {@code loop}, a {@code return} or a {@code throw} in the block. */
  private static @Nullable Tree leavingStatement(TreePath block, TreePath loop) {
    Tree[] found = {null};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitLambdaExpression(LambdaExpressionTree tree, Void unused) {
        return null;
      }

      @Override
      public Void visitClass(ClassTree tree, Void unused) {
        return null;
      }

      @Override
      public Void visitReturn(ReturnTree tree, Void unused) {
        if (found[0] == null) {
          found[0] = tree;
        }
        return null;
      }

      @Override
      public Void visitThrow(ThrowTree tree, Void unused) {
        if (found[0] == null) {
          found[0] = tree;
        }
        return null;
      }

      @Override
      public Void visitBreak(BreakTree tree, Void unused) {
        if (found[0] == null && tree.getLabel() == null && nearestBreakTarget() == loop.getLeaf()) {
          found[0] = tree;
        }
        return null;
      }

      private @Nullable Tree nearestBreakTarget() {
        for (TreePath p = getCurrentPath().getParentPath(); p != null; p = p.getParentPath()) {
          if (AstPaths.isLoop(p.getLeaf()) || p.getLeaf() instanceof SwitchTree) {
            return p.getLeaf();
          }
        }
        return null;
      }
    }.scan(block, null);
    return found[0];
  }

  /**
   * An interrupt of the consumer's own thread (or an interrupting cancel of its future) from a
   * lifecycle method or callback ends a loop that leaves on interruption.
   */
  private static void addInterruptStop(
      Tree leaves, boolean drains, QueueConsumer consumer, QueueContext context) {
    CompilationUnitIndex index = context.index();
    VisitorState state = context.state();
    Set<VarSymbol> handles = consumerHandles(consumer, context);
    if (handles.isEmpty()) {
      return;
    }
    for (TreePath path : index.calls) {
      MethodInvocationTree call = (MethodInvocationTree) path.getLeaf();
      VarSymbol receiver = AstPaths.receiverVariable(call);
      if (receiver == null
          || !handles.contains(receiver)
          || !(ConcurrencyApiModel.isInterruptOfOtherThread(call, state)
              || ConcurrencyApiModel.isInterruptingCancel(call, state))) {
        continue;
      }
      Stop stop = stoppingMethod(path, consumer, context);
      if (stop != null
          && !(drains
              && (setsTestedFlag(stop.site(), context)
                  || runsInheritedStopElsewhere(stop.site(), context)))) {
        consumer.exits.add(
            new ConsumerExit(
                AstPaths.line(index.unit, stop.site().getLeaf()),
                stop.method().getSimpleName() + "() interrupts its thread",
                leaves));
        return;
      }
    }
  }

  /**
   * The variables holding the consumer's thread or future: where its task is started, or a thread
   * its class makes of itself ({@code runner = new Thread(this, name)}).
   */
  private static Set<VarSymbol> consumerHandles(QueueConsumer consumer, QueueContext context) {
    CompilationUnitIndex index = context.index();
    TaskSpawns.Spawn spawn = TaskSpawns.of(consumer.root, index, context.state());
    Set<VarSymbol> handles = new LinkedHashSet<>();
    if (spawn.kind == TaskSpawns.Kind.THREAD || spawn.kind == TaskSpawns.Kind.FUTURE) {
      handles.addAll(HandleAliases.of(spawn, index));
    }
    if (!handles.isEmpty()
        || !(consumer.root.getLeaf() instanceof MethodTree method)
        || !ConcurrencyApiModel.isTaskMethod(ASTHelpers.getSymbol(method), context.state())) {
      return handles;
    }
    ClassSymbol task = ASTHelpers.getSymbol(method).enclClass();
    TreePath taskClass = index.classes.get(task);
    if (taskClass == null) {
      return handles;
    }
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitNewClass(NewClassTree tree, Void unused) {
        if (ConcurrencyApiModel.isThreadConstructor(tree, context.state())
            && tree.getArguments().stream().anyMatch(OwnerStops::isThis)) {
          VarSymbol thread = AstPaths.storedInto(getCurrentPath());
          if (thread != null) {
            handles.addAll(QueueAliases.of(thread, index).variables);
          }
        }
        return super.visitNewClass(tree, null);
      }
    }.scan(taskClass, null);
    return handles;
  }

  private static boolean isThis(ExpressionTree argument) {
    return Trees.skipParensAndCasts(argument) instanceof IdentifierTree identifier
        && identifier.getName().contentEquals("this");
  }
}
