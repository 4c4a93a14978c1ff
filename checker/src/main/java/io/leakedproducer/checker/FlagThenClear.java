package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.ElementKind;
import org.jspecify.annotations.Nullable;

/**
 * Decides the "flag, then clear" handshake: every consumer's way out sets a flag and then clears
 * the queue, and the producer tests that flag before each single insertion. A producer parked on
 * the full queue is let in by the clear, and its next test sees the flag, so what it can still
 * insert after its last test fits the room the clear freed. Clear before set, or several insertions
 * per test, is not this handshake.
 */
final class FlagThenClear {
  private FlagThenClear() {}

  /** Nested calls followed when looking for the producer's test ({@code checkAndRethrow()}). */
  private static final int MAX_CALL_DEPTH = 2;

  static boolean releasesProducer(
      ProducerDiscovery.Producer producer,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    if (producer.insertion != ProducerDiscovery.Insertion.PUT) {
      return false; // a transfer waits for a taker, which a clear does not provide
    }
    List<TreePath> setters = settersOfTestedFlags(producer, queue, index);
    if (setters.isEmpty()) {
      return false;
    }
    List<TreePath> clears = new ArrayList<>();
    List<TreePath> guards = new ArrayList<>();
    for (VarSymbol alias : queue.variables) {
      for (TreePath call : index.callsOn(alias)) {
        if (!ConcurrencyApiModel.isClear((ExpressionTree) call.getLeaf(), state)
            || AstPaths.taskRoot(call).getLeaf() == producer.root.getLeaf()) {
          continue;
        }
        TreePath setter = setterBefore(call, setters);
        if (setter != null) {
          clears.add(call);
          guards.add(setter);
        }
      }
    }
    return SignalExitPaths.runsOnEveryExit(
        new SignalExitPaths.Sites(clears, guards), consumers, index, state);
  }

  /**
   * The handshake run by an owner's lifecycle method that stops an external consumer: {@code
   * lifecycle} (directly or through methods of the unit) clears the queue after setting a flag the
   * producer tests before each insertion. Clearing first and setting later lets a producer parked
   * on the full queue insert again and park for good before it ever sees the flag.
   */
  static boolean inLifecycle(
      TreePath lifecycle,
      ProducerDiscovery.Producer producer,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    if (producer.insertion != ProducerDiscovery.Insertion.PUT) {
      return false;
    }
    List<TreePath> setters = settersOfTestedFlags(producer, queue, index);
    if (setters.isEmpty()) {
      return false;
    }
    ReachableCalls.Reach clear =
        ReachableCalls.find(
            lifecycle,
            call -> {
              VarSymbol receiver = index.receiverVariable((MethodInvocationTree) call.getLeaf());
              return receiver != null
                  && queue.variables.contains(receiver)
                  && ConcurrencyApiModel.isClear((ExpressionTree) call.getLeaf(), state);
            },
            index);
    return clear != null
        && (setterBefore(clear.target(), setters) != null
            || setterBefore(clear.via(), setters) != null);
  }

  /**
   * Where the flags the producer tests before its insertion are set (the queue itself is not a
   * flag); empty when it tests none.
   */
  private static List<TreePath> settersOfTestedFlags(
      ProducerDiscovery.Producer producer, QueueAliases queue, CompilationUnitIndex index) {
    Set<VarSymbol> tested = testedBeforeInsertion(producer.insertionPath(), index);
    tested.removeAll(queue.variables);
    List<TreePath> setters = new ArrayList<>();
    for (VarSymbol flag : tested) {
      for (TreePath setter : SignalExitPaths.settersOf(flag, index)) {
        if (!writesGoOnValue(setter, flag, producer.insertionPath())) {
          setters.add(setter);
        }
      }
    }
    return setters;
  }

  /**
   * The setter writes the value with which the producer's plain test ({@code if (paused) return;})
   * goes on to insert: {@code paused = false} lets it in, it does not stop it.
   */
  private static boolean writesGoOnValue(TreePath setter, VarSymbol flag, TreePath insertion) {
    if (!(setter.getLeaf() instanceof com.sun.source.tree.AssignmentTree assignment)) {
      return false;
    }
    Boolean written = ASTHelpers.constValue(assignment.getExpression(), Boolean.class);
    Boolean leavesOn = leavingValue(flag, insertion);
    return written != null && leavesOn != null && !written.equals(leavesOn);
  }

  /**
   * The value of {@code flag} on which the producer's leaving test before the insertion leaves,
   * when that test is the flag itself or its negation; null otherwise.
   */
  private static @Nullable Boolean leavingValue(VarSymbol flag, TreePath insertion) {
    Boolean[] found = {null};
    Tree root = AstPaths.taskRoot(insertion).getLeaf();
    AstPaths.anyMatch(
        root,
        t -> {
          if (t instanceof IfTree ifTree && leaves(ifTree)) {
            ExpressionTree condition = ASTHelpers.stripParentheses(ifTree.getCondition());
            boolean negated = condition.getKind() == Tree.Kind.LOGICAL_COMPLEMENT;
            ExpressionTree operand =
                negated
                    ? ASTHelpers.stripParentheses(
                        ((com.sun.source.tree.UnaryTree) condition).getExpression())
                    : condition;
            if (flag.equals(AstPaths.variable(operand))) {
              found[0] = !negated;
              return true;
            }
          }
          return false;
        });
    return found[0];
  }

  /**
   * The variables the producer tests, with a way out on the result, since its previous insertion:
   * in the statements before the insertion up to its innermost loop, and that loop's condition.
   */
  private static Set<VarSymbol> testedBeforeInsertion(
      TreePath insertion, CompilationUnitIndex index) {
    Set<VarSymbol> tested = new LinkedHashSet<>();
    Tree root = AstPaths.taskRoot(insertion).getLeaf();
    for (TreePath p = insertion;
        p.getParentPath() != null && p.getParentPath().getLeaf() != root;
        p = p.getParentPath()) {
      Tree parent = p.getParentPath().getLeaf();
      if (AstPaths.isLoop(parent)) {
        ExpressionTree condition = AstPaths.loopCondition(parent);
        if (condition != null && AstPaths.loopBody(parent) == p.getLeaf()) {
          readsOf(condition, index, tested);
        }
        break;
      }
      if (parent instanceof BlockTree block) {
        for (StatementTree statement : block.getStatements()) {
          if (statement == p.getLeaf()) {
            break;
          }
          exitTests(statement, index, tested, 0);
        }
      }
    }
    return tested;
  }

  /** The variables read by the conditions of {@code if}s that leave, here and in callees. */
  private static void exitTests(
      Tree code, CompilationUnitIndex index, Set<VarSymbol> tested, int depth) {
    AstPaths.anyMatch(
        code,
        t -> {
          if (t instanceof ClassTree || t instanceof LambdaExpressionTree) {
            return false;
          }
          if (t instanceof IfTree ifTree && leaves(ifTree)) {
            readsOf(ifTree.getCondition(), index, tested);
          }
          if (t instanceof MethodInvocationTree call && depth < MAX_CALL_DEPTH) {
            Symbol callee = ASTHelpers.getSymbol(call);
            TreePath body = callee == null ? null : index.methods.get(callee);
            if (body != null && ((MethodTree) body.getLeaf()).getBody() != null) {
              exitTests(((MethodTree) body.getLeaf()).getBody(), index, tested, depth + 1);
            }
          }
          return false;
        });
  }

  private static boolean leaves(IfTree ifTree) {
    return AstPaths.anyMatch(
        ifTree.getThenStatement(),
        t -> t instanceof ThrowTree || t instanceof ReturnTree || t instanceof BreakTree);
  }

  /** Variables an expression reads, and for a local, what it was initialised from. */
  private static void readsOf(Tree expression, CompilationUnitIndex index, Set<VarSymbol> into) {
    AstPaths.anyMatch(
        expression,
        t -> {
          VarSymbol v = t instanceof ExpressionTree e ? AstPaths.variable(e) : null;
          if (v != null && into.add(v) && v.getKind() == ElementKind.LOCAL_VARIABLE) {
            TreePath declaration = index.declarations.get(v);
            if (declaration != null
                && declaration.getLeaf() instanceof VariableTree variable
                && variable.getInitializer() != null) {
              readsOf(variable.getInitializer(), index, into);
            }
          }
          return false;
        });
  }

  /**
   * A setter of a tested flag that runs before the clear: in an earlier statement of an enclosing
   * block, or in the condition of an enclosing {@code if} whose branch clears.
   */
  @Nullable
  private static TreePath setterBefore(TreePath clear, List<TreePath> setters) {
    Tree root = AstPaths.taskRoot(clear).getLeaf();
    for (TreePath p = clear;
        p.getParentPath() != null && p.getParentPath().getLeaf() != root;
        p = p.getParentPath()) {
      Tree parent = p.getParentPath().getLeaf();
      if (parent instanceof IfTree ifTree && ifTree.getCondition() != p.getLeaf()) {
        TreePath setter = setterIn(ifTree.getCondition(), setters);
        if (setter != null) {
          return setter;
        }
      }
      if (parent instanceof BlockTree block) {
        for (StatementTree statement : block.getStatements()) {
          if (statement == p.getLeaf()) {
            break;
          }
          TreePath setter = setterIn(statement, setters);
          if (setter != null) {
            return setter;
          }
        }
      }
    }
    return null;
  }

  @Nullable
  private static TreePath setterIn(Tree code, List<TreePath> setters) {
    for (TreePath setter : setters) {
      if (AstPaths.isWithin(setter, code)) {
        return setter;
      }
    }
    return null;
  }
}
