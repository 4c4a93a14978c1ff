package io.leakedproducer.checker;

import com.sun.source.tree.Tree;
import com.sun.tools.javac.code.Type;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One way a consumer can stop taking: the source line where it leaves its take loop and, in words
 * for the finding's message, why; {@code at} is the tree it leaves at (a return, break or throw
 * statement, a call that throws, the loop itself), or null when it does not leave by code of its
 * own (it blocks, or its caller stops calling); {@code thrown} lists what escapes at a death by
 * exception (empty when unknown or not a death).
 */
record ConsumerExit(int line, String reason, @Nullable Tree at, List<Type> thrown) {
  ConsumerExit(int line, String reason) {
    this(line, reason, null, List.of());
  }

  ConsumerExit(int line, String reason, @Nullable Tree at) {
    this(line, reason, at, List.of());
  }
}
