package io.leakedproducer.runtime;

import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded FIFO {@link BlockingQueue} with the two exits a Go channel has and {@code
 * ArrayBlockingQueue} lacks: the producer can <b>close</b> it (consumers see end-of-stream once it
 * is drained), and the consumers can <b>abandon</b> it (a blocked or later insertion fails fast
 * instead of blocking forever). It is the cancellation path that a producer feeding a bounded
 * handoff needs, so that it can never be left blocked when its consumers stop early.
 *
 * <h2>States</h2>
 *
 * <pre>
 *            close()                      cancel(), or the last expected consumer leaves
 *   OPEN  ------------>  CLOSED  -----------------------------------------------+
 *     |                                                                         v
 *     +------------------------------------------------------------------> ABANDONED
 *              cancel(), or the last expected consumer leaves
 * </pre>
 *
 * <table>
 *   <caption>Operations by state</caption>
 *   <tr><th>operation</th><th>OPEN</th><th>CLOSED</th><th>ABANDONED</th></tr>
 *   <tr><td>{@code put}</td><td>inserts, blocks while full</td>
 *       <td>throws {@link QueueClosedException}</td><td>throws {@link QueueAbandonedException}</td></tr>
 *   <tr><td>{@code offer}, timed {@code offer}</td><td>inserts, or {@code false} when full
 *       (after the timeout)</td><td>{@code false}</td><td>{@code false}</td></tr>
 *   <tr><td>{@code add}</td><td>inserts, or {@link IllegalStateException} when full</td>
 *       <td>throws {@link QueueClosedException}</td><td>throws {@link QueueAbandonedException}</td></tr>
 *   <tr><td>{@code take}</td><td>blocks while empty</td>
 *       <td>returns buffered elements, then throws {@link QueueClosedException}</td>
 *       <td>throws {@link QueueAbandonedException}</td></tr>
 *   <tr><td>{@link #receive()}</td><td>blocks while empty</td>
 *       <td>returns buffered elements, then {@code null}</td><td>{@code null}</td></tr>
 *   <tr><td>{@code poll}, timed {@code poll}</td><td>element, or {@code null} (after the timeout)</td>
 *       <td>buffered element, else {@code null} at once</td><td>{@code null} at once</td></tr>
 * </table>
 *
 * <p>Every transition wakes every thread blocked in {@code put}, timed {@code offer}, {@code take},
 * {@link #receive()} and timed {@code poll}, so each re-checks the state: a producer blocked in
 * {@code put} when the queue is abandoned throws {@link QueueAbandonedException} promptly. Entering
 * ABANDONED discards the buffered elements, so the queue no longer references them. Transitions are
 * one-way and idempotent.
 *
 * <h2>Consumer tracking</h2>
 *
 * Construct with the number of consumers you will start, {@code new
 * CancellableBoundedQueue<>(capacity, consumers)}, and have each consumer register and leave
 * through a handle:
 *
 * <pre>{@code
 * try (CancellableBoundedQueue.Registration r = queue.registerConsumer()) {
 *   for (Item item; (item = queue.receive()) != null; ) {
 *     delete(item);                      // may throw: the handle still leaves
 *   }
 * }
 * }</pre>
 *
 * The queue becomes ABANDONED exactly when all {@code consumers} registrations have been made and
 * all of them have been closed. It cannot fire early: while fewer than {@code consumers} have
 * registered, consumers that already left do not abandon it. The check runs under the queue's lock,
 * so it is race-free. If a consumer may never start (its thread failed to start, its task was
 * rejected), the owner must call {@link #cancel()} itself, typically after joining the consumers,
 * like closing a {@code workersExited} channel. With {@code consumers == 0} there is no tracking
 * and only {@link #cancel()} abandons the queue.
 *
 * <p>Elements may not be {@code null}. The iterator is a snapshot taken under the lock (it never
 * throws {@link java.util.ConcurrentModificationException}); its {@code remove} removes that
 * element instance if it is still queued. All methods are thread-safe.
 *
 * <h2>Memory consistency</h2>
 *
 * As with other {@link BlockingQueue}s, actions in a thread before it places an element into the
 * queue <i>happen-before</i> actions after another thread takes or receives that element. In
 * addition, actions in a thread before it calls {@link #close()} or {@link #cancel()}, or before it
 * closes a consumer {@link Registration}, happen-before actions in any thread after it observes the
 * resulting state: a {@code take} that throws {@link QueueClosedException}, a {@link #receive()}
 * that returns {@code null}, or a {@code put} that throws {@link QueueAbandonedException}. Every
 * state read and transition happens under the queue's one lock.
 *
 * @param <E> the element type
 */
public final class CancellableBoundedQueue<E> extends AbstractQueue<E> implements BlockingQueue<E> {

  private final Object[] items;
  private int takeIndex;
  private int putIndex;
  private int count;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();

  private final int expectedConsumers;
  private int registered; // guarded by lock
  private int active; // guarded by lock
  private boolean closed; // guarded by lock
  private boolean abandoned; // guarded by lock

  /**
   * Creates a queue without consumer tracking: only {@link #cancel()} abandons it.
   *
   * @throws IllegalArgumentException if {@code capacity < 1}
   */
  public CancellableBoundedQueue(int capacity) {
    this(capacity, 0);
  }

  /**
   * Creates a queue that is abandoned once all {@code consumers} consumers have registered and
   * left.
   *
   * @throws IllegalArgumentException if {@code capacity < 1} or {@code consumers < 0}
   */
  public CancellableBoundedQueue(int capacity, int consumers) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    if (consumers < 0) {
      throw new IllegalArgumentException("consumers must be >= 0, was " + consumers);
    }
    this.items = new Object[capacity];
    this.expectedConsumers = consumers;
  }

  // ---- state
  // -------------------------------------------------------------------------------------

  /**
   * Closes the queue (producer side): no more insertions; consumers take what is buffered and then
   * see end-of-stream. Wakes all blocked threads. Idempotent; no effect once abandoned.
   */
  public void close() {
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        notEmpty.signalAll();
        notFull.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Abandons the queue (consumer or owner side): insertions fail fast from now on, blocked
   * producers wake and throw {@link QueueAbandonedException}, buffered elements are discarded, and
   * consumers see end-of-stream. Idempotent.
   */
  public void cancel() {
    lock.lock();
    try {
      abandonLocked();
    } finally {
      lock.unlock();
    }
  }

  private void abandonLocked() {
    if (abandoned) {
      return;
    }
    abandoned = true;
    clearLocked();
    notEmpty.signalAll();
    notFull.signalAll();
  }

  /** Returns whether {@link #close()} was called. */
  public boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** Returns whether the queue was abandoned (by {@link #cancel()} or its consumers leaving). */
  public boolean isAbandoned() {
    lock.lock();
    try {
      return abandoned;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns whether a consumer will never get another element: the queue is abandoned, or closed
   * and empty.
   */
  public boolean isEndOfStream() {
    lock.lock();
    try {
      return abandoned || (closed && count == 0);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Registers a consumer. Close the returned handle when the consumer stops, for whatever reason
   * (use try-with-resources).
   *
   * @throws IllegalStateException if the queue tracks no consumers or all expected consumers have
   *     already registered
   */
  public Registration registerConsumer() {
    lock.lock();
    try {
      if (registered >= expectedConsumers) {
        throw new IllegalStateException(
            expectedConsumers == 0
                ? "this queue does not track consumers"
                : "all " + expectedConsumers + " expected consumers have already registered");
      }
      registered++;
      active++;
      return new Registration();
    } finally {
      lock.unlock();
    }
  }

  /** A consumer's registration. Closing it (once or more) marks that consumer as gone. */
  public final class Registration implements AutoCloseable {
    private boolean left; // guarded by lock

    private Registration() {}

    /** Marks this consumer as gone. Idempotent; never throws. */
    @Override
    public void close() {
      lock.lock();
      try {
        if (left) {
          return;
        }
        left = true;
        active--;
        if (active == 0 && registered == expectedConsumers) {
          abandonLocked();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  // ---- insertion
  // ---------------------------------------------------------------------------------

  /**
   * Inserts {@code e}, waiting while the queue is full.
   *
   * @throws QueueAbandonedException if the queue is or becomes abandoned while waiting
   * @throws QueueClosedException if the queue is or becomes closed while waiting
   * @throws InterruptedException if interrupted while waiting
   */
  @Override
  public void put(E e) throws InterruptedException {
    Objects.requireNonNull(e);
    lock.lockInterruptibly();
    try {
      for (; ; ) {
        checkInsertableLocked();
        if (count < items.length) {
          enqueueLocked(e);
          return;
        }
        notFull.await();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Inserts {@code e} if there is room. Returns {@code false} when full, closed or abandoned (check
   * {@link #isAbandoned()} before retrying).
   */
  @Override
  public boolean offer(E e) {
    Objects.requireNonNull(e);
    lock.lock();
    try {
      if (abandoned || closed || count == items.length) {
        return false;
      }
      enqueueLocked(e);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Inserts {@code e}, waiting up to the timeout for room. Returns {@code false} at once when the
   * queue is or becomes closed or abandoned, and {@code false} on timeout.
   */
  @Override
  public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
    Objects.requireNonNull(e);
    long nanos = unit.toNanos(timeout);
    lock.lockInterruptibly();
    try {
      for (; ; ) {
        if (abandoned || closed) {
          return false;
        }
        if (count < items.length) {
          enqueueLocked(e);
          return true;
        }
        if (nanos <= 0L) {
          return false;
        }
        nanos = notFull.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Inserts {@code e} if there is room.
   *
   * @throws IllegalStateException if full
   * @throws QueueAbandonedException if abandoned
   * @throws QueueClosedException if closed
   */
  @Override
  public boolean add(E e) {
    Objects.requireNonNull(e);
    lock.lock();
    try {
      checkInsertableLocked();
      if (count == items.length) {
        throw new IllegalStateException("Queue full");
      }
      enqueueLocked(e);
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void checkInsertableLocked() {
    if (abandoned) {
      throw new QueueAbandonedException("queue abandoned: every consumer has given up");
    }
    if (closed) {
      throw new QueueClosedException("queue closed: no more insertions");
    }
  }

  // ---- removal
  // -----------------------------------------------------------------------------------

  /**
   * Takes the head, waiting while the queue is empty and open.
   *
   * @throws QueueClosedException once the queue is closed and drained (end-of-stream)
   * @throws QueueAbandonedException if the queue is abandoned
   * @throws InterruptedException if interrupted while waiting
   */
  @Override
  public E take() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      for (; ; ) {
        if (count > 0) {
          return dequeueLocked();
        }
        if (abandoned) {
          throw new QueueAbandonedException("queue abandoned");
        }
        if (closed) {
          throw new QueueClosedException("queue closed and drained");
        }
        notEmpty.await();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the head, waiting while the queue is empty and open; returns {@code null} at
   * end-of-stream (closed and drained, or abandoned).
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public E receive() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      for (; ; ) {
        if (count > 0) {
          return dequeueLocked();
        }
        if (abandoned || closed) {
          return null;
        }
        notEmpty.await();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public E poll() {
    lock.lock();
    try {
      return count > 0 ? dequeueLocked() : null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the head, waiting up to the timeout; returns {@code null} on timeout, and at once at
   * end-of-stream.
   */
  @Override
  public E poll(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lockInterruptibly();
    try {
      for (; ; ) {
        if (count > 0) {
          return dequeueLocked();
        }
        if (abandoned || closed || nanos <= 0L) {
          return null;
        }
        nanos = notEmpty.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public E peek() {
    lock.lock();
    try {
      return count > 0 ? itemAt(takeIndex) : null;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int drainTo(Collection<? super E> c) {
    return drainTo(c, Integer.MAX_VALUE);
  }

  @Override
  public int drainTo(Collection<? super E> c, int maxElements) {
    Objects.requireNonNull(c);
    if (c == this) {
      throw new IllegalArgumentException("cannot drain a queue into itself");
    }
    if (maxElements <= 0) {
      return 0;
    }
    lock.lock();
    try {
      int n = Math.min(maxElements, count);
      int drained = 0;
      try {
        while (drained < n) {
          c.add(itemAt(takeIndex));
          items[takeIndex] = null;
          takeIndex = inc(takeIndex);
          count--;
          drained++;
        }
      } finally {
        if (drained > 0) {
          notFull.signalAll();
        }
      }
      return drained;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean remove(Object o) {
    if (o == null) {
      return false;
    }
    lock.lock();
    try {
      for (int k = 0, i = takeIndex; k < count; k++, i = inc(i)) {
        if (o.equals(items[i])) {
          removeAtLocked(i);
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  private boolean removeInstance(Object o) {
    lock.lock();
    try {
      for (int k = 0, i = takeIndex; k < count; k++, i = inc(i)) {
        if (items[i] == o) {
          removeAtLocked(i);
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean contains(Object o) {
    if (o == null) {
      return false;
    }
    lock.lock();
    try {
      for (int k = 0, i = takeIndex; k < count; k++, i = inc(i)) {
        if (o.equals(items[i])) {
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Removes all buffered elements. Does not change the state. */
  @Override
  public void clear() {
    lock.lock();
    try {
      clearLocked();
    } finally {
      lock.unlock();
    }
  }

  private void clearLocked() {
    if (count > 0) {
      for (int k = 0, i = takeIndex; k < count; k++, i = inc(i)) {
        items[i] = null;
      }
      count = 0;
      takeIndex = putIndex = 0;
      notFull.signalAll();
    }
  }

  // ---- inspection
  // --------------------------------------------------------------------------------

  @Override
  public int size() {
    lock.lock();
    try {
      return count;
    } finally {
      lock.unlock();
    }
  }

  /** Returns the free capacity, or 0 once the queue is closed or abandoned. */
  @Override
  public int remainingCapacity() {
    lock.lock();
    try {
      return abandoned || closed ? 0 : items.length - count;
    } finally {
      lock.unlock();
    }
  }

  /** Returns the capacity given to the constructor. */
  public int capacity() {
    return items.length;
  }

  /** Returns a snapshot iterator; see the class documentation. */
  @Override
  public Iterator<E> iterator() {
    List<E> snapshot = snapshot();
    return new Iterator<E>() {
      private int next;
      private E last;

      @Override
      public boolean hasNext() {
        return next < snapshot.size();
      }

      @Override
      public E next() {
        if (next >= snapshot.size()) {
          throw new NoSuchElementException();
        }
        last = snapshot.get(next++);
        return last;
      }

      @Override
      public void remove() {
        if (last == null) {
          throw new IllegalStateException();
        }
        removeInstance(last);
        last = null;
      }
    };
  }

  @Override
  public Object[] toArray() {
    return snapshot().toArray();
  }

  @Override
  public <T> T[] toArray(T[] a) {
    return snapshot().toArray(a);
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      String state = abandoned ? "ABANDONED" : closed ? "CLOSED" : "OPEN";
      return "CancellableBoundedQueue["
          + state
          + ", "
          + count
          + "/"
          + items.length
          + (expectedConsumers > 0
              ? ", consumers "
                  + active
                  + " active, "
                  + registered
                  + "/"
                  + expectedConsumers
                  + " registered"
              : "")
          + "]";
    } finally {
      lock.unlock();
    }
  }

  private List<E> snapshot() {
    lock.lock();
    try {
      List<E> list = new ArrayList<>(count);
      for (int k = 0, i = takeIndex; k < count; k++, i = inc(i)) {
        list.add(itemAt(i));
      }
      return list;
    } finally {
      lock.unlock();
    }
  }

  // ---- ring buffer
  // -------------------------------------------------------------------------------

  private int inc(int i) {
    return ++i == items.length ? 0 : i;
  }

  @SuppressWarnings("unchecked")
  private E itemAt(int i) {
    return (E) items[i];
  }

  private void enqueueLocked(E e) {
    items[putIndex] = e;
    putIndex = inc(putIndex);
    count++;
    notEmpty.signal();
  }

  private E dequeueLocked() {
    E e = itemAt(takeIndex);
    items[takeIndex] = null;
    takeIndex = inc(takeIndex);
    count--;
    notFull.signal();
    return e;
  }

  private void removeAtLocked(int removeIndex) {
    if (removeIndex == takeIndex) {
      items[takeIndex] = null;
      takeIndex = inc(takeIndex);
    } else {
      for (int i = removeIndex; ; ) {
        int next = inc(i);
        if (next != putIndex) {
          items[i] = items[next];
          i = next;
        } else {
          items[i] = null;
          putIndex = i;
          break;
        }
      }
    }
    count--;
    notFull.signal();
  }
}
