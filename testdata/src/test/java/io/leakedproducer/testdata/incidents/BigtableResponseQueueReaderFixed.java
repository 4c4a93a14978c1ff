// Reduction of Cloud Bigtable HBase client https://github.com/googleapis/java-bigtable-hbase/issues/1470
// as fixed by PR https://github.com/googleapis/java-bigtable-hbase/pull/1471: the transport thread
// never blocks; the queue is unbounded and the scanner asks for the next response (inbound flow
// control) only when it has consumed the rows of the previous one. Written for leaked-producer;
// no upstream code copied.
package io.leakedproducer.testdata.incidents;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** A streaming scan whose rows arrive on a transport thread and are read through a scanner. */
public class BigtableResponseQueueReaderFixed {
  /** The callback interface of a server-streaming call. */
  interface StreamObserver<T> {
    void onNext(T value);

    void onError(Throwable t);

    void onCompleted();
  }

  /** The request side of a call with manual inbound flow control. */
  interface RequestStream {
    void request(int responses);
  }

  /** An observer that is handed the request side before the call starts. */
  interface ClientResponseObserver<T> extends StreamObserver<T> {
    void beforeStart(RequestStream requestStream);
  }

  /** A row, a failure, or the end of the stream, as queued for the scanner. */
  static final class ResultQueueEntry {
    enum Type { DATA, EXCEPTION, COMPLETION_MARKER, REQUEST_RESULT_MARKER }

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

    static ResultQueueEntry requestResultMarker() {
      return new ResultQueueEntry(Type.REQUEST_RESULT_MARKER, null, null);
    }
  }

  /** Thrown when no response arrived in time; the scan handler decides whether to retry. */
  static final class ScanTimeoutException extends IOException {
    ScanTimeoutException(String message) {
      super(message);
    }
  }

  /** Queues the responses of one ReadRows call for the scanner; one response holds a few rows. */
  static class ResponseQueueReader implements ClientResponseObserver<List<String>> {
    private final BlockingQueue<ResultQueueEntry> resultQueue = new LinkedBlockingQueue<>();
    private volatile boolean completionMarkerFound = false;
    private boolean lastResponseProcessed = false;
    private RequestStream requestStream;

    @Override
    public void beforeStart(RequestStream requestStream) {
      this.requestStream = requestStream;
      requestStream.request(1);
    }

    /** The next row, or null at the end of the stream. */
    synchronized String getNextMergedRow() throws IOException {
      while (!lastResponseProcessed) {
        ResultQueueEntry entry = getNext();
        switch (entry.type) {
          case COMPLETION_MARKER:
            lastResponseProcessed = true;
            return null;
          case EXCEPTION:
            throw new IOException("ReadRows failed", entry.error);
          case REQUEST_RESULT_MARKER:
            // Every row of the previous response was consumed: ask for the next one.
            if (!completionMarkerFound) {
              requestStream.request(1);
            }
            break;
          default:
            return entry.row;
        }
      }
      return null;
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
    public void onNext(List<String> response) {
      for (String row : response) {
        resultQueue.add(ResultQueueEntry.fromResponse(row));
      }
      resultQueue.add(ResultQueueEntry.requestResultMarker());
    }

    @Override
    public void onError(Throwable t) {
      resultQueue.add(ResultQueueEntry.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      completionMarkerFound = true;
      resultQueue.add(ResultQueueEntry.completionMarker());
    }
  }

  /**
   * Stands in for the gRPC call: delivers responses of a few rows each on a transport thread, one
   * per request; the rows not yet requested stay with the server. Cancelling ends the call.
   */
  static final class ReadRowsCall implements RequestStream {
    private static final int ROWS_PER_RESPONSE = 3;
    private final List<String> serverRows;
    private final Semaphore requested = new Semaphore(0);
    private volatile boolean cancelled;

    ReadRowsCall(List<String> serverRows) {
      this.serverRows = serverRows;
    }

    void start(ClientResponseObserver<List<String>> observer) {
      observer.beforeStart(this);
      Thread transport = new Thread(() -> {
        int next = 0;
        try {
          while (!cancelled && next < serverRows.size()) {
            if (!requested.tryAcquire(50, TimeUnit.MILLISECONDS)) {
              continue;
            }
            int end = Math.min(next + ROWS_PER_RESPONSE, serverRows.size());
            observer.onNext(new ArrayList<>(serverRows.subList(next, end)));
            next = end;
          }
          if (!cancelled) {
            observer.onCompleted();
          }
        } catch (InterruptedException e) {
          observer.onError(e);
        }
      }, "grpc-default-executor-0");
      transport.setDaemon(true);
      transport.start();
    }

    @Override
    public void request(int responses) {
      requested.release(responses);
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
  static ResumingStreamingResultScanner readFlatRows(List<String> serverRows) {
    ResponseQueueReader reader = new ResponseQueueReader();
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
    try (ResumingStreamingResultScanner scanner = readFlatRows(table)) {
      System.out.println("first row: " + scanner.next());
      Thread.sleep(200);
    }
    Thread.sleep(200);
    System.out.println("scanner closed");
  }
}
