package io.leakedproducer.checker;

import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.InstanceOfTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether every instance of a class of the unit stays inside the unit: created only here,
 * by a class outside code cannot construct, and handed only to the unit's own methods,
 * constructors, locals, arrays and private fields (spec: "an external consumer" is one whose takes
 * sit behind an API that reaches callers outside the unit). An {@code Iterator} whose every
 * instance stays here has no caller that could stop at any time: its consumers are the unit's own
 * loops over it, judged by their exits like any other take loop.
 */
final class UnitOnlyInstances {
  private UnitOnlyInstances() {}

  /** How many variables to follow before giving up (and answering "may escape"). */
  private static final int MAX_VARIABLES = 32;

  static boolean keptInUnit(ClassSymbol owner, CompilationUnitIndex index) {
    if (owner.isAnonymous() || constructibleOutside(owner)) {
      return false;
    }
    List<TreePath> creations = AstPaths.creationsOf(owner, index.unit);
    if (creations.isEmpty()) {
      return false; // made by code we cannot see
    }
    Set<VarSymbol> seen = new HashSet<>();
    Deque<VarSymbol> work = new ArrayDeque<>();
    for (TreePath creation : creations) {
      if (!staysHere(creation, work, index)) {
        return false;
      }
    }
    while (!work.isEmpty()) {
      VarSymbol holder = work.poll();
      if (!seen.add(holder)) {
        continue;
      }
      if (seen.size() > MAX_VARIABLES || !heldPrivately(holder)) {
        return false;
      }
      for (TreePath use : index.usesOf(holder)) {
        if (!staysHere(use, work, index)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Public or protected, or with such a constructor: code outside the unit can make one. */
  private static boolean constructibleOutside(ClassSymbol owner) {
    for (Symbol c = owner; c instanceof ClassSymbol; c = c.owner) {
      if (c.getModifiers().contains(Modifier.PRIVATE)) {
        return false;
      }
    }
    if (owner.getModifiers().contains(Modifier.PUBLIC)
        || owner.getModifiers().contains(Modifier.PROTECTED)) {
      return true;
    }
    for (Symbol member : ASTHelpers.getEnclosedElements(owner)) {
      if (member instanceof MethodSymbol method
          && method.isConstructor()
          && (method.getModifiers().contains(Modifier.PUBLIC)
              || method.getModifiers().contains(Modifier.PROTECTED))) {
        return true;
      }
    }
    return false;
  }

  /** A local, a parameter of the unit's code, or a private field: only the unit reads it. */
  private static boolean heldPrivately(VarSymbol holder) {
    return holder.getKind() != ElementKind.FIELD
        || holder.getModifiers().contains(Modifier.PRIVATE);
  }

  /**
   * The value at {@code path} (a creation or a read of a holder) goes only where the unit can see
   * it; the variables it is stored in are added to {@code work}.
   */
  private static boolean staysHere(
      TreePath path, Deque<VarSymbol> work, CompilationUnitIndex index) {
    TreePath parent = AstPaths.parentSkippingParens(path);
    if (parent == null) {
      return false;
    }
    Tree value = path.getLeaf();
    Tree p = parent.getLeaf();
    if (p instanceof MemberSelectTree select && same(select.getExpression(), value)) {
      return true; // a call on it or a field of it: used, not handed on
    }
    if (p instanceof ExpressionStatementTree
        || p instanceof BinaryTree
        || p instanceof InstanceOfTree) {
      return true;
    }
    if (p instanceof VariableTree declared && same(declared.getInitializer(), value)) {
      work.add((VarSymbol) ASTHelpers.getSymbol(declared));
      return true;
    }
    if (p instanceof AssignmentTree assignment) {
      if (same(assignment.getVariable(), value)) {
        return true; // the holder is written, not read
      }
      VarSymbol target = AstPaths.variable(assignment.getVariable());
      if (target == null) {
        return false;
      }
      work.add(target);
      return true;
    }
    if (p instanceof NewArrayTree) {
      return staysHere(parent, work, index); // an element of an array: where the array goes
    }
    if (p instanceof EnhancedForLoopTree loop && same(loop.getExpression(), value)) {
      work.add((VarSymbol) ASTHelpers.getSymbol(loop.getVariable()));
      return true;
    }
    if (p instanceof com.sun.source.tree.ArrayAccessTree access
        && same(access.getExpression(), value)) {
      return staysHere(parent, work, index);
    }
    List<? extends ExpressionTree> arguments;
    Symbol callee;
    if (p instanceof MethodInvocationTree call) {
      arguments = call.getArguments();
      callee = ASTHelpers.getSymbol(call);
    } else if (p instanceof NewClassTree creation) {
      arguments = creation.getArguments();
      callee = ASTHelpers.getSymbol(creation);
    } else {
      return false; // returned, thrown, captured, passed on in a way not followed here
    }
    int position = argumentIndex(arguments, value);
    TreePath method =
        callee instanceof MethodSymbol methodSymbol ? index.methods.get(methodSymbol) : null;
    if (position < 0
        || method == null
        || !(method.getLeaf() instanceof MethodTree tree)
        || ((MethodSymbol) callee).isVarArgs()
        || position >= tree.getParameters().size()) {
      return false; // handed to code outside the unit
    }
    VarSymbol parameter = ASTHelpers.getSymbol(tree.getParameters().get(position));
    if (parameter == null) {
      return false;
    }
    work.add(parameter);
    return true;
  }

  private static int argumentIndex(List<? extends ExpressionTree> arguments, Tree value) {
    for (int i = 0; i < arguments.size(); i++) {
      if (same(arguments.get(i), value)) {
        return i;
      }
    }
    return -1;
  }

  /** {@code child} is {@code value}, perhaps in parentheses or a cast. */
  private static boolean same(@Nullable ExpressionTree child, Tree value) {
    return child != null && Trees.skipParensAndCasts(child) == value;
  }
}
