package io.leakedproducer.runtime;

import static io.leakedproducer.runtime.TestSupport.assertCollected;
import static io.leakedproducer.runtime.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CancellableBoundedQueueTest {
  private static final Duration LIMIT = Duration.ofSeconds(20);
  private static final long LONG = TimeUnit.SECONDS.toNanos(TestSupport.WAIT_SECONDS);

  /** Runs {@code body} on a new thread and records what it returned or threw. */
  static final class Call {
    final Thread thread;
    final AtomicReference<Object> result = new AtomicReference<>();

    interface Body {
      Object run() throws Throwable;
    }

    Call(String name, Body body) {
      thread =
          new Thread(
              () -> {
                try {
                  result.set(body.run());
                } catch (Throwable t) {
                  result.set(t);
                }
              },
              name);
      thread.setDaemon(true);
      thread.start();
    }

    /** Waits (bounded) until the thread is parked, i.e. blocked inside the queue. */
    Call awaitBlocked() {
      long end = System.nanoTime() + LONG;
      while (thread.getState() != Thread.State.WAITING
          && thread.getState() != Thread.State.TIMED_WAITING) {
        if (System.nanoTime() > end || !thread.isAlive()) {
          throw new AssertionError(
              thread.getName()
                  + " did not block: "
                  + thread.getState()
                  + " result "
                  + result.get());
        }
        Thread.onSpinWait();
      }
      return this;
    }

    Object get() throws InterruptedException {
      join(thread);
      return result.get();
    }
  }

  // ---- plain BlockingQueue behaviour
  // -------------------------------------------------------------

  @Test
  void fifoAndCapacity() throws Exception {
    CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(3);
    assertEquals(3, q.capacity());
    assertEquals(3, q.remainingCapacity());
    assertTrue(q.offer(1));
    q.put(2);
    assertTrue(q.add(3));
    assertFalse(q.offer(4));
    assertFalse(q.offer(4, 1, TimeUnit.MILLISECONDS));
    assertEquals(
        "Queue full", assertThrows(IllegalStateException.class, () -> q.add(4)).getMessage());
    assertEquals(0, q.remainingCapacity());
    assertEquals(1, q.peek());
    assertEquals(1, q.take());
    assertEquals(2, q.poll());
    assertEquals(3, q.poll(1, TimeUnit.SECONDS));
    assertNull(q.poll());
    assertNull(q.poll(1, TimeUnit.MILLISECONDS));
    assertNull(q.peek());
    assertThrows(NullPointerException.class, () -> q.put(null));
    assertThrows(NullPointerException.class, () -> q.offer(null));
    assertThrows(IllegalArgumentException.class, () -> new CancellableBoundedQueue<>(0));
    assertThrows(IllegalArgumentException.class, () -> new CancellableBoundedQueue<>(1, -1));
  }

  @Test
  void collectionMethodsMatchAModelUnderRandomOperations() {
    Random r = new Random(42);
    for (int round = 0; round < 200; round++) {
      int cap = 1 + r.nextInt(6);
      CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(cap);
      ArrayDeque<Integer> model = new ArrayDeque<>();
      for (int op = 0; op < 300; op++) {
        int v = r.nextInt(8);
        switch (r.nextInt(8)) {
          case 0:
          case 1:
          case 2:
            boolean ok = model.size() < cap;
            assertEquals(ok, q.offer(v));
            if (ok) {
              model.add(v);
            }
            break;
          case 3:
            assertEquals(model.poll(), q.poll());
            break;
          case 4:
            assertEquals(model.remove((Integer) v), q.remove(v));
            break;
          case 5:
            {
              Iterator<Integer> it = q.iterator();
              Iterator<Integer> mit = model.iterator();
              while (mit.hasNext()) {
                Integer m = mit.next();
                assertEquals(m, it.next());
                if (m == v) {
                  it.remove();
                  mit.remove();
                }
              }
              assertFalse(it.hasNext());
              break;
            }
          case 6:
            {
              List<Integer> out = new ArrayList<>();
              int max = r.nextInt(4);
              int n = q.drainTo(out, max);
              List<Integer> expected = new ArrayList<>();
              for (int k = 0; k < max && !model.isEmpty(); k++) {
                expected.add(model.poll());
              }
              assertEquals(expected.size(), n);
              assertEquals(expected, out);
              break;
            }
          default:
            assertEquals(model.contains(v), q.contains(v));
        }
        assertEquals(model.size(), q.size());
        assertEquals(cap - model.size(), q.remainingCapacity());
        assertArrayEquals(model.toArray(), q.toArray());
        assertEquals(model.peek(), q.peek());
      }
    }
    CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(2);
    assertThrows(IllegalArgumentException.class, () -> q.drainTo(q));
    assertThrows(NullPointerException.class, () -> q.drainTo(null));
  }

  @Test
  void blockedPutIsWokenByTake() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(1);
          q.put(1);
          Call put =
              new Call(
                      "put",
                      () -> {
                        q.put(2);
                        return "ok";
                      })
                  .awaitBlocked();
          assertEquals(1, q.take());
          assertEquals("ok", put.get());
          assertEquals(2, q.take());
        });
  }

  @Test
  void blockedPutAndTakeHonourInterrupts() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(1);
          q.put(1);
          Call put =
              new Call(
                      "put",
                      () -> {
                        q.put(2);
                        return "ok";
                      })
                  .awaitBlocked();
          put.thread.interrupt();
          assertInstanceOf(InterruptedException.class, put.get());
          q.clear();
          Call take = new Call("take", q::take).awaitBlocked();
          take.thread.interrupt();
          assertInstanceOf(InterruptedException.class, take.get());
        });
  }

  // ---- abandonment
  // -------------------------------------------------------------------------------

  @Test
  void blockedPutFailsFastWhenTheLastConsumerLeaves() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(1, 2);
          CancellableBoundedQueue<Integer>.Registration a = q.registerConsumer();
          CancellableBoundedQueue<Integer>.Registration b = q.registerConsumer();
          q.put(0);
          Call put =
              new Call(
                      "producer",
                      () -> {
                        q.put(1);
                        return "inserted";
                      })
                  .awaitBlocked();
          a.close();
          assertFalse(q.isAbandoned(), "one consumer is still there");
          // The producer is still blocked: nothing was taken and the queue is not abandoned.
          put.awaitBlocked();
          b.close();
          Object r = put.get();
          assertInstanceOf(QueueAbandonedException.class, r);
          assertTrue(q.isAbandoned());
          assertTrue(q.isEndOfStream());
          assertEquals(0, q.size(), "buffer discarded");
          assertThrows(QueueAbandonedException.class, () -> q.put(2));
          assertThrows(QueueAbandonedException.class, () -> q.add(2));
          assertFalse(q.offer(2));
          assertFalse(q.offer(2, 10, TimeUnit.SECONDS)); // at once, not after 10 s
          assertThrows(QueueAbandonedException.class, q::take);
          assertNull(q.receive());
          assertNull(q.poll(10, TimeUnit.SECONDS));
        });
  }

  @Test
  void blockedTimedOfferReturnsFalseWhenAbandoned() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(1, 1);
          CancellableBoundedQueue<Integer>.Registration c = q.registerConsumer();
          q.put(0);
          Call offer = new Call("offer", () -> q.offer(1, 10, TimeUnit.SECONDS)).awaitBlocked();
          long t0 = System.nanoTime();
          c.close();
          assertEquals(false, offer.get());
          assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        });
  }

  @Test
  void doesNotFireBeforeEveryExpectedConsumerHasRegistered() throws Exception {
    CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(2, 3);
    try (var a = q.registerConsumer()) {
      assertFalse(q.isAbandoned());
    }
    assertFalse(q.isAbandoned(), "1 of 3 registered and left: must not fire");
    q.put(1);
    try (var b = q.registerConsumer()) {
      assertEquals(1, q.take());
    }
    assertFalse(q.isAbandoned(), "2 of 3 registered and left: must not fire");
    q.put(2);
    var c = q.registerConsumer();
    assertFalse(q.isAbandoned());
    assertThrows(IllegalStateException.class, q::registerConsumer, "a fourth consumer");
    c.close();
    assertTrue(q.isAbandoned(), "all 3 registered and left");
  }

  @Test
  void registrationCloseIsIdempotent() {
    CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(2, 2);
    var a = q.registerConsumer();
    var b = q.registerConsumer();
    a.close();
    a.close();
    a.close();
    assertFalse(q.isAbandoned(), "closing one handle three times counts once");
    b.close();
    assertTrue(q.isAbandoned());
  }

  @Test
  void untrackedQueueOnlyAbandonsOnCancel() {
    CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(2);
    assertThrows(IllegalStateException.class, q::registerConsumer);
    assertFalse(q.isAbandoned());
    q.cancel();
    q.cancel();
    assertTrue(q.isAbandoned());
  }

  @Test
  void cancelWakesEveryBlockedProducerAndConsumer() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CancellableBoundedQueue<Integer> full = new CancellableBoundedQueue<>(1, 4);
          full.put(0);
          List<Call> producers = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            int v = i + 1;
            producers.add(
                new Call(
                        "p" + i,
                        () -> {
                          full.put(v);
                          return "inserted";
                        })
                    .awaitBlocked());
          }
          CancellableBoundedQueue<Integer> empty = new CancellableBoundedQueue<>(1);
          Call take = new Call("take", empty::take).awaitBlocked();
          Call receive = new Call("receive", empty::receive).awaitBlocked();
          Call poll = new Call("poll", () -> empty.poll(10, TimeUnit.SECONDS)).awaitBlocked();
          full.cancel(); // anyone may cancel, e.g. the caller that joined the consumers
          empty.cancel();
          for (Call p : producers) {
            assertInstanceOf(QueueAbandonedException.class, p.get());
          }
          assertInstanceOf(QueueAbandonedException.class, take.get());
          assertNull(receive.get());
          assertNull(poll.get());
        });
  }

  @Test
  void abandoningReleasesBufferedElements() throws Exception {
    CancellableBoundedQueue<Object> q = new CancellableBoundedQueue<>(4, 1);
    var c = q.registerConsumer();
    ReferenceQueue<Object> rq = new ReferenceQueue<>();
    WeakReference<Object> ref = fill(q, rq);
    c.close();
    assertCollected(ref, rq, "buffered element");
  }

  private static WeakReference<Object> fill(
      CancellableBoundedQueue<Object> q, ReferenceQueue<Object> rq) {
    Object big = new byte[1 << 16];
    q.add(big);
    q.add(new Object());
    return new WeakReference<>(big, rq);
  }

  // ---- close: end-of-stream
  // ----------------------------------------------------------------------

  @Test
  void closeDrainsThenSignalsEndOfStream() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(3);
          q.put(1);
          q.put(2);
          q.close();
          q.close();
          assertTrue(q.isClosed());
          assertFalse(q.isEndOfStream());
          assertEquals(0, q.remainingCapacity());
          assertThrows(QueueClosedException.class, () -> q.put(3));
          assertThrows(QueueClosedException.class, () -> q.add(3));
          assertFalse(q.offer(3));
          assertFalse(q.offer(3, 10, TimeUnit.SECONDS));
          assertEquals(1, q.take());
          assertEquals(2, q.receive());
          assertTrue(q.isEndOfStream());
          assertThrows(QueueClosedException.class, q::take);
          assertNull(q.receive());
          assertNull(q.poll());
          assertNull(q.poll(10, TimeUnit.SECONDS));
          assertFalse(q.isAbandoned(), "close is not abandonment");
        });
  }

  @Test
  void closeWakesBlockedConsumersAndProducers() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CancellableBoundedQueue<Integer> empty = new CancellableBoundedQueue<>(1);
          Call take = new Call("take", empty::take).awaitBlocked();
          Call receive = new Call("receive", empty::receive).awaitBlocked();
          Call poll = new Call("poll", () -> empty.poll(10, TimeUnit.SECONDS)).awaitBlocked();
          empty.close();
          assertInstanceOf(QueueClosedException.class, take.get());
          assertNull(receive.get());
          assertNull(poll.get());

          CancellableBoundedQueue<Integer> full = new CancellableBoundedQueue<>(1);
          full.put(1);
          Call put =
              new Call(
                      "put",
                      () -> {
                        full.put(2);
                        return "inserted";
                      })
                  .awaitBlocked();
          full.close(); // another producer closed while this one waited
          assertInstanceOf(QueueClosedException.class, put.get());
          assertEquals(1, full.take());
        });
  }

  @Test
  void toStringShowsState() {
    CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(2, 1);
    assertTrue(q.toString().contains("OPEN"));
    q.close();
    assertTrue(q.toString().contains("CLOSED"));
    q.cancel();
    assertTrue(q.toString().contains("ABANDONED"));
  }

  @Test
  void completableFutureSmoke() throws Exception {
    // a consumer on another thread sees every element and then end-of-stream
    CancellableBoundedQueue<Integer> q = new CancellableBoundedQueue<>(2, 1);
    CompletableFuture<Integer> sum =
        CompletableFuture.supplyAsync(
            () -> {
              int s = 0;
              try (var c = q.registerConsumer()) {
                for (Integer x; (x = q.receive()) != null; ) {
                  s += x;
                }
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
              return s;
            });
    for (int i = 1; i <= 100; i++) {
      q.put(i);
    }
    q.close();
    assertEquals(5050, sum.get(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
  }
}
