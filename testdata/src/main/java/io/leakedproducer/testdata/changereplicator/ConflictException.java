package io.leakedproducer.testdata.changereplicator;

/** The replica refused a change: the row was modified there since the last sync. */
public class ConflictException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConflictException(String message) {
    super(message);
  }
}
