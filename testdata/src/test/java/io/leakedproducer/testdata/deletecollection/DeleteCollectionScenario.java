package io.leakedproducer.testdata.deletecollection;

import io.leakedproducer.testdata.Run;
import io.leakedproducer.testdata.Scenario;
import java.util.ArrayList;
import java.util.List;

/** Every delete fails (a degraded etcd): every worker returns on its first error. */
public final class DeleteCollectionScenario implements Scenario {
  static final int ITEMS = 1_000;

  /** A store whose deletes all fail. */
  static final class FailingStore implements ObjectStore<Object> {
    private final List<Object> items;

    FailingStore(List<Object> items) {
      this.items = items;
    }

    @Override
    public List<Object> list() {
      return items;
    }

    @Override
    public void delete(Object item) {
      throw new IllegalStateException("etcdserver: request timed out");
    }
  }

  @Override
  public String program() {
    return "deletecollection.DeleteCollection";
  }

  @Override
  public String insertion() {
    return "put";
  }

  @Override
  public String producerThread() {
    return "delete-collection-distributor";
  }

  @Override
  public Run start(Class<?> program) {
    List<Object> items = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      items.add(new byte[1024]);
    }
    ObjectStore<Object> store = new FailingStore(items);
    return Run.start("deletecollection", items, () -> Run.invoke(program, "deleteCollection", store, 4));
  }

  @Override
  public void verify(Run run, boolean patched) {
    if (!(run.returned() instanceof IllegalStateException)) {
      throw new AssertionError("expected the first delete error to be returned; got " + run.returned()
          + ", thrown " + run.thrown());
    }
  }
}
