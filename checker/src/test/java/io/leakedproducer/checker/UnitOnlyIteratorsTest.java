package io.leakedproducer.checker;

import com.google.errorprone.CompilationTestHelper;
import org.junit.jupiter.api.Test;

/**
 * An {@code Iterator} of the unit whose every instance stays in the unit (created here, handed only
 * to the unit's own methods and private fields) is not an external consumer: its consumers are the
 * unit's loops over it, judged by their exits (spec: "an external consumer" is one behind an API
 * that reaches callers). A {@code hasNext()} that gives up when a timed poll returns null stops the
 * loop normally, so a force close that runs only in the load task's {@code catch} does not cover
 * it; a {@code hasNext()} that polls again until the writer closes, and leaves its wait loop only
 * with an element, does not stop early (the CarbonData SDK writer, CARBONDATA-3958 and its fix).
 */
final class UnitOnlyIteratorsTest {
  private final CompilationTestHelper helper =
      CompilationTestHelper.newInstance(LeakedProducer.class, getClass());

  @Test
  void pollTimeoutEndsTheLoadWhileTheForceCloseRunsOnlyOnFailure() {
    helper
        .addSourceLines(
            "BulkLoader.java",
            """
            import java.util.*;
            import java.util.concurrent.*;

            public class BulkLoader {
              /** Hands the rows written by the caller to the load task. */
              static final class RowFeed implements Iterator<String> {
                private final ArrayBlockingQueue<String> queue = new ArrayBlockingQueue<>(8);
                private volatile boolean closed;
                private String next;

                void write(String row) throws InterruptedException {
                  if (closed) {
                    return;
                  }
                  // BUG: Diagnostic contains: the calling thread can block forever in put() on 'queue' (new ArrayBlockingQueue<>(8)): every consumer can stop taking (line 25: takes a single element and stops) and nothing cancels the producer
                  queue.put(row);
                }

                @Override
                public boolean hasNext() {
                  if (next != null) {
                    return true;
                  }
                  try {
                    next = queue.poll(200, TimeUnit.MILLISECONDS);
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                  return next != null;
                }

                @Override
                public String next() {
                  String row = next;
                  next = null;
                  return row;
                }

                void forceClose() {
                  closed = true;
                  queue.clear();
                }
              }

              private final RowFeed feed = new RowFeed();
              private final ExecutorService loader = Executors.newSingleThreadExecutor();

              public BulkLoader() {
                loader.submit(() -> {
                  try {
                    load(feed);
                  } catch (Exception e) {
                    feed.forceClose();
                  }
                });
              }

              private static void load(Iterator<String> rows) throws Exception {
                while (rows.hasNext()) {
                  store(rows.next());
                }
              }

              private static void store(String row) throws Exception {
                if (row.isEmpty()) {
                  throw new Exception("bad record");
                }
              }

              public void write(String row) throws InterruptedException {
                feed.write(row);
              }
            }
            """)
        .doTest();
  }

  @Test
  void hasNextThatPollsAgainUntilClosedNeverStopsEarly() {
    helper
        .addSourceLines(
            "BulkLoader.java",
            """
            import java.util.*;
            import java.util.concurrent.*;

            public class BulkLoader {
              /** Hands the rows written by the caller to the load task. */
              static final class RowFeed implements Iterator<String> {
                private final ArrayBlockingQueue<String> queue = new ArrayBlockingQueue<>(8);
                private volatile boolean closed;
                private String next;

                void write(String row) throws InterruptedException {
                  if (closed) {
                    return;
                  }
                  queue.put(row);
                }

                @Override
                public boolean hasNext() {
                  if (next != null) {
                    return true;
                  }
                  try {
                    while (!closed) {
                      next = queue.poll(200, TimeUnit.MILLISECONDS);
                      if (next == null) {
                        System.out.println("slow writer, polling again");
                      } else {
                        break;
                      }
                    }
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                  return next != null;
                }

                @Override
                public String next() {
                  String row = next;
                  next = null;
                  return row;
                }

                void forceClose() {
                  closed = true;
                  queue.clear();
                }
              }

              private final RowFeed feed = new RowFeed();
              private final ExecutorService loader = Executors.newSingleThreadExecutor();

              public BulkLoader() {
                loader.submit(() -> {
                  try {
                    load(feed);
                  } catch (Exception e) {
                    feed.forceClose();
                  }
                });
              }

              private static void load(Iterator<String> rows) throws Exception {
                while (rows.hasNext()) {
                  store(rows.next());
                }
              }

              private static void store(String row) throws Exception {
                if (row.isEmpty()) {
                  throw new Exception("bad record");
                }
              }

              public void write(String row) throws InterruptedException {
                feed.write(row);
              }
            }
            """)
        .doTest();
  }

  @Test
  void iteratorKeptInTheUnitIsNotAnExternalConsumer() {
    helper
        .addSourceLines(
            "BulkLoader.java",
            """
            import java.util.*;
            import java.util.concurrent.*;

            public class BulkLoader {
              /** Hands the rows written by the caller to the load task. */
              static final class RowFeed implements Iterator<String> {
                private final ArrayBlockingQueue<String> queue = new ArrayBlockingQueue<>(8);
                private volatile boolean closed;
                private String next;

                void write(String row) throws InterruptedException {
                  if (closed) {
                    return;
                  }
                  queue.put(row);
                }

                @Override
                public boolean hasNext() {
                  if (next != null) {
                    return true;
                  }
                  try {
                    while (!closed) {
                      next = queue.poll(200, TimeUnit.MILLISECONDS);
                      if (next == null) {
                        System.out.println("slow writer, polling again");
                      } else {
                        break;
                      }
                    }
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                  return next != null;
                }

                @Override
                public String next() {
                  String row = next;
                  next = null;
                  return row;
                }

                void forceClose() {
                  closed = true;
                  queue.clear();
                }
              }

              private final RowFeed feed = new RowFeed();
              private final ExecutorService loader = Executors.newSingleThreadExecutor();

              public BulkLoader() {
                loader.submit(() -> {
                  try {
                    load(feed);
                  } catch (Exception e) {
                    feed.forceClose();
                  }
                });
              }

              private static void load(Iterator<String> rows) throws Exception {
                while (rows.hasNext()) {
                  store(rows.next());
                }
              }

              private static void store(String row) throws Exception {
                if (row.isEmpty()) {
                  throw new Exception("bad record");
                }
              }

              /** Copies the source table on a thread of its own. */
              public void copyFrom(List<String> sourceRows) {
                Thread copier = new Thread(() -> {
                  try {
                    for (String row : sourceRows) {
                      feed.write(row);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }, "table-copier");
                copier.start();
              }
            }
            """)
        .doTest();
  }

  @Test
  void theSameIteratorReturnedToCallersIsAnExternalConsumer() {
    helper
        .addSourceLines(
            "BulkLoader.java",
            """
            import java.util.*;
            import java.util.concurrent.*;

            public class BulkLoader {
              /** Hands the rows written by the caller to the load task. */
              static final class RowFeed implements Iterator<String> {
                private final ArrayBlockingQueue<String> queue = new ArrayBlockingQueue<>(8);
                private volatile boolean closed;
                private String next;

                void write(String row) throws InterruptedException {
                  if (closed) {
                    return;
                  }
                  // BUG: Diagnostic contains: the thread 'copier' (created at line 83) can block forever in put() on 'queue' (new ArrayBlockingQueue<>(8)): every consumer can stop taking (line 26: the caller of RowFeed.hasNext() can stop taking at any time) and a caller that stops iterating abandons the producer; RowFeed has no close()
                  queue.put(row);
                }

                @Override
                public boolean hasNext() {
                  if (next != null) {
                    return true;
                  }
                  try {
                    while (!closed) {
                      next = queue.poll(200, TimeUnit.MILLISECONDS);
                      if (next == null) {
                        System.out.println("slow writer, polling again");
                      } else {
                        break;
                      }
                    }
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                  return next != null;
                }

                @Override
                public String next() {
                  String row = next;
                  next = null;
                  return row;
                }

                void forceClose() {
                  closed = true;
                  queue.clear();
                }
              }

              private final RowFeed feed = new RowFeed();

              public Iterator<String> rows() {
                return feed;
              }
              private final ExecutorService loader = Executors.newSingleThreadExecutor();

              public BulkLoader() {
                loader.submit(() -> {
                  try {
                    load(feed);
                  } catch (Exception e) {
                    feed.forceClose();
                  }
                });
              }

              private static void load(Iterator<String> rows) throws Exception {
                while (rows.hasNext()) {
                  store(rows.next());
                }
              }

              private static void store(String row) throws Exception {
                if (row.isEmpty()) {
                  throw new Exception("bad record");
                }
              }

              /** Copies the source table on a thread of its own. */
              public void copyFrom(List<String> sourceRows) {
                Thread copier = new Thread(() -> {
                  try {
                    for (String row : sourceRows) {
                      feed.write(row);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }, "table-copier");
                copier.start();
              }
            }
            """)
        .doTest();
  }
}
