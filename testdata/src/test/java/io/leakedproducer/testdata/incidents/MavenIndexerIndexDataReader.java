// Reduction of Apache Maven Indexer https://github.com/apache/maven-indexer/pull/314
// (MINDEXER-188): silo writer threads quit on an IOException and the reading thread blocks forever
// in put. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loads a downloaded index into per-thread "silo" writers. The calling thread decodes documents
 * and hands them to the silo threads through a bounded queue; the silo threads stop at the first
 * IOException. When the temporary storage fills up every silo fails, and the caller, which is the
 * only producer, waits in {@code put} for a taker that no longer exists: the index update hangs.
 */
public class MavenIndexerIndexDataReader {
  /** One decoded index record; the end marker is compared by identity. */
  static final class Document {
    final String groupId;
    final String artifactId;

    Document(String groupId, String artifactId) {
      this.groupId = groupId;
      this.artifactId = artifactId;
    }
  }

  /** Temporary disk space shared by all silos; it runs out after a fixed number of documents. */
  static final class TempStorage {
    private final AtomicInteger freeDocuments;

    TempStorage(int freeDocuments) {
      this.freeDocuments = new AtomicInteger(freeDocuments);
    }

    void reserve() throws IOException {
      if (freeDocuments.decrementAndGet() < 0) {
        throw new IOException("No space left on device");
      }
    }
  }

  /** A per-thread index writer in its own temporary directory. */
  static final class SiloWriter {
    private final TempStorage storage;
    int written;

    SiloWriter(TempStorage storage) {
      this.storage = storage;
    }

    void addDocument(Document doc) throws IOException {
      storage.reserve();
      written++;
    }
  }

  private final int totalDocuments;
  private final int threads;
  private int decoded;

  MavenIndexerIndexDataReader(int totalDocuments, int threads) {
    this.totalDocuments = totalDocuments;
    this.threads = threads;
  }

  /** Decodes the next record of the index stream, or returns null at its end. */
  private Document readDocument() {
    if (decoded == totalDocuments) {
      return null;
    }
    decoded++;
    return new Document("org.example.g" + (decoded % 97), "artifact-" + decoded);
  }

  private static void addToIndex(Document doc, SiloWriter writer) throws IOException {
    if (doc.groupId.isEmpty()) {
      throw new IOException("record without groupId");
    }
    writer.addDocument(doc);
  }

  int readIndex(TempStorage storage) throws IOException {
    return readIndexMT(storage);
  }

  private int readIndexMT(TempStorage storage) throws IOException {
    final Document theEnd = new Document("-", "-");
    ArrayBlockingQueue<Document> queue = new ArrayBlockingQueue<>(10_000);
    ExecutorService executorService = Executors.newFixedThreadPool(threads);
    List<Exception> errors = Collections.synchronizedList(new ArrayList<>());
    List<SiloWriter> siloWriters = new ArrayList<>(threads);
    for (int i = 0; i < threads; i++) {
      final int silo = i;
      siloWriters.add(new SiloWriter(storage));
      executorService.execute(
          () -> {
            while (true) {
              try {
                Document doc = queue.take();
                if (doc == theEnd) {
                  break;
                }
                addToIndex(doc, siloWriters.get(silo));
              } catch (InterruptedException | IOException e) {
                // The silo gives up; nobody tells the reading thread.
                errors.add(e);
                break;
              }
            }
          });
    }

    int n = 0;
    try {
      Document doc;
      while ((doc = readDocument()) != null) {
        queue.put(doc); // LEAK
        n++;
      }
      for (int i = 0; i < threads; i++) {
        queue.put(theEnd); // LEAK
      }
      executorService.shutdown();
      executorService.awaitTermination(5L, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      throw new IOException("Interrupted", e);
    }

    if (!errors.isEmpty()) {
      IOException exception = new IOException("Error during load of index");
      errors.forEach(exception::addSuppressed);
      throw exception;
    }
    return n;
  }

  public static void main(String[] args) throws Exception {
    MavenIndexerIndexDataReader reader = new MavenIndexerIndexDataReader(40_000, 2);
    // Room for 500 documents in the temp directory: both silos fail long before the end.
    int loaded = reader.readIndex(new TempStorage(500));
    System.out.println("loaded " + loaded + " documents");
  }
}
