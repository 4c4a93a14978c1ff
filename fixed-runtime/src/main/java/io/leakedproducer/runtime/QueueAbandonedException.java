package io.leakedproducer.runtime;

/**
 * Thrown by an insertion into a {@link CancellableBoundedQueue} whose consumers have all given up
 * (or that was {@linkplain CancellableBoundedQueue#cancel() cancelled}), and by {@link
 * CancellableBoundedQueue#take()} on such a queue. The producer should stop: nobody will ever take
 * what it inserts.
 */
public class QueueAbandonedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message. */
  public QueueAbandonedException(String message) {
    super(message);
  }
}
