package io.leakedproducer.checker;

import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import com.sun.tools.javac.code.Flags;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Follows a queue through the unit's own functional-interface parameters and private helpers (spec:
 * follow parameters whose callers are in the unit): {@code action.accept(queue)}, where {@code
 * action} is a parameter of a unit method whose callers pass lambdas, hands the queue to those
 * lambdas' parameters; a lambda parameter gets its value from the {@code accept}/{@code apply}
 * calls on that parameter; a private helper's {@code return queue} reaches the variables its
 * callers store the result in. Anything else stays an escape or an unknown origin.
 */
final class LambdaHandoffs {
  private LambdaHandoffs() {}

  /**
   * For {@code call} = {@code action.accept(.., queue, ..)} on a functional-interface parameter
   * {@code action} of a unit method: the parameters of the lambdas its callers pass, at the queue's
   * position. Null when {@code call} is not such a call, or when some caller passes something other
   * than a lambda (a method reference, a variable: code we do not follow).
   */
  static @Nullable List<VarSymbol> lambdaParametersReceiving(
      MethodInvocationTree call, Tree argument, CompilationUnitIndex index) {
    VarSymbol function = AstPaths.variable(ASTHelpers.getReceiver(call));
    if (function == null
        || !isFunctionalMethodCall(call)
        || function.getKind() != javax.lang.model.element.ElementKind.PARAMETER
        || !(function.owner instanceof MethodSymbol owner)
        || !index.methods.containsKey(owner)) {
      return null;
    }
    int argPosition = position(call.getArguments(), argument);
    int functionPosition = owner.getParameters().indexOf(function);
    List<TreePath> sites = index.callSitesOf(owner);
    if (argPosition < 0 || functionPosition < 0 || sites.isEmpty() || owner.isVarArgs()) {
      return null;
    }
    List<VarSymbol> receivers = new ArrayList<>();
    for (TreePath site : sites) {
      List<? extends ExpressionTree> args = AstPaths.arguments(site.getLeaf());
      if (functionPosition >= args.size()
          || !(Trees.skipParensAndCasts(args.get(functionPosition))
              instanceof LambdaExpressionTree lambda)
          || argPosition >= lambda.getParameters().size()) {
        return null;
      }
      Symbol parameter = ASTHelpers.getSymbol(lambda.getParameters().get(argPosition));
      if (!(parameter instanceof VarSymbol varSymbol)) {
        return null;
      }
      receivers.add(varSymbol);
    }
    return receivers;
  }

  /**
   * For a parameter of a lambda passed straight to a unit method: the arguments of that method's
   * calls of the functional parameter it binds to ({@code action.accept(queue)} gives {@code
   * queue}). Null when the lambda goes elsewhere, or the functional parameter is used in any other
   * way than calling it.
   */
  static @Nullable List<ExpressionTree> argumentsPassedTo(
      VarSymbol lambdaParameter, TreePath declaration, CompilationUnitIndex index) {
    if (declaration == null
        || declaration.getParentPath() == null
        || !(declaration.getParentPath().getLeaf() instanceof LambdaExpressionTree lambda)) {
      return null;
    }
    int parameterPosition = -1;
    for (int i = 0; i < lambda.getParameters().size(); i++) {
      VariableTree p = lambda.getParameters().get(i);
      if (lambdaParameter.equals(ASTHelpers.getSymbol(p))) {
        parameterPosition = i;
      }
    }
    TreePath callPath = AstPaths.parentSkippingParens(declaration.getParentPath());
    if (parameterPosition < 0 || callPath == null) {
      return null;
    }
    Tree call = callPath.getLeaf();
    int lambdaPosition = position(AstPaths.arguments(call), lambda);
    Symbol callee = call instanceof ExpressionTree e ? ASTHelpers.getSymbol(e) : null;
    if (lambdaPosition < 0
        || !(callee instanceof MethodSymbol method)
        || !index.methods.containsKey(method)
        || method.isVarArgs()
        || lambdaPosition >= method.getParameters().size()) {
      return null;
    }
    VarSymbol function = method.getParameters().get(lambdaPosition);
    List<ExpressionTree> passed = new ArrayList<>();
    for (TreePath use : index.usesOf(function)) {
      TreePath select = use.getParentPath();
      TreePath invocation = select == null ? null : select.getParentPath();
      if (invocation == null
          || !(invocation.getLeaf() instanceof MethodInvocationTree functionCall)
          || functionCall.getMethodSelect() != select.getLeaf()
          || !isFunctionalMethodCall(functionCall)
          || parameterPosition >= functionCall.getArguments().size()) {
        return null;
      }
      passed.add(functionCall.getArguments().get(parameterPosition));
    }
    return passed.isEmpty() ? null : passed;
  }

  /**
   * For {@code return queue;} in a private method of the unit: the variable its one caller stores
   * the result in. Null when it is not private, when a caller does anything else with the result,
   * or when there are several callers: a helper that creates the queue gives each call its own, and
   * merging them would judge one queue's producers by another's consumers.
   */
  static @Nullable List<VarSymbol> callersStoring(TreePath returnPath, CompilationUnitIndex index) {
    TreePath root = AstPaths.taskRoot(returnPath);
    if (!(root.getLeaf() instanceof MethodTree methodTree)) {
      return null;
    }
    MethodSymbol method = ASTHelpers.getSymbol(methodTree);
    if (method == null || (method.flags() & Flags.PRIVATE) == 0) {
      return null;
    }
    List<TreePath> sites = index.callSitesOf(method);
    if (sites.size() != 1) {
      return null;
    }
    List<VarSymbol> targets = new ArrayList<>();
    for (TreePath site : sites) {
      VarSymbol target = AstPaths.storedInto(site);
      if (target == null) {
        return null;
      }
      targets.add(target);
    }
    return targets;
  }

  /**
   * What a private method of the unit returns, when {@code source} calls one or is a method
   * reference to one: its {@code return} expressions. Null otherwise.
   */
  static @Nullable List<ExpressionTree> returnedBy(
      ExpressionTree source, CompilationUnitIndex index) {
    // helper(..) called here, or this::helper handed to a mapping function that calls it
    Symbol symbol =
        source instanceof MethodInvocationTree || source instanceof MemberReferenceTree
            ? ASTHelpers.getSymbol(source)
            : null;
    if (!(symbol instanceof MethodSymbol method) || (method.flags() & Flags.PRIVATE) == 0) {
      return null;
    }
    TreePath declaration = index.methods.get(method);
    if (declaration == null) {
      return null;
    }
    List<ExpressionTree> returned = new ArrayList<>();
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitReturn(ReturnTree r, Void unused) {
        if (r.getExpression() != null) {
          returned.add(r.getExpression());
        }
        return null;
      }

      // A return inside a lambda or inner class of the helper is not the helper's result.
      @Override
      public Void visitLambdaExpression(LambdaExpressionTree lambda, Void unused) {
        return null;
      }

      @Override
      public Void visitClass(ClassTree nested, Void unused) {
        return null;
      }
    }.scan(((MethodTree) declaration.getLeaf()).getBody(), null);
    return returned.isEmpty() ? null : returned;
  }

  /**
   * Where the inline lambda around {@code site} runs, when it is passed straight to a unit method:
   * that method's call of the functional parameter ({@code action.accept(queue)} for {@code out ->
   * check(reports, out)}), which may sit in a task of its own. Null when {@code site} is not in
   * such a lambda, or the parameter is used in another way than calling it.
   */
  static @Nullable TreePath invocationOfEnclosingLambda(TreePath site, CompilationUnitIndex index) {
    TreePath lambdaPath = null;
    for (TreePath p = site.getParentPath(); p != null; p = p.getParentPath()) {
      if (AstPaths.isTaskRoot(p.getLeaf())) {
        return null;
      }
      if (p.getLeaf() instanceof LambdaExpressionTree) {
        lambdaPath = p;
        break;
      }
    }
    if (lambdaPath == null) {
      return null;
    }
    TreePath callPath = AstPaths.parentSkippingParens(lambdaPath);
    if (callPath == null || !(callPath.getLeaf() instanceof MethodInvocationTree call)) {
      return null;
    }
    int lambdaPosition = position(call.getArguments(), lambdaPath.getLeaf());
    MethodSymbol method = ASTHelpers.getSymbol(call);
    if (lambdaPosition < 0
        || method == null
        || !index.methods.containsKey(method)
        || method.isVarArgs()
        || lambdaPosition >= method.getParameters().size()) {
      return null;
    }
    VarSymbol function = method.getParameters().get(lambdaPosition);
    TreePath first = null;
    for (TreePath use : index.usesOf(function)) {
      TreePath select = use.getParentPath();
      TreePath invocation = select == null ? null : select.getParentPath();
      if (invocation == null
          || !(invocation.getLeaf() instanceof MethodInvocationTree functionCall)
          || functionCall.getMethodSelect() != select.getLeaf()
          || !isFunctionalMethodCall(functionCall)) {
        return null;
      }
      first = first == null ? invocation : first;
    }
    return first;
  }

  /** The call is the functional interface's own method ({@code accept}, {@code apply}, ...). */
  private static boolean isFunctionalMethodCall(MethodInvocationTree call) {
    Symbol method = ASTHelpers.getSymbol(call);
    return method instanceof MethodSymbol m
        && (m.flags() & Flags.ABSTRACT) != 0
        && m.owner.isInterface()
        && ASTHelpers.getReceiver(call) != null;
  }

  private static int position(List<? extends ExpressionTree> args, Tree argument) {
    for (int i = 0; i < args.size(); i++) {
      if (Trees.skipParensAndCasts(args.get(i)) == argument) {
        return i;
      }
    }
    return -1;
  }
}
