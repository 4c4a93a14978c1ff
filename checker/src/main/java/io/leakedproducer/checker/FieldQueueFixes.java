package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.fixes.SuggestedFix;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import org.jspecify.annotations.Nullable;

/**
 * Decides the fix for a queue that is a field: what the maintainers of the real projects wrote. A
 * sibling {@code volatile boolean} flag is set when the consumers are gone (in a {@code finally}
 * around each consuming loop's method) and first thing in every lifecycle method of the owning
 * class ({@code close}, {@code stop}, {@code shutdown}...); each blocking insertion becomes a loop
 * of timed offers that re-tests the flag and leaves (returns, or throws {@code
 * CancellationException} where returning would silently drop the element) once it is set.
 */
final class FieldQueueFixes {
  private FieldQueueFixes() {}

  static Optional<SuggestedFix> flagFix(
      List<ProducerDiscovery.Producer> producers,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    return flagFix(producers, consumers, queue, false, index, state);
  }

  /**
   * As above; with {@code lifecycleOnly}, only when a lifecycle method sets the flag (for consumers
   * that may block on their own queue and so never reach a {@code finally}).
   */
  static Optional<SuggestedFix> flagFix(
      List<ProducerDiscovery.Producer> producers,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      boolean lifecycleOnly,
      CompilationUnitIndex index,
      VisitorState state) {
    VarSymbol field = fieldOf(queue, producers, index);
    if (field == null) {
      return Optional.empty();
    }
    TreePath declaration = index.declarations.get(field);
    Symbol owner = field.owner;
    TreePath ownerClass = index.classes.get(owner);
    if (declaration == null
        || ownerClass == null
        || !(declaration.getLeaf() instanceof VariableTree)
        || !(ownerClass.getLeaf() instanceof ClassTree classTree)
        || owner.isInterface()) {
      return Optional.empty();
    }
    boolean isStatic = field.getModifiers().contains(Modifier.STATIC);
    List<MethodTree> ownLifecycle =
        new ArrayList<>(LifecycleReach.lifecycleMethods(classTree, isStatic));
    List<MethodTree> emptyLifecycle = LifecycleReach.emptyLifecycleMethods(classTree, isStatic);
    ownLifecycle.addAll(emptyLifecycle);
    List<MethodSymbol> inherited =
        isStatic ? List.of() : LifecycleReach.inheritedLifecycle(classTree, index);
    List<LifecycleReach.Holder> holders =
        isStatic || !ownLifecycle.isEmpty() || !inherited.isEmpty()
            ? List.of()
            : LifecycleReach.holders(owner, consumers, index, state);
    // No lifecycle anywhere: the owner itself (a prefetching iterator) gets a close(), called
    // where the unit creates it.
    List<TreePath> closedAt =
        isStatic || !ownLifecycle.isEmpty() || !inherited.isEmpty() || !holders.isEmpty()
            ? null
            : closableCreations(owner, producers, consumers, classTree, index, state);
    boolean hasLifecycle =
        !ownLifecycle.isEmpty() || !inherited.isEmpty() || !holders.isEmpty() || closedAt != null;
    if (lifecycleOnly && !hasLifecycle) {
      return Optional.empty();
    }
    List<MethodTree> lifecycle = ownLifecycle;
    String flag =
        LeakFixes.freshName(
            field.getSimpleName() + (hasLifecycle ? "Closed" : "ConsumersGone"), classTree);
    SuggestedFix.Builder fix = SuggestedFix.builder();
    String indent = LeakFixes.indentOf(declaration.getLeaf(), state);
    fix.postfixWith(
        declaration.getLeaf(),
        "\n"
            + indent
            + "/** Set once nothing will take from '"
            + field.getSimpleName()
            + "' any more: producers stop offering. */\n"
            + indent
            + "private "
            + (isStatic ? "static " : "")
            + "volatile boolean "
            + flag
            + ";");
    List<TreePath> loopRoots = new ArrayList<>();
    for (QueueConsumer consumer : consumers) {
      TreePath loopRoot = consumingLoopRoot(consumer, index, state);
      if (loopRoot == null || !seesField(loopRoot, owner, isStatic)) {
        if (!hasLifecycle) {
          return Optional.empty(); // nothing would ever tell the producer this consumer is gone
        }
        continue;
      }
      if (restartedByProducer(loopRoot, producers, index, state)) {
        // A drain task that each insertion submits anew: one run ending is not the consumers
        // leaving, and a flag set in its finally would drop every later element.
        return Optional.empty();
      }
      if (loopRoots.stream().noneMatch(r -> r.getLeaf() == loopRoot.getLeaf())) {
        loopRoots.add(loopRoot);
      }
    }
    // Several consumer threads: the producer must stop only when the last one has left, so each
    // start counts one in and each exit counts one out.
    List<TreePath> starts = consumerStarts(loopRoots, owner, isStatic, index, state);
    String counter = null;
    if (starts != null) {
      counter = LeakFixes.freshName(field.getSimpleName() + "Consumers", classTree, Set.of(flag));
      String counterType =
          com.google.errorprone.fixes.SuggestedFixes.qualifyType(
              state, fix, "java.util.concurrent.atomic.AtomicInteger");
      fix.postfixWith(
          declaration.getLeaf(),
          "\n"
              + indent
              + "/** Consumer threads of '"
              + field.getSimpleName()
              + "' started and not yet gone. */\n"
              + indent
              + "private "
              + (isStatic ? "static " : "")
              + "final "
              + counterType
              + " "
              + counter
              + " = new "
              + counterType
              + "();");
      for (TreePath start : starts) {
        fix.prefixWith(
            start.getLeaf(),
            counter + ".incrementAndGet();\n" + LeakFixes.indentOf(start.getLeaf(), state));
      }
    }
    VarSymbol dedicated = dedicatedExecutor(producers, index, state);
    for (TreePath loopRoot : loopRoots) {
      // An executor that runs nothing but this queue's producers has no work left once the
      // consumers are gone: shut it down too, so that a periodic producer is not run again and
      // its thread does not outlive the consumers.
      String shutdown =
          dedicated != null
                  && seesField(
                      loopRoot, dedicated.owner, dedicated.getModifiers().contains(Modifier.STATIC))
              ? dedicated.getSimpleName() + ".shutdown();"
              : null;
      if (!setInFinally(loopRoot.getLeaf(), flag, counter, shutdown, fix, state)) {
        return Optional.empty();
      }
    }
    Set<Tree> wrapped = new HashSet<>();
    loopRoots.forEach(r -> wrapped.add(r.getLeaf()));
    for (MethodTree method : lifecycle) {
      if (emptyLifecycle.contains(method)) {
        String at = LeakFixes.indentOf(method, state);
        fix.replace(method.getBody(), "{\n" + at + "  " + flag + " = true;\n" + at + "}");
      } else if (!wrapped.contains(method)) {
        StatementTree first = method.getBody().getStatements().get(0);
        fix.prefixWith(first, flag + " = true;\n" + LeakFixes.indentOf(first, state));
      }
    }
    // A lifecycle method the owner inherits from a class of the unit: override it to set the flag
    // first, then do what it did.
    for (MethodSymbol method : inherited) {
      if (!LifecycleReach.overrideSetting(method, classTree, flag, fix, state)) {
        return Optional.empty();
      }
    }
    if (closedAt != null
        && !CreationSiteClose.apply(
            classTree, owner, closedAt, flag, field.getSimpleName().toString(), fix, state)) {
      return Optional.empty();
    }
    // The owner has no lifecycle of its own, but the object its consumers call through does: its
    // close() is what their caller calls when it stops taking.
    for (LifecycleReach.Holder holder : holders) {
      StatementTree first = holder.method().getBody().getStatements().get(0);
      String at = LeakFixes.indentOf(first, state);
      fix.prefixWith(first, holder.setter(flag, at) + "\n" + at);
    }
    Set<String> reserved = new HashSet<>();
    reserved.add(flag);
    for (ProducerDiscovery.Producer producer : producers) {
      String condition = flagAt(producer.insertionPath(), field, flag, isStatic, state);
      if (condition == null || !LeakFixes.stopProducer(producer, condition, reserved, fix, state)) {
        return Optional.empty();
      }
    }
    return Optional.of(fix.build());
  }

  /**
   * Where the unit creates the owner, when each creation can be closed at the end of its block:
   * only for an owner whose consumers all take in its own methods (the caller pulls through it),
   * and when no producer insertion sits in code the closing {@code finally} would enclose.
   */
  @Nullable
  private static List<TreePath> closableCreations(
      Symbol owner,
      List<ProducerDiscovery.Producer> producers,
      List<QueueConsumer> consumers,
      ClassTree classTree,
      CompilationUnitIndex index,
      VisitorState state) {
    for (QueueConsumer consumer : consumers) {
      if (consumer.takes.isEmpty()
          || !consumer.takes.stream().allMatch(t -> AstPaths.isWithin(t, classTree))) {
        return null;
      }
    }
    List<TreePath> sites = CreationSiteClose.sites(owner, index, state);
    if (sites == null) {
      return null;
    }
    for (TreePath site : sites) {
      Tree block = site.getParentPath().getLeaf();
      for (ProducerDiscovery.Producer producer : producers) {
        if (AstPaths.isWithin(producer.insertionPath(), block)) {
          return null;
        }
      }
    }
    return sites;
  }

  /**
   * The consuming task is started from the method that inserts (or a method on its way to the
   * insertion): every insertion may start a new run of it.
   */
  private static boolean restartedByProducer(
      TreePath loopRoot,
      List<ProducerDiscovery.Producer> producers,
      CompilationUnitIndex index,
      VisitorState state) {
    TaskSpawns.Spawn spawn = TaskSpawns.of(loopRoot, index, state);
    if (spawn.call == null) {
      return false;
    }
    Tree starter = AstPaths.taskRoot(spawn.call).getLeaf();
    for (ProducerDiscovery.Producer producer : producers) {
      for (TreePath site : producer.chain) {
        if (AstPaths.taskRoot(site).getLeaf() == starter) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * How the insertion names the flag: by its simple name where the owner's members are in scope,
   * else through the same object the insertion reaches the queue by ({@code exporter.handoff} gives
   * {@code exporter.handoffConsumersGone}). Null when neither works.
   */
  @Nullable
  private static String flagAt(
      TreePath insertion, VarSymbol field, String flag, boolean isStatic, VisitorState state) {
    if (seesField(insertion, field.owner, isStatic)) {
      return flag;
    }
    ExpressionTree receiver =
        ASTHelpers.getReceiver((com.sun.source.tree.MethodInvocationTree) insertion.getLeaf());
    if (receiver instanceof MemberSelectTree select
        && field.equals(ASTHelpers.getSymbol(select))
        && outermostClass(insertion) != null
        && ASTHelpers.getSymbol(outermostClass(insertion)) == field.owner.outermostClass()) {
      String holder = state.getSourceForNode(select.getExpression());
      return holder == null ? null : holder + "." + flag;
    }
    return null;
  }

  /**
   * The top-level class around the path: code in it may use the private members of every class
   * nested in it.
   */
  @Nullable
  private static ClassTree outermostClass(TreePath path) {
    ClassTree outermost = null;
    for (TreePath p = path; p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof ClassTree classTree) {
        outermost = classTree;
      }
    }
    return outermost;
  }

  /**
   * The field that holds the flag: the queue's only field, or, when several objects hold the queue
   * (a task's map of queues and each reader's own field), the one field that every producer sees
   * and whose class has a lifecycle method: the object the producer belongs to, which its holder
   * closes. Null when there is no such single field.
   */
  @Nullable
  private static VarSymbol fieldOf(
      QueueAliases queue, List<ProducerDiscovery.Producer> producers, CompilationUnitIndex index) {
    List<VarSymbol> fields = new ArrayList<>();
    for (VarSymbol alias : queue.variables) {
      if (alias.getKind() == ElementKind.FIELD) {
        fields.add(alias);
      }
    }
    if (fields.size() <= 1) {
      return fields.isEmpty() ? null : fields.get(0);
    }
    VarSymbol chosen = null;
    for (VarSymbol field : fields) {
      boolean isStatic = field.getModifiers().contains(Modifier.STATIC);
      TreePath ownerClass = index.classes.get(field.owner);
      if (ownerClass == null
          || !(ownerClass.getLeaf() instanceof ClassTree classTree)
          || (LifecycleReach.lifecycleMethods(classTree, isStatic).isEmpty()
              && (isStatic || LifecycleReach.inheritedLifecycle(classTree, index).isEmpty()))
          || !producers.stream()
              .allMatch(p -> seesField(p.insertionPath(), field.owner, isStatic))) {
        continue;
      }
      if (chosen != null) {
        return null; // two candidates: no single owner to hold the flag
      }
      chosen = field;
    }
    return chosen;
  }

  /**
   * The method or task lambda whose loop takes from the queue: the take's own method, or the first
   * caller up the take's call chain that calls it in a loop. Null when no loop takes (a single take
   * per call, such as an iterator's {@code next()}: the caller decides when to stop).
   */
  @Nullable
  private static TreePath consumingLoopRoot(
      QueueConsumer consumer, CompilationUnitIndex index, VisitorState state) {
    TreePath found = null;
    for (TreePath take : consumer.takes) {
      if (!(take.getLeaf() instanceof com.sun.source.tree.MethodInvocationTree)) {
        return null; // a getter hands the queue out: its callers consume
      }
      TreePath root = null;
      for (TreePath site : ProducerDiscovery.callChain(take, index, state)) {
        TreePath siteRoot = AstPaths.taskRoot(site);
        if (siteRoot.getLeaf() instanceof MethodTree method
            && ConcurrencyApiModel.isPullApiMethod(ASTHelpers.getSymbol(method), state)) {
          // An iterator's hasNext()/next() may loop until an element arrives, but it returns once
          // per element to a holder that decides when to stop: its returning is not the consumer
          // leaving, and a flag set in its finally would stop the producer after one element.
          continue;
        }
        TreePath loop = AstPaths.enclosingLoop(site, siteRoot.getLeaf());
        if (loop != null
            && ElementWaitLoops.onlyWaitsForAnElement(
                loop, site, ConsumerDiscovery.takenVariable(site, state), state)) {
          // do { r = receive(timeout); } while (r == null): a pull API (receive(), next(), a
          // poll() that waits for a batch) that waits for something and hands it to its caller,
          // who decides when to stop. Its returning is not the consumer leaving: the consuming
          // loop, if any, is around it or in a caller of the unit.
          loop = AstPaths.enclosingLoop(loop, siteRoot.getLeaf());
          if (loop == null) {
            continue;
          }
        }
        if (loop != null) {
          root = siteRoot;
          break;
        }
      }
      if (root == null || (found != null && found.getLeaf() != root.getLeaf())) {
        return null;
      }
      found = root;
    }
    return found;
  }

  /**
   * Whether code at {@code path} can name the flag by its simple name: it sits in the owner class
   * or in an inner or anonymous class of it, and outside static code unless the flag is static.
   */
  static boolean seesField(TreePath path, Symbol owner, boolean isStatic) {
    for (TreePath p = path; p != null; p = p.getParentPath()) {
      Tree leaf = p.getLeaf();
      if (leaf instanceof MethodTree method) {
        MethodSymbol symbol = ASTHelpers.getSymbol(method);
        if (symbol == null || (!isStatic && symbol.isStatic())) {
          return false;
        }
      }
      if (leaf instanceof VariableTree variable
          && p.getParentPath() != null
          && p.getParentPath().getLeaf() instanceof ClassTree
          && !isStatic
          && ASTHelpers.getSymbol(variable).isStatic()) {
        return false;
      }
      if (leaf instanceof BlockTree block
          && block.isStatic()
          && !isStatic
          && p.getParentPath() != null
          && p.getParentPath().getLeaf() instanceof ClassTree) {
        return false;
      }
      if (leaf instanceof ClassTree) {
        Symbol type = ASTHelpers.getSymbol(leaf);
        if (type == owner) {
          return true;
        }
        if (type == null || (!isStatic && ASTHelpers.isStatic(type))) {
          return false; // a static nested class has no enclosing instance to read the flag from
        }
      }
    }
    return false;
  }

  /** Wraps the body of the consuming method or lambda so that leaving it sets the flag. */
  private static boolean setInFinally(
      Tree root,
      String flag,
      @Nullable String counter,
      @Nullable String andThen,
      SuggestedFix.Builder fix,
      VisitorState state) {
    BlockTree body = null;
    if (root instanceof MethodTree method) {
      body = method.getBody();
    } else if (root instanceof LambdaExpressionTree lambda
        && lambda.getBody() instanceof BlockTree block) {
      body = block;
    }
    if (body == null || body.getStatements().isEmpty()) {
      return false;
    }
    List<? extends StatementTree> statements = body.getStatements();
    StatementTree first = statements.get(0);
    StatementTree last = statements.get(statements.size() - 1);
    String indent = LeakFixes.indentOf(first, state);
    // Insertions before and after, not a replacement of the body: a fix for another queue may
    // rewrite an insertion inside this same body.
    fix.prefixWith(first, "try {\n" + indent);
    String inner = counter == null ? indent + "  " : indent + "    ";
    String signal = inner + flag + " = true;\n" + (andThen == null ? "" : inner + andThen + "\n");
    fix.postfixWith(
        last,
        "\n"
            + indent
            + "} finally {\n"
            + (counter == null
                ? signal
                : indent
                    + "  if ("
                    + counter
                    + ".decrementAndGet() == 0) {\n"
                    + signal
                    + indent
                    + "  }\n")
            + indent
            + "}");
    return true;
  }

  /**
   * Where the consumer threads are started, when more than one can run (several consuming methods,
   * or a start in a loop): the statements to count each one in before it starts. Null when one flag
   * suffices, or when a start is not a statement of the owner class (then the first consumer to
   * leave stops the producer, which is documented).
   */
  @Nullable
  private static List<TreePath> consumerStarts(
      List<TreePath> loopRoots,
      Symbol owner,
      boolean isStatic,
      CompilationUnitIndex index,
      VisitorState state) {
    List<TreePath> starts = new ArrayList<>();
    boolean several = loopRoots.size() > 1;
    for (TreePath loopRoot : loopRoots) {
      TaskSpawns.Spawn spawn = TaskSpawns.of(loopRoot, index, state);
      if (spawn.call == null || spawn.kind == TaskSpawns.Kind.CALLER) {
        return null;
      }
      several |=
          AstPaths.enclosingLoop(spawn.call, AstPaths.taskRoot(spawn.call).getLeaf()) != null;
      TreePath statement = spawn.call;
      while (statement != null
          && !(statement.getLeaf() instanceof StatementTree
              && statement.getParentPath().getLeaf() instanceof BlockTree)) {
        statement = statement.getParentPath();
      }
      if (statement == null || !seesField(statement, owner, isStatic)) {
        return null;
      }
      starts.add(statement);
    }
    return several ? starts : null;
  }

  /**
   * The executor field every producer of the queue runs on, when the class creates it and hands it
   * no other task: nothing else needs it once the consumers are gone. Null otherwise.
   */
  @Nullable
  private static VarSymbol dedicatedExecutor(
      List<ProducerDiscovery.Producer> producers, CompilationUnitIndex index, VisitorState state) {
    VarSymbol executor = null;
    Set<Tree> producerSpawns = new HashSet<>();
    for (ProducerDiscovery.Producer producer : producers) {
      VarSymbol e = producer.spawn.executor;
      if (e == null
          || producer.spawn.call == null
          || (executor != null && !executor.equals(e))
          || e.getKind() != ElementKind.FIELD
          || !e.getModifiers().contains(Modifier.PRIVATE)) {
        return null;
      }
      executor = e;
      producerSpawns.add(producer.spawn.call.getLeaf());
    }
    if (executor == null
        || !(index.declarations.get(executor) != null
            && index.declarations.get(executor).getLeaf() instanceof VariableTree declaration
            && declaration.getInitializer() != null)) {
      return null; // created elsewhere: it may serve others
    }
    for (TreePath use : index.usesOf(executor)) {
      TreePath select = AstPaths.parentSkippingParens(use);
      TreePath call = select == null ? null : AstPaths.parentSkippingParens(select);
      if (select != null
          && select.getLeaf() instanceof MemberSelectTree
          && call != null
          && ConcurrencyApiModel.isSpawn(call.getLeaf(), state)
          && !producerSpawns.contains(call.getLeaf())) {
        return null; // it runs some other task as well
      }
      if (select == null || !(select.getLeaf() instanceof MemberSelectTree)) {
        return null; // handed to other code, which may submit to it
      }
    }
    return executor;
  }
}
