package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.suppliers.Supplier;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.ContinueTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.code.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.ElementKind;
import org.jspecify.annotations.Nullable;

/**
 * Decides who produces: the task an insertion runs in (following private helpers to their callers),
 * how many elements it inserts, whether it lets an interrupt end it, and whether a timed-offer
 * retry loop checks a stop signal.
 */
final class ProducerDiscovery {

  /** What kind of insertion can block. */
  enum Insertion {
    PUT,
    TRANSFER,
    /** {@code while (!q.offer(e, t, unit))}: blocks as long as the loop retries. */
    TIMED_OFFER_RETRY
  }

  static final class Producer {
    final Insertion insertion;

    /** The insertion and, for helper methods, the call sites that reach it, innermost first. */
    final List<TreePath> chain;

    final TreePath root;
    final TaskSpawns.Spawn spawn;

    /** The number of elements this site inserts; null if unbounded or unknown. */
    @Nullable final ElementCount count;

    final boolean swallowsInterrupt;

    /** For a timed-offer retry loop: the variables it checks between attempts. */
    final Set<VarSymbol> stopSignals;

    final boolean checksInterruptStatus;
    @Nullable final TreePath retryLoop;

    Producer(
        Insertion insertion,
        List<TreePath> chain,
        TreePath root,
        TaskSpawns.Spawn spawn,
        @Nullable ElementCount count,
        boolean swallowsInterrupt,
        Set<VarSymbol> stopSignals,
        boolean checksInterruptStatus,
        @Nullable TreePath retryLoop) {
      this.insertion = insertion;
      this.chain = chain;
      this.root = root;
      this.spawn = spawn;
      this.count = count;
      this.swallowsInterrupt = swallowsInterrupt;
      this.stopSignals = stopSignals;
      this.checksInterruptStatus = checksInterruptStatus;
      this.retryLoop = retryLoop;
    }

    TreePath insertionPath() {
      return chain.get(0);
    }
  }

  private ProducerDiscovery() {}

  /**
   * Returns null when the call cannot block: an offer whose failure ends the producer, or a retry
   * loop that makes its own room.
   */
  @Nullable
  static Producer discover(TreePath insertion, CompilationUnitIndex index, VisitorState state) {
    return discover(insertion, index, state, null);
  }

  /**
   * As {@link #discover(TreePath, CompilationUnitIndex, VisitorState)}, with the call chain ending
   * at {@code queueOwner}, the method or lambda that declares the queue as a local.
   */
  @Nullable
  static Producer discover(
      TreePath insertion,
      CompilationUnitIndex index,
      VisitorState state,
      @Nullable Tree queueOwner) {
    MethodInvocationTree call = (MethodInvocationTree) insertion.getLeaf();
    Insertion kind;
    TreePath retryLoop = null;
    HelperRetry helper = null;
    boolean timed = ConcurrencyApiModel.isTimedOffer(call, state);
    if (timed || ConcurrencyApiModel.isPlainOffer(call, state)) {
      retryLoop = timed ? retryLoopOf(insertion) : plainOfferRetryLoop(insertion, state);
      if (retryLoop != null && makesRoomItself(retryLoop, insertion, index, state)) {
        return null; // its own consumer: it never waits for another thread to take
      }
      if (retryLoop == null) {
        helper = HelperRetry.of(insertion, index);
        if (helper == null) {
          return null;
        }
        retryLoop = helper.loop();
      }
      kind = Insertion.TIMED_OFFER_RETRY;
    } else {
      kind = ConcurrencyApiModel.isTransfer(call, state) ? Insertion.TRANSFER : Insertion.PUT;
    }
    List<TreePath> chain = callChain(insertion, index, state, queueOwner);
    TreePath root = AstPaths.taskRoot(chain.get(chain.size() - 1));
    Set<VarSymbol> signals = new LinkedHashSet<>();
    boolean interruptStatus = false;
    if (helper != null) {
      // The condition lambda is what the helper's loop re-tests: its other operands are the checks.
      boolean inLambda =
          collectStopChecks(List.of(helper.condition().getBody()), call, signals, index, 0);
      boolean inHelper =
          collectStopChecks(retryLoop.getLeaf(), helper.test().getLeaf(), signals, index);
      interruptStatus = inLambda || inHelper;
      signals.remove(helper.parameter());
    } else if (retryLoop != null) {
      interruptStatus = collectStopChecks(retryLoop.getLeaf(), call, signals, index);
      // do { ok = q.offer(..); } while (!ok && !stopped): the offer's own result is not a check.
      VarSymbol result = offerResult(insertion);
      if (result != null) {
        signals.remove(result);
      }
    }
    return new Producer(
        kind,
        chain,
        root,
        TaskSpawns.of(root, index, state),
        totalCountOf(chain, queueOwner, index, state),
        swallowsInterrupt(chain, state),
        signals,
        interruptStatus,
        retryLoop);
  }

  /** The insertion, then the call sites of each private helper it sits in, up to a task method. */
  static List<TreePath> callChain(TreePath site, CompilationUnitIndex index, VisitorState state) {
    return callChain(site, index, state, null);
  }

  /**
   * The call chain, not climbing above {@code queueOwner}: a queue that is a local of that method
   * (or lambda) lives and dies with each call of it, so its producers and consumers are all inside
   * that call, whoever makes it.
   */
  static List<TreePath> callChain(
      TreePath site, CompilationUnitIndex index, VisitorState state, @Nullable Tree queueOwner) {
    List<TreePath> chain = new ArrayList<>();
    chain.add(site);
    TreePath current = site;
    for (int depth = 0; depth < 4; depth++) {
      TreePath root = AstPaths.taskRoot(current);
      if (root.getLeaf() == queueOwner) {
        break;
      }
      // out -> check(reports, out) passed to a unit helper runs where the helper calls it.
      TreePath invoked = LambdaHandoffs.invocationOfEnclosingLambda(current, index);
      if (invoked != null && !chain.contains(invoked)) {
        current = invoked;
        chain.add(current);
        continue;
      }
      if (!(root.getLeaf() instanceof MethodTree methodTree)) {
        break;
      }
      MethodSymbol method = ASTHelpers.getSymbol(methodTree);
      if (method == null
          || ConcurrencyApiModel.isTaskMethod(method, state)
          || !index.memberReferences.getOrDefault(method, List.of()).isEmpty()) {
        break;
      }
      // A recursive walk calls itself too: it runs wherever its calls from outside run.
      List<TreePath> callers =
          index.callSitesOf(method).stream()
              .filter(c -> AstPaths.taskRoot(c).getLeaf() != methodTree)
              .toList();
      if (callers.isEmpty() || callers.size() > 3 || chain.contains(callers.get(0))) {
        break;
      }
      current = callers.get(0);
      chain.add(current);
    }
    return chain;
  }

  /**
   * A put, transfer or timed offer, or a plain offer that a loop retries until it succeeds: the
   * insertions whose producer can wait for good. A plain offer whose failure drops, returns or
   * throws is not one.
   */
  static boolean mayWaitForRoom(TreePath insertion, ConcurrencyApiModel api, VisitorState state) {
    ExpressionTree call = (ExpressionTree) insertion.getLeaf();
    return api.isBlockingInsertion(call, state)
        || ConcurrencyApiModel.isTimedOffer(call, state)
        || (ConcurrencyApiModel.isPlainOffer(call, state)
            && (plainOfferRetryLoop(insertion, state) != null
                || HelperRetry.conditionLambda(insertion) != null));
  }

  /**
   * The loop that retries a plain offer of the same element until it succeeds, or null. Not a
   * retry: a for-each that offers each element once (a failure moves on to the next), and a loop
   * that removes from the queue itself to make room ({@code while (!q.offer(e)) q.poll();}), which
   * never waits for a consumer.
   */
  @Nullable
  private static TreePath plainOfferRetryLoop(TreePath offer, VisitorState state) {
    TreePath loop = retryLoopOf(offer);
    if (loop == null || loop.getLeaf() instanceof EnhancedForLoopTree) {
      return null;
    }
    Symbol queue = ASTHelpers.getSymbol(ASTHelpers.getReceiver((ExpressionTree) offer.getLeaf()));
    boolean makesRoom =
        queue != null && AstPaths.anyMatch(loop.getLeaf(), t -> takesFrom(t, queue, state));
    return makesRoom ? null : loop;
  }

  /** A removal ({@code poll}, {@code take}, {@code drainTo}...) from {@code queue} itself. */
  private static boolean takesFrom(Tree t, Symbol queue, VisitorState state) {
    return t instanceof MethodInvocationTree removal
        && queue.equals(ASTHelpers.getSymbol(ASTHelpers.getReceiver(removal)))
        && ConcurrencyApiModel.isRemoval(removal, state);
  }

  /**
   * The retry loop takes from the queue itself between its offers, directly or in a method of the
   * unit it calls ({@code while (!offered) { writeEventsIfPossible(); offered = q.offer(..); }},
   * where the helper polls the queue): it makes its own room.
   */
  private static boolean makesRoomItself(
      TreePath loop, TreePath offer, CompilationUnitIndex index, VisitorState state) {
    Symbol queue = ASTHelpers.getSymbol(ASTHelpers.getReceiver((ExpressionTree) offer.getLeaf()));
    if (queue == null) {
      return false;
    }
    return AstPaths.anyMatch(
        loop.getLeaf(),
        t -> {
          if (takesFrom(t, queue, state)) {
            return true;
          }
          TreePath callee =
              t instanceof MethodInvocationTree call
                  ? index.methods.get(ASTHelpers.getSymbol(call))
                  : null;
          return callee != null
              && callee.getLeaf() instanceof MethodTree method
              && method.getBody() != null
              && AstPaths.anyMatch(method.getBody(), u -> takesFrom(u, queue, state));
        });
  }

  /**
   * An offer written as the condition a helper of the unit re-tests until it holds: {@code
   * awaitForever(() -> stopped || queue.offer(m), 100, MILLISECONDS)}, where the helper loops
   * {@code while (!condition.getAsBoolean()) sleep(..)}. The helper's loop is the retry loop; the
   * lambda's other operands are the stop checks.
   *
   * @param loop the helper's loop that re-tests the condition
   * @param test the helper's call of the condition ({@code condition.getAsBoolean()})
   * @param condition the lambda whose result is the offer's success, or'ed with the stop checks
   * @param parameter the helper's parameter that receives the lambda
   */
  record HelperRetry(
      TreePath loop, TreePath test, LambdaExpressionTree condition, VarSymbol parameter) {

    /**
     * The helper retry around {@code offer}, or null when the offer is not the (or'ed) result of a
     * lambda passed to such a helper.
     */
    @Nullable
    static HelperRetry of(TreePath offer, CompilationUnitIndex index) {
      TreePath lambdaPath = conditionLambda(offer);
      if (lambdaPath == null) {
        return null;
      }
      TreePath callPath = AstPaths.parentSkippingParens(lambdaPath);
      if (callPath == null || !(callPath.getLeaf() instanceof MethodInvocationTree helperCall)) {
        return null;
      }
      int position = -1;
      for (int i = 0; i < helperCall.getArguments().size(); i++) {
        if (Trees.skipParensAndCasts(helperCall.getArguments().get(i)) == lambdaPath.getLeaf()) {
          position = i;
        }
      }
      Symbol callee = ASTHelpers.getSymbol(helperCall);
      if (position < 0
          || !(callee instanceof MethodSymbol method)
          || !index.methods.containsKey(method)
          || method.isVarArgs()
          || position >= method.getParameters().size()) {
        return null;
      }
      VarSymbol parameter = method.getParameters().get(position);
      for (TreePath test : index.callsOn(parameter)) {
        TreePath loop = retryLoopOf(test);
        if (loop != null && !(loop.getLeaf() instanceof EnhancedForLoopTree)) {
          return new HelperRetry(
              loop, test, (LambdaExpressionTree) lambdaPath.getLeaf(), parameter);
        }
      }
      return null;
    }

    /**
     * The expression lambda whose value is the offer's success, possibly or'ed with other tests
     * ({@code () -> stopped || queue.offer(m)}); null otherwise. Cheap: reads only the tree.
     */
    @Nullable
    static TreePath conditionLambda(TreePath offer) {
      TreePath p = AstPaths.parentSkippingParens(offer);
      while (p != null
          && p.getLeaf() instanceof BinaryTree
          && p.getLeaf().getKind() == Tree.Kind.CONDITIONAL_OR) {
        p = AstPaths.parentSkippingParens(p);
      }
      return p != null && p.getLeaf() instanceof LambdaExpressionTree ? p : null;
    }
  }

  /** The loop that retries a timed offer, or null when a failed offer ends the producer. */
  @Nullable
  private static TreePath retryLoopOf(TreePath offer) {
    TreePath parent = AstPaths.parentSkippingParens(offer);
    if (parent == null) {
      return null;
    }
    boolean negated = false;
    if (parent.getLeaf() instanceof UnaryTree
        && parent.getLeaf().getKind() == Tree.Kind.LOGICAL_COMPLEMENT) {
      negated = true;
      parent = AstPaths.parentSkippingParens(parent);
    }
    while (parent != null && parent.getLeaf() instanceof BinaryTree) {
      parent = AstPaths.parentSkippingParens(parent);
    }
    if (parent == null) {
      return null;
    }
    Tree leaf = parent.getLeaf();
    if ((leaf instanceof WhileLoopTree
            || leaf instanceof DoWhileLoopTree
            || leaf instanceof ForLoopTree)
        && negated) {
      return parent;
    }
    if (leaf instanceof IfTree ifTree) {

      TreePath loop = AstPaths.enclosingLoop(parent, AstPaths.taskRoot(parent).getLeaf());
      if (loop == null) {
        return null;
      }
      // if (q.offer(..)) break;  — success leaves, failure goes round again.
      if (!negated && exitsLoop(ifTree.getThenStatement())) {
        return ifTree.getElseStatement() != null && exits(ifTree.getElseStatement()) ? null : loop;
      }
      // if (!q.offer(..)) continue;  — failure goes round again.
      if (negated && isContinue(ifTree.getThenStatement())) {
        return loop;
      }
    }
    VarSymbol result = offerResult(offer);
    return result == null ? null : resultRetestingLoop(offer, result);
  }

  /**
   * The local that keeps the offer's result ({@code ok = q.offer(e, t, u)} or {@code boolean ok =
   * q.offer(..)}), or null.
   */
  @Nullable
  private static VarSymbol offerResult(TreePath offer) {
    TreePath parent = AstPaths.parentSkippingParens(offer);
    if (parent == null) {
      return null;
    }
    VarSymbol result = null;
    if (parent.getLeaf() instanceof AssignmentTree assignment) {
      result = AstPaths.variable(assignment.getVariable());
    } else if (parent.getLeaf() instanceof VariableTree declaration) {
      result = ASTHelpers.getSymbol(declaration);
    }
    return result != null && result.getKind() == ElementKind.LOCAL_VARIABLE ? result : null;
  }

  /**
   * The innermost loop around the offer whose condition goes round again while the kept result is
   * false: {@code do { ok = q.offer(e, t, u); } while (!ok);}. A failed offer is then retried just
   * as in {@code while (!q.offer(..))}, only written in two places.
   */
  @Nullable
  private static TreePath resultRetestingLoop(TreePath offer, VarSymbol result) {
    TreePath loop = AstPaths.enclosingLoop(offer, AstPaths.taskRoot(offer).getLeaf());
    ExpressionTree condition = loop == null ? null : AstPaths.loopCondition(loop.getLeaf());
    if (condition == null) {
      return null;
    }
    boolean retests =
        AstPaths.anyMatch(
            condition,
            t ->
                t instanceof UnaryTree not
                    && not.getKind() == Tree.Kind.LOGICAL_COMPLEMENT
                    && result.equals(
                        AstPaths.variable(ASTHelpers.stripParentheses(not.getExpression()))));
    return retests ? loop : null;
  }

  /** The method or lambda that declares the queue as a local variable, or null. */
  @Nullable
  static Tree localOwner(QueueAliases queue, CompilationUnitIndex index) {
    for (VarSymbol alias : queue.variables) {
      if (alias.getKind() == javax.lang.model.element.ElementKind.LOCAL_VARIABLE) {
        TreePath declaration = index.declarations.get(alias);
        if (declaration != null) {
          return AstPaths.taskRoot(declaration).getLeaf();
        }
      }
    }
    return null;
  }

  private static boolean isContinue(StatementTree s) {
    StatementTree t = single(s);
    return t != null && t instanceof ContinueTree;
  }

  private static boolean exitsLoop(StatementTree s) {
    StatementTree t = single(s);
    return t instanceof BreakTree || t instanceof ReturnTree;
  }

  private static boolean exits(StatementTree s) {
    return AstPaths.anyMatch(
        s, t -> t instanceof ReturnTree || t instanceof ThrowTree || t instanceof BreakTree);
  }

  @Nullable
  private static StatementTree single(StatementTree s) {
    if (s instanceof BlockTree blockTree) {
      List<? extends StatementTree> stmts = blockTree.getStatements();
      return stmts.size() == 1 ? stmts.get(0) : null;
    }
    return s;
  }

  /**
   * Collects the variables a retry loop consults between attempts (flags, latches, futures) and
   * returns whether it checks the thread's interrupt status.
   */
  private static boolean collectStopChecks(
      Tree loop, Tree offer, Set<VarSymbol> signals, CompilationUnitIndex index) {
    List<Tree> conditions = new ArrayList<>();
    if (AstPaths.loopCondition(loop) != null) {
      conditions.add(AstPaths.loopCondition(loop));
    }
    AstPaths.anyMatch(
        loop,
        t -> {
          if (t instanceof IfTree ifTree
              && t != offer
              && !AstPaths.contains(ifTree.getCondition(), offer)
              && exits(ifTree.getThenStatement())) {
            conditions.add(ifTree.getCondition());
          }
          return false;
        });
    boolean interruptStatus = collectStopChecks(conditions, offer, signals, index, 0);
    // for (int waiting = waiters.get(); waiting > 0; waiting = waiters.get()): a local the loop
    // re-reads each round stands for what it is read from.
    List<Tree> rereads = new ArrayList<>();
    AstPaths.anyMatch(
        loop,
        t -> {
          if (t instanceof AssignmentTree assignment) {
            VarSymbol target = AstPaths.variable(assignment.getVariable());
            if (target != null && !target.getKind().isField() && signals.contains(target)) {
              rereads.add(assignment.getExpression());
            }
          }
          return false;
        });
    return collectStopChecks(rereads, offer, signals, index, 0) || interruptStatus;
  }

  /** How many of the unit's queries ({@code isClosed()}) to follow into what they return. */
  private static final int MAX_QUERY_DEPTH = 2;

  /**
   * As above, over conditions already found; {@code offer} itself is not a check. A call of the
   * unit's own query with one {@code return} ({@code isClosed() { return closed; }}, also under a
   * lock) checks what it returns.
   */
  private static boolean collectStopChecks(
      List<? extends Tree> conditions,
      Tree offer,
      Set<VarSymbol> signals,
      CompilationUnitIndex index,
      int depth) {
    boolean[] interruptStatus = {false};
    for (Tree condition : conditions) {
      AstPaths.anyMatch(
          condition,
          t -> {
            if (t == offer) {
              return false;
            }
            if (t instanceof MethodInvocationTree query) {
              if (ConcurrencyApiModel.isInterruptStatusQuery(ASTHelpers.getSymbol(t))) {
                interruptStatus[0] = true;
              }
              ExpressionTree returned = depth < MAX_QUERY_DEPTH ? index.onlyReturnOf(query) : null;
              if (returned != null
                  && collectStopChecks(List.of(returned), offer, signals, index, depth + 1)) {
                interruptStatus[0] = true;
              }
            }
            if (t instanceof ExpressionTree expressionTree && !AstPaths.contains(offer, t)) {
              VarSymbol v = AstPaths.variable(expressionTree);
              if ((v != null && !v.getKind().isField()) || (v != null && !isConstant(v))) {
                signals.add(v);
              }
            }
            return false;
          });
    }
    return interruptStatus[0];
  }

  private static boolean isConstant(VarSymbol v) {
    return v.isStatic()
        && (v.flags() & com.sun.tools.javac.code.Flags.FINAL) != 0
        && v.getConstValue() != null;
  }

  /**
   * Sums the elements inserted per site; null when a loop's trip count is not a plain expression.
   */
  @Nullable
  static ElementCount countOf(
      List<TreePath> chain, CompilationUnitIndex index, VisitorState state) {
    ElementCount terms = null;
    int loops = 0;
    for (TreePath site : chain) {
      TreePath root = AstPaths.taskRoot(site);
      for (TreePath p = site.getParentPath();
          p != null && p.getLeaf() != root.getLeaf();
          p = p.getParentPath()) {
        if (AstPaths.isLoop(p.getLeaf())) {
          loops++;
          terms = tripCount(p.getLeaf(), state);
          if (terms == null) {
            terms = CountedWhileLoops.tripCount(p, index, state);
          }
        } else if (p.getLeaf() instanceof LambdaExpressionTree) {
          return null; // an inline lambda (forEach, a stream step) may run any number of times
        }
      }
    }
    if (loops == 0) {
      return ElementCount.ONE;
    }
    return loops == 1 ? terms : null;
  }

  /**
   * The elements inserted at a site over every task that runs it: the per-task count ({@link
   * #countOf}) times the number of tasks spawned. A lambda or anonymous task handed over once per
   * loop trip (a fan-in of one task per item) runs that many times; the count climbs through such
   * tasks up to {@code stopAt} (the method that owns a per-call queue) or the first named method.
   * Null when any factor is unknown.
   */
  @Nullable
  static ElementCount totalCountOf(
      List<TreePath> chain, @Nullable Tree stopAt, CompilationUnitIndex index, VisitorState state) {
    ElementCount total = countOf(chain, index, state);
    TreePath task = AstPaths.taskRoot(chain.get(chain.size() - 1));
    for (int depth = 0; total != null && depth < 4; depth++) {
      if (task.getLeaf() == stopAt) {
        return total;
      }
      TreePath written = taskExpression(task, index);
      if (written == null) {
        return total; // a named method: each call is counted where its caller is analysed
      }
      ElementCount spawned = spawnsOf(written, task, index, state);
      total = spawned == null ? null : total.times(spawned);
      task = AstPaths.taskRoot(written);
    }
    return total;
  }

  /**
   * Where the task rooted at {@code root} is written: the lambda itself, or the {@code new} of the
   * anonymous class whose method it is; null for a method of a named class.
   */
  @Nullable
  private static TreePath taskExpression(TreePath root, CompilationUnitIndex index) {
    if (root.getLeaf() instanceof LambdaExpressionTree) {
      return root;
    }
    if (root.getLeaf() instanceof MethodTree method) {
      MethodSymbol symbol = ASTHelpers.getSymbol(method);
      TreePath owner = symbol == null ? null : index.classes.get(symbol.enclClass());
      if (owner != null
          && owner.getParentPath() != null
          && owner.getParentPath().getLeaf() instanceof com.sun.source.tree.NewClassTree) {
        return owner.getParentPath();
      }
    }
    return null;
  }

  /**
   * How many times the task written at {@code written} is handed over: the product of the trips of
   * the loops around it, and, when it is stored and started elsewhere, of the loops around the
   * start. Null when a trip count is unknown or an inline lambda (a {@code forEach}) repeats it.
   */
  @Nullable
  private static ElementCount spawnsOf(
      TreePath written, TreePath task, CompilationUnitIndex index, VisitorState state) {
    Set<Tree> loops = new LinkedHashSet<>();
    if (!collectLoopsAround(written, loops)) {
      return null;
    }
    TreePath parent = AstPaths.parentSkippingParens(written);
    boolean handedOverWhereWritten =
        parent != null
            && (parent.getLeaf() instanceof MethodInvocationTree
                || parent.getLeaf() instanceof com.sun.source.tree.NewClassTree);
    if (!handedOverWhereWritten) {
      TaskSpawns.Spawn spawn = TaskSpawns.of(task, index, state);
      if (spawn.call == null) {
        return null; // stored and run by code we cannot count
      }
      if (!collectLoopsAround(spawn.call, loops)) {
        return null;
      }
    }
    ElementCount times = ElementCount.ONE;
    for (Tree loop : loops) {
      ElementCount trips = tripCount(loop, state);
      times = trips == null ? null : times.times(trips);
      if (times == null) {
        return null;
      }
    }
    return times;
  }

  /** Adds the loops between {@code path} and its task root; false past an inline lambda. */
  private static boolean collectLoopsAround(TreePath path, Set<Tree> loops) {
    TreePath root = AstPaths.taskRoot(path);
    for (TreePath p = path.getParentPath();
        p != null && p.getLeaf() != root.getLeaf();
        p = p.getParentPath()) {
      if (AstPaths.isLoop(p.getLeaf())) {
        loops.add(p.getLeaf());
      } else if (p.getLeaf() instanceof LambdaExpressionTree) {
        return false;
      }
    }
    return true;
  }

  @Nullable
  private static ElementCount tripCount(Tree loop, VisitorState state) {
    if (loop instanceof EnhancedForLoopTree enhancedForLoopTree) {
      return ElementCount.elementsOf(enhancedForLoopTree.getExpression(), state);
    }
    if (loop instanceof ForLoopTree f) {
      if (f.getInitializer().size() != 1
          || !(f.getInitializer().get(0) instanceof VariableTree init)
          || !(f.getCondition() instanceof BinaryTree cond)) {
        return null;
      }
      Integer start =
          init.getInitializer() == null
              ? null
              : ASTHelpers.constValue(init.getInitializer(), Integer.class);
      Symbol index = ASTHelpers.getSymbol(init);
      if (start == null
          || start != 0
          || !index.equals(ASTHelpers.getSymbol(cond.getLeftOperand()))) {
        return null;
      }
      return ElementCount.tripsWhileBelow(cond, state);
    }
    return null;
  }

  /**
   * True when a catch of InterruptedException inside the producer's loop neither leaves the loop
   * nor restores the interrupt, so cancel(true) or shutdownNow() cannot stop the producer.
   */
  static boolean swallowsInterrupt(List<TreePath> chain, VisitorState state) {
    boolean loopSeen = false;
    CatchTree swallowing = null;
    for (TreePath site : chain) {
      TreePath root = AstPaths.taskRoot(site);
      Tree previous = site.getLeaf();
      for (TreePath p = site.getParentPath();
          p != null && p.getLeaf() != root.getLeaf();
          p = p.getParentPath()) {
        Tree leaf = p.getLeaf();
        if (AstPaths.isLoop(leaf)) {
          if (swallowing != null) {
            return true;
          }
          loopSeen = true;
        }
        if (!loopSeen
            && swallowing == null
            && leaf instanceof TryTree tryTree
            && tryTree.getBlock() == previous) {
          for (CatchTree c : tryTree.getCatches()) {
            if (catchesInterrupted(c, state)) {
              if (!exits(c.getBlock()) && !restoresInterrupt(c.getBlock())) {
                swallowing = c;
              }
              break;
            }
          }
        }
        previous = leaf;
      }
    }
    return false;
  }

  static boolean catchesInterrupted(CatchTree c, VisitorState state) {
    return AstPaths.catches(c, JAVA_LANG_INTERRUPTEDEXCEPTION.get(state), state);
  }

  private static boolean restoresInterrupt(Tree block) {
    return AstPaths.anyMatch(
        block,
        t -> {
          if (!(t instanceof MethodInvocationTree)) {
            return false;
          }
          return ConcurrencyApiModel.isInterruptCall(ASTHelpers.getSymbol(t));
        });
  }

  private static final Supplier<Type> JAVA_LANG_INTERRUPTEDEXCEPTION =
      VisitorState.memoize(state -> state.getTypeFromString("java.lang.InterruptedException"));
}
