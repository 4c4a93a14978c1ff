package io.leakedproducer.testdata.deletecollection;

import java.util.List;

/** The storage the registry deletes from: etcd in Kubernetes, anything here. */
public interface ObjectStore<T> {
  List<T> list();

  void delete(T item) throws Exception;

  /** Kubernetes ignores "not found" when deleting a collection: someone else deleted it first. */
  default boolean isNotFound(Exception e) {
    return false;
  }
}
