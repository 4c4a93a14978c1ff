package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Decides which methods of the unit are callbacks: code that a library (or code the unit hands it
 * to) calls on its own thread, not a method the unit's callers run on theirs. A producer rooted in
 * a callback keeps being called after the unit's consumers stop, so its consumers' callers are
 * judged as the callers of an API ({@link ExternalConsumers}).
 */
final class Callbacks {
  private Callbacks() {}

  /** The method is called by a library, or by a thread the unit does not show as its caller. */
  static boolean isCallback(MethodSymbol method, CompilationUnitIndex units, VisitorState state) {
    return isCalledFromElsewhere(method, units, state) || registration(method, units) != null;
  }

  /**
   * A method that no code of the unit calls by its own name and that overrides or implements
   * another, which no method of the unit calls either: a callback, called by a library's thread (or
   * by a task of the unit that holds it as the interface it implements). A call through the
   * interface from a method of the unit runs on that method's caller: the calling thread.
   */
  static boolean isCalledFromElsewhere(
      MethodSymbol method, CompilationUnitIndex units, VisitorState state) {
    if (!units.callSitesOf(method).isEmpty()
        || !units.memberReferences.getOrDefault(method, List.of()).isEmpty()) {
      return false;
    }
    Set<MethodSymbol> overridden = ASTHelpers.findSuperMethods(method, state.getTypes());
    if (overridden.isEmpty()) {
      return false;
    }
    for (MethodSymbol contract : overridden) {
      for (TreePath call : units.callSitesOf(contract)) {
        if (AstPaths.taskRoot(call).getLeaf() instanceof MethodTree) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The call that registers the method as a listener ({@code
   * client.registerListener(this::onEvent)}): the method is called by no code of the unit by its
   * name, and its method references are all handed to methods outside the JDK, which keep them to
   * call later. A reference handed to the JDK ({@code forEach}, {@code ifPresent}, {@code
   * computeIfAbsent}) runs on the calling thread, and one handed to an executor or a thread is a
   * spawn ({@link TaskSpawns}). Null when it is not such a callback.
   */
  @Nullable
  static TreePath registration(MethodSymbol method, CompilationUnitIndex units) {
    List<TreePath> references = units.memberReferences.getOrDefault(method, List.of());
    if (references.isEmpty() || !units.callSitesOf(method).isEmpty()) {
      return null;
    }
    TreePath first = null;
    for (TreePath reference : references) {
      TreePath parent = AstPaths.parentSkippingParens(reference);
      if (parent == null
          || !(parent.getLeaf() instanceof MethodInvocationTree call)
          || !call.getArguments().contains(reference.getLeaf())) {
        return null;
      }
      Symbol callee = ASTHelpers.getSymbol(call);
      if (callee == null || ConcurrencyApiModel.isJdkType(callee.enclClass())) {
        return null;
      }
      if (first == null) {
        first = parent;
      }
    }
    return first;
  }
}
