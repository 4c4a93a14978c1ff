package io.leakedproducer.testdata.csvimporter;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Imports "account,cents" rows: the request thread queues the rows, a booking thread parses and
 * books them. {@code Integer.parseInt} throws {@link NumberFormatException} on a malformed amount,
 * which kills the booking thread; the request thread then blocks in {@code put} and the import
 * request hangs forever.
 */
public final class CsvImporterLeaky {
  private CsvImporterLeaky() {}

  /** Books every row; returns how many were booked. */
  public static int importRows(List<String> rows, Ledger ledger) throws InterruptedException {
    BlockingQueue<String> pending = new ArrayBlockingQueue<>(64);
    AtomicInteger booked = new AtomicInteger();
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
    booking.start();

    for (String row : rows) {
      pending.put(row);
    }
    pending.put("");
    booking.join();
    return booked.get();
  }
}
