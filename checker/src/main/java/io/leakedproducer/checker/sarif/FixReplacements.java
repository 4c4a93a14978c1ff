package io.leakedproducer.checker.sarif;

import com.google.errorprone.fixes.Fix;
import com.google.errorprone.fixes.Replacement;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.tools.javac.tree.JCTree.JCCompilationUnit;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A fix's replacements, across Error Prone versions: {@code Fix.getReplacements} takes javac's
 * {@code EndPosTable} up to at least 2.42 and Error Prone's own {@code ErrorProneEndPosTable} (made
 * by its static {@code create(CompilationUnitTree)}) in 2.52. The checker is compiled against 2.42
 * and must run under both (docs/compatibility.md), so the method is looked up at run time.
 */
final class FixReplacements {
  private FixReplacements() {}

  static List<Replacement> of(Fix fix, CompilationUnitTree unit) {
    Method getReplacements = method();
    Class<?> tableType = getReplacements.getParameterTypes()[0];
    try {
      Object endPositions =
          tableType.getName().equals("com.sun.tools.javac.tree.EndPosTable")
              ? ((JCCompilationUnit) unit).endPositions
              : tableType.getMethod("create", CompilationUnitTree.class).invoke(null, unit);
      List<Replacement> replacements = new ArrayList<>();
      for (Object r : (Collection<?>) getReplacements.invoke(fix, endPositions)) {
        replacements.add((Replacement) r);
      }
      return replacements;
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("Fix.getReplacements failed", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "this Error Prone's end-position table cannot be made from a compilation unit", e);
    }
  }

  private static Method method() {
    for (Method m : Fix.class.getMethods()) {
      if (m.getName().equals("getReplacements") && m.getParameterCount() == 1) {
        return m;
      }
    }
    throw new IllegalStateException("this Error Prone's Fix has no getReplacements(end positions)");
  }
}
