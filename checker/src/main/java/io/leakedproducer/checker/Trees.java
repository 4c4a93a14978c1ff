package io.leakedproducer.checker;

import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.TypeCastTree;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Type;
import java.util.function.Predicate;

/**
 * Plain javac tree and symbol helpers that know nothing about concurrency APIs, so that both the
 * library model ({@link ConcurrencyApiModel}) and the path helpers ({@link AstPaths}) can use them
 * without depending on each other.
 */
final class Trees {
  private Trees() {}

  /** The expression without the parentheses and casts around it. */
  static ExpressionTree skipParensAndCasts(ExpressionTree tree) {
    ExpressionTree t = tree;
    while (true) {
      if (t instanceof ParenthesizedTree parenthesized) {
        t = parenthesized.getExpression();
      } else if (t instanceof TypeCastTree cast) {
        t = cast.getExpression();
      } else {
        return t;
      }
    }
  }

  /**
   * Walks a class's supertypes by symbol, for the few questions asked where no {@code VisitorState}
   * is at hand; {@code isName} sees each qualified name.
   */
  static boolean isSubtypeByName(ClassSymbol cls, Predicate<javax.lang.model.element.Name> isName) {
    if (isName.test(cls.getQualifiedName())) {
      return true;
    }
    for (Type iface : cls.getInterfaces()) {
      if (iface.tsym instanceof ClassSymbol c && isSubtypeByName(c, isName)) {
        return true;
      }
    }
    Type superclass = cls.getSuperclass();
    return superclass != null
        && superclass.tsym instanceof ClassSymbol c
        && isSubtypeByName(c, isName);
  }
}
