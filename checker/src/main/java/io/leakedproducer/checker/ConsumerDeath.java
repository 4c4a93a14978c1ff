package io.leakedproducer.checker;

import com.google.errorprone.ErrorProneFlags;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The unchecked-exception policy, {@code -XepOpt:LeakedProducer:ConsumerDeath=<level>}: which
 * exceptions the check believes can kill a consumer's take loop. Checked exceptions count at every
 * level; the levels differ in how much they assume about code that declares nothing.
 *
 * <p>Each level includes the one before it.
 */
enum ConsumerDeath {
  /**
   * Exceptions thrown by a {@code throw} or declared in a {@code throws} clause, anywhere the loop
   * reaches inside the compilation unit (callees, overrides, handlers defined in the unit).
   */
  STRICT,
  /**
   * Also: a call through a callback that the unit does not implement itself (a handler, appender or
   * listener passed in, a template method left to subclasses) can throw any {@code
   * RuntimeException}.
   */
  CALLBACKS,
  /**
   * Also: any call into code outside the unit can throw any {@code RuntimeException} or {@code
   * Error}, except the few JDK calls that {@link ConcurrencyApiModel} lists as unable to fail. A
   * {@code catch (Exception)} does not stop the {@code Error}.
   */
  BROAD;

  static final String FLAG = "LeakedProducer:ConsumerDeath";

  /**
   * The level used when the flag is absent; chosen by measurement
   * (docs/dev/consumer-death-measurement.md).
   */
  static final ConsumerDeath DEFAULT = STRICT;

  /**
   * The level the flags ask for, or {@link #DEFAULT}.
   *
   * @throws IllegalArgumentException naming the flag and the allowed values when the value is not
   *     one of the levels (case is ignored)
   */
  static ConsumerDeath fromFlags(ErrorProneFlags flags) {
    Optional<String> value = flags.get(FLAG);
    if (value.isEmpty()) {
      return DEFAULT;
    }
    String wanted = value.get().trim().toUpperCase(Locale.ROOT);
    for (ConsumerDeath level : values()) {
      if (level.name().equals(wanted)) {
        return level;
      }
    }
    throw new IllegalArgumentException(
        "-XepOpt:"
            + FLAG
            + " expects one of "
            + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "))
            + ", got '"
            + value.get()
            + "'");
  }

  /** Calls through callbacks passed in from outside the unit can throw any RuntimeException. */
  boolean countsCallbacks() {
    return this != STRICT;
  }

  /** Any call the unit cannot see into can throw any RuntimeException or Error. */
  boolean countsEveryCall() {
    return this == BROAD;
  }
}
