package io.leakedproducer.testdata.csvimporter;

/** The accounting ledger rows are booked into. */
public interface Ledger {
  void book(String account, int cents);
}
