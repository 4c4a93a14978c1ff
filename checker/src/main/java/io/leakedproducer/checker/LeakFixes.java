package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.fixes.SuggestedFix;
import com.google.errorprone.fixes.SuggestedFixes;
import com.google.errorprone.suppliers.Supplier;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.code.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.ElementKind;
import javax.lang.model.type.TypeKind;
import org.jspecify.annotations.Nullable;

/**
 * Decides how to fix a leaked producer. The plain-Java fix is the Java form of the Kubernetes fix:
 * the consumers count themselves out when they stop taking, and the producer offers with a short
 * timeout and stops once no consumer is left. It needs no library and no interrupt, so it does not
 * trade this warning for Error Prone's {@code Interruption} warning.
 */
final class LeakFixes {
  private static final String COUNTER_TYPE = "java.util.concurrent.atomic.AtomicInteger";

  /**
   * Looked up on the compilation classpath: the fix that needs it is offered only when it is there.
   */
  private LeakFixes() {}

  /** Where the fix can put its state, and how many consumer tasks one call of the method starts. */
  private static final class Plan {
    /** The queue's local declaration, or null when the queue is a parameter of {@link #scope}. */
    @Nullable final TreePath declaration;

    /** The block the fix's state is declared in: the declaration's block, or the method body. */
    final TreePath block;

    final Tree scope;
    final String consumerCount;

    Plan(@Nullable TreePath declaration, TreePath block, Tree scope, String consumerCount) {
      this.declaration = declaration;
      this.block = block;
      this.scope = scope;
      this.consumerCount = consumerCount;
    }
  }

  /**
   * The fixes need the queue to be a local whose method also contains every producer insertion and
   * every consumer task, and the number of consumer tasks to be an expression known where the queue
   * is declared. Returns empty otherwise (see the no-fix list in
   * docs/bugpattern/LeakedProducer.md).
   */
  private static Optional<Plan> plan(
      List<ProducerDiscovery.Producer> producers,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      QueueBoundedness.Verdict verdict,
      CompilationUnitIndex index,
      VisitorState state) {
    TreePath declaration =
        verdict.creation == null ? null : localDeclarationOf(verdict.creation, queue, index);
    TreePath block;
    Tree scope;
    if (declaration != null && declaration.getParentPath().getLeaf() instanceof BlockTree) {
      block = declaration.getParentPath();
      scope = AstPaths.taskRoot(declaration).getLeaf();
    } else if (declaration == null && (block = parameterMethodBody(queue, index)) != null) {
      scope =
          block
              .getParentPath()
              .getLeaf(); // a queue handed in as a parameter: state goes first in the body
    } else {
      return Optional.empty();
    }
    int anchorStart =
        declaration != null
            ? ASTHelpers.getStartPosition(declaration.getLeaf())
            : ASTHelpers.getStartPosition(block.getLeaf());
    for (ProducerDiscovery.Producer producer : producers) {
      if (producer.chain.size() != 1 || !AstPaths.isWithin(producer.root, scope)) {
        return Optional.empty();
      }
    }
    List<String> counts = new ArrayList<>();
    int constant = 0;
    for (QueueConsumer consumer : consumers) {
      if (!AstPaths.isWithin(consumer.root, scope)) {
        return Optional.empty(); // the fix's state would not be visible to this consumer
      }
      if (consumer.root.getLeaf() == scope) {
        constant++; // the caller itself consumes, once per call
        continue;
      }
      TaskSpawns.Spawn spawn = TaskSpawns.of(consumer.root, index, state);
      if (spawn.call == null || spawn.kind == TaskSpawns.Kind.CALLER) {
        return Optional.empty();
      }
      // Started in a loop (for w < workers) or created in one (tasks.add(() -> ..)): one per trip.
      TreePath loop = AstPaths.enclosingLoop(spawn.call, scope);
      TreePath counted = spawn.call;
      if (loop == null) {
        loop = AstPaths.enclosingLoop(consumer.root, scope);
        counted = consumer.root;
      }
      if (loop == null) {
        constant++;
      } else {
        ElementCount trips = ProducerDiscovery.countOf(List.of(counted), index, state);
        if (trips == null
            || !trips.isSingleSummand()
            || !declaredBefore(loop, scope, anchorStart)) {
          return Optional.empty();
        }
        counts.add(trips.source());
      }
    }
    if (constant > 0) {
      counts.add(Integer.toString(constant));
    }
    return counts.isEmpty()
        ? Optional.empty()
        : Optional.of(new Plan(declaration, block, scope, String.join(" + ", counts)));
  }

  /**
   * The plain-Java "consumers count themselves out" fix, or empty when it cannot be applied safely.
   */
  static Optional<SuggestedFix> consumerCountFix(
      List<ProducerDiscovery.Producer> producers,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      QueueBoundedness.Verdict verdict,
      CompilationUnitIndex index,
      VisitorState state) {
    Optional<Plan> plan = plan(producers, consumers, queue, verdict, index, state);
    if (plan.isEmpty()) {
      return Optional.empty();
    }
    TreePath declaration = plan.get().declaration;
    String counter = freshName("consumersLeft", plan.get().scope);
    SuggestedFix.Builder fix = SuggestedFix.builder();
    String counterType = SuggestedFixes.qualifyType(state, fix, COUNTER_TYPE);
    String counterDeclaration =
        counterType
            + " "
            + counter
            + " = new "
            + counterType
            + "("
            + plan.get().consumerCount
            + ");";
    if (declaration != null) {
      fix.postfixWith(
          declaration.getLeaf(),
          "\n" + indentOf(declaration.getLeaf(), state) + counterDeclaration);
    } else {
      StatementTree first = ((BlockTree) plan.get().block.getLeaf()).getStatements().get(0);
      fix.prefixWith(first, counterDeclaration + "\n" + indentOf(first, state));
    }
    Wrapper countOut =
        indent ->
            new String[] {
              "try {",
              "} finally {\n" + indent + "  " + counter + ".decrementAndGet();\n" + indent + "}"
            };
    for (QueueConsumer consumer : consumers) {
      if (!wrapConsumer(consumer, plan.get(), countOut, fix, state)) {
        return Optional.empty();
      }
    }
    Set<String> reserved = new HashSet<>();
    reserved.add(counter);
    for (ProducerDiscovery.Producer producer : producers) {
      if (!stopProducer(producer, counter + ".get() == 0", reserved, fix, state)) {
        return Optional.empty();
      }
    }
    return Optional.of(fix.build());
  }

  /**
   * With the runtime on the classpath: swap the queue for a {@code CancellableBoundedQueue} that
   * expects the consumers, and have each consumer hold a registration while it takes. When the last
   * one leaves, a blocked or later {@code put} throws {@code QueueAbandonedException} instead of
   * blocking. Only for plain {@code BlockingQueue} locals with a capacity (not deques, not
   * synchronous handoffs).
   */
  static Optional<SuggestedFix> cancellableQueueFix(
      List<ProducerDiscovery.Producer> producers,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      QueueBoundedness.Verdict verdict,
      CompilationUnitIndex index,
      VisitorState state) {
    if (verdict.capacity == null
        || verdict.synchronous
        || !RuntimeLibrary.isOnClasspath(state)
        || producers.stream()
            .anyMatch(
                p ->
                    // A retry loop around offer() spins on an abandoned queue, which only fails
                    // put() fast.
                    p.insertion != ProducerDiscovery.Insertion.PUT
                        || !ConcurrencyApiModel.isCancellableQueueInsertion(
                            ASTHelpers.getSymbol(
                                (MethodInvocationTree) p.insertionPath().getLeaf())))) {
      return Optional.empty();
    }
    Optional<Plan> plan = plan(producers, consumers, queue, verdict, index, state);
    if (plan.isEmpty() || plan.get().declaration == null) {
      return Optional.empty();
    }
    VariableTree declaration = (VariableTree) plan.get().declaration.getLeaf();
    Type declared = ASTHelpers.getType(declaration.getType());
    Type blockingQueue = JAVA_UTIL_CONCURRENT_BLOCKINGQUEUE.get(state);
    if (declared == null
        || blockingQueue == null
        || declared.getTypeArguments().size() != 1
        || (!state
                .getTypes()
                .isSameType(
                    state.getTypes().erasure(declared), state.getTypes().erasure(blockingQueue))
            && !ASTHelpers.isSubtype(
                declared, JAVA_UTIL_CONCURRENT_ARRAYBLOCKINGQUEUE.get(state), state)
            && !ASTHelpers.isSubtype(
                declared, JAVA_UTIL_CONCURRENT_LINKEDBLOCKINGQUEUE.get(state), state))) {
      return Optional.empty();
    }
    String capacity = state.getSourceForNode(verdict.capacity);
    String element = SuggestedFixes.prettyType(declared.getTypeArguments().get(0), state);
    if (capacity == null || element == null) {
      return Optional.empty();
    }
    SuggestedFix.Builder fix = SuggestedFix.builder();
    String type = SuggestedFixes.qualifyType(state, fix, RuntimeLibrary.WITNESS);
    fix.replace(declaration.getType(), type + "<" + element + ">");
    fix.replace(
        verdict.creation, "new " + type + "<>(" + capacity + ", " + plan.get().consumerCount + ")");
    String queueName = declaration.getName().toString();
    String resource = freshName("registration", plan.get().scope);
    Wrapper register =
        indent ->
            new String[] {
              "try (var " + resource + " = " + queueName + ".registerConsumer()) {", "}"
            };
    for (QueueConsumer consumer : consumers) {
      if (!wrapConsumer(consumer, plan.get(), register, fix, state)) {
        return Optional.empty();
      }
    }
    if (!leaveWhenAbandoned(producers, fix, state)) {
      return Optional.empty();
    }
    return Optional.of(fix.build());
  }

  /**
   * Wraps each blocking insertion into a {@code CancellableBoundedQueue} so that the producer
   * leaves as with the plain fix when the queue is abandoned: a void task quietly, anything else
   * with a CancellationException, instead of the runtime's QueueAbandonedException that a
   * CompletableFuture would report and a pool thread would print. False when an insertion's source
   * cannot be read.
   */
  static boolean leaveWhenAbandoned(
      List<ProducerDiscovery.Producer> producers, SuggestedFix.Builder fix, VisitorState state) {
    return leaveWhenAbandoned(producers, false, fix, state);
  }

  /**
   * As above; with {@code voidHelpersReturn}, an insertion in a void method that the producer's
   * task calls (a listener's {@code onEvent}) returns from that method, as the plain fix's does:
   * the element is dropped and the caller goes on to the next one, which fails fast as well.
   */
  static boolean leaveWhenAbandoned(
      List<ProducerDiscovery.Producer> producers,
      boolean voidHelpersReturn,
      SuggestedFix.Builder fix,
      VisitorState state) {
    for (ProducerDiscovery.Producer producer : producers) {
      TreePath statement = producer.insertionPath().getParentPath();
      if (statement.getLeaf() instanceof ExpressionStatementTree) {
        String exit =
            inPerElementVoidLambda(producer.insertionPath(), state)
                    || (voidHelpersReturn && inVoidHelper(producer, producer.insertionPath()))
                ? "return;"
                : exitStatement(producer, state, fix);
        if (inFinally(statement)) {
          // A return or throw there would discard what the try block threw (Error Prone's
          // Finally): leave the loop that retries the insertion, or let the exception go.
          if (!loopInsideFinally(statement)) {
            continue;
          }
          exit = "break;";
        }
        String source = state.getSourceForNode(statement.getLeaf());
        if (source == null) {
          return false;
        }
        String abandoned =
            SuggestedFixes.qualifyType(state, fix, ConcurrencyApiModel.QUEUE_ABANDONED_EXCEPTION);
        String indent = indentOf(statement.getLeaf(), state);
        String caught = freshName("abandonedBy", producer.root.getLeaf());
        fix.replace(
            statement.getLeaf(),
            "try {\n"
                + indent
                + "  "
                + source
                + "\n"
                + indent
                + "} catch ("
                + abandoned
                + " "
                + caught
                + ") {\n"
                + indent
                + "  "
                + exit
                + "\n"
                + indent
                + "}");
      }
    }
    return true;
  }

  /** The statement sits in a {@code finally} block of its method or lambda. */
  private static boolean inFinally(TreePath statement) {
    Tree child = statement.getLeaf();
    for (TreePath p = statement.getParentPath(); p != null; p = p.getParentPath()) {
      Tree leaf = p.getLeaf();
      if (leaf instanceof MethodTree
          || leaf instanceof LambdaExpressionTree
          || leaf instanceof com.sun.source.tree.ClassTree) {
        return false;
      }
      if (leaf instanceof com.sun.source.tree.TryTree tryTree
          && tryTree.getFinallyBlock() == child) {
        return true;
      }
      child = leaf;
    }
    return false;
  }

  /**
   * The statement's innermost enclosing loop lies inside the same {@code finally} block, with no
   * {@code switch} in between: a {@code break} leaves that loop and the block goes on normally.
   */
  private static boolean loopInsideFinally(TreePath statement) {
    Tree child = statement.getLeaf();
    for (TreePath p = statement.getParentPath(); p != null; p = p.getParentPath()) {
      Tree leaf = p.getLeaf();
      if (leaf instanceof com.sun.source.tree.SwitchTree
          || (leaf instanceof com.sun.source.tree.TryTree tryTree
              && tryTree.getFinallyBlock() == child)) {
        return false;
      }
      if (AstPaths.isLoop(leaf)) {
        return true;
      }
      child = leaf;
    }
    return false;
  }

  /** Opening and closing text around a consumer's code, given the indentation of its first line. */
  private interface Wrapper {
    String[] around(String indent);
  }

  /**
   * Wraps the consumer's task body (or, on the caller's thread, the rest of the method from its
   * first take).
   */
  private static boolean wrapConsumer(
      QueueConsumer consumer,
      Plan plan,
      Wrapper wrapper,
      SuggestedFix.Builder fix,
      VisitorState state) {
    Tree root = consumer.root.getLeaf();
    if (root == plan.scope) {
      return wrapCallerTakes(consumer, plan, wrapper, fix, state);
    }
    if (root instanceof LambdaExpressionTree lambda) {

      Tree body = lambda.getBody();
      if (body instanceof BlockTree blockTree) {
        return wrapBlock(blockTree, wrapper, fix, state);
      }
      String expr = state.getSourceForNode(body);
      if (expr == null) {
        return false;
      }
      Type type = ASTHelpers.getType(body);
      boolean returnsValue =
          lambdaReturnsValue(lambda, state) && type != null && type.getKind() != TypeKind.VOID;
      String indent = indentOf(lambda, state) + "  ";
      String[] around = wrapper.around(indent);
      fix.replace(
          body,
          "{\n"
              + indent
              + around[0]
              + "\n"
              + indent
              + "  "
              + (returnsValue ? "return " : "")
              + expr
              + ";\n"
              + indent
              + around[1]
              + "\n"
              + indent.substring(2)
              + "}");
      return true;
    }
    if (root instanceof MethodTree methodTree && methodTree.getBody() != null) {
      return wrapBlock(methodTree.getBody(), wrapper, fix, state);
    }
    return false;
  }

  /**
   * The caller consumes: wrap just the statements of the method's block that take, so that it
   * counts itself out as soon as it stops taking, not after later code that may wait for the
   * producer (a join there would never end). The range grows to the end of the block when a
   * variable it declares is used after it.
   */
  private static boolean wrapCallerTakes(
      QueueConsumer consumer,
      Plan plan,
      Wrapper wrapper,
      SuggestedFix.Builder fix,
      VisitorState state) {
    List<? extends StatementTree> statements =
        ((BlockTree) innermostBlockOfTakes(consumer, plan).getLeaf()).getStatements();
    int first = -1;
    int last = -1;
    for (int i = 0; i < statements.size(); i++) {
      StatementTree statement = statements.get(i);
      if (consumer.takes.stream().anyMatch(t -> AstPaths.isWithin(t, statement))) {
        first = first < 0 ? i : first;
        last = i;
      }
    }
    if (first < 0) {
      return false;
    }
    List<VarSymbol> declared = new ArrayList<>();
    for (int i = first; i <= last; i++) {
      if (statements.get(i) instanceof VariableTree) {
        Symbol sym = ASTHelpers.getSymbol(statements.get(i));
        if (sym instanceof VarSymbol varSymbol) {
          declared.add(varSymbol);
        }
      }
    }
    for (int i = last + 1; i < statements.size() && !declared.isEmpty(); i++) {
      if (AstPaths.anyMatch(
          statements.get(i),
          t -> t instanceof IdentifierTree && declared.contains(ASTHelpers.getSymbol(t)))) {
        last = statements.size() - 1;
        break;
      }
    }
    return wrapStatements(statements.get(first), statements.get(last), wrapper, fix, state);
  }

  /**
   * The innermost block that holds every take and runs once per call (no loop, lambda or class
   * between it and the method): wrapping there counts the caller out before later code of an
   * enclosing statement (a finally that waits for the pool) runs. The plan's block otherwise.
   */
  private static TreePath innermostBlockOfTakes(QueueConsumer consumer, Plan plan) {
    TreePath best = null;
    for (TreePath p = consumer.takes.get(0).getParentPath();
        p != null && p.getLeaf() != plan.scope;
        p = p.getParentPath()) {
      Tree leaf = p.getLeaf();
      if (AstPaths.isLoop(leaf)
          || leaf instanceof LambdaExpressionTree
          || leaf instanceof com.sun.source.tree.ClassTree) {
        best = null; // a block inside a loop runs many times
        continue;
      }
      if (best == null
          && leaf instanceof BlockTree
          && AstPaths.isWithin(p, plan.block.getLeaf())
          && consumer.takes.stream().allMatch(t -> AstPaths.isWithin(t, leaf))) {
        best = p;
      }
    }
    return best == null ? plan.block : best;
  }

  private static boolean lambdaReturnsValue(LambdaExpressionTree lambda, VisitorState state) {
    Type target = ASTHelpers.getType(lambda);
    if (target == null) {
      return false;
    }
    Symbol.MethodSymbol sam =
        state.getTypes().findDescriptorSymbol(target.tsym) instanceof Symbol.MethodSymbol
            ? (Symbol.MethodSymbol) state.getTypes().findDescriptorSymbol(target.tsym)
            : null;
    return sam != null && sam.getReturnType().getKind() != TypeKind.VOID;
  }

  private static boolean wrapBlock(
      BlockTree block, Wrapper wrapper, SuggestedFix.Builder fix, VisitorState state) {
    List<? extends StatementTree> statements = block.getStatements();
    return !statements.isEmpty()
        && wrapStatements(
            statements.get(0), statements.get(statements.size() - 1), wrapper, fix, state);
  }

  /**
   * Replaces the statements from {@code first} to {@code last} with the wrapper's opening, them,
   * and its closing.
   */
  private static boolean wrapStatements(
      Tree first, Tree last, Wrapper wrapper, SuggestedFix.Builder fix, VisitorState state) {
    int start = ASTHelpers.getStartPosition(first);
    int end = state.getEndPosition(last);
    CharSequence source = state.getSourceCode();
    if (source == null || start < 0 || end <= start) {
      return false;
    }
    String indent = indentOf(first, state);
    String[] around = wrapper.around(indent);
    String body = source.subSequence(start, end).toString().replace("\n", "\n  ");
    fix.replace(start, end, around[0] + "\n" + indent + "  " + body + "\n" + indent + around[1]);
    return true;
  }

  /**
   * The whitespace that starts the line {@code tree} begins on, so inserted code lines up with it.
   */
  static String indentOf(Tree tree, VisitorState state) {
    CharSequence source = state.getSourceCode();
    int position = ASTHelpers.getStartPosition(tree);
    if (source == null || position < 0) {
      return "";
    }
    int lineStart = position;
    while (lineStart > 0 && source.charAt(lineStart - 1) != '\n') {
      lineStart--;
    }
    int end = lineStart;
    while (end < position && (source.charAt(end) == ' ' || source.charAt(end) == '\t')) {
      end++;
    }
    return source.subSequence(lineStart, end).toString();
  }

  /**
   * Turns the blocking insertion into timed offers that stop once {@code stopCondition} (a boolean
   * expression visible at the insertion) holds.
   */
  static boolean stopProducer(
      ProducerDiscovery.Producer producer,
      String stopCondition,
      Set<String> reserved,
      SuggestedFix.Builder fix,
      VisitorState state) {
    return stopProducer(producer, stopCondition, false, reserved, fix, state);
  }

  /**
   * As above; {@code testFirst} also tests the condition before the first offer, so that once the
   * consumers are gone each later call leaves at once instead of waiting one timeout for room.
   */
  static boolean stopProducer(
      ProducerDiscovery.Producer producer,
      String stopCondition,
      boolean testFirst,
      Set<String> reserved,
      SuggestedFix.Builder fix,
      VisitorState state) {
    TreePath insertion = producer.insertionPath();
    MethodInvocationTree call = (MethodInvocationTree) insertion.getLeaf();
    // In a void lambda that a stream or forEach runs once per element, leave the element at once
    // when the consumers are gone: each later element is then skipped without waiting, where a
    // throw would end the caller's whole operation with an exception it does not expect.
    // An end marker put in a finally: a return or throw there would replace whatever the try
    // block returned or threw (Error Prone's Finally). Leaving the offer loop skips the marker,
    // which nobody is left to read.
    boolean inFinally = inFinally(insertion);
    boolean perElement =
        !inFinally
            && (inPerElementVoidLambda(insertion, state) || inVoidHelper(producer, insertion));
    boolean testsFirst =
        (testFirst || insertsOncePerCall(producer, insertion, state)) && !inFinally;
    String exit =
        inFinally ? "break;" : perElement ? "return;" : exitStatement(producer, state, fix);
    if (producer.insertion == ProducerDiscovery.Insertion.TIMED_OFFER_RETRY) {
      Tree loop = producer.retryLoop.getLeaf();
      if (!AstPaths.isWithin(insertion, loop)) {
        return false; // retried by a helper (awaitForever(() -> q.offer(e))) that others call too
      }
      // The check goes first in the body: in do { ok = q.offer(..); } while (!ok) too, each round
      // then tests it before it offers again.
      StatementTree body =
          loop instanceof WhileLoopTree || loop instanceof DoWhileLoopTree
              ? AstPaths.loopBody(loop)
              : null;
      if (loop instanceof WhileLoopTree && (perElement || testsFirst)) {
        // Each later call would otherwise wait one whole timeout of the original offer first.
        fix.prefixWith(
            loop, check(stopCondition, exit, indentOf(loop, state)) + "\n" + indentOf(loop, state));
      }
      if (body instanceof BlockTree blockTree && !blockTree.getStatements().isEmpty()) {
        StatementTree first = blockTree.getStatements().get(0);
        String indent = indentOf(first, state);
        fix.prefixWith(first, check(stopCondition, exit, indent) + "\n" + indent);
        return true;
      }
      if (body != null) {
        String indent = indentOf(loop, state);
        fix.replace(
            body,
            "{\n"
                + indent
                + "  "
                + check(stopCondition, exit, indent + "  ")
                + "\n"
                + indent
                + "}");
        return true;
      }
      return false;
    }
    TreePath parent = insertion.getParentPath();
    if (!(parent.getLeaf() instanceof ExpressionStatementTree) || call.getArguments().size() != 1) {
      return false;
    }
    ExpressionTree receiver = ASTHelpers.getReceiver(call);
    String queue = receiver == null ? null : state.getSourceForNode(receiver);
    String element = state.getSourceForNode(call.getArguments().get(0));
    if (queue == null || element == null) {
      return false;
    }
    String offer = ConcurrencyApiModel.timedCounterpart(ASTHelpers.getSymbol(call));
    String indent = indentOf(parent.getLeaf(), state);
    String prefix = "";
    ExpressionTree arg = Trees.skipParensAndCasts(call.getArguments().get(0));
    if (!(arg instanceof IdentifierTree)
        && !(arg instanceof com.sun.source.tree.LiteralTree)
        && ASTHelpers.constValue(arg) == null) {
      // Evaluate the element once: the loop may offer it many times. Typed as the queue's element,
      // so that a poly expression such as List.of() keeps the type it had as an argument.
      Type elementType = queueElementType(receiver, state);
      if (elementType == null) {
        return false;
      }
      String local = freshName("element", AstPaths.taskRoot(insertion).getLeaf(), reserved);
      reserved.add(local);
      prefix =
          SuggestedFixes.prettyType(state, fix, elementType)
              + " "
              + local
              + " = "
              + element
              + ";\n"
              + indent;
      element = local;
    }
    String timeUnit = SuggestedFixes.qualifyType(state, fix, "java.util.concurrent.TimeUnit");
    if (perElement || testsFirst) {
      prefix = check(stopCondition, exit, indent) + "\n" + indent + prefix;
    }
    fix.replace(
        parent.getLeaf(),
        prefix
            + "while (!"
            + queue
            + "."
            + offer
            + "("
            + element
            + ", 10, "
            + timeUnit
            + ".MILLISECONDS)) {\n"
            + indent
            + "  "
            + check(stopCondition, exit, indent + "  ")
            + "\n"
            + indent
            + "}");
    return true;
  }

  /**
   * The insertion's innermost lambda runs once per element on the caller's behalf, returning
   * nothing.
   */
  private static boolean inPerElementVoidLambda(TreePath insertion, VisitorState state) {
    for (TreePath p = insertion.getParentPath(); p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof MethodTree
          || p.getLeaf() instanceof com.sun.source.tree.ClassTree) {
        return false;
      }
      if (p.getLeaf() instanceof LambdaExpressionTree lambda) {
        return !AstPaths.isTaskRoot(lambda) && !lambdaReturnsValue(lambda, state);
      }
    }
    return false;
  }

  /**
   * The insertion sits in a void method that the producer's task calls (an API method such as
   * {@code submitAll()}, or a per-element helper): that method leaves quietly, and tests the signal
   * before offering so that later calls do not wait at all.
   */
  private static boolean inVoidHelper(ProducerDiscovery.Producer producer, TreePath insertion) {
    for (TreePath p = insertion.getParentPath(); p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof LambdaExpressionTree
          || p.getLeaf() instanceof com.sun.source.tree.ClassTree) {
        return false;
      }
      if (p.getLeaf() instanceof MethodTree method) {
        Symbol.MethodSymbol symbol = ASTHelpers.getSymbol(method);
        return method != producer.root.getLeaf()
            && symbol != null
            && !symbol.isConstructor()
            && symbol.getReturnType().getKind() == TypeKind.VOID;
      }
    }
    return false;
  }

  /**
   * The insertion sits, outside any loop, in a void method other than a task body: each call
   * inserts one element, so its callers call it once per element ({@code queue(message)} from a
   * send loop). Testing the signal before the first offer lets every call after the consumers are
   * gone leave at once, instead of waiting one timeout each: a caller with many elements left would
   * otherwise take that timeout times their number to notice. A method that is itself the task a
   * thread or executor runs ({@code runAsync(this::prefetch)}) runs once: not this.
   */
  private static boolean insertsOncePerCall(
      ProducerDiscovery.Producer producer, TreePath insertion, VisitorState state) {
    for (TreePath p = insertion.getParentPath(); p != null; p = p.getParentPath()) {
      Tree leaf = p.getLeaf();
      if (leaf instanceof LambdaExpressionTree || leaf instanceof com.sun.source.tree.ClassTree) {
        return false;
      }
      if (AstPaths.isLoop(leaf)) {
        return false;
      }
      if (leaf instanceof MethodTree method) {
        Symbol.MethodSymbol symbol = ASTHelpers.getSymbol(method);
        return symbol != null
            && !symbol.isConstructor()
            && symbol.getReturnType().getKind() == TypeKind.VOID
            && !ConcurrencyApiModel.isTaskMethod(symbol, state)
            && !(producer.root.getLeaf() == method && producer.spawn.call != null);
      }
    }
    return false;
  }

  private static String check(String stopCondition, String exit, String indent) {
    return "if (" + stopCondition + ") {\n" + indent + "  " + exit + "\n" + indent + "}";
  }

  /**
   * {@code return;} when the producer is a void task body or void method, else a
   * CancellationException.
   */
  private static String exitStatement(
      ProducerDiscovery.Producer producer, VisitorState state, SuggestedFix.Builder fix) {
    Tree root = producer.root.getLeaf();
    Tree innermost = null;
    for (TreePath p = producer.insertionPath().getParentPath();
        p != null && innermost == null;
        p = p.getParentPath()) {
      if (p.getLeaf() instanceof LambdaExpressionTree || p.getLeaf() instanceof MethodTree) {
        innermost = p.getLeaf();
      }
    }
    boolean voidRoot = false;
    if (root instanceof LambdaExpressionTree lambdaExpressionTree) {
      voidRoot = !lambdaReturnsValue(lambdaExpressionTree, state);
    } else if (root instanceof MethodTree methodTree) {
      Symbol.MethodSymbol method = ASTHelpers.getSymbol(methodTree);
      // A void method leaves quietly, on a task's thread or the caller's own (an API method such
      // as append() or submitAll()): what the maintainers of logback, Debezium and Spring AMQP
      // wrote, which drop what can no longer be consumed. A method that returns a value must not
      // pretend it finished: it throws.
      voidRoot = method != null && method.getReturnType().getKind() == TypeKind.VOID;
    }
    // Inside an inline lambda (forEach), a return would only skip one element: leave the whole
    // task.
    if (voidRoot && innermost == root) {
      return "return;";
    }
    String cancellation =
        SuggestedFixes.qualifyType(state, fix, "java.util.concurrent.CancellationException");
    return "throw new " + cancellation + "(\"every consumer has stopped taking\");";
  }

  /** The local variable declaration whose initialiser created the queue. */
  private static TreePath localDeclarationOf(
      ExpressionTree creation, QueueAliases queue, CompilationUnitIndex index) {
    TreePath site = queue.creationSite(creation, index);
    Symbol variable =
        site != null && site.getLeaf() instanceof VariableTree
            ? ASTHelpers.getSymbol(site.getLeaf())
            : null;
    return variable != null && variable.getKind() == ElementKind.LOCAL_VARIABLE ? site : null;
  }

  /**
   * Every local the loop's bound uses is declared before {@code anchorStart}, so the fix's state
   * can use it.
   */
  private static boolean declaredBefore(TreePath loop, Tree scope, int anchorStart) {
    if (!(loop.getLeaf() instanceof com.sun.source.tree.ForLoopTree)) {
      return false;
    }
    com.sun.source.tree.ForLoopTree f = (com.sun.source.tree.ForLoopTree) loop.getLeaf();
    if (!(f.getCondition() instanceof com.sun.source.tree.BinaryTree)) {
      return false;
    }
    Tree bound = ((com.sun.source.tree.BinaryTree) f.getCondition()).getRightOperand();
    return !AstPaths.anyMatch(
        bound,
        t -> {
          Symbol sym = t instanceof IdentifierTree ? ASTHelpers.getSymbol(t) : null;
          return sym instanceof VarSymbol varSymbol
              && sym.getKind() == ElementKind.LOCAL_VARIABLE
              && declaredAt(varSymbol, scope) >= anchorStart;
        });
  }

  /** Where {@code local} is declared in {@code scope}, or MAX_VALUE when it is not found there. */
  private static int declaredAt(VarSymbol local, Tree scope) {
    int[] at = {Integer.MAX_VALUE};
    AstPaths.anyMatch(
        scope,
        t -> {
          if (t instanceof VariableTree && local.equals(ASTHelpers.getSymbol(t))) {
            at[0] = ASTHelpers.getStartPosition(t);
            return true;
          }
          return false;
        });
    return at[0];
  }

  /** For a queue that is a parameter of a method with a non-empty body: that body. */
  @Nullable
  private static TreePath parameterMethodBody(QueueAliases queue, CompilationUnitIndex index) {
    for (VarSymbol alias : queue.variables) {
      if (alias.getKind() != ElementKind.PARAMETER
          || !(alias.owner instanceof Symbol.MethodSymbol)) {
        continue;
      }
      TreePath method = index.methods.get((Symbol.MethodSymbol) alias.owner);
      if (method != null
          && ((MethodTree) method.getLeaf())
              .getParameters().stream().anyMatch(p -> alias.equals(ASTHelpers.getSymbol(p)))) {
        BlockTree body = ((MethodTree) method.getLeaf()).getBody();
        if (body != null && !body.getStatements().isEmpty()) {
          return new TreePath(method, body);
        }
      }
    }
    return null;
  }

  /** A name not yet used anywhere in {@code scope}. */
  static String freshName(String base, Tree scope) {
    return freshName(base, scope, Set.of());
  }

  /** A name not used in {@code scope} nor already given out by this fix. */
  static String freshName(String base, Tree scope, Set<String> reserved) {
    String name = base;
    for (int i = 2; isUsed(name, scope) || reserved.contains(name); i++) {
      name = base + i;
    }
    return name;
  }

  /** The element type {@code E} of the queue's {@code BlockingQueue<E>} supertype, or null. */
  private static Type queueElementType(ExpressionTree receiver, VisitorState state) {
    Type type = ASTHelpers.getType(receiver);
    Type queue = JAVA_UTIL_QUEUE.get(state);
    if (type == null || queue == null) {
      return null;
    }
    Type asQueue = state.getTypes().asSuper(type, queue.tsym);
    if (asQueue == null || asQueue.getTypeArguments().size() != 1) {
      return null;
    }
    Type element = asQueue.getTypeArguments().get(0);
    // A wildcard or captured type cannot be written as a local's type. A type variable can: the
    // receiver's type is seen at the insertion, where a variable it names is in scope (a generic
    // prefetching iterator's BlockingQueue<T>).
    return element.getKind() == TypeKind.DECLARED
            || element.getKind() == TypeKind.ARRAY
            || element.getKind() == TypeKind.TYPEVAR
        ? element
        : null;
  }

  private static boolean isUsed(String name, Tree scope) {
    return AstPaths.anyMatch(
        scope,
        t ->
            (t instanceof VariableTree variableTree && variableTree.getName().contentEquals(name))
                || (t instanceof IdentifierTree identifierTree
                    && identifierTree.getName().contentEquals(name)));
  }

  private static final Supplier<Type> JAVA_UTIL_CONCURRENT_ARRAYBLOCKINGQUEUE =
      VisitorState.memoize(
          state -> state.getTypeFromString("java.util.concurrent.ArrayBlockingQueue"));

  private static final Supplier<Type> JAVA_UTIL_CONCURRENT_BLOCKINGQUEUE =
      VisitorState.memoize(state -> state.getTypeFromString("java.util.concurrent.BlockingQueue"));

  private static final Supplier<Type> JAVA_UTIL_CONCURRENT_LINKEDBLOCKINGQUEUE =
      VisitorState.memoize(
          state -> state.getTypeFromString("java.util.concurrent.LinkedBlockingQueue"));

  private static final Supplier<Type> JAVA_UTIL_QUEUE =
      VisitorState.memoize(state -> state.getTypeFromString("java.util.Queue"));
}
