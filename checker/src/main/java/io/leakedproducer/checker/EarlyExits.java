package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.InstanceOfTree;
import com.sun.source.tree.LabeledStatementTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.SwitchTree;
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.tools.javac.code.Flags;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.code.Type;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Decides how a consumer can stop taking while the producer still has elements: a return, break or
 * throw in its take loop that is not the end-of-stream check, a checked (or declared unchecked)
 * exception that escapes the loop, a poll that gives up on null, or a take outside any loop.
 *
 * <p>Exceptions that escape the loop from what it calls are {@link ExceptionEscapes}' decision,
 * under the {@link ConsumerDeath} level the flags chose; explicit {@code throw}s in the loop's own
 * text are classified here, with the catch or condition they sit in.
 */
final class EarlyExits {

  private EarlyExits() {}

  /**
   * Adds to {@code consumer} every way the take loop reached through {@code chain} (the take, then
   * the calls that lead to it) can stop taking; {@code taken} holds the taken element, if any.
   */
  static void collect(
      List<TreePath> chain,
      @Nullable VarSymbol taken,
      QueueConsumer consumer,
      QueueContext queueContext) {
    CompilationUnitIndex index = queueContext.index();
    TreePath loop = null;
    Tree takeInLoop = chain.get(0).getLeaf();
    List<TreePath> callers = List.of();
    for (int i = 0; i < chain.size(); i++) {
      TreePath site = chain.get(i);
      Tree root = AstPaths.taskRoot(site).getLeaf();
      loop = AstPaths.enclosingLoop(site, root);
      if (loop != null
          && ElementWaitLoops.onlyWaitsForAnElement(
              loop, site, i == 0 ? taken : AstPaths.assignedVariable(site), queueContext.state())) {
        // A loop that only waits until the take brings something takes once: the loop that keeps
        // taking, if any, is around it or in a caller.
        loop = AstPaths.enclosingLoop(loop, root);
      }
      if (loop != null && i + 1 < chain.size() && returnsTakenElement(loop, taken)) {
        // A take helper (Runnable t = reservedWait()) waits until it has one element and returns
        // it: its loop only retries the wait, and the caller's loop decides when taking stops.
        taken = AstPaths.assignedVariable(chain.get(i + 1));
        loop = null;
        continue;
      }
      if (loop != null) {
        takeInLoop = site.getLeaf();
        callers = chain.subList(i + 1, chain.size());
        break;
      }
    }
    if (loop == null) {
      consumer.exits.add(
          new ConsumerExit(
              AstPaths.line(index.unit, chain.get(0).getLeaf()),
              "takes a single element and stops",
              chain.get(0).getLeaf()));
      return;
    }
    if (!consumer.loops.contains(loop)) {
      consumer.loops.add(loop);
    }
    Context context =
        new Context(loop, taken, chain.get(0).getLeaf(), takeInLoop, consumer, queueContext);
    context.scan();
    List<ExceptionEscapes.LoopExit> deaths =
        new ExceptionEscapes(queueContext.death(), index, queueContext.state())
            .exitsOf(loop, callers);
    for (ExceptionEscapes.LoopExit exit : deaths) {
      if (!exit.assumed()) {
        context.add(exit.at(), exit.reason(), exit.thrown());
      }
    }
    // An exit the level only assumes (unseen code can throw) is shown when nothing surer exists.
    if (consumer.exits.isEmpty()) {
      for (ExceptionEscapes.LoopExit exit : deaths) {
        context.add(exit.at(), exit.reason(), exit.thrown());
      }
    }
    // A loop that never leaves by itself may still be ended by its owner: a close() that clears
    // its flag or interrupts its thread.
    if (consumer.exits.isEmpty()) {
      OwnerStops.addExits(loop, takeInLoop, consumer, queueContext);
    }
  }

  /**
   * The loop hands the element it took to the method's caller: {@code if (t != null) return t;}.
   */
  private static boolean returnsTakenElement(TreePath loop, @Nullable VarSymbol taken) {
    return taken != null
        && AstPaths.anyMatch(
            loop.getLeaf(),
            t ->
                t instanceof ReturnTree r
                    && r.getExpression() != null
                    && taken.equals(AstPaths.variable(r.getExpression())));
  }

  private static final class Context {
    final TreePath loop;
    final QueueAliases queue;
    @Nullable final VarSymbol taken;

    /** The take call itself, for conditions written as {@code if (queue.take().isEmpty())}. */
    final Tree takeCall;

    /**
     * The call in the loop's own text that takes: the take itself, or the call of the unit's method
     * that takes ({@code result = receive(timeout)}).
     */
    final Tree takeInLoop;

    final QueueConsumer consumer;
    final ProducerDiscovery.Producer producer;
    final CompilationUnitIndex index;
    final VisitorState state;
    private @Nullable Set<VarSymbol> producerHandles;

    Context(
        TreePath loop,
        @Nullable VarSymbol taken,
        Tree takeCall,
        Tree takeInLoop,
        QueueConsumer consumer,
        QueueContext queueContext) {
      this.loop = loop;
      this.queue = queueContext.queue();
      this.taken = taken;
      this.takeCall = takeCall;
      this.takeInLoop = takeInLoop;
      this.consumer = consumer;
      this.producer = queueContext.producer();
      this.index = queueContext.index();
      this.state = queueContext.state();
    }

    void scan() {
      checkCondition();
      new TreePathScanner<Void, Void>() {
        @Override
        public Void visitLambdaExpression(LambdaExpressionTree tree, Void unused) {
          return null; // runs later or elsewhere
        }

        @Override
        public Void visitClass(ClassTree tree, Void unused) {
          return null;
        }

        @Override
        public Void visitReturn(ReturnTree tree, Void unused) {
          classify(getCurrentPath(), "return");
          return super.visitReturn(tree, null);
        }

        @Override
        public Void visitBreak(BreakTree tree, Void unused) {
          if (breaksOutOfLoop(getCurrentPath(), tree)) {
            classify(getCurrentPath(), "break");
          }
          return null;
        }

        @Override
        public Void visitThrow(ThrowTree tree, Void unused) {
          Type thrown = ASTHelpers.getType(tree.getExpression());
          if (thrown != null
              && !isInterruption(thrown)
              && !isCaughtInLoop(getCurrentPath(), thrown)) {
            classify(getCurrentPath(), "throw " + thrown.tsym.getSimpleName());
          }
          return super.visitThrow(tree, null);
        }
      }.scan(new TreePath(loop, AstPaths.loopBody(loop.getLeaf())), null);
    }

    /**
     * Loop conditions that stop on an empty queue, a timed-out poll, or a flag the loop clears
     * itself.
     */
    private void checkCondition() {
      Tree l = loop.getLeaf();
      ExpressionTree condition = AstPaths.loopCondition(l);
      // A counted loop: a for loop with one index, or a while loop over a local counter.
      if ((l instanceof ForLoopTree forLoopTree && forLoopTree.getInitializer().size() == 1)
          || l instanceof WhileLoopTree) {
        // Counted at the loop's own call of the take: a driver's for loop around task.poll() makes
        // as many trips as it counts, whatever poll() does inside.
        TreePath taking = TreePath.getPath(loop, takeInLoop);
        ElementCount trips =
            condition == null || taking == null || consumer.takes.isEmpty()
                ? null
                : ProducerDiscovery.countOf(List.of(taking), index, state);
        if (trips != null && producer.count != null) {
          // A counted loop: it stops after its trip count, early unless that is what the producer
          // inserts.
          if (!trips.isOne() && !trips.equals(producer.count)) {
            add(l, stopsAfter(trips));
          }
          return;
        }
        // while (read < 10 && rs.next()): at most ten trips, fewer if the other test ends it.
        boolean atMost = false;
        if (trips == null && condition != null && taking != null && innermostLoopIs(taking, loop)) {
          trips = CountedWhileLoops.tripsAtMost(loop, index, state);
          atMost = trips != null;
        }
        // A producer that inserts until it is stopped has no count, and always has more than a
        // counted loop takes. A producer whose count is unknown (pages of rows) can have more than
        // a constant number. A known count is compared as above.
        if (trips != null
            && !trips.isOne()
            && (producer.count != null
                ? !trips.equals(producer.count)
                : trips.terms().isEmpty()
                    || EndlessProducers.insertsUntilStopped(producer, index))) {
          add(l, stopsAfter(trips));
          if (!atMost) {
            return;
          }
        }
      }
      if (condition == null || referencesDoneSignal(condition)) {
        return;
      }
      boolean[] found = {false};
      // while (!closed || !queue.isEmpty()): an empty queue ends the loop only together with a
      // state that does not come from the queue, so the loop is judged by that state.
      ExpressionTree emptinessTested = orWithStateTest(condition) ? null : condition;
      AstPaths.anyMatch(
          emptinessTested,
          t -> {
            if (found[0] || !(t instanceof MethodInvocationTree methodInvocationTree)) {
              return false;
            }
            VarSymbol receiver = AstPaths.receiverVariable(methodInvocationTree);
            if (receiver == null || !queue.variables.contains(receiver)) {
              return false;
            }
            if (ConcurrencyApiModel.isTimedPoll(methodInvocationTree, state)) {
              add(t, "stops when poll() times out");
              found[0] = true;
            } else if (ConcurrencyApiModel.isMomentaryProbe(ASTHelpers.getSymbol(t))) {
              add(t, "stops as soon as the queue is momentarily empty");
              found[0] = true;
            }
            return false;
          });
      if (found[0]) {
        return;
      }
      // while (process(queue.take())) or for (x = q.take(); !x.isEmpty(); ...): the loop ends when
      // a
      // test on an element fails. A null test on a blocking take() never fails, so it is no exit.
      if ((AstPaths.contains(condition, takeCall) || (taken != null && mentions(condition, taken)))
          && !isEndOfStream(condition)
          && !isNullTestOfBlockingTake(condition)) {
        add(condition, "leaves the take loop when its condition on an element is false");
        return;
      }
      if (testsFlagSetAfterStart(condition)) {
        return;
      }
      // while (running) { ... running = false; ... }: the loop clears its own flag.
      AstPaths.anyMatch(
          condition,
          t -> {
            VarSymbol flag =
                t instanceof ExpressionTree expressionTree
                    ? AstPaths.variable(expressionTree)
                    : null;
            if (flag == null || found[0]) {
              return false;
            }
            for (TreePath write : index.writesOf(flag)) {
              if (AstPaths.isWithin(write, AstPaths.loopBody(l))
                  && !isInCatchOfInterruption(write)
                  && !assignsTakenElement(write)) {
                add(write.getLeaf(), "clears its loop flag '" + flag.getSimpleName() + "'");
                found[0] = true;
                break;
              }
            }
            return false;
          });
    }

    /** The exit's reason: the elements a counted loop takes, or its calls of a receive method. */
    private String stopsAfter(ElementCount trips) {
      Symbol called = takeInLoop == takeCall ? null : ASTHelpers.getSymbol(takeInLoop);
      return called == null
          ? "stops after " + trips.source() + " elements"
          : String.format("stops after %s calls of %s()", trips.source(), called.getSimpleName());
    }

    /** The take sits directly in {@code loop}, with no other loop between them. */
    private static boolean innermostLoopIs(TreePath taking, TreePath loop) {
      TreePath innermost = AstPaths.enclosingLoop(taking, AstPaths.taskRoot(loop).getLeaf());
      return innermost != null && innermost.getLeaf() == loop.getLeaf();
    }

    /**
     * {@code do { result = receive(timeout); } while (result == null)}: the variable holds what the
     * take returned, not a flag the loop clears; the loop waits for an element.
     */
    private boolean assignsTakenElement(TreePath write) {
      ExpressionTree value =
          Trees.skipParensAndCasts(((AssignmentTree) write.getLeaf()).getExpression());
      return value == takeInLoop || value == takeCall;
    }

    /**
     * {@code while (started)} (or {@code while (isStarted())}) where {@code started} starts out
     * false and is set to true only after a statement that starts a thread: the consumer may test
     * the flag before it is set and leave at once, and the producers that pass their own test of
     * the flag afterwards insert with nobody taking.
     */
    private boolean testsFlagSetAfterStart(ExpressionTree condition) {
      ExpressionTree c = Trees.skipParensAndCasts(condition);
      VarSymbol flag = flagRead(c);
      if (flag == null
          || flag.getKind() != javax.lang.model.element.ElementKind.FIELD
          || !isBoolean(c)
          || startsTrue(flag)) {
        return false;
      }
      for (TreePath write : index.writesOf(flag)) {
        if (!(write.getLeaf() instanceof AssignmentTree assignment)
            || Trees.skipParensAndCasts(assignment.getExpression()).getKind()
                != Tree.Kind.BOOLEAN_LITERAL
            || !Boolean.TRUE.equals(
                ((LiteralTree) Trees.skipParensAndCasts(assignment.getExpression())).getValue())) {
          continue;
        }
        TreePath statement = write.getParentPath();
        if (statement == null
            || statement.getParentPath() == null
            || !(statement.getParentPath().getLeaf() instanceof BlockTree block)) {
          continue;
        }
        for (StatementTree before : block.getStatements()) {
          if (before == statement.getLeaf()) {
            break;
          }
          if (AstPaths.anyMatch(before, t -> ConcurrencyApiModel.startsTask(t, state))) {
            add(
                condition,
                "can test '"
                    + flag.getSimpleName()
                    + "' before it is set to true (line "
                    + AstPaths.line(index.unit, write.getLeaf())
                    + ") and leave at once");
            return true;
          }
        }
      }
      return false;
    }

    /**
     * The field a boolean test reads: {@code started}, or {@code isStarted()} whose body in this
     * unit is {@code return started;} (overridable or not: the unit's own code is what runs here).
     */
    private @Nullable VarSymbol flagRead(ExpressionTree test) {
      VarSymbol direct = index.variable(test);
      if (direct != null
          || !(test instanceof MethodInvocationTree call)
          || !call.getArguments().isEmpty()) {
        return direct;
      }
      Symbol.MethodSymbol callee = ASTHelpers.getSymbol(call);
      TreePath method = callee == null ? null : index.methods.get(callee);
      if (method != null
          && method.getLeaf() instanceof com.sun.source.tree.MethodTree tree
          && tree.getBody() != null
          && tree.getBody().getStatements().size() == 1
          && tree.getBody().getStatements().get(0) instanceof ReturnTree ret) {
        return AstPaths.variable(ret.getExpression());
      }
      return null;
    }

    /** {@code a || b} where one side does not read the queue or the element taken from it. */
    private boolean orWithStateTest(ExpressionTree condition) {
      ExpressionTree c = Trees.skipParensAndCasts(condition);
      if (c.getKind() != Tree.Kind.CONDITIONAL_OR) {
        return false;
      }
      BinaryTree or = (BinaryTree) c;
      return !readsQueueOrElement(or.getLeftOperand())
          || !readsQueueOrElement(or.getRightOperand());
    }

    private boolean readsQueueOrElement(ExpressionTree operand) {
      return AstPaths.contains(operand, takeCall)
          || AstPaths.anyMatch(
              operand,
              t -> {
                VarSymbol v =
                    t instanceof ExpressionTree expressionTree
                        ? index.variable(expressionTree)
                        : null;
                return v != null && (queue.variables.contains(v) || v.equals(taken));
              });
    }

    /** The field is declared {@code = true}. */
    private boolean startsTrue(VarSymbol flag) {
      TreePath decl = index.declarations.get(flag);
      return decl != null
          && decl.getLeaf() instanceof VariableTree variable
          && variable.getInitializer() != null
          && !(Trees.skipParensAndCasts(variable.getInitializer()) instanceof LiteralTree literal
              && Boolean.FALSE.equals(literal.getValue()));
    }

    /** Records an exit unless it is the end-of-stream check or a reaction to interruption. */
    private void classify(TreePath exit, String what) {
      String inCatch = null;
      String onCondition = null;
      for (TreePath p = exit.getParentPath();
          p != null && p.getLeaf() != loop.getLeaf();
          p = p.getParentPath()) {
        Tree leaf = p.getLeaf();
        if (leaf instanceof CatchTree c) {

          Type caught = ASTHelpers.getType(c.getParameter());
          if (caught != null && isInterruption(caught)) {
            return; // interrupted: someone is cancelling, not an early stop
          }
          if (inCatch == null) {
            inCatch =
                what + " in catch (" + state.getSourceForNode(c.getParameter().getType()) + ")";
          }
        }
        if (leaf instanceof IfTree ifTree
            && exit.getLeaf() instanceof BreakTree
            && tookAnElement(ifTree, exit)) {
          // while (!closed) { e = q.poll(t); if (e == null) continue-waiting; else break; }: the
          // loop waits for an element and leaves with it, which is taking, not stopping.
          return;
        }
        if (leaf instanceof IfTree ifTree && onCondition == null) {
          ExpressionTree condition = ifTree.getCondition();
          // The end of the stream is left normally: a throw on a marker is still a failure.
          if (!(exit.getLeaf() instanceof ThrowTree) && isEndOfStream(condition)) {
            return;
          }
          onCondition = what + describeCondition(condition, what);
        }
      }
      // A catch says more about why the consumer stops than a condition inside it.
      add(
          exit.getLeaf(),
          inCatch != null
              ? inCatch
              : onCondition != null ? onCondition : what + " after one element");
    }

    private String describeCondition(ExpressionTree condition, String what) {
      if (taken != null && mentionsNullCheckOf(condition, taken)) {
        return " when poll() returns null";
      }
      if (Trees.skipParensAndCasts(condition).getKind() == Tree.Kind.LOGICAL_COMPLEMENT) {
        return " when processing an element fails";
      }
      if (((taken != null && mentions(condition, taken)) || AstPaths.contains(condition, takeCall))
          && !what.startsWith("throw")) {
        return " after a matching element";
      }
      return " on error";
    }

    private boolean isEndOfStream(ExpressionTree condition) {
      ExpressionTree c = Trees.skipParensAndCasts(condition);
      // `line == null || line.equals(EOF)`: the exit is early if either side is; `a && b` is as
      // narrow as either.
      if (c.getKind() == Tree.Kind.CONDITIONAL_OR) {
        return isEndOfStream(((BinaryTree) c).getLeftOperand())
            && isEndOfStream(((BinaryTree) c).getRightOperand());
      }
      if (c.getKind() == Tree.Kind.CONDITIONAL_AND) {
        return isEndOfStream(((BinaryTree) c).getLeftOperand())
            || isEndOfStream(((BinaryTree) c).getRightOperand());
      }
      if (referencesDoneSignal(c)) {
        return true;
      }
      return AstPaths.anyMatch(
          c,
          t -> {
            if (t instanceof BinaryTree b
                && (t.getKind() == Tree.Kind.EQUAL_TO || t.getKind() == Tree.Kind.NOT_EQUAL_TO)) {

              return (isTaken(b.getLeftOperand()) && isMarker(b.getRightOperand()))
                  || (isTaken(b.getRightOperand()) && isMarker(b.getLeftOperand()));
            }
            if (t instanceof MethodInvocationTree call) {

              Symbol sym = ASTHelpers.getSymbol(call);
              ExpressionTree receiver = ASTHelpers.getReceiver(call);
              if (ConcurrencyApiModel.isEqualsCall(sym)) {
                return receiver != null
                    && ((isTaken(receiver) && isMarker(call.getArguments().get(0)))
                        || (isTaken(call.getArguments().get(0)) && isMarker(receiver)));
              }
              if (ConcurrencyApiModel.isEmptinessTest(sym)
                  && receiver != null
                  && isTaken(receiver)) {
                return producerInsertsAnEmptyMarker(); // "" or List.of() sent as the pill
              }
              return receiver != null
                  && isTaken(receiver)
                  && ConcurrencyApiModel.isEndPredicateName(sym.getSimpleName())
                  && isBoolean(call);
            }
            if (t instanceof InstanceOfTree i) {

              Type type = ASTHelpers.getType(i.getType());
              return isTaken(i.getExpression())
                  && type != null
                  && ConcurrencyApiModel.isEndMarkerName(type.tsym.getSimpleName());
            }
            return false;
          });
    }

    /**
     * Some insertion into the queue passes {@code ""} or an empty-collection factory call such as
     * {@code List.of()}.
     */
    private boolean producerInsertsAnEmptyMarker() {
      for (VarSymbol alias : queue.variables) {
        for (TreePath call : index.callsOn(alias)) {
          MethodInvocationTree insertion = (MethodInvocationTree) call.getLeaf();
          if (insertion.getArguments().isEmpty()
              || !ConcurrencyApiModel.isElementInsertion(ASTHelpers.getSymbol(insertion))) {
            continue;
          }
          ExpressionTree element = Trees.skipParensAndCasts(insertion.getArguments().get(0));
          if ("".equals(ASTHelpers.constValue(element, String.class))) {
            return true;
          }
          if (element instanceof MethodInvocationTree methodInvocationTree
              && methodInvocationTree.getArguments().isEmpty()
              && ConcurrencyApiModel.isEmptyFactory(ASTHelpers.getSymbol(methodInvocationTree))) {
            return true;
          }
        }
      }
      return false;
    }

    private boolean isNullTestOfBlockingTake(ExpressionTree condition) {
      ExpressionTree c = Trees.skipParensAndCasts(condition);
      if (!(c instanceof BinaryTree b)
          || (c.getKind() != Tree.Kind.NOT_EQUAL_TO && c.getKind() != Tree.Kind.EQUAL_TO)) {
        return false;
      }

      boolean nullTest =
          b.getLeftOperand().getKind() == Tree.Kind.NULL_LITERAL
              || b.getRightOperand().getKind() == Tree.Kind.NULL_LITERAL;
      return nullTest
          && takeCall instanceof MethodInvocationTree methodInvocationTree
          && ConcurrencyApiModel.isBlockingTake(methodInvocationTree, state);
    }

    private boolean isBoolean(Tree t) {
      Type type = ASTHelpers.getType(t);
      return type != null && type.getKind() == javax.lang.model.type.TypeKind.BOOLEAN;
    }

    private boolean isTaken(ExpressionTree t) {
      if (Trees.skipParensAndCasts(t) == takeCall) {
        return true;
      }
      VarSymbol v = AstPaths.variable(t);
      return v != null && v.equals(taken);
    }

    /**
     * A pill: a constant, a final field, an enum constant, or a variable named like an end marker.
     */
    private boolean isMarker(ExpressionTree t) {
      ExpressionTree e = Trees.skipParensAndCasts(t);
      if (e instanceof LiteralTree) {
        return e.getKind() != Tree.Kind.NULL_LITERAL;
      }
      VarSymbol v = AstPaths.variable(e);
      if (v == null) {
        return false;
      }
      return v.getKind() == javax.lang.model.element.ElementKind.ENUM_CONSTANT
          || ((v.flags() & Flags.STATIC) != 0 && (v.flags() & Flags.FINAL) != 0)
          || ConcurrencyApiModel.isEndMarkerName(v.getSimpleName());
    }

    /** A condition that consults a signal the producer sets when it is done. */
    private boolean referencesDoneSignal(ExpressionTree condition) {
      return AstPaths.anyMatch(
          condition,
          t -> {
            if (!(t instanceof ExpressionTree expressionTree)) {
              return false;
            }
            VarSymbol v = AstPaths.variable(expressionTree);
            if (v == null || v.equals(taken) || queue.variables.contains(v)) {
              return false;
            }
            if (producerHandles().contains(v)) {
              return true; // producerFuture.isDone(), producerThread.isAlive()
            }
            for (TreePath write : index.writesOf(v)) {
              if (AstPaths.isWithin(write, producer.root.getLeaf())) {
                return true;
              }
            }
            for (TreePath call : index.callsOn(v)) {
              if (AstPaths.isWithin(call, producer.root.getLeaf())
                  && CancellationPaths.isSignalMutator(call)) {
                return true;
              }
            }
            return false;
          });
    }

    /** The variables holding the producer's Thread or Future, computed once per loop. */
    private Set<VarSymbol> producerHandles() {
      if (producerHandles == null) {
        producerHandles = HandleAliases.of(producer.spawn, index);
      }
      return producerHandles;
    }

    private boolean mentions(Tree tree, VarSymbol v) {
      return AstPaths.anyMatch(
          tree,
          t ->
              t instanceof ExpressionTree expressionTree
                  && v.equals(AstPaths.variable(expressionTree)));
    }

    /**
     * {@code exit} sits in the branch of {@code branch} taken when the element is there: the else
     * of {@code taken == null}, the then of {@code taken != null}.
     */
    private boolean tookAnElement(IfTree branch, TreePath exit) {
      if (taken == null) {
        return false;
      }
      ExpressionTree c = Trees.skipParensAndCasts(branch.getCondition());
      if (!(c instanceof BinaryTree)
          || !(c.getKind() == Tree.Kind.EQUAL_TO || c.getKind() == Tree.Kind.NOT_EQUAL_TO)
          || !mentionsNullCheckOf(c, taken)) {
        return false;
      }
      Tree wanted =
          c.getKind() == Tree.Kind.EQUAL_TO ? branch.getElseStatement() : branch.getThenStatement();
      return wanted != null && AstPaths.isWithin(exit, wanted);
    }

    private boolean mentionsNullCheckOf(Tree tree, VarSymbol v) {
      return AstPaths.anyMatch(
          tree,
          t -> {
            if (t instanceof BinaryTree b
                && (t.getKind() == Tree.Kind.EQUAL_TO || t.getKind() == Tree.Kind.NOT_EQUAL_TO)) {

              return (v.equals(AstPaths.variable(b.getLeftOperand()))
                      && b.getRightOperand().getKind() == Tree.Kind.NULL_LITERAL)
                  || (v.equals(AstPaths.variable(b.getRightOperand()))
                      && b.getLeftOperand().getKind() == Tree.Kind.NULL_LITERAL);
            }
            return false;
          });
    }

    private boolean breaksOutOfLoop(TreePath path, BreakTree tree) {
      for (TreePath p = path.getParentPath(); p != null; p = p.getParentPath()) {
        Tree leaf = p.getLeaf();
        if (tree.getLabel() == null) {
          if (AstPaths.isLoop(leaf) || leaf instanceof SwitchTree) {
            return leaf == loop.getLeaf();
          }
          if (leaf.getKind().name().equals("SWITCH_EXPRESSION")) {
            return false;
          }
        } else if (leaf instanceof LabeledStatementTree labeledStatementTree
            && labeledStatementTree.getLabel().contentEquals(tree.getLabel())) {
          return AstPaths.isWithin(loop, leaf) || leaf == loop.getLeaf();
        }
        if (leaf == loop.getLeaf() && tree.getLabel() == null) {
          return true;
        }
      }
      return false;
    }

    private boolean isCaughtInLoop(TreePath path, Type thrown) {
      Tree previous = path.getLeaf();
      for (TreePath p = path.getParentPath();
          p != null && p.getLeaf() != loop.getLeaf();
          p = p.getParentPath()) {
        if (p.getLeaf() instanceof TryTree tryTree && tryTree.getBlock() == previous) {
          for (CatchTree c : tryTree.getCatches()) {
            if (AstPaths.catches(c, thrown, state)) {
              return true;
            }
          }
        }
        previous = p.getLeaf();
      }
      return false;
    }

    private boolean isInCatchOfInterruption(TreePath path) {
      for (TreePath p = path.getParentPath();
          p != null && p.getLeaf() != loop.getLeaf();
          p = p.getParentPath()) {
        if (p.getLeaf() instanceof CatchTree catchTree) {
          Type caught = ASTHelpers.getType(catchTree.getParameter());
          return caught != null && isInterruption(caught);
        }
      }
      return false;
    }

    private boolean isInterruption(Type type) {
      return ConcurrencyApiModel.isInterruption(type, state);
    }

    private void add(Tree at, String reason) {
      add(at, reason, List.of());
    }

    private void add(Tree at, String reason, List<Type> thrown) {
      consumer.exits.add(new ConsumerExit(AstPaths.line(index.unit, at), reason, at, thrown));
    }
  }
}
