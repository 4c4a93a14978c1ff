package io.leakedproducer.testdata.deletecollection;

import io.leakedproducer.runtime.BoundedDeleter;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * The same operation on {@link BoundedDeleter}: the first error stops the hand-out, in-flight
 * deletes finish, and no thread outlives the call, so nothing keeps the list alive.
 */
public final class DeleteCollectionFixed {
  private DeleteCollectionFixed() {}

  /** Deletes every listed item with {@code workers} threads; returns the first error, or null. */
  public static <T> Exception deleteCollection(ObjectStore<T> store, int workers) throws InterruptedException {
    List<T> items = store.list();
    try {
      // Kubernetes ignores NotFound: someone else already deleted the item.
      BoundedDeleter.<T>builder()
          .workers(workers)
          .tolerate(e -> e instanceof Exception failure && store.isNotFound(failure))
          .build()
          .deleteAll(items, store::delete);
      return null;
    } catch (ExecutionException e) {
      return e.getCause() instanceof Exception cause ? cause : e;
    }
  }
}
