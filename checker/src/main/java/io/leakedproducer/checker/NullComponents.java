package io.leakedproducer.checker;

import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a call dereferences a record component that the unit itself creates as {@code
 * null} ({@code new Document("draft", null)}, then {@code doc.body().trim()} in a take loop): a
 * {@code NullPointerException} that the unit's own code makes certain, not one assumed of unseen
 * code. A record with a constructor of its own may reject or replace the null, so only records with
 * the implicit canonical constructor count, and a null test of the same component in the frame
 * means the code expects it.
 */
final class NullComponents {
  private NullComponents() {}

  /** The component accessor whose null value {@code call} dereferences, or null. */
  @Nullable
  static MethodSymbol dereferencedNull(TreePath call, CompilationUnitIndex index) {
    if (!(call.getLeaf() instanceof MethodInvocationTree invocation)) {
      return null;
    }
    ExpressionTree receiver = ASTHelpers.getReceiver(invocation);
    if (receiver == null
        || !(Trees.skipParensAndCasts(receiver) instanceof MethodInvocationTree read)
        || !read.getArguments().isEmpty()
        || !(ASTHelpers.getSymbol(read).owner instanceof ClassSymbol record)
        || !record.isRecord()) {
      return null;
    }
    MethodSymbol accessor = ASTHelpers.getSymbol(read);
    int component = componentIndex(record, accessor);
    if (component < 0
        || !createdWithNull(record, component, index)
        || testedForNull(call, accessor)) {
      return null;
    }
    return accessor;
  }

  private static int componentIndex(ClassSymbol record, MethodSymbol accessor) {
    List<? extends Symbol.RecordComponent> components = record.getRecordComponents();
    for (int i = 0; i < components.size(); i++) {
      if (components.get(i).getSimpleName().equals(accessor.getSimpleName())) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Some {@code new R(..)} of the unit passes a {@code null} literal for the component, and no
   * constructor written in the record can check it first.
   */
  private static boolean createdWithNull(
      ClassSymbol record, int component, CompilationUnitIndex index) {
    for (Symbol member : ASTHelpers.getEnclosedElements(record)) {
      if (!(member instanceof MethodSymbol constructor) || !constructor.isConstructor()) {
        continue;
      }
      TreePath declared = index.methods.get(constructor);
      if (declared != null && !ASTHelpers.isGeneratedConstructor((MethodTree) declared.getLeaf())) {
        return false;
      }
      for (TreePath site : index.callSitesOf(constructor)) {
        if (site.getLeaf() instanceof NewClassTree created
            && created.getArguments().size() > component
            && created.getArguments().get(component).getKind() == Tree.Kind.NULL_LITERAL) {
          return true;
        }
      }
    }
    return false;
  }

  /** The frame of the call compares the same component with null somewhere. */
  private static boolean testedForNull(TreePath call, MethodSymbol accessor) {
    Tree frame = AstPaths.taskRoot(call).getLeaf();
    return AstPaths.anyMatch(
        frame,
        t ->
            t instanceof BinaryTree test
                && (t.getKind() == Tree.Kind.EQUAL_TO || t.getKind() == Tree.Kind.NOT_EQUAL_TO)
                && (isNullComparison(test.getLeftOperand(), test.getRightOperand(), accessor)
                    || isNullComparison(test.getRightOperand(), test.getLeftOperand(), accessor)));
  }

  private static boolean isNullComparison(
      ExpressionTree value, ExpressionTree other, MethodSymbol accessor) {
    return other.getKind() == Tree.Kind.NULL_LITERAL
        && Trees.skipParensAndCasts(value) instanceof MethodInvocationTree read
        && accessor.equals(ASTHelpers.getSymbol(read));
  }
}
