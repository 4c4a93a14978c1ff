package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.fixes.SuggestedFix;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.lang.model.element.ElementKind;
import org.jspecify.annotations.Nullable;

/**
 * Decides the fix when producer and consumers share no variable a flag could live next to (the
 * queue is handed to their classes through constructors) but one method starts the producer's
 * thread and joins every consumer's thread: once the last join returns, nothing takes from the
 * queue any more, so that method interrupts the producer. This is the Kubernetes DeleteCollection
 * fix in Java: the coordinator tells the distributor to stop after the workers are joined. It
 * applies only to a producer that lets an interrupt end it.
 */
final class JoinedConsumers {
  private JoinedConsumers() {}

  static Optional<SuggestedFix> interruptFix(
      List<ProducerDiscovery.Producer> producers,
      List<QueueConsumer> consumers,
      CompilationUnitIndex index,
      VisitorState state) {
    if (producers.isEmpty() || consumers.isEmpty()) {
      return Optional.empty();
    }
    Tree coordinator = null;
    for (QueueConsumer consumer : consumers) {
      TreePath join = lastJoinOf(TaskSpawns.of(consumer.root, index, state), index, state);
      if (join == null
          || (coordinator != null && AstPaths.taskRoot(join).getLeaf() != coordinator)) {
        return Optional.empty();
      }
      coordinator = AstPaths.taskRoot(join).getLeaf();
    }
    for (QueueConsumer consumer : consumers) {
      if (!everyInstanceMadeIn(consumer, coordinator, index)) {
        return Optional.empty();
      }
    }
    TreePath lastJoin = latestJoin(producers, coordinator, index, state);
    if (lastJoin == null) {
      return Optional.empty();
    }
    SuggestedFix.Builder fix = SuggestedFix.builder();
    List<String> handles = new ArrayList<>();
    for (ProducerDiscovery.Producer producer : producers) {
      String handle = handleOf(producer, lastJoin, coordinator, handles, fix, index, state);
      if (handle == null) {
        return Optional.empty();
      }
      if (!handles.contains(handle)) {
        handles.add(handle);
      }
    }
    String indent = LeakFixes.indentOf(lastJoin.getLeaf(), state);
    StringBuilder stop =
        new StringBuilder("\n" + indent + "// Every consumer has ended: stop what is still put.");
    for (String handle : handles) {
      stop.append('\n').append(indent).append(handle).append(".interrupt();");
    }
    fix.postfixWith(lastJoin.getLeaf(), stop.toString());
    return Optional.of(fix.build());
  }

  /**
   * A consumer task may run on more threads than the one found for it (a second {@code new
   * Applier(q)}, a task variable started twice): the interrupt is safe only after the last join of
   * every thread the coordinator starts other than the producers', with none started or joined in a
   * loop and no task handed to a pool. Null when that does not hold.
   */
  private static @Nullable TreePath latestJoin(
      List<ProducerDiscovery.Producer> producers,
      Tree coordinator,
      CompilationUnitIndex index,
      VisitorState state) {
    TreePath latest = null;
    for (TreePath path : index.calls) {
      MethodInvocationTree call = (MethodInvocationTree) path.getLeaf();
      if (AstPaths.taskRoot(path).getLeaf() != coordinator
          || !ConcurrencyApiModel.startsTask(call, state)) {
        continue;
      }
      if (AstPaths.enclosingLoop(path, coordinator) != null) {
        return null;
      }
      if (producers.stream()
          .anyMatch(p -> p.spawn.call != null && AstPaths.isWithin(p.spawn.call, call))) {
        continue; // new Thread(producerTask).start()
      }
      VarSymbol thread = AstPaths.receiverVariable(call);
      if (thread != null && producers.stream().anyMatch(p -> thread.equals(p.spawn.handle))) {
        continue;
      }
      if (thread == null || !ConcurrencyApiModel.isThreadType(thread.type)) {
        return null;
      }
      TreePath join = lastJoinOf(thread, index, state);
      if (join == null
          || AstPaths.taskRoot(join).getLeaf() != coordinator
          || AstPaths.enclosingLoop(join, coordinator) != null) {
        return null;
      }
      if (latest == null || start(join) > start(latest)) {
        latest = join;
      }
    }
    return latest;
  }

  /**
   * Every {@code new} of a consumer's task class, and every reference to its method, is in the
   * coordinating method: no thread elsewhere runs it unjoined.
   */
  private static boolean everyInstanceMadeIn(
      QueueConsumer consumer, Tree coordinator, CompilationUnitIndex index) {
    Tree root = consumer.root.getLeaf();
    if (root instanceof com.sun.source.tree.LambdaExpressionTree) {
      return AstPaths.isWithin(consumer.root, coordinator);
    }
    if (!(root instanceof com.sun.source.tree.MethodTree method)) {
      return false;
    }
    MethodSymbol symbol = ASTHelpers.getSymbol(method);
    for (TreePath reference : index.memberReferences.getOrDefault(symbol, List.of())) {
      if (!AstPaths.isWithin(reference, coordinator)) {
        return false;
      }
    }
    ClassSymbol owner = symbol.enclClass();
    if (owner.isAnonymous()) {
      return AstPaths.isWithin(consumer.root, coordinator);
    }
    for (com.sun.tools.javac.code.Symbol member : ASTHelpers.getEnclosedElements(owner)) {
      if (member instanceof MethodSymbol constructor && constructor.isConstructor()) {
        for (TreePath creation : index.callSitesOf(constructor)) {
          if (!AstPaths.isWithin(creation, coordinator)) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /**
   * The last statement {@code t.join();} of the consumer's thread, where {@code t} is a local that
   * holds only that thread; null for a consumer on a pool, in a collection of threads, or never
   * joined.
   */
  private static @Nullable TreePath lastJoinOf(
      TaskSpawns.Spawn spawn, CompilationUnitIndex index, VisitorState state) {
    if (spawn.kind != TaskSpawns.Kind.THREAD
        || spawn.handle == null
        || spawn.handleIsCollection
        || spawn.handle.getKind() != ElementKind.LOCAL_VARIABLE) {
      return null;
    }
    return lastJoinOf(spawn.handle, index, state);
  }

  private static @Nullable TreePath lastJoinOf(
      VarSymbol thread, CompilationUnitIndex index, VisitorState state) {
    TreePath last = null;
    for (TreePath call : index.callsOn(thread)) {
      TreePath statement = call.getParentPath();
      if (ConcurrencyApiModel.isUntimedThreadJoin((MethodInvocationTree) call.getLeaf(), state)
          && statement.getLeaf() instanceof ExpressionStatementTree
          && statement.getParentPath().getLeaf() instanceof BlockTree
          && (last == null || start(statement) > start(last))) {
        last = statement;
      }
    }
    return last;
  }

  /**
   * The name of a variable holding the producer's thread that is in scope after {@code lastJoin},
   * adding one to {@code fix} for {@code new Thread(task).start();}; null when the producer is not
   * a thread started in the coordinating method, or swallows an interrupt.
   */
  private static @Nullable String handleOf(
      ProducerDiscovery.Producer producer,
      TreePath lastJoin,
      Tree coordinator,
      List<String> taken,
      SuggestedFix.Builder fix,
      CompilationUnitIndex index,
      VisitorState state) {
    TaskSpawns.Spawn spawn = producer.spawn;
    if (spawn.kind != TaskSpawns.Kind.THREAD
        || spawn.call == null
        || producer.swallowsInterrupt
        || AstPaths.taskRoot(spawn.call).getLeaf() != coordinator
        || start(spawn.call) > start(lastJoin)) {
      return null;
    }
    if (spawn.handle != null) {
      TreePath declaration = declarationOf(spawn.handle, spawn.call);
      return !spawn.handleIsCollection
              && spawn.handle.getKind() == ElementKind.LOCAL_VARIABLE
              && declaration != null
              && encloses(declaration.getParentPath(), lastJoin)
              && !joinedBefore(spawn.handle, lastJoin, index, state)
          ? spawn.handle.getSimpleName().toString()
          : null;
    }
    // new Thread(task).start(); as a statement: keep the thread in a variable to interrupt it.
    TreePath select = spawn.call.getParentPath();
    if (!(spawn.call.getLeaf() instanceof NewClassTree creation)
        || !(select.getLeaf() instanceof MemberSelectTree member)
        || !ConcurrencyApiModel.isThreadStart(member)
        || !(select.getParentPath().getLeaf() instanceof MethodInvocationTree)
        || !(select.getParentPath().getParentPath().getLeaf() instanceof ExpressionStatementTree)) {
      return null;
    }
    TreePath statement = select.getParentPath().getParentPath();
    if (!encloses(statement.getParentPath(), lastJoin)) {
      return null;
    }
    String name = freshName(baseName(producer), coordinator, taken, state);
    String indent = LeakFixes.indentOf(statement.getLeaf(), state);
    fix.replace(
        statement.getLeaf(),
        "Thread "
            + name
            + " = "
            + state.getSourceForNode(creation)
            + ";\n"
            + indent
            + name
            + ".start();");
    return name;
  }

  /**
   * The coordinator waits for the producer before the consumers: it hangs there while the producer
   * is stuck, and never reaches an interrupt placed after the consumers' joins.
   */
  private static boolean joinedBefore(
      VarSymbol producerThread, TreePath lastJoin, CompilationUnitIndex index, VisitorState state) {
    for (TreePath call : index.callsOn(producerThread)) {
      if (ConcurrencyApiModel.isUntimedThreadJoin((MethodInvocationTree) call.getLeaf(), state)
          && start(call) < start(lastJoin)) {
        return true;
      }
    }
    return false;
  }

  /** The declaration of a local handle: found by walking out from where the thread is made. */
  private static @Nullable TreePath declarationOf(VarSymbol handle, TreePath from) {
    for (TreePath p = from; p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof com.sun.source.tree.VariableTree
          && handle.equals(ASTHelpers.getSymbol(p.getLeaf()))) {
        return p;
      }
      if (p.getLeaf() instanceof BlockTree block) {
        for (com.sun.source.tree.StatementTree s : block.getStatements()) {
          if (s instanceof com.sun.source.tree.VariableTree
              && handle.equals(ASTHelpers.getSymbol(s))) {
            return new TreePath(p, s);
          }
        }
      }
    }
    return null;
  }

  private static boolean encloses(TreePath block, TreePath inner) {
    return block.getLeaf() instanceof BlockTree && AstPaths.isWithin(inner, block.getLeaf());
  }

  /** {@code changeFeedReaderThread} for a task of class ChangeFeedReader, else producerThread. */
  private static String baseName(ProducerDiscovery.Producer producer) {
    if (producer.root.getLeaf() instanceof com.sun.source.tree.MethodTree method) {
      MethodSymbol symbol = ASTHelpers.getSymbol(method);
      ClassSymbol owner = symbol.enclClass();
      if (owner != null && !owner.isAnonymous()) {
        String type = owner.getSimpleName().toString();
        return Character.toLowerCase(type.charAt(0)) + type.substring(1) + "Thread";
      }
    }
    return "producerThread";
  }

  private static String freshName(
      String base, Tree coordinator, List<String> taken, VisitorState state) {
    String source = state.getSourceForNode(coordinator);
    String name = base;
    for (int n = 2;
        taken.contains(name)
            || (source != null && Pattern.compile("\\b" + name + "\\b").matcher(source).find());
        n++) {
      name = base + n;
    }
    return name;
  }

  private static int start(TreePath path) {
    return ASTHelpers.getStartPosition(path.getLeaf());
  }
}
