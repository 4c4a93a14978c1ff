package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.fixes.SuggestedFix;
import com.google.errorprone.fixes.SuggestedFixes;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.ElementKind;
import org.jspecify.annotations.Nullable;

/**
 * Gives an owner with no lifecycle (a prefetching iterator) the {@code close()} that Alluxio's
 * maintainers added, and closes the object at every place the unit creates it: each creation is a
 * local of a block that the rest of the block then uses only while it runs (calls on it, or passes
 * it to a method of the unit that only calls on it), so a {@code finally} around the rest of the
 * block is the point after which nothing takes. Applies only when every creation in the unit has
 * that shape: an instance that escapes (returned, stored, captured by a task) has no such point.
 */
final class CreationSiteClose {
  private CreationSiteClose() {}

  /** The local declarations that create the owner, or null when one of them escapes. */
  @Nullable
  static List<TreePath> sites(Symbol owner, CompilationUnitIndex index, VisitorState state) {
    List<TreePath> creations = new ArrayList<>();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitNewClass(NewClassTree tree, Void unused) {
        Symbol constructor = ASTHelpers.getSymbol(tree);
        if (constructor != null && constructor.owner == owner) {
          creations.add(getCurrentPath());
        }
        return super.visitNewClass(tree, null);
      }
    }.scan(new TreePath(index.unit), null);
    if (creations.isEmpty() || hasClose(owner, state)) {
      return null;
    }
    List<TreePath> sites = new ArrayList<>();
    for (TreePath creation : creations) {
      TreePath declaration = AstPaths.parentSkippingParens(creation);
      if (declaration == null
          || !(declaration.getLeaf() instanceof VariableTree variable)
          || variable.getInitializer() == null
          || !(declaration.getParentPath().getLeaf() instanceof BlockTree)
          || ASTHelpers.getSymbol(variable) == null
          || ASTHelpers.getSymbol(variable).getKind() != ElementKind.LOCAL_VARIABLE
          || !usedOnlyWhileTheBlockRuns(ASTHelpers.getSymbol(variable), declaration, index)) {
        return null;
      }
      sites.add(declaration);
    }
    return sites;
  }

  /**
   * The owner or a supertype already has a {@code close()}: adding one would override it, with a
   * signature the fix cannot choose.
   */
  private static boolean hasClose(Symbol owner, VisitorState state) {
    for (com.sun.tools.javac.code.Type type : state.getTypes().closure(owner.type)) {
      for (Symbol member : ASTHelpers.getEnclosedElements(type.tsym)) {
        if (member instanceof MethodSymbol method && ConcurrencyApiModel.isNoArgClose(method)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Every use of the local is a call on it, or an argument to a method of the unit whose parameter
   * is only called on, in the same task as the declaration; it is never assigned again.
   */
  private static boolean usedOnlyWhileTheBlockRuns(
      VarSymbol local, TreePath declaration, CompilationUnitIndex index) {
    if (!index.writesOf(local).isEmpty()) {
      return false;
    }
    Tree task = AstPaths.taskRoot(declaration).getLeaf();
    for (TreePath use : index.usesOf(local)) {
      if (AstPaths.taskRoot(use).getLeaf() != task) {
        return false; // captured by a lambda or class that may outlive the block
      }
      if (calledOn(use) || iteratedBy(use)) {
        continue;
      }
      TreePath parent = AstPaths.parentSkippingParens(use);
      if (parent == null || !(parent.getLeaf() instanceof MethodInvocationTree call)) {
        return false;
      }
      MethodSymbol callee = ASTHelpers.getSymbol(call);
      int position = call.getArguments().indexOf(use.getLeaf());
      TreePath method = callee == null ? null : index.methods.get(callee);
      if (position < 0
          || method == null
          || callee.isVarArgs()
          || !(method.getLeaf() instanceof MethodTree methodTree)
          || position >= methodTree.getParameters().size()) {
        return false;
      }
      VarSymbol parameter = ASTHelpers.getSymbol(methodTree.getParameters().get(position));
      if (parameter == null || !index.writesOf(parameter).isEmpty()) {
        return false;
      }
      for (TreePath inner : index.usesOf(parameter)) {
        if (AstPaths.taskRoot(inner).getLeaf() != methodTree || !calledOn(inner)) {
          return false;
        }
      }
    }
    return true;
  }

  /** {@code for (Row row : rows)}: the loop reads it only while the block runs. */
  private static boolean iteratedBy(TreePath use) {
    TreePath parent = AstPaths.parentSkippingParens(use);
    return parent != null
        && parent.getLeaf() instanceof com.sun.source.tree.EnhancedForLoopTree loop
        && loop.getExpression() == use.getLeaf();
  }

  private static boolean calledOn(TreePath use) {
    TreePath select = AstPaths.parentSkippingParens(use);
    return select != null
        && select.getLeaf() instanceof MemberSelectTree
        && select.getParentPath() != null
        && select.getParentPath().getLeaf() instanceof MethodInvocationTree;
  }

  /**
   * Adds {@code close()} to the owner, setting {@code flag}, and closes each created object in a
   * {@code finally} around the rest of its block.
   */
  static boolean apply(
      ClassTree owner,
      Symbol ownerSymbol,
      List<TreePath> sites,
      String flag,
      String queueName,
      SuggestedFix.Builder fix,
      VisitorState state) {
    Tree last = null;
    for (Tree member : owner.getMembers()) {
      if (!(member instanceof MethodTree m) || !ASTHelpers.isGeneratedConstructor(m)) {
        last = member;
      }
    }
    if (last == null) {
      return false;
    }
    String indent = LeakFixes.indentOf(last, state);
    fix.postfixWith(
        last,
        "\n\n"
            + indent
            + "/** Tells the producers that nothing takes from '"
            + queueName
            + "' any more. */\n"
            + indent
            + "public void "
            + ConcurrencyApiModel.ADDED_LIFECYCLE_METHOD
            + "() {\n"
            + indent
            + "  "
            + flag
            + " = true;\n"
            + indent
            + "}");
    String type = SuggestedFixes.qualifyType(state, fix, ownerSymbol);
    for (TreePath site : sites) {
      VariableTree variable = (VariableTree) site.getLeaf();
      Symbol declared = ASTHelpers.getSymbol(variable.getType());
      String name = variable.getName().toString();
      String closer =
          (declared == ownerSymbol ? name : "((" + type + ") " + name + ")")
              + "."
              + ConcurrencyApiModel.ADDED_LIFECYCLE_METHOD
              + "();";
      List<? extends StatementTree> statements =
          ((BlockTree) site.getParentPath().getLeaf()).getStatements();
      int at = statements.indexOf(variable);
      String at0 = LeakFixes.indentOf(variable, state);
      if (at == statements.size() - 1) {
        fix.postfixWith(variable, "\n" + at0 + closer);
        continue;
      }
      int start = ASTHelpers.getStartPosition(statements.get(at + 1));
      int end = state.getEndPosition(statements.get(statements.size() - 1));
      CharSequence source = state.getSourceCode();
      if (source == null || start < 0 || end <= start) {
        return false;
      }
      String body = source.subSequence(start, end).toString().replace("\n", "\n  ");
      fix.replace(
          start,
          end,
          "try {\n"
              + at0
              + "  "
              + body
              + "\n"
              + at0
              + "} finally {\n"
              + at0
              + "  "
              + closer
              + "\n"
              + at0
              + "}");
    }
    return true;
  }
}
