package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.ElementKind;

/**
 * Decides what a finding without an automatic fix tells the user to do by hand, and why no fix was
 * offered: issue 11 asks for the real reason of each shape, not one text for all. The shapes:
 *
 * <ul>
 *   <li>the consumers are callers of an API and nothing they hold has a lifecycle method: a stop
 *       signal would need a {@code close()} that nobody in the unit would call;
 *   <li>they hold an object whose lifecycle method would stop the producer, but nothing calls it
 *       when they stop;
 *   <li>the queue reaches the producer and the consumers' side through constructors or parameters,
 *       so no field both see can carry a flag (the runtime queue can carry it instead);
 *   <li>anything else: the general text.
 * </ul>
 */
final class ManualFixes {
  private ManualFixes() {}

  /** Any other shape. */
  static final String GENERAL =
      " No automatic fix for this shape: no single stop signal is visible to both the producer and"
          + " every consumer (the queue is shared through constructors or a getter, or a consumer"
          + " takes once per call and its caller decides when to stop), so a rewrite could not"
          + " tell the producer when the consumers are gone. By hand: give the owner of the queue"
          + " a close() (or a finally after the consumers stop) that sets a volatile flag, and"
          + " make the producer offer with a timeout and stop when the flag is set; or use"
          + " io.leakedproducer.runtime.CancellableBoundedQueue and close a consumer registration"
          + " when each consumer stops.";

  static final String EXTERNAL_NO_LIFECYCLE =
      " No automatic fix for this shape: the consumers are the callers of an API (an Iterator, a"
          + " Spliterator, a poll() method) and nothing they hold has a lifecycle method to stop the"
          + " producer in; a close() added by a fix would be called nowhere, because the object is"
          + " stored, returned or handed to a task and this unit has no point after which nothing"
          + " reads it. By hand: give the object the callers pull through a close() that sets a"
          + " volatile flag (or cancels a io.leakedproducer.runtime.CancellableBoundedQueue), make"
          + " the producer offer with a timeout and stop once it is set, and call close() wherever"
          + " reading stops early (a try-with-resources, a stream's onClose handler, the holder's"
          + " own close()).";

  static final String LIFECYCLE_NOT_CALLED =
      " No automatic fix for this shape: the lifecycle method that would stop the producer is not"
          + " called when the callers stop reading (its object is kept in a private field and"
          + " nothing in this unit closes it there), and a fix cannot tell where its holder is done"
          + " with it. By hand: call it where the holder stops reading (in the holder's own"
          + " end-of-iteration or close()), or give the holder a close() that calls it.";

  static final String SHARED_QUEUE =
      " No automatic fix for this shape in plain Java: the queue reaches the producer and the"
          + " consumers' side through constructors or parameters, so no one field that both see"
          + " can carry a stop flag. By hand: give the object that owns the queue a volatile closed"
          + " flag that the consumers' close() sets first and the producer tests between timed"
          + " offers (ksqlDB's fix), or create the queue as"
          + " io.leakedproducer.runtime.CancellableBoundedQueue and cancel it in that close(); with"
          + " the runtime jar on the compile classpath the check offers the latter itself when the"
          + " queue is a plain ArrayBlockingQueue or LinkedBlockingQueue that its holders type by"
          + " an interface.";

  /** The manual text for a leaking queue that got no fix. */
  static String forShape(
      List<QueueConsumer> consumers,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    boolean allExternal = !consumers.isEmpty();
    boolean anyLifecycle = false;
    for (QueueConsumer consumer : consumers) {
      ExternalConsumers.External external =
          ExternalConsumers.classify(consumer, queue, index, state);
      if (external == null) {
        allExternal = false;
        break;
      }
      anyLifecycle |= external.holders().stream().anyMatch(h -> !h.lifecycles().isEmpty());
    }
    if (allExternal) {
      return anyLifecycle ? LIFECYCLE_NOT_CALLED : EXTERNAL_NO_LIFECYCLE;
    }
    return heldByDifferentClasses(queue) ? SHARED_QUEUE : GENERAL;
  }

  /**
   * The queue is held by fields, or handed to constructors, of more than one class: the producer
   * and the consumers' side each see their own variable.
   */
  private static boolean heldByDifferentClasses(QueueAliases queue) {
    Set<Symbol> holders = new HashSet<>();
    for (VarSymbol alias : queue.variables) {
      if (alias.getKind() == ElementKind.FIELD) {
        holders.add(alias.owner);
      } else if (alias.getKind() == ElementKind.PARAMETER
          && alias.owner instanceof MethodSymbol method
          && method.isConstructor()) {
        holders.add(method.enclClass());
      }
    }
    return holders.size() > 1;
  }
}
