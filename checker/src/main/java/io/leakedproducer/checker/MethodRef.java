package io.leakedproducer.checker;

import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A method named by a flag as {@code fully.qualified.Type#method}: every method of that name
 * declared by the type or by any of its subtypes (so {@code com.example.Channel#send} also names an
 * override in {@code com.example.FastChannel}).
 */
record MethodRef(String owner, String name) {

  /**
   * Parses one flag entry.
   *
   * @throws IllegalArgumentException naming the flag, for anything but {@code Type#method}
   */
  static MethodRef parse(String flag, String entry) {
    String value = entry.trim();
    int hash = value.indexOf('#');
    if (hash <= 0
        || hash == value.length() - 1
        || value.indexOf('#', hash + 1) >= 0
        || value.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          "-XepOpt:" + flag + " expects fully.qualified.Type#method entries, got '" + entry + "'");
    }
    return new MethodRef(value.substring(0, hash), value.substring(hash + 1));
  }

  /** Some entry of {@code refs} {@link #matches} the method. */
  static boolean anyMatches(List<MethodRef> refs, @Nullable Symbol sym) {
    for (MethodRef ref : refs) {
      if (ref.matches(sym)) {
        return true;
      }
    }
    return false;
  }

  /** The called method is this one, declared by {@link #owner} or by a type below it. */
  boolean matches(@Nullable Symbol sym) {
    return sym instanceof MethodSymbol method
        && method.getSimpleName().contentEquals(name)
        && method.owner instanceof ClassSymbol declaring
        && Trees.isSubtypeByName(declaring, owner::contentEquals);
  }
}
