package io.leakedproducer.checker;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.errorprone.ErrorProneFlags;
import com.google.errorprone.VisitorState;
import com.sun.tools.javac.code.Type;
import javax.lang.model.SourceVersion;
import org.jspecify.annotations.Nullable;

/**
 * What the user's flags add to {@link ConcurrencyApiModel}'s built-in tables: their own blocking
 * insertions, takes, spawns, interrupting calls, identity wrappers, lifecycle method names, signal
 * setters and signal types. Every entry only adds; nothing built in can be removed by a flag.
 *
 * <p>The analysis' decisions are static functions of trees and symbols, called from many places.
 * The checker binds its extensions to the compiling thread for the duration of one analysis ({@link
 * #bind}), and the model's predicates read them from there ({@link #current}), so that no instance
 * has to be threaded through every helper. Error Prone runs each compilation's checks on one
 * thread, so a binding never leaks into another compilation; outside a binding the extensions are
 * {@link #NONE}.
 */
record ModelExtensions(
    ImmutableList<MethodRef> insertions,
    ImmutableList<MethodRef> takes,
    ImmutableList<MethodRef> spawns,
    ImmutableList<MethodRef> interrupts,
    ImmutableList<MethodRef> identityWrappers,
    ImmutableSet<String> lifecycleNames,
    ImmutableList<MethodRef> signalSetters,
    ImmutableSet<String> signalTypes) {

  static final String FLAG_INSERTIONS = "LeakedProducer:BlockingInsertionMethods";
  static final String FLAG_TAKES = "LeakedProducer:TakeMethods";
  static final String FLAG_SPAWNS = "LeakedProducer:SpawnMethods";
  static final String FLAG_INTERRUPTS = "LeakedProducer:InterruptingMethods";
  static final String FLAG_IDENTITY_WRAPPERS = "LeakedProducer:IdentityWrappers";
  static final String FLAG_LIFECYCLE_METHODS = "LeakedProducer:LifecycleMethods";
  static final String FLAG_SIGNAL_SETTERS = "LeakedProducer:SignalSetters";
  static final String FLAG_SIGNAL_TYPES = "LeakedProducer:SignalTypes";

  static final ModelExtensions NONE = fromFlags(ErrorProneFlags.empty());

  private static final ThreadLocal<ModelExtensions> CURRENT = ThreadLocal.withInitial(() -> NONE);

  /** The extensions of the analysis running on this thread, or {@link #NONE}. */
  static ModelExtensions current() {
    return CURRENT.get();
  }

  /** Makes these the {@link #current} extensions until the returned binding is closed. */
  Binding bind() {
    ModelExtensions previous = CURRENT.get();
    CURRENT.set(this);
    return () -> CURRENT.set(previous);
  }

  /** Ends a {@link #bind}: restores what was current before it. */
  interface Binding extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Parses every extension flag.
   *
   * @throws IllegalArgumentException naming the flag, for an entry of the wrong form
   */
  static ModelExtensions fromFlags(ErrorProneFlags flags) {
    return new ModelExtensions(
        methods(flags, FLAG_INSERTIONS),
        methods(flags, FLAG_TAKES),
        methods(flags, FLAG_SPAWNS),
        methods(flags, FLAG_INTERRUPTS),
        methods(flags, FLAG_IDENTITY_WRAPPERS),
        names(flags, FLAG_LIFECYCLE_METHODS, false),
        methods(flags, FLAG_SIGNAL_SETTERS),
        names(flags, FLAG_SIGNAL_TYPES, true));
  }

  private static ImmutableList<MethodRef> methods(ErrorProneFlags flags, String flag) {
    return flags.getListOrEmpty(flag).stream()
        .map(entry -> MethodRef.parse(flag, entry))
        .collect(ImmutableList.toImmutableList());
  }

  /** Method names ({@code qualified=false}) or fully qualified type names. */
  private static ImmutableSet<String> names(ErrorProneFlags flags, String flag, boolean qualified) {
    ImmutableSet.Builder<String> names = ImmutableSet.builder();
    for (String entry : flags.getListOrEmpty(flag)) {
      String name = entry.trim();
      boolean valid =
          qualified
              ? !name.isEmpty() && SourceVersion.isName(name)
              : SourceVersion.isIdentifier(name) && !SourceVersion.isKeyword(name);
      if (!valid) {
        throw new IllegalArgumentException(
            "-XepOpt:"
                + flag
                + (qualified
                    ? " expects fully qualified type names, got '"
                    : " expects method names, got '")
                + entry
                + "'");
      }
      names.add(name);
    }
    return names.build();
  }

  /** The type is one of {@link #signalTypes} or below one. */
  boolean isSignalType(@Nullable Type type, VisitorState state) {
    if (type == null || signalTypes.isEmpty()) {
      return false;
    }
    for (Type superType : state.getTypes().closure(type)) {
      if (superType.tsym != null
          && signalTypes.contains(superType.tsym.getQualifiedName().toString())) {
        return true;
      }
    }
    return false;
  }
}
