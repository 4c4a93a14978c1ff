package io.leakedproducer.testdata;

/**
 * A program's deterministic failure scenario, written against the program's class (found by
 * reflection) so that the leaky, the hand-fixed and the check-patched versions all run the very same
 * scenario.
 */
public interface Scenario {
  /** The program's base name relative to {@code io.leakedproducer.testdata}, e.g. {@code "crawler.Crawler"}. */
  String program();

  /** The method a stranded producer is parked in: {@code put}, {@code putFirst}, {@code transfer}, ... */
  String insertion();

  /** The name (or name prefix) of the thread that is left parked in the insertion. */
  String producerThread();

  /** True when the producer is the request thread itself: then the leaky call hangs. */
  default boolean callerProduces() {
    return false;
  }

  /**
   * True when the leaky call itself never returns: its thread is the producer, or it waits (say in
   * {@code invokeAll}) for producers that are stranded.
   */
  default boolean callHangs() {
    return callerProduces();
  }

  /** Starts the failure scenario against {@code program} on a new request thread. */
  Run start(Class<?> program) throws Exception;

  /**
   * Checks what the call returned or threw once it ended; {@code patched} is true for the version
   * the check's fix produced, which may end a caller-thread producer with a CancellationException.
   */
  default void verify(Run run, boolean patched) {}
}
