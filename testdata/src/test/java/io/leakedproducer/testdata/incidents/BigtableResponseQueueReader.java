// Reduction of Cloud Bigtable HBase client https://github.com/googleapis/java-bigtable-hbase/issues/1470
// (fixed by PR https://github.com/googleapis/java-bigtable-hbase/pull/1471): the gRPC response
// observer puts every row into the scanner's bounded queue on the transport thread; a caller that
// stops reading and closes the scanner only cancels the call, so the transport thread stays
// blocked in put. Written for leaked-producer; no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A streaming scan whose rows arrive on a transport thread and are read through a scanner. */
public class BigtableResponseQueueReader {
  /** The callback interface of a server-streaming call. */
  interface StreamObserver<T> {
    void onNext(T value);

    void onError(Throwable t);

    void onCompleted();
  }

  /** A row, a failure, or the end of the stream, as queued for the scanner. */
  static final class ResultQueueEntry {
    enum Type { DATA, EXCEPTION, COMPLETION_MARKER }

    final Type type;
    final String row;
    final Throwable error;

    private ResultQueueEntry(Type type, String row, Throwable error) {
      this.type = type;
      this.row = row;
      this.error = error;
    }

    static ResultQueueEntry fromResponse(String row) {
      return new ResultQueueEntry(Type.DATA, row, null);
    }

    static ResultQueueEntry fromThrowable(Throwable t) {
      return new ResultQueueEntry(Type.EXCEPTION, null, t);
    }

    static ResultQueueEntry completionMarker() {
      return new ResultQueueEntry(Type.COMPLETION_MARKER, null, null);
    }
  }

  /** Thrown when no response arrived in time; the scan handler decides whether to retry. */
  static final class ScanTimeoutException extends IOException {
    ScanTimeoutException(String message) {
      super(message);
    }
  }

  /** Queues the responses of one ReadRows call for the scanner. */
  static class ResponseQueueReader implements StreamObserver<String> {
    protected final BlockingQueue<ResultQueueEntry> resultQueue;
    private boolean lastResponseProcessed = false;

    ResponseQueueReader(int capacityCap) {
      this.resultQueue = new LinkedBlockingQueue<>(capacityCap);
    }

    /** The next row, or null at the end of the stream. */
    synchronized String getNextMergedRow() throws IOException {
      if (lastResponseProcessed) {
        return null;
      }
      ResultQueueEntry entry = getNext();
      switch (entry.type) {
        case COMPLETION_MARKER:
          lastResponseProcessed = true;
          return null;
        case EXCEPTION:
          throw new IOException("ReadRows failed", entry.error);
        default:
          return entry.row;
      }
    }

    protected ResultQueueEntry getNext() throws IOException {
      ResultQueueEntry entry;
      try {
        entry = resultQueue.poll(250, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while waiting for next result", e);
      }
      if (entry == null) {
        throw new ScanTimeoutException("Timeout while merging responses.");
      }
      return entry;
    }

    @Override
    public void onNext(String row) {
      try {
        resultQueue.put(ResultQueueEntry.fromResponse(row)); // LEAK
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RuntimeException("Interrupted while adding a ResultQueueEntry", e);
      }
    }

    @Override
    public void onError(Throwable t) {
      try {
        resultQueue.put(ResultQueueEntry.fromThrowable(t)); // LEAK
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RuntimeException("Interrupted while adding a ResultQueueEntry", e);
      }
    }

    @Override
    public void onCompleted() {
      try {
        resultQueue.put(ResultQueueEntry.completionMarker()); // LEAK
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RuntimeException("Interrupted while adding a ResultQueueEntry", e);
      }
    }
  }

  /**
   * Stands in for the gRPC call: delivers the server's rows to the observer on a transport thread.
   * Cancelling stops further deliveries; it does not wake a callback that is already running.
   */
  static final class ReadRowsCall {
    private final List<String> serverRows;
    private volatile boolean cancelled;

    ReadRowsCall(List<String> serverRows) {
      this.serverRows = serverRows;
    }

    void start(StreamObserver<String> observer) {
      Thread transport = new Thread(() -> {
        for (String row : serverRows) {
          if (cancelled) {
            return;
          }
          observer.onNext(row);
        }
        observer.onCompleted();
      }, "grpc-default-executor-0");
      transport.setDaemon(true);
      transport.start();
    }

    void cancel() {
      cancelled = true;
    }
  }

  /** Retries timeouts and cancels the call when the scan ends early. */
  static final class ScanHandler {
    private final ReadRowsCall call;
    private int timeouts;

    ScanHandler(ReadRowsCall call) {
      this.call = call;
    }

    void handleTimeout(ScanTimeoutException e) throws IOException {
      if (++timeouts > 3) {
        throw e;
      }
    }

    void cancel() {
      call.cancel();
    }
  }

  /** What the application iterates: next() until null, then close(). */
  static final class ResumingStreamingResultScanner implements Closeable {
    private final ResponseQueueReader responseQueueReader;
    private final ScanHandler scanHandler;

    ResumingStreamingResultScanner(ResponseQueueReader reader, ScanHandler scanHandler) {
      this.responseQueueReader = reader;
      this.scanHandler = scanHandler;
    }

    String next() throws IOException {
      while (true) {
        try {
          return responseQueueReader.getNextMergedRow();
        } catch (ScanTimeoutException e) {
          scanHandler.handleTimeout(e);
        } catch (IOException | RuntimeException e) {
          scanHandler.cancel();
          throw new IOException("Exhausted streaming retries.", e);
        }
      }
    }

    @Override
    public void close() {
      scanHandler.cancel();
    }
  }

  /** The client entry point: starts the call and hands back a scanner over its rows. */
  static ResumingStreamingResultScanner readFlatRows(List<String> serverRows, int bufferSize) {
    ResponseQueueReader reader = new ResponseQueueReader(bufferSize);
    ReadRowsCall call = new ReadRowsCall(serverRows);
    call.start(reader);
    return new ResumingStreamingResultScanner(reader, new ScanHandler(call));
  }

  public static void main(String[] args) throws Exception {
    List<String> table = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      table.add("row-" + i);
    }
    // The application wants the first row after a start key, so it reads one row and closes.
    try (ResumingStreamingResultScanner scanner = readFlatRows(table, 64)) {
      System.out.println("first row: " + scanner.next());
      Thread.sleep(200);
    }
    Thread.sleep(200);
    System.out.println("scanner closed");
  }
}
