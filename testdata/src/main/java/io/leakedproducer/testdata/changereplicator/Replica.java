package io.leakedproducer.testdata.changereplicator;

/** The follower database changes are applied to, in order. */
public interface Replica {
  void apply(String statement) throws ConflictException;
}
