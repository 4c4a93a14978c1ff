package io.leakedproducer.testdata.csvimporter;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The importer fixed by sizing the queue for every element: its capacity is the number of rows
 * plus the end marker, so the request thread never waits in {@code put}, whatever happens to the
 * booking thread. The booking thread's death is reported instead of lost.
 */
public final class CsvImporterFixed {
  private CsvImporterFixed() {}

  /** Books every row; returns how many were booked, or throws the booking thread's failure. */
  public static int importRows(List<String> rows, Ledger ledger) throws InterruptedException {
    BlockingQueue<String> pending = new ArrayBlockingQueue<>(rows.size() + 1);
    AtomicInteger booked = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread booking =
        new Thread(
            () -> {
              try {
                while (true) {
                  String row = pending.take();
                  if (row.isEmpty()) {
                    return;
                  }
                  int comma = row.indexOf(',');
                  ledger.book(row.substring(0, comma), Integer.parseInt(row.substring(comma + 1).trim()));
                  booked.incrementAndGet();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "csv-import-booking");
    booking.setUncaughtExceptionHandler((thread, e) -> failure.set(e));
    booking.start();

    for (String row : rows) {
      pending.put(row);
    }
    pending.put("");
    booking.join();
    if (failure.get() != null) {
      throw new IllegalArgumentException("import stopped after " + booked.get() + " rows", failure.get());
    }
    return booked.get();
  }
}
