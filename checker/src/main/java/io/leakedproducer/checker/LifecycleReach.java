package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.fixes.SuggestedFix;
import com.google.errorprone.fixes.SuggestedFixes;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.code.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Finds the lifecycle methods that reach the owner of a field queue when the owner declares none of
 * its own: one it inherits from a class of the unit (Neo4j's {@code LifecycleAdapter.stop()}, a
 * no-op that the holder calls on shutdown), or one of the object the consumers take through (a
 * scanner whose {@code close()} is what the application calls when it stops reading, and which
 * holds the queue's owner in a field). Setting the owner's flag there tells its producers that
 * nothing will take any more, whichever way the caller stopped.
 */
final class LifecycleReach {
  private LifecycleReach() {}

  /**
   * The owner's methods by which its holder ends its use of it, with a non-empty body; for a static
   * queue only static ones.
   */
  static List<MethodTree> lifecycleMethods(ClassTree owner, boolean isStatic) {
    List<MethodTree> methods = new ArrayList<>();
    for (MethodTree method : declaredLifecycle(owner, isStatic)) {
      List<? extends StatementTree> body = method.getBody().getStatements();
      if (!body.isEmpty() && !isConstructorCall(body.get(0))) {
        methods.add(method);
      }
    }
    return methods;
  }

  /**
   * Lifecycle methods of the owner with an empty body ({@code public void close() {}}): a holder
   * calls them to stop, and they stop nothing. The fix gives them the statement they lack.
   */
  static List<MethodTree> emptyLifecycleMethods(ClassTree owner, boolean isStatic) {
    List<MethodTree> methods = new ArrayList<>();
    for (MethodTree method : declaredLifecycle(owner, isStatic)) {
      if (method.getBody().getStatements().isEmpty()) {
        methods.add(method);
      }
    }
    return methods;
  }

  /** The owner's lifecycle methods that have a body; for a static queue only static ones. */
  private static List<MethodTree> declaredLifecycle(ClassTree owner, boolean isStatic) {
    List<MethodTree> methods = new ArrayList<>();
    for (Tree member : owner.getMembers()) {
      if (member instanceof MethodTree method && method.getBody() != null) {
        MethodSymbol symbol = ASTHelpers.getSymbol(method);
        if (symbol != null
            && ConcurrencyApiModel.isLifecycleMethod(symbol)
            && (!isStatic || symbol.isStatic())) {
          methods.add(method);
        }
      }
    }
    return methods;
  }

  private static boolean isConstructorCall(StatementTree statement) {
    return AstPaths.anyMatch(
        statement,
        t ->
            t instanceof com.sun.source.tree.MethodInvocationTree call
                && ASTHelpers.getSymbol(call).isConstructor());
  }

  /**
   * Lifecycle methods the owner inherits, not overridden, from superclasses declared in this unit
   * (so that overriding them is the unit's own business: not final, not private, with a body).
   */
  static List<MethodSymbol> inheritedLifecycle(ClassTree owner, CompilationUnitIndex index) {
    ClassSymbol symbol = ASTHelpers.getSymbol(owner);
    List<MethodSymbol> found = new ArrayList<>();
    if (symbol == null) {
      return found;
    }
    Set<String> seen = new HashSet<>();
    for (Symbol member : ASTHelpers.getEnclosedElements(symbol)) {
      if (member instanceof MethodSymbol method) {
        seen.add(signature(method));
      }
    }
    Type superType = symbol.getSuperclass();
    while (superType != null
        && superType.tsym instanceof ClassSymbol superClass
        && index.classes.containsKey(superClass)) {
      for (Symbol member : ASTHelpers.getEnclosedElements(superClass)) {
        if (member instanceof MethodSymbol method
            && seen.add(signature(method))
            && ConcurrencyApiModel.isLifecycleMethod(method)
            && !method.getModifiers().contains(Modifier.ABSTRACT)
            && !method.getModifiers().contains(Modifier.FINAL)
            && !method.getModifiers().contains(Modifier.PRIVATE)) {
          found.add(method);
        }
      }
      superType = superClass.getSuperclass();
    }
    return found;
  }

  private static String signature(MethodSymbol method) {
    return method.getSimpleName() + "/" + method.getParameters().size();
  }

  /**
   * Adds to the owner an override of the inherited {@code method} that sets {@code flag} and then
   * calls the inherited one.
   */
  static boolean overrideSetting(
      MethodSymbol method,
      ClassTree owner,
      String flag,
      SuggestedFix.Builder fix,
      VisitorState state) {
    List<? extends Tree> members = owner.getMembers();
    Tree last = null;
    for (Tree member : members) {
      if (!(member instanceof MethodTree m) || !ASTHelpers.isGeneratedConstructor(m)) {
        last = member;
      }
    }
    if (last == null) {
      return false;
    }
    String indent = LeakFixes.indentOf(last, state);
    StringBuilder text = new StringBuilder();
    text.append("\n\n").append(indent).append("@Override\n").append(indent);
    Set<Modifier> modifiers = method.getModifiers();
    if (modifiers.contains(Modifier.PUBLIC)) {
      text.append("public ");
    } else if (modifiers.contains(Modifier.PROTECTED)) {
      text.append("protected ");
    }
    boolean returnsValue = method.getReturnType().getKind() != javax.lang.model.type.TypeKind.VOID;
    text.append(SuggestedFixes.prettyType(state, fix, method.getReturnType()))
        .append(' ')
        .append(method.getSimpleName())
        .append('(');
    List<String> arguments = new ArrayList<>();
    for (VarSymbol parameter : method.getParameters()) {
      if (!arguments.isEmpty()) {
        text.append(", ");
      }
      text.append(SuggestedFixes.prettyType(state, fix, parameter.type))
          .append(' ')
          .append(parameter.getSimpleName());
      arguments.add(parameter.getSimpleName().toString());
    }
    text.append(')');
    List<Type> thrown = method.getThrownTypes();
    for (int i = 0; i < thrown.size(); i++) {
      text.append(i == 0 ? " throws " : ", ")
          .append(SuggestedFixes.prettyType(state, fix, thrown.get(i)));
    }
    text.append(" {\n")
        .append(indent)
        .append("  ")
        .append(flag)
        .append(" = true;\n")
        .append(indent)
        .append("  ")
        .append(returnsValue ? "return " : "")
        .append("super.")
        .append(method.getSimpleName())
        .append('(')
        .append(String.join(", ", arguments))
        .append(");\n")
        .append(indent)
        .append('}');
    fix.postfixWith(last, text.toString());
    return true;
  }

  /** A lifecycle method of a class that holds the queue's owner in a field. */
  record Holder(MethodTree method, String field, boolean mayBeNull) {
    String setter(String flag, String indent) {
      String set = field + "." + flag + " = true;";
      return mayBeNull
          ? "if (" + field + " != null) {\n" + indent + "  " + set + "\n" + indent + "}"
          : set;
    }
  }

  /**
   * The lifecycle methods of the classes that hold the queue's owner in an instance field and
   * through which a consumer takes (a method of theirs is on the way from the caller to a take):
   * the object the consumer's caller closes when it stops. Only classes nested in the same
   * top-level class, which may set the owner's private flag.
   */
  static List<Holder> holders(
      Symbol owner, List<QueueConsumer> consumers, CompilationUnitIndex index, VisitorState state) {
    Set<Symbol> consumerSide = new LinkedHashSet<>();
    for (QueueConsumer consumer : consumers) {
      for (TreePath take : consumer.takes) {
        for (TreePath site : ProducerDiscovery.callChain(take, index, state)) {
          ClassTree enclosing = ASTHelpers.findEnclosingNode(site, ClassTree.class);
          if (enclosing != null) {
            consumerSide.add(ASTHelpers.getSymbol(enclosing));
          }
        }
      }
    }
    List<Holder> holders = new ArrayList<>();
    for (Symbol holderClass : consumerSide) {
      TreePath path = holderClass == null ? null : index.classes.get(holderClass);
      if (holderClass == owner
          || path == null
          || !(path.getLeaf() instanceof ClassTree classTree)
          || holderClass.outermostClass() != owner.outermostClass()) {
        continue;
      }
      List<MethodTree> lifecycle = lifecycleMethods(classTree, false);
      for (Tree member : classTree.getMembers()) {
        VarSymbol field =
            member instanceof VariableTree variable ? ASTHelpers.getSymbol(variable) : null;
        if (field == null
            || field.getModifiers().contains(Modifier.STATIC)
            || field.type.tsym != owner) {
          continue;
        }
        boolean isFinal = field.getModifiers().contains(Modifier.FINAL);
        for (MethodTree method : lifecycle) {
          if (method.getParameters().stream()
              .noneMatch(p -> p.getName().contentEquals(field.getSimpleName()))) {
            holders.add(new Holder(method, field.getSimpleName().toString(), !isFinal));
          }
        }
      }
    }
    return holders;
  }
}
