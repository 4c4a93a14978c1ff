package eval.cases;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads archived invoices with two loader tasks that fetch their partitions into a small buffer.
 * Callers read as far as they need and close the reader in try-with-resources; close() calls
 * shutdownNow(), whose interrupt ends the loaders' put.
 */
public final class InvoiceArchiveReader implements AutoCloseable {
  record Invoice(String id, long totalCents) {}

  private static final ThreadFactory LOADER_THREADS = new ThreadFactory() {
    private final AtomicInteger n = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "invoice-loader-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  };

  private final ExecutorService loaders = Executors.newFixedThreadPool(2, LOADER_THREADS);
  private final BlockingQueue<Invoice> ready = new ArrayBlockingQueue<>(4);

  InvoiceArchiveReader(List<String> invoiceIds) {
    int half = invoiceIds.size() / 2;
    List<List<String>> partitions =
        List.of(invoiceIds.subList(0, half), invoiceIds.subList(half, invoiceIds.size()));
    for (List<String> partition : partitions) {
      loaders.submit(() -> load(partition));
    }
  }

  private Void load(List<String> ids) throws InterruptedException {
    for (String id : ids) {
      ready.put(fetch(id));
    }
    return null;
  }

  private static Invoice fetch(String id) {
    return new Invoice(id, 100L * id.length());
  }

  Invoice next() throws InterruptedException {
    return ready.take();
  }

  @Override
  public void close() {
    loaders.shutdownNow();
  }

  public static void main(String[] args) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      ids.add("INV-2026-" + i);
    }
    try (InvoiceArchiveReader reader = new InvoiceArchiveReader(ids)) {
      for (int i = 0; i < 3; i++) {
        System.out.println(reader.next());
      }
    }
    Thread.sleep(200);
  }
}
