package io.leakedproducer.runtime.junit;

import io.leakedproducer.runtime.LeakedProducers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails a test which leaves a thread stuck in a blocking queue insertion
 * ({@code put}, {@code transfer}, a timed-offer retry loop; see {@link LeakedProducers}).
 *
 * <pre>{@code
 * @ExtendWith(NoLeakedProducers.class)
 * class ImporterTest { ... }
 * }</pre>
 *
 * Before each test it notes every live thread; after each test (after the test's own
 * {@code @AfterEach} methods, which may release threads) it runs {@link
 * LeakedProducers.Verifier#verify()} on the threads started since, with the verifier's retries. A
 * thread still stuck fails that test with an {@link AssertionError} that names the thread, its
 * insertion frame and the test code's frame that called it; if the test had already failed, the
 * error is attached to that failure as suppressed. Threads alive before the test (a shared pool
 * started in {@code @BeforeAll}) are never reported.
 *
 * <p>To change the timeout or ignore threads by name, register a configured instance instead:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final NoLeakedProducers NO_LEAKS =
 *     new NoLeakedProducers().ignoreThreadsNamed("grpc-.*").timeout(Duration.ofMillis(500));
 * }</pre>
 *
 * Instances are immutable and thread-safe, so one may serve tests that run in parallel (each test
 * then also sees the threads its neighbours start, and may report theirs).
 */
public final class NoLeakedProducers implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(NoLeakedProducers.class);
  private static final String VERIFIER = "verifier";

  private final Duration timeout;
  private final List<Pattern> ignoredNames;

  /** Default timeout ({@link LeakedProducers#DEFAULT_TIMEOUT}), no thread ignored by name. */
  public NoLeakedProducers() {
    this(LeakedProducers.DEFAULT_TIMEOUT, List.of());
  }

  private NoLeakedProducers(Duration timeout, List<Pattern> ignoredNames) {
    this.timeout = timeout;
    this.ignoredNames = List.copyOf(ignoredNames);
  }

  /**
   * A copy that also ignores threads whose whole name matches {@code regex}.
   *
   * @throws java.util.regex.PatternSyntaxException if {@code regex} is not a valid expression
   */
  public NoLeakedProducers ignoreThreadsNamed(String regex) {
    List<Pattern> names = new ArrayList<>(ignoredNames);
    names.add(Pattern.compile(Objects.requireNonNull(regex, "regex")));
    return new NoLeakedProducers(timeout, names);
  }

  /**
   * A copy with another retry timeout.
   *
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  public NoLeakedProducers timeout(Duration timeout) {
    LeakedProducers.verifier().timeout(timeout); // validates with the verifier's own message
    return new NoLeakedProducers(timeout, ignoredNames);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    LeakedProducers.Verifier verifier = LeakedProducers.verifier().timeout(timeout);
    for (Pattern name : ignoredNames) {
      verifier.ignoreThreadsNamed(name);
    }
    context.getStore(NAMESPACE).put(VERIFIER, verifier.ignoreCurrent());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    LeakedProducers.Verifier verifier =
        context.getStore(NAMESPACE).remove(VERIFIER, LeakedProducers.Verifier.class);
    if (verifier != null) {
      verifier.verify();
    }
  }
}
