package eval.cases;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;

/**
 * A download handed to the caller as an iterator of chunks; a background task fetches the next
 * chunk while the caller processes the current one. close() only calls shutdown(), which does not
 * stop the running fetch: a caller that stops early leaves the fetcher parked in the handoff.
 */
public final class ChunkedDownloadIterator implements Iterator<byte[]>, AutoCloseable {
  private static final byte[] DONE = new byte[0];
  private final SynchronousQueue<byte[]> handoff = new SynchronousQueue<>();
  private final ExecutorService fetcher = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "chunk-fetcher");
    t.setDaemon(true);
    return t;
  });
  private byte[] next;

  ChunkedDownloadIterator(int chunks) {
    fetcher.submit(() -> {
      for (int i = 0; i < chunks; i++) {
        handoff.put(new byte[1024]); // LEAK
      }
      handoff.put(DONE); // LEAK
      return null;
    });
  }

  @Override
  public boolean hasNext() {
    if (next == null) {
      try {
        next = handoff.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return next != DONE;
  }

  @Override
  public byte[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    byte[] chunk = next;
    next = null;
    return chunk;
  }

  @Override
  public void close() {
    fetcher.shutdown();
  }

  public static void main(String[] args) {
    try (ChunkedDownloadIterator chunks = new ChunkedDownloadIterator(50)) {
      int read = 0;
      while (chunks.hasNext() && read < 2) {
        chunks.next();
        read++;
      }
      System.out.println("read " + read + " chunks, then the caller stopped");
    }
  }
}
