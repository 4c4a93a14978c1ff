package io.leakedproducer.checker;

import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.Set;

/**
 * Decides which variables hold the producer's own {@code Thread} or {@code Future}: the one it was
 * stored in when it was started, and every local, field or parameter of the unit that value is
 * passed on to. A canceller or a liveness test usually sees the handle under another name (a {@code
 * fetcher} parameter, a {@code worker} field), so matching only the first variable misses real
 * cancellation paths.
 */
final class HandleAliases {
  private HandleAliases() {}

  /** The variables that hold the producer's handle; empty when it was never stored. */
  static Set<VarSymbol> of(TaskSpawns.Spawn spawn, CompilationUnitIndex index) {
    if (spawn.handle == null || spawn.handleIsCollection) {
      return spawn.handle == null ? Set.of() : Set.of(spawn.handle);
    }
    // The same value-flow as for queues: initialisers, assignments, arguments to the unit's
    // methods and constructors.
    return QueueAliases.of(spawn.handle, index).variables;
  }
}
