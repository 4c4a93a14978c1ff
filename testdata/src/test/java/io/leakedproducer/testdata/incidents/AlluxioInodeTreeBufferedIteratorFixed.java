// Reduction of Alluxio https://github.com/Alluxio/alluxio/pull/12383 ("Fix memory leak in inode
// tree iterator"), the merged fix: the iterator becomes Closeable and close() shuts both executors
// down now, interrupting crawlers parked in put. Written for leaked-producer; no upstream code
// copied.
package io.leakedproducer.testdata.incidents;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The read-ahead inode-tree iterator of {@link AlluxioInodeTreeBufferedIterator} after the fix: it
 * is {@link Closeable}, {@link #close()} calls {@code shutdownNow()} on the coordinator and the
 * crawler pool, and the checkpoint writer closes it in a try-with-resources block, so a writer
 * that fails part way still stops every crawler.
 */
public class AlluxioInodeTreeBufferedIteratorFixed
    implements Iterator<AlluxioInodeTreeBufferedIteratorFixed.JournalEntry>, Closeable {
  /** An inode; directories have children. */
  record Inode(long id, String name, List<Inode> children) {
    boolean isDirectory() {
      return children != null;
    }

    JournalEntry toJournalEntry() {
      return new JournalEntry(id, name);
    }
  }

  /** One entry of the checkpoint. */
  record JournalEntry(long sequenceNumber, String name) {}

  // Signal the end of the iteration and a failed crawl.
  private static final long TERMINATION_SEQ = -1;
  private static final long FAILURE_SEQ = -2;

  private final ExecutorService mThreadPool;
  private final ExecutorService mCoordinatorExecutor;
  private final CompletionService<Boolean> mCrawlerCompletionService;
  private final Set<Future<Boolean>> mActiveCrawlers = new HashSet<>();
  private final BlockingQueue<JournalEntry> mEntryBuffer;
  private final BlockingQueue<Inode> mDirectoriesToIterate = new LinkedBlockingQueue<>();
  private final LinkedList<JournalEntry> mNextElements = new LinkedList<>();
  private final AtomicBoolean mBufferingActive = new AtomicBoolean(true);
  private final AtomicReference<Throwable> mBufferingFailure = new AtomicReference<>();

  AlluxioInodeTreeBufferedIteratorFixed(Inode rootInode, int crawlerCount, int entryBufferSize) {
    mCoordinatorExecutor = Executors.newSingleThreadExecutor(daemon("inode-tree-coordinator"));
    mThreadPool = Executors.newFixedThreadPool(crawlerCount, daemon("inode-tree-crawler"));
    mCrawlerCompletionService = new ExecutorCompletionService<>(mThreadPool);
    mEntryBuffer = new LinkedBlockingQueue<>(entryBufferSize);
    mDirectoriesToIterate.add(rootInode);
    startBuffering();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Enumerates one directory: its own entry, its files, and its subdirectories for later. */
  private final class DirectoryCrawler implements Callable<Boolean> {
    private final Inode mDirInode;

    DirectoryCrawler(Inode dirInode) {
      mDirInode = dirInode;
    }

    @Override
    public Boolean call() throws Exception {
      try {
        mEntryBuffer.put(mDirInode.toJournalEntry());
        mDirInode
            .children()
            .forEach(
                child -> {
                  try {
                    if (child.isDirectory()) {
                      mDirectoriesToIterate.put(child);
                    } else {
                      mEntryBuffer.put(child.toJournalEntry());
                    }
                  } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while enumerating a dir", ie);
                  }
                });
        return true;
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while enumerating a dir", ie);
      }
    }
  }

  private void startBuffering() {
    mCoordinatorExecutor.submit(
        () -> {
          try {
            // Loop while a directory waits to be crawled or a crawler is still running.
            while (!mActiveCrawlers.isEmpty() || !mDirectoriesToIterate.isEmpty()) {
              if (!mDirectoriesToIterate.isEmpty()) {
                mActiveCrawlers.add(
                    mCrawlerCompletionService.submit(
                        new DirectoryCrawler(mDirectoriesToIterate.take())));
              } else {
                Future<Boolean> crawlerFuture =
                    mCrawlerCompletionService.poll(100, TimeUnit.MILLISECONDS);
                if (crawlerFuture != null) {
                  mActiveCrawlers.remove(crawlerFuture);
                  crawlerFuture.get();
                }
              }
            }
            mEntryBuffer.put(new JournalEntry(TERMINATION_SEQ, ""));
          } catch (InterruptedException ie) {
            mActiveCrawlers.forEach(future -> future.cancel(true));
            Thread.currentThread().interrupt();
          } catch (ExecutionException ee) {
            mActiveCrawlers.forEach(future -> future.cancel(true));
            mBufferingFailure.set(ee.getCause());
            try {
              mEntryBuffer.put(new JournalEntry(FAILURE_SEQ, ""));
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
            }
          } finally {
            mBufferingActive.set(false);
          }
          return null;
        });
    // Lets the coordinator thread go once its single task is done.
    mCoordinatorExecutor.shutdown();
  }

  @Override
  public boolean hasNext() {
    if (mNextElements.size() == 1
        && mNextElements.peekFirst().sequenceNumber() == TERMINATION_SEQ) {
      return false;
    }
    if (!mNextElements.isEmpty()) {
      return true;
    }
    try {
      if (mEntryBuffer.drainTo(mNextElements) == 0) {
        while (mBufferingActive.get() || !mEntryBuffer.isEmpty()) {
          JournalEntry entry = mEntryBuffer.poll(30, TimeUnit.SECONDS);
          if (entry != null) {
            mNextElements.addLast(entry);
            break;
          }
        }
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while taking an entry from the buffer", ie);
    }
    if (mNextElements.size() == 1) {
      return mNextElements.peekLast().sequenceNumber() != TERMINATION_SEQ;
    }
    return !mNextElements.isEmpty();
  }

  @Override
  public JournalEntry next() {
    if (mNextElements.isEmpty() && !hasNext()) {
      throw new NoSuchElementException();
    }
    JournalEntry nextElement = mNextElements.removeFirst();
    if (nextElement.sequenceNumber() == FAILURE_SEQ) {
      throw new IllegalStateException(mBufferingFailure.get());
    }
    return nextElement;
  }

  @Override
  public void close() {
    mCoordinatorExecutor.shutdownNow();
    mThreadPool.shutdownNow();
  }

  /** Builds a tree of {@code dirs} directories of {@code filesPerDir} files each. */
  static Inode tree(int dirs, int filesPerDir) {
    long id = 1;
    List<Inode> topLevel = new ArrayList<>();
    for (int d = 0; d < dirs; d++) {
      List<Inode> files = new ArrayList<>();
      for (int f = 0; f < filesPerDir; f++) {
        files.add(new Inode(++id, "file-" + f, null));
      }
      topLevel.add(new Inode(++id, "dir-" + d, files));
    }
    return new Inode(0, "/", topLevel);
  }

  /** Writes a checkpoint; the output stream fails once the disk is full. */
  static void writeCheckpoint(Iterator<JournalEntry> entries, int diskRoomEntries)
      throws IOException {
    int written = 0;
    while (entries.hasNext()) {
      entries.next();
      if (++written > diskRoomEntries) {
        throw new IOException("No space left on device after " + diskRoomEntries + " entries");
      }
    }
  }

  public static void main(String[] args) throws Exception {
    try (AlluxioInodeTreeBufferedIteratorFixed entries =
        new AlluxioInodeTreeBufferedIteratorFixed(tree(40, 500), 4, 100)) {
      writeCheckpoint(entries, 50);
      System.out.println("checkpoint written");
    } catch (IOException e) {
      System.out.println("checkpoint failed: " + e.getMessage());
    }
  }
}
