package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ConditionalExpressionTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.SwitchTree;
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.code.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.ElementKind;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a stop signal the producer checks is set on every path by which its consumers
 * stop taking. A flag set only after the take loop inside a {@code try} whose {@code catch} handles
 * the consumer's failure, or only by the producer itself, never tells the producer that nobody
 * takes any more; a flag set in a {@code finally}, in each exit branch, by another thread (after
 * joining the consumers, in the owner's lifecycle method) does.
 */
final class SignalExitPaths {
  private SignalExitPaths() {}

  /** How control leaves the consumer's take loop at an exit. */
  private enum Leaving {
    /** A {@code break} or the loop's own condition: the statements after the loop run. */
    NORMALLY,
    /** A {@code return}: only {@code finally} blocks run on the way out. */
    RETURNING,
    /** An exception: the first {@code catch} on the way out runs, then what follows it. */
    THROWING
  }

  /**
   * True when every exit of every consumer that can stop passes a place that sets {@code signal}.
   * Sites inside the producer's own task never count.
   */
  static boolean setOnEveryExit(
      VarSymbol signal,
      List<QueueConsumer> consumers,
      ProducerDiscovery.Producer producer,
      CompilationUnitIndex index,
      VisitorState state) {
    List<TreePath> setters = new ArrayList<>();
    for (TreePath site : settersOf(signal, index)) {
      if (!isWithinProducer(site, producer) && !inConstructor(site)) {
        setters.add(site);
      }
    }
    return runsOnEveryExit(new Sites(setters, setters), consumers, index, state);
  }

  /**
   * Code that must run on the consumers' way out ({@code runs}), and the setters whose success may
   * guard it: {@code if (failed.compareAndSet(false, true)) queue.clear();} clears whenever this
   * consumer is the first to stop, and a later one finds the flag already set.
   */
  record Sites(List<TreePath> runs, List<TreePath> guards) {}

  /** True when every exit of every consumer that can stop passes one of {@code sites.runs()}. */
  static boolean runsOnEveryExit(
      Sites setters,
      List<QueueConsumer> consumers,
      CompilationUnitIndex index,
      VisitorState state) {
    if (setters.runs().isEmpty()) {
      return false;
    }
    for (QueueConsumer consumer : consumers) {
      Map<Tree, TreePath> callers = callersOf(consumer, index, state);
      for (ConsumerExit exit : consumer.exits) {
        if (!covered(exit, consumer, callers, consumers, setters, index, state)) {
          return false;
        }
      }
    }
    return true;
  }

  static List<TreePath> settersOf(VarSymbol signal, CompilationUnitIndex index) {
    List<TreePath> sites = new ArrayList<>();
    for (VarSymbol handle : passedAs(signal, index)) {
      sites.addAll(index.writesOf(handle));
      sites.addAll(index.mutations.getOrDefault(handle, List.of()));
      for (TreePath call : index.callsOn(handle)) {
        if (call.getLeaf() instanceof MethodInvocationTree invocation
            && ConcurrencyApiModel.isSignalMutator(ASTHelpers.getSymbol(invocation))) {
          sites.add(call);
        }
      }
    }
    return sites;
  }

  /**
   * The signal and, when it is a parameter of the unit's helpers that is never reassigned, the
   * variables the callers pass for it ({@code enqueue(queue, chunk, runError)} called with the
   * run's {@code AtomicReference}): a setter of that object sets the signal the helper reads (spec:
   * "follow the handle, not the name").
   */
  private static Set<VarSymbol> passedAs(VarSymbol signal, CompilationUnitIndex index) {
    Set<VarSymbol> handles = new LinkedHashSet<>();
    Deque<VarSymbol> work = new ArrayDeque<>();
    work.add(signal);
    while (!work.isEmpty() && handles.size() < 16) {
      VarSymbol v = work.poll();
      if (!handles.add(v)
          || v.getKind() != ElementKind.PARAMETER
          || !(v.owner instanceof MethodSymbol method)
          || !index.writesOf(v).isEmpty()) {
        continue;
      }
      int position = method.getParameters().indexOf(v);
      for (TreePath site : index.callSitesOf(method)) {
        List<? extends ExpressionTree> args = QueueAliases.arguments(site.getLeaf());
        VarSymbol passed =
            position >= 0 && position < args.size() && !method.isVarArgs()
                ? AstPaths.variable(args.get(position))
                : null;
        if (passed != null) {
          work.add(passed);
        }
      }
    }
    return handles;
  }

  /** The site runs in the producer's own task (a consumer lambda written inside it does not). */
  private static boolean isWithinProducer(TreePath site, ProducerDiscovery.Producer producer) {
    Tree siteRoot = AstPaths.taskRoot(site).getLeaf();
    if (siteRoot == producer.root.getLeaf()) {
      return true;
    }
    for (TreePath link : producer.chain) {
      if (siteRoot == AstPaths.taskRoot(link).getLeaf()) {
        return true;
      }
    }
    return false;
  }

  /** A field's initial state, written once before any thread starts. */
  private static boolean inConstructor(TreePath site) {
    TreePath root = AstPaths.taskRoot(site);
    if (root.getLeaf() instanceof MethodTree method) {
      MethodSymbol symbol = ASTHelpers.getSymbol(method);
      return symbol != null && symbol.isConstructor();
    }
    return root.getLeaf() instanceof ClassTree;
  }

  /**
   * The methods between a consumer's take and its task root, each mapped to the call that runs it:
   * a method that returns hands control back to that call.
   */
  private static Map<Tree, TreePath> callersOf(
      QueueConsumer consumer, CompilationUnitIndex index, VisitorState state) {
    Map<Tree, TreePath> callers = new HashMap<>();
    for (TreePath take : consumer.takes) {
      List<TreePath> chain = ProducerDiscovery.callChain(take, index, state);
      for (int i = 0; i + 1 < chain.size(); i++) {
        callers.put(AstPaths.taskRoot(chain.get(i)).getLeaf(), chain.get(i + 1));
      }
    }
    return callers;
  }

  private static boolean covered(
      ConsumerExit exit,
      QueueConsumer consumer,
      Map<Tree, TreePath> callers,
      List<QueueConsumer> consumers,
      Sites setters,
      CompilationUnitIndex index,
      VisitorState state) {
    // Another thread that sets the signal (the coordinator after joining the consumers, the owner's
    // lifecycle method) does so whichever way the consumers stopped.
    for (TreePath setter : setters.runs()) {
      if (consumers.stream().noneMatch(c -> isConsumerSide(setter, c, index, state))
          && (!leavesNormally(exit) || !onlyOnFailure(setter, index, 0))) {
        return true;
      }
    }
    if (exit.at() == null || consumer.blocksItself) {
      return false; // a consumer that blocks, or stops where no code of its own runs after
    }
    TreePath at = exitPath(exit, consumer);
    if (at == null) {
      if (consumer.loops.isEmpty()) {
        return false;
      }
      // Death in a callee: the exception leaves the loop at the call, somewhere in its body.
      TreePath loop = consumer.loops.get(0);
      for (Type escaping : exit.thrown()) {
        if (!runsOnTheWayOut(
            loop, Leaving.THROWING, escaping, consumer, callers, setters, loop, state)) {
          return false;
        }
      }
      return !exit.thrown().isEmpty()
          || runsOnTheWayOut(loop, Leaving.THROWING, null, consumer, callers, setters, loop, state);
    }
    TreePath loop = enclosingTakeLoop(at, consumer);
    if (loop == null) {
      // A single take: the consumer goes on with what follows it.
      return runsOnTheWayOut(at, Leaving.NORMALLY, null, consumer, callers, setters, null, state);
    }
    Tree leaf = at.getLeaf();
    if (leaf instanceof ReturnTree) {
      return runsOnTheWayOut(at, Leaving.RETURNING, null, consumer, callers, setters, loop, state);
    }
    if (leaf instanceof BreakTree
        && runsOnTheWayOut(at, Leaving.RETURNING, null, consumer, callers, setters, loop, state)) {
      return true; // set just before the break, or in a finally it passes
    }
    if (leaf instanceof BreakTree || leaf == loop.getLeaf()) {
      return runsOnTheWayOut(loop, Leaving.NORMALLY, null, consumer, callers, setters, loop, state);
    }
    Type thrown =
        leaf instanceof ThrowTree throwTree ? ASTHelpers.getType(throwTree.getExpression()) : null;
    if (thrown == null && !exit.thrown().isEmpty()) {
      // A death: each exception that escapes must pass a setter on its own way out.
      for (Type escaping : exit.thrown()) {
        if (!runsOnTheWayOut(
            at, Leaving.THROWING, escaping, consumer, callers, setters, loop, state)) {
          return false;
        }
      }
      return true;
    }
    return runsOnTheWayOut(at, Leaving.THROWING, thrown, consumer, callers, setters, loop, state);
  }

  /**
   * The consumer leaves by code of its own and not by an exception (a return, a break, a loop
   * test): no {@code catch} runs on that way out. A consumer that blocks itself, or whose caller
   * stops calling, leaves by no code of its own.
   */
  private static boolean leavesNormally(ConsumerExit exit) {
    return exit.at() != null && exit.thrown().isEmpty() && !(exit.at() instanceof ThrowTree);
  }

  /**
   * The setter runs only in a {@code catch} (its own, or one around the call of the helper it sits
   * in): a force close on the failure path. It does not run when a consumer stops normally (a timed
   * poll that gives up and returns "no more"), so it covers no exit "whichever way".
   */
  private static boolean onlyOnFailure(TreePath site, CompilationUnitIndex index, int depth) {
    Tree root = AstPaths.taskRoot(site).getLeaf();
    // if (isForceClose) { ... }: a call that passes false never reaches the site.
    Map<VarSymbol, Boolean> needs = new HashMap<>();
    for (TreePath p = site;
        p.getParentPath() != null && p.getLeaf() != root;
        p = p.getParentPath()) {
      Tree parent = p.getParentPath().getLeaf();
      if (parent instanceof CatchTree) {
        return true;
      }
      if (parent instanceof IfTree branch) {
        boolean then = branch.getThenStatement() == p.getLeaf();
        ExpressionTree test = Trees.skipParensAndCasts(branch.getCondition());
        boolean negated = test.getKind() == Tree.Kind.LOGICAL_COMPLEMENT;
        if (negated) {
          test = Trees.skipParensAndCasts(((com.sun.source.tree.UnaryTree) test).getExpression());
        }
        VarSymbol tested = AstPaths.variable(test);
        if (tested != null
            && tested.getKind() == ElementKind.PARAMETER
            && (then || branch.getElseStatement() == p.getLeaf())) {
          needs.put(tested, then != negated);
        }
      }
    }
    if (depth >= 3 || !(root instanceof MethodTree method)) {
      return false;
    }
    MethodSymbol symbol = ASTHelpers.getSymbol(method);
    if (symbol == null || symbol.isVarArgs()) {
      return false;
    }
    List<TreePath> reaching = new ArrayList<>();
    for (TreePath call : index.callSitesOf(symbol)) {
      List<? extends ExpressionTree> args = QueueAliases.arguments(call.getLeaf());
      boolean reaches = true;
      for (Map.Entry<VarSymbol, Boolean> need : needs.entrySet()) {
        int position = symbol.getParameters().indexOf(need.getKey());
        Boolean passed =
            (position >= 0 && position < args.size())
                ? ASTHelpers.constValue(args.get(position), Boolean.class)
                : null;
        reaches &= passed == null || passed.equals(need.getValue());
      }
      if (reaches) {
        reaching.add(call);
      }
    }
    if (reaching.isEmpty() || reaching.size() > 4) {
      return false;
    }
    for (TreePath call : reaching) {
      if (!onlyOnFailure(call, index, depth + 1)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isConsumerSide(
      TreePath setter, QueueConsumer consumer, CompilationUnitIndex index, VisitorState state) {
    if (AstPaths.isWithin(setter, consumer.root.getLeaf())) {
      return true;
    }
    Tree setterRoot = AstPaths.taskRoot(setter).getLeaf();
    return callersOf(consumer, index, state).containsKey(setterRoot);
  }

  /** The exit's tree inside one of the consumer's take loops, or null when it is elsewhere. */
  @Nullable
  private static TreePath exitPath(ConsumerExit exit, QueueConsumer consumer) {
    for (TreePath take : consumer.takes) {
      if (take.getLeaf() == exit.at()) {
        return take;
      }
    }
    for (TreePath loop : consumer.loops) {
      if (loop.getLeaf() == exit.at()) {
        return loop;
      }
      TreePath found = TreePath.getPath(loop, exit.at());
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  @Nullable
  private static TreePath enclosingTakeLoop(TreePath at, QueueConsumer consumer) {
    for (TreePath loop : consumer.loops) {
      if (AstPaths.isWithin(at, loop.getLeaf())) {
        return loop;
      }
    }
    return null;
  }

  /**
   * Follows control from {@code from} out to the consumer's task root, leaving as {@code how}, and
   * says whether it passes a setter: a {@code finally}, the {@code catch} that handles a throw and
   * what runs after it, the statements after the loop on a normal exit, or the statements just
   * before a return or throw statement in the loop.
   */
  private static boolean runsOnTheWayOut(
      TreePath from,
      Leaving how,
      @Nullable Type thrown,
      QueueConsumer consumer,
      Map<Tree, TreePath> callers,
      Sites setters,
      @Nullable TreePath loop,
      VisitorState state) {
    Leaving leaving = how;
    TreePath p = from;
    while (p.getParentPath() != null && p.getLeaf() != consumer.root.getLeaf()) {
      if (p.getLeaf() instanceof MethodTree) {
        // Out of a method between the take and the task root: back at its call.
        TreePath call = callers.get(p.getLeaf());
        if (call == null) {
          return false;
        }
        p = call;
        leaving = leaving == Leaving.RETURNING ? Leaving.NORMALLY : leaving;
        continue;
      }
      TreePath parent = p.getParentPath();
      Tree leaf = parent.getLeaf();
      if (leaf instanceof LambdaExpressionTree || leaf instanceof ClassTree) {
        return false;
      }
      if (leaf instanceof BlockTree block) {
        List<? extends StatementTree> statements = block.getStatements();
        int at = statements.indexOf(p.getLeaf());
        if (leaving == Leaving.NORMALLY) {
          for (int i = at + 1; i < statements.size(); i++) {
            StatementTree next = statements.get(i);
            if (setsUnconditionally(next, setters)) {
              return true;
            }
            if (next instanceof ReturnTree) {
              leaving = Leaving.RETURNING;
              break;
            }
            if (next instanceof ThrowTree) {
              leaving = Leaving.THROWING;
              break;
            }
            if (!earlyLeavesPass(new TreePath(parent, next), consumer, callers, setters, state)) {
              return false;
            }
          }
        } else if (loop != null && AstPaths.isWithin(parent, loop.getLeaf())) {
          // `stopped = true; return;` inside the loop: set just before leaving.
          for (int i = 0; i < at; i++) {
            if (setsUnconditionally(statements.get(i), setters)) {
              return true;
            }
          }
        }
      } else if (leaf instanceof TryTree tryTree) {
        if (tryTree.getFinallyBlock() != null
            && p.getLeaf() != tryTree.getFinallyBlock()
            && setsUnconditionally(tryTree.getFinallyBlock(), setters)) {
          return true;
        }
        if (leaving == Leaving.THROWING
            && p.getLeaf() == tryTree.getBlock()
            && !tryTree.getCatches().isEmpty()) {
          List<CatchTree> handlers = handlersOf(tryTree, thrown, state);
          for (CatchTree handler : handlers) {
            if (!handlerSets(
                new TreePath(parent, handler), consumer, callers, setters, loop, state)) {
              return false;
            }
          }
          if (!handlers.isEmpty() && (thrown != null || catchesAll(handlers, state))) {
            return true;
          }
          // An exception of unknown type may also pass every handler: follow it out too.
        }
      }
      p = parent;
    }
    return false;
  }

  /**
   * Every way {@code statement} can leave before the statements after it run ({@code if (failed)
   * return count;} after the take loop) passes a setter: set just before it leaves, or on the way
   * out. A setter after such a statement runs only on the path that falls through it.
   */
  private static boolean earlyLeavesPass(
      TreePath statement,
      QueueConsumer consumer,
      Map<Tree, TreePath> callers,
      Sites setters,
      VisitorState state) {
    for (TreePath leave : earlyLeaves(statement)) {
      boolean returns = leave.getLeaf() instanceof ReturnTree;
      Type thrown =
          leave.getLeaf() instanceof ThrowTree throwTree
              ? ASTHelpers.getType(throwTree.getExpression())
              : null;
      // The statement stands in for the loop: what it sets before leaving counts.
      if (!runsOnTheWayOut(
          leave,
          returns ? Leaving.RETURNING : Leaving.THROWING,
          thrown,
          consumer,
          callers,
          setters,
          statement,
          state)) {
        return false;
      }
    }
    return true;
  }

  /** The {@code return} and {@code throw} statements in {@code statement}, not in its lambdas. */
  private static List<TreePath> earlyLeaves(TreePath statement) {
    List<TreePath> leaves = new ArrayList<>();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitReturn(ReturnTree tree, Void unused) {
        leaves.add(getCurrentPath());
        return null;
      }

      @Override
      public Void visitThrow(ThrowTree tree, Void unused) {
        leaves.add(getCurrentPath());
        return null;
      }

      @Override
      public Void visitLambdaExpression(LambdaExpressionTree tree, Void unused) {
        return null;
      }

      @Override
      public Void visitClass(ClassTree tree, Void unused) {
        return null;
      }
    }.scan(statement, null);
    return leaves;
  }

  /** The handler runs; then, unless it leaves itself, what follows the {@code try}. */
  private static boolean handlerSets(
      TreePath handler,
      QueueConsumer consumer,
      Map<Tree, TreePath> callers,
      Sites setters,
      @Nullable TreePath loop,
      VisitorState state) {
    CatchTree clause = (CatchTree) handler.getLeaf();
    TryTree tryTree = (TryTree) handler.getParentPath().getLeaf();
    if (tryTree.getFinallyBlock() != null
        && setsUnconditionally(tryTree.getFinallyBlock(), setters)) {
      return true;
    }
    Leaving after = Leaving.NORMALLY;
    for (StatementTree statement : clause.getBlock().getStatements()) {
      if (setsUnconditionally(statement, setters)) {
        return true;
      }
      if (statement instanceof ReturnTree) {
        after = Leaving.RETURNING;
        break;
      }
      if (statement instanceof ThrowTree) {
        after = Leaving.THROWING;
        break;
      }
      if (!earlyLeavesPass(new TreePath(handler, statement), consumer, callers, setters, state)) {
        return false;
      }
    }
    Type rethrown = after == Leaving.THROWING ? ASTHelpers.getType(clause.getParameter()) : null;
    return runsOnTheWayOut(
        handler.getParentPath(), after, rethrown, consumer, callers, setters, loop, state);
  }

  /**
   * The catch clauses that can handle the throw: the first that catches a known type, or, when the
   * type is unknown (an exception from a call), every clause, all of which must then set.
   */
  private static List<CatchTree> handlersOf(
      TryTree tryTree, @Nullable Type thrown, VisitorState state) {
    if (thrown == null) {
      // Interruption is a cancellation, never what kills a consumer.
      List<CatchTree> handlers = new ArrayList<>();
      for (CatchTree clause : tryTree.getCatches()) {
        Type caught = ASTHelpers.getType(clause.getParameter());
        if (caught == null || !ConcurrencyApiModel.isInterruption(caught, state)) {
          handlers.add(clause);
        }
      }
      return handlers;
    }
    for (CatchTree clause : tryTree.getCatches()) {
      if (AstPaths.catches(clause, thrown, state)) {
        return List.of(clause);
      }
    }
    return List.of();
  }

  /** One of the handlers catches every unchecked exception. */
  private static boolean catchesAll(List<CatchTree> handlers, VisitorState state) {
    return handlers.stream()
        .anyMatch(h -> AstPaths.catches(h, ConcurrencyApiModel.anyUnchecked(state), state));
  }

  /**
   * A setter inside {@code statement} that runs whenever the statement runs: not under an {@code
   * if}, a loop, a {@code switch}, a {@code catch}, a conditional expression or a nested task.
   */
  private static boolean setsUnconditionally(Tree statement, Sites setters) {
    for (TreePath setter : setters.runs()) {
      if (!AstPaths.isWithin(setter, statement)) {
        continue;
      }
      boolean unconditional = true;
      Tree previous = setter.getLeaf();
      for (TreePath p = setter.getParentPath();
          p != null && p.getLeaf() != statement;
          previous = p.getLeaf(), p = p.getParentPath()) {
        Tree leaf = p.getLeaf();
        if (leaf instanceof IfTree ifTree
            && (ifTree.getCondition() == previous || guardedBy(ifTree, setters))) {
          continue; // the condition always runs; a guard setter's branch runs when it succeeds
        }
        if (leaf instanceof IfTree
            || AstPaths.isLoop(leaf)
            || leaf instanceof SwitchTree
            || leaf instanceof CatchTree
            || leaf instanceof ConditionalExpressionTree
            || leaf instanceof LambdaExpressionTree
            || leaf instanceof ClassTree) {
          unconditional = false;
          break;
        }
      }
      if (unconditional
          && (!isConditionalStatement(statement, setter)
              || (statement instanceof IfTree ifStatement
                  && (AstPaths.isWithin(setter, ifStatement.getCondition())
                      || guardedBy(ifStatement, setters))))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The {@code if} tests a guard setter's result: its then-branch runs when that set it. Or it
   * counts the consumer out ({@code if (consumers.decrementAndGet() == 0)}): the last consumer to
   * leave takes the branch, so the signal is set once every consumer has stopped.
   */
  private static boolean guardedBy(IfTree ifTree, Sites setters) {
    return setters.guards().stream()
            .anyMatch(g -> AstPaths.contains(ifTree.getCondition(), g.getLeaf()))
        || AstPaths.anyMatch(
            ifTree.getCondition(),
            t ->
                t.getKind() == Tree.Kind.PREFIX_DECREMENT
                    || t.getKind() == Tree.Kind.POSTFIX_DECREMENT
                    || (t instanceof MethodInvocationTree call
                        && ConcurrencyApiModel.isCounterDecrement(ASTHelpers.getSymbol(call))));
  }

  /** The statement itself is the {@code if} or loop the setter sits in. */
  private static boolean isConditionalStatement(Tree statement, TreePath setter) {
    return setter.getLeaf() != statement
        && (statement instanceof IfTree
            || AstPaths.isLoop(statement)
            || statement instanceof SwitchTree
            || statement instanceof CatchTree);
  }
}
