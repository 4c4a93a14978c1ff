package io.leakedproducer.checker;

import com.sun.source.util.TreePath;
import java.util.ArrayList;
import java.util.List;

/**
 * One consumer of a queue: the task it runs in, its takes and take loops, and the ways it can stop
 * taking, which {@link EarlyExits} adds as it finds them.
 */
final class QueueConsumer {
  final TreePath root;
  final List<TreePath> takes = new ArrayList<>();
  final List<ConsumerExit> exits = new ArrayList<>();

  /** Take loops of this consumer, for the fix and for drain detection. */
  final List<TreePath> loops = new ArrayList<>();

  /**
   * Blocking insertions into this same queue that the consumer's own processing reaches
   * (re-entrancy): the consumer waits there for room only it can make.
   */
  final List<TreePath> reentrantInsertions = new ArrayList<>();

  /**
   * It can stop by blocking in an insertion into the queue it drains (re-entrancy): no code of its
   * own runs after that, not even a {@code finally}, and no fix of this queue can release it. (A
   * consumer stuck on a downstream queue that leaks is released by that queue's own fix.)
   */
  boolean blocksItself;

  QueueConsumer(TreePath root) {
    this.root = root;
  }
}
