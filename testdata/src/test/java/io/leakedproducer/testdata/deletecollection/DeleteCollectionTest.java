package io.leakedproducer.testdata.deletecollection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakedproducer.runtime.LeakedProducers;
import io.leakedproducer.runtime.LeakedProducers.StuckProducer;
import io.leakedproducer.testdata.Leaks;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Kubernetes PR 105606 at run time: the leaky port strands its distributor, the fixed one does not. */
@Timeout(60)
final class DeleteCollectionTest {
  private static final int ITEMS = 1_000;
  private static final int WORKERS = 4;

  /** A store like a degraded etcd: every delete fails. It keeps only a weak reference to the list. */
  static final class Store implements ObjectStore<Object> {
    final boolean failing;
    final Set<Object> deleted = ConcurrentHashMap.newKeySet();
    final RuntimeException failure = new IllegalStateException("etcdserver: request timed out");
    WeakReference<List<Object>> listed;

    Store(boolean failing) {
      this.failing = failing;
    }

    @Override
    public List<Object> list() {
      List<Object> items = new ArrayList<>();
      for (int i = 0; i < ITEMS; i++) {
        items.add(new byte[1024]);
      }
      listed = new WeakReference<>(items);
      return items;
    }

    @Override
    public void delete(Object item) {
      if (failing) {
        throw failure;
      }
      assertTrue(deleted.add(item), "deleted twice");
    }
  }

  @Test
  void leakyPortStrandsTheDistributorAndTheList() throws Exception {
    Store store = new Store(true);
    Set<Thread> before = Leaks.liveThreads();
    LeakedProducers.Verifier verifier = LeakedProducers.verifier().ignoreCurrent();

    Exception error = DeleteCollectionLeaky.deleteCollection(store, WORKERS);

    assertSame(store.failure, error);
    try {
      // The distributor may still be on its way to put(): ask until the verifier sees it stuck.
      AtomicReference<List<StuckProducer>> stuck = new AtomicReference<>(List.of());
      assertTrue(
          Leaks.await(() -> !stuck.updateAndGet(s -> verifier.stuckProducers()).isEmpty()),
          "the distributor should be stuck in put() after the call returned; threads: "
              + Leaks.startedSince(before));
      assertEquals(1, stuck.get().size(), "stuck: " + stuck.get());
      StuckProducer distributor = stuck.get().get(0);
      assertEquals("delete-collection-distributor", distributor.threadName());
      assertEquals(
          "java.util.concurrent.ArrayBlockingQueue", distributor.insertionFrame().getClassName());
      assertEquals("put", distributor.insertionFrame().getMethodName());
      assertEquals("DeleteCollectionLeaky.java", distributor.callerFrame().getFileName());
      // The caller frame is the distributor's put of an item (not the end marker's put).
      List<String> source =
          Files.readAllLines(
              Path.of(
                  "src/main/java/io/leakedproducer/testdata/deletecollection",
                  "DeleteCollectionLeaky.java"));
      assertEquals(
          "toProcess.put(i);", source.get(distributor.callerFrame().getLineNumber() - 1).trim());
      assertTrue(!Leaks.clearedAfterGc(store.listed), "the stuck distributor should keep the list reachable");
    } finally {
      Leaks.release(Leaks.startedSince(before));
    }
  }

  @Test
  void fixedPortLeavesNoThreadAndReleasesTheList() throws Exception {
    Store store = new Store(true);
    Set<Thread> before = Leaks.liveThreads();
    LeakedProducers.Verifier verifier = LeakedProducers.verifier().ignoreCurrent();

    Exception error = DeleteCollectionFixed.deleteCollection(store, WORKERS);

    assertSame(store.failure, error);
    verifier.verify();
    List<Thread> started = Leaks.startedSince(before);
    assertTrue(started.isEmpty(), "threads left running: " + started);
    assertTrue(Leaks.clearedAfterGc(store.listed), "the list should be unreachable once the call returned");
  }

  @Test
  void bothPortsDeleteEverythingWhenNothingFails() throws Exception {
    Store leakyStore = new Store(false);
    assertNull(DeleteCollectionLeaky.deleteCollection(leakyStore, WORKERS));
    assertEquals(ITEMS, leakyStore.deleted.size());

    Store fixedStore = new Store(false);
    Set<Thread> before = Leaks.liveThreads();
    assertNull(DeleteCollectionFixed.deleteCollection(fixedStore, WORKERS));
    assertEquals(ITEMS, fixedStore.deleted.size());
    assertTrue(Leaks.startedSince(before).isEmpty());
    assertNotNull(fixedStore.listed);
  }
}
