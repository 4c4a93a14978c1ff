package io.leakedproducer.checker;

import com.sun.source.tree.Tree;
import org.jspecify.annotations.Nullable;

/**
 * One way a consumer can stop taking: the source line where it leaves its take loop and, in words
 * for the finding's message, why; {@code at} is the tree it leaves at (a {@code return}, {@code
 * break} or {@code throw}, a call that throws, the loop itself), or null when it does not leave by
 * code of its own (it blocks, or its caller stops calling).
 */
record ConsumerExit(int line, String reason, @Nullable Tree at) {
  ConsumerExit(int line, String reason) {
    this(line, reason, null);
  }
}
