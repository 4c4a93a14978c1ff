package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.sun.tools.javac.code.ClassFinder;
import com.sun.tools.javac.code.Source;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Symbol.CompletionFailure;
import com.sun.tools.javac.code.Symbol.ModuleSymbol;
import com.sun.tools.javac.code.Symtab;
import com.sun.tools.javac.code.Type;
import org.jspecify.annotations.Nullable;

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

  /**
   * The runtime queue's type, loaded from the classpath if this compilation has not used it yet;
   * null when the runtime is absent. A fix that swaps a queue for it checks assignability with it.
   */
  static @Nullable Type witnessType(VisitorState state) {
    ClassSymbol loaded = load(state, WITNESS);
    return loaded == null ? null : loaded.type;
  }

  /** Whether the class named {@code qualifiedName} can be seen by the code being compiled. */
  static boolean has(VisitorState state, String qualifiedName) {
    return state.getTypeFromString(qualifiedName) != null // already loaded by this compilation
        || load(state, qualifiedName) != null;
  }

  private static @Nullable ClassSymbol load(VisitorState state, String qualifiedName) {
    try {
      Symtab symtab = Symtab.instance(state.context);
      // Classpath classes live in the unnamed module from Java 9 on.
      ModuleSymbol module =
          Source.instance(state.context).compareTo(Source.JDK9) >= 0
              ? symtab.unnamedModule
              : symtab.noModule;
      ClassSymbol loaded =
          ClassFinder.instance(state.context).loadClass(module, state.getName(qualifiedName));
      if (loaded != null) {
        loaded.complete(); // its supertypes, for the subtype checks of a fix
      }
      return loaded;
    } catch (CompletionFailure e) {
      return null;
    }
  }
}
