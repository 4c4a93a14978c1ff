package io.leakedproducer.runtime;

/**
 * The end-of-stream signal of a {@link CancellableBoundedQueue}: thrown by {@link
 * CancellableBoundedQueue#take()} once the queue is {@linkplain CancellableBoundedQueue#close()
 * closed} and drained, and by {@code put}/{@code add} after the queue was closed (inserting after
 * close is a producer bug, like sending on a closed Go channel).
 */
public class QueueClosedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message. */
  public QueueClosedException(String message) {
    super(message);
  }
}
