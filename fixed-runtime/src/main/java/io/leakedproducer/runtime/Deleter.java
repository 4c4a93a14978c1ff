package io.leakedproducer.runtime;

/**
 * Deletes one item. Used by {@link BoundedDeleter}.
 *
 * <p>An implementation may throw anything. {@link BoundedDeleter} treats every {@link Throwable}
 * thrown here as a failure of that one item. It should let {@link InterruptedException} (or an
 * interrupt-aware I/O exception) escape when its thread is interrupted: {@link BoundedDeleter}
 * interrupts in-flight deletes when the caller is interrupted or the deadline expires, and it waits
 * for them to return before it returns itself.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface Deleter<T> {
  /**
   * Deletes {@code item}.
   *
   * @param item the item, never {@code null} unless the collection passed in contained {@code null}
   * @throws Exception any failure; it is reported by the {@link BoundedDeleter} call
   */
  void delete(T item) throws Exception;
}
