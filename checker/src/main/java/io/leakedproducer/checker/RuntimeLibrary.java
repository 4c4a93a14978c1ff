package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.sun.tools.javac.code.ClassFinder;
import com.sun.tools.javac.code.Source;
import com.sun.tools.javac.code.Symbol.CompletionFailure;
import com.sun.tools.javac.code.Symbol.ModuleSymbol;
import com.sun.tools.javac.code.Symtab;

/**
 * Decides whether a fix may introduce {@code leaked-producer-runtime}: only when the code being
 * compiled can already see it, so that applying the fix never breaks the build.
 */
final class RuntimeLibrary {
  /** A class that exists in every version of the runtime jar that has the cancellable queue. */
  static final String WITNESS = "io.leakedproducer.runtime.CancellableBoundedQueue";

  private RuntimeLibrary() {}

  static boolean isOnClasspath(VisitorState state) {
    return has(state, WITNESS);
  }

  /** Whether the class named {@code qualifiedName} can be seen by the code being compiled. */
  static boolean has(VisitorState state, String qualifiedName) {
    if (state.getTypeFromString(qualifiedName) != null) {
      return true; // already loaded by this compilation
    }
    try {
      Symtab symtab = Symtab.instance(state.context);
      // Classpath classes live in the unnamed module from Java 9 on.
      ModuleSymbol module =
          Source.instance(state.context).compareTo(Source.JDK9) >= 0
              ? symtab.unnamedModule
              : symtab.noModule;
      return ClassFinder.instance(state.context).loadClass(module, state.getName(qualifiedName))
          != null;
    } catch (CompletionFailure e) {
      return false;
    }
  }
}
