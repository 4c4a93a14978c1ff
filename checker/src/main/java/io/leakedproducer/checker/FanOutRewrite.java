package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.fixes.SuggestedFix;
import com.google.errorprone.fixes.SuggestedFixes;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ContinueTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.code.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a leaking fan-out is the DeleteCollection shape and, when the runtime is on the
 * classpath, rewrites it to {@code BoundedDeleter.deleteAll}: a distributor puts the indices of a
 * list into a local queue, {@code N} workers started in a loop take an index, stop at a sentinel,
 * and process {@code list.get(index)}; the caller waits for them and reports the first error its
 * workers recorded. The rewrite keeps the workers' per-item code as the deleter, so the error
 * recording stays as written; a worker's early {@code return} (it stops after an error) becomes a
 * failure that makes {@code BoundedDeleter} hand out no further item. Bounded workers, the first
 * error reported and nothing left running are {@code BoundedDeleter}'s guarantees. Anything that
 * does not match exactly gets no rewrite.
 */
final class FanOutRewrite {
  static final String BOUNDED_DELETER = "io.leakedproducer.runtime.BoundedDeleter";

  private FanOutRewrite() {}

  static Optional<SuggestedFix> rewrite(
      List<ProducerDiscovery.Producer> producers,
      List<QueueConsumer> consumers,
      QueueAliases queue,
      CompilationUnitIndex index,
      VisitorState state) {
    if (producers.isEmpty()
        || consumers.size() != 1
        || !RuntimeLibrary.has(state, BOUNDED_DELETER)) {
      return Optional.empty();
    }
    VarSymbol queueVariable = null;
    for (VarSymbol alias : queue.variables) {
      if (alias.getKind() == javax.lang.model.element.ElementKind.LOCAL_VARIABLE) {
        queueVariable = alias;
      }
    }
    TreePath declaration = queueVariable == null ? null : index.declarations.get(queueVariable);
    if (queue.variables.size() != 1
        || declaration == null
        || !(declaration.getParentPath().getLeaf() instanceof BlockTree block)
        || !(declaration.getParentPath().getParentPath().getLeaf() instanceof MethodTree method)
        || !throwsInterrupted(method, state)) {
      return Optional.empty();
    }
    List<? extends StatementTree> statements = block.getStatements();
    Tree producerRoot = producers.get(0).root.getLeaf();
    for (ProducerDiscovery.Producer producer : producers) {
      if (producer.root.getLeaf() != producerRoot
          || producer.chain.size() != 1
          || producer.insertion != ProducerDiscovery.Insertion.PUT) {
        return Optional.empty();
      }
    }
    if (!(consumers.get(0).root.getLeaf() instanceof LambdaExpressionTree worker)) {
      return Optional.empty();
    }
    StatementTree producerStatement = statementOf(producerRoot, statements);
    StatementTree spawnLoop = statementOf(worker, statements);
    if (producerStatement == null
        || !(spawnLoop instanceof ForLoopTree loop)
        || !(loop.getCondition() instanceof BinaryTree condition)
        || condition.getKind() != Tree.Kind.LESS_THAN) {
      return Optional.empty();
    }
    WorkerLoop shape = workerLoop(worker, queueVariable);
    if (shape == null) {
      return Optional.empty();
    }
    // Statements to remove: the queue, the distributor, the worker loop, and every statement that
    // only serves them (thread start, latch or futures declaration, the join).
    Set<Tree> removed = new HashSet<>();
    removed.add(declaration.getLeaf());
    removed.add(producerStatement);
    removed.add(spawnLoop);
    // Locals the workers' start-up or shutdown uses (a latch, a list of futures), but not their
    // per-item code, exist only for the fan-out.
    for (StatementTree statement : statements) {
      if (statement instanceof VariableTree variable
          && !removed.contains(statement)
          && uses(spawnLoop, Set.of(ASTHelpers.getSymbol(variable)))
          && shape.rest().stream()
              .noneMatch(r -> uses(r, Set.of(ASTHelpers.getSymbol(variable))))) {
        removed.add(statement);
      }
    }
    boolean grew = true;
    while (grew) {
      grew = false;
      Set<Symbol> gone = declaredBy(removed);
      for (StatementTree statement : statements) {
        if (removed.contains(statement) || !uses(statement, gone)) {
          continue;
        }
        if (statement instanceof ExpressionStatementTree
            || statement instanceof VariableTree
            || statement instanceof com.sun.source.tree.EnhancedForLoopTree
            || statement instanceof TryTree) {
          removed.add(statement);
          grew = true;
        } else {
          return Optional.empty(); // a return or branch needs the workers' state: too clever
        }
      }
    }
    // Any other statement that refers to something created by a removed declaration was caught
    // above; the removed ones must not declare what a kept statement uses (checked by uses()).
    StatementTree last = null;
    for (StatementTree statement : statements) {
      if (removed.contains(statement)) {
        last = statement;
      }
    }
    if (last == null || last == spawnLoop || last == producerStatement) {
      return Optional.empty(); // no join after the workers: the caller did not wait for them
    }
    String items = state.getSourceForNode(shape.list());
    String workers = state.getSourceForNode(condition.getRightOperand());
    String body = deleterBody(shape, state);
    if (items == null || workers == null || body == null) {
      return Optional.empty();
    }
    CatchTree handler = executionHandler(removed, state);
    SuggestedFix.Builder fix = SuggestedFix.builder();
    String deleter = SuggestedFixes.qualifyType(state, fix, BOUNDED_DELETER);
    String execution =
        SuggestedFixes.qualifyType(state, fix, "java.util.concurrent.ExecutionException");
    String cancellation =
        SuggestedFixes.qualifyType(state, fix, "java.util.concurrent.CancellationException");
    String indent = LeakFixes.indentOf(last, state);
    String failure = handler == null ? "failure" : handler.getParameter().getName().toString();
    String handled = handlerBody(handler, state);
    if (handled == null) {
      return Optional.empty();
    }
    String restIndent = LeakFixes.indentOf(shape.rest().get(0), state);
    String handledIndent =
        handler == null || handler.getBlock().getStatements().isEmpty()
            ? ""
            : LeakFixes.indentOf(handler.getBlock().getStatements().get(0), state);
    String item = LeakFixes.freshName("item", method);
    String call =
        "try {\n"
            + indent
            + "  "
            + deleter
            + ".deleteAll("
            + items
            + ", "
            + workers
            + ", "
            + item
            + " -> {\n"
            + reindent(
                body.replace(ITEM, item).replace(STOP, cancellation), restIndent, indent + "    ")
            + indent
            + "  });\n"
            + indent
            + "} catch ("
            + execution
            + " "
            + failure
            + ") {\n"
            + (handled.isEmpty()
                ? indent
                    + "  // A worker stopped after recording its error, which stopped the run; a"
                    + " failure\n"
                    + indent
                    + "  // it did not record went unreported before too, with the thread it"
                    + " killed.\n"
                : indent
                    + "  // A worker that stopped after recording its error stopped the run; other"
                    + " failures\n"
                    + indent
                    + "  // are handled as the join handled them.\n"
                    + indent
                    + "  if (!("
                    + failure
                    + ".getCause() instanceof "
                    + cancellation
                    + ")) {\n"
                    + reindent(handled, handledIndent, indent + "    ")
                    + indent
                    + "  }\n")
            + indent
            + "}";
    for (StatementTree statement : statements) {
      if (statement == last) {
        fix.replace(statement, call);
      } else if (removed.contains(statement)) {
        deleteLines(statement, fix, state);
      }
    }
    // The sentinel constant is left unused: a private field only the fan-out read goes too.
    Symbol sentinel = sentinelConstant(shape);
    TreePath sentinelDeclaration = sentinel == null ? null : index.declarations.get(sentinel);
    if (sentinelDeclaration != null
        && sentinel.getModifiers().contains(javax.lang.model.element.Modifier.PRIVATE)
        && index.usesOf((VarSymbol) sentinel).stream()
            .allMatch(u -> removed.stream().anyMatch(r -> AstPaths.isWithin(u, r)))) {
      deleteLines(sentinelDeclaration.getLeaf(), fix, state);
    }
    return Optional.of(fix.build());
  }

  private static final com.google.errorprone.suppliers.Supplier<Type> EXECUTION_EXCEPTION =
      VisitorState.memoize(
          state -> state.getTypeFromString("java.util.concurrent.ExecutionException"));

  private static final com.google.errorprone.suppliers.Supplier<Type> INTERRUPTED_EXCEPTION =
      VisitorState.memoize(state -> state.getTypeFromString("java.lang.InterruptedException"));

  private static final String ITEM = "\u0000item\u0000";
  private static final String STOP = "\u0000stop\u0000";

  /** The worker's loop: the index it takes, the sentinel test, the per-item code and the list. */
  private record WorkerLoop(
      VarSymbol index,
      List<? extends StatementTree> rest,
      ExpressionTree list,
      ExpressionTree sentinel) {}

  /**
   * {@code [try {] while (true) { int i = q.take(); if (i == SENTINEL) return; REST } [} catch
   * (InterruptedException) {..} finally {..}]}, with every use of {@code i} in REST being {@code
   * list.get(i)}.
   */
  @Nullable
  private static WorkerLoop workerLoop(LambdaExpressionTree worker, VarSymbol queue) {
    if (!(worker.getBody() instanceof BlockTree body) || body.getStatements().size() != 1) {
      return null;
    }
    StatementTree only = body.getStatements().get(0);
    if (only instanceof TryTree tryTree) {
      if (tryTree.getResources().size() > 0 || tryTree.getBlock().getStatements().size() != 1) {
        return null;
      }
      only = tryTree.getBlock().getStatements().get(0);
    }
    if (!(only instanceof WhileLoopTree loop)
        || !(Trees.skipParensAndCasts(loop.getCondition()) instanceof LiteralTree literal)
        || !Boolean.TRUE.equals(literal.getValue())
        || !(loop.getStatement() instanceof BlockTree loopBody)
        || loopBody.getStatements().size() < 3) {
      return null;
    }
    List<? extends StatementTree> inLoop = loopBody.getStatements();
    if (!(inLoop.get(0) instanceof VariableTree taken)
        || !(taken.getInitializer() instanceof MethodInvocationTree take)
        || !(ASTHelpers.getReceiver(take) instanceof IdentifierTree receiver)
        || !queue.equals(ASTHelpers.getSymbol(receiver))
        || !take.getArguments().isEmpty()
        || !(inLoop.get(1) instanceof IfTree sentinel)
        || sentinel.getElseStatement() != null
        || !(single(sentinel.getThenStatement()) instanceof ReturnTree)) {
      return null;
    }
    VarSymbol index = ASTHelpers.getSymbol(taken);
    List<? extends StatementTree> rest = inLoop.subList(2, inLoop.size());
    List<ExpressionTree> lists = new ArrayList<>();
    boolean[] other = {false};
    for (StatementTree statement : rest) {
      statement.accept(
          new TreeScanner<Void, Void>() {
            @Override
            public Void visitMethodInvocation(MethodInvocationTree call, Void unused) {
              if (call.getArguments().size() == 1
                  && call.getArguments().get(0) instanceof IdentifierTree argument
                  && index.equals(ASTHelpers.getSymbol(argument))
                  && ConcurrencyApiModel.isElementAccess(call)
                  && ASTHelpers.getReceiver(call) instanceof IdentifierTree list) {
                lists.add(list);
                return null;
              }
              return super.visitMethodInvocation(call, null);
            }

            @Override
            public Void visitIdentifier(IdentifierTree identifier, Void unused) {
              if (index.equals(ASTHelpers.getSymbol(identifier))) {
                other[0] = true;
              }
              return null;
            }

            @Override
            public Void visitBreak(BreakTree tree, Void unused) {
              other[0] = true;
              return null;
            }

            @Override
            public Void visitContinue(ContinueTree tree, Void unused) {
              other[0] = true;
              return null;
            }

            @Override
            public Void visitClass(ClassTree tree, Void unused) {
              other[0] = true;
              return null;
            }

            @Override
            public Void visitLambdaExpression(LambdaExpressionTree tree, Void unused) {
              other[0] = true;
              return null;
            }
          },
          null);
    }
    if (other[0] || lists.isEmpty()) {
      return null;
    }
    Symbol list = ASTHelpers.getSymbol(lists.get(0));
    for (ExpressionTree l : lists) {
      if (!list.equals(ASTHelpers.getSymbol(l))) {
        return null;
      }
    }
    return new WorkerLoop(
        index, rest, lists.get(0), Trees.skipParensAndCasts(sentinel.getCondition()));
  }

  /**
   * The per-item code with {@code list.get(index)} as the deleter's item and every {@code return}
   * (the worker stops) as a failure that stops the run.
   */
  @Nullable
  private static String deleterBody(WorkerLoop shape, VisitorState state) {
    CharSequence source = state.getSourceCode();
    int start = ASTHelpers.getStartPosition(shape.rest().get(0));
    int end = state.getEndPosition(shape.rest().get(shape.rest().size() - 1));
    if (source == null || start < 0 || end <= start) {
      return null;
    }
    List<int[]> edits = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (StatementTree statement : shape.rest()) {
      statement.accept(
          new TreeScanner<Void, Void>() {
            @Override
            public Void visitMethodInvocation(MethodInvocationTree call, Void unused) {
              if (call.getArguments().size() == 1
                  && call.getArguments().get(0) instanceof IdentifierTree argument
                  && shape.index().equals(ASTHelpers.getSymbol(argument))) {
                edits.add(
                    new int[] {ASTHelpers.getStartPosition(call), state.getEndPosition(call)});
                texts.add(ITEM);
                return null;
              }
              return super.visitMethodInvocation(call, null);
            }

            @Override
            public Void visitReturn(ReturnTree tree, Void unused) {
              edits.add(new int[] {ASTHelpers.getStartPosition(tree), state.getEndPosition(tree)});
              texts.add("throw new " + STOP + "(\"a worker stopped\");");
              return null;
            }
          },
          null);
    }
    StringBuilder out = new StringBuilder();
    int at = start;
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < edits.size(); i++) {
      order.add(i);
    }
    order.sort((a, b) -> Integer.compare(edits.get(a)[0], edits.get(b)[0]));
    for (int i : order) {
      int[] edit = edits.get(i);
      if (edit[0] < at) {
        return null;
      }
      out.append(source, at, edit[0]).append(texts.get(i));
      at = edit[1];
    }
    out.append(source, at, end);
    return out.toString();
  }

  /** The body of the join's {@code catch (ExecutionException e)}, or "" when there is none. */
  @Nullable
  private static String handlerBody(@Nullable CatchTree handler, VisitorState state) {
    if (handler == null) {
      return "";
    }
    List<? extends StatementTree> body = handler.getBlock().getStatements();
    if (body.isEmpty()) {
      return "";
    }
    CharSequence source = state.getSourceCode();
    int start = ASTHelpers.getStartPosition(body.get(0));
    int end = state.getEndPosition(body.get(body.size() - 1));
    return source == null || start < 0 || end <= start
        ? null
        : source.subSequence(start, end).toString();
  }

  @Nullable
  private static CatchTree executionHandler(Set<Tree> removed, VisitorState state) {
    Type execution = EXECUTION_EXCEPTION.get(state);
    CatchTree[] found = {null};
    for (Tree statement : removed) {
      if (statement instanceof ForLoopTree) {
        continue; // the worker loop: its catches belong to the workers
      }
      statement.accept(
          new TreeScanner<Void, Void>() {
            @Override
            public Void visitCatch(CatchTree tree, Void unused) {
              Type caught = ASTHelpers.getType(tree.getParameter());
              if (execution != null
                  && caught != null
                  && state.getTypes().isSameType(caught, execution)) {
                found[0] = tree;
              }
              return super.visitCatch(tree, null);
            }

            @Override
            public Void visitLambdaExpression(LambdaExpressionTree tree, Void unused) {
              return null;
            }
          },
          null);
    }
    return found[0];
  }

  /**
   * Moves {@code code}, cut from the source at its first statement (whose line was indented by
   * {@code from}), to lines indented by {@code to}, keeping deeper lines' extra indentation.
   */
  private static String reindent(String code, String from, String to) {
    if (code.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    String[] lines = code.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (i > 0) {
        line = line.startsWith(from) ? line.substring(from.length()) : line.stripLeading();
      }
      out.append(line.isBlank() ? "" : to + line).append('\n');
    }
    return out.toString();
  }

  /** Removes {@code tree} with its indentation and line break, so no blank line is left. */
  private static void deleteLines(Tree tree, SuggestedFix.Builder fix, VisitorState state) {
    CharSequence source = state.getSourceCode();
    int start = ASTHelpers.getStartPosition(tree);
    int end = state.getEndPosition(tree);
    if (source == null || start < 0 || end < start) {
      fix.replace(tree, "");
      return;
    }
    int from = start;
    while (from > 0 && (source.charAt(from - 1) == ' ' || source.charAt(from - 1) == '\t')) {
      from--;
    }
    int to = end;
    if (from > 0
        && source.charAt(from - 1) == '\n'
        && to < source.length()
        && source.charAt(to) == '\n') {
      to++;
    } else {
      from = start;
    }
    fix.replace(docCommentStart(source, from), to, "");
  }

  /**
   * Where the javadoc right above {@code lineStart} begins (with its indentation), or {@code
   * lineStart} when there is none: a removed constant takes its own comment with it, which would
   * otherwise document the next member.
   */
  private static int docCommentStart(CharSequence source, int lineStart) {
    int end = lineStart;
    while (end > 0 && Character.isWhitespace(source.charAt(end - 1))) {
      end--;
    }
    if (end < 2 || source.charAt(end - 1) != '/' || source.charAt(end - 2) != '*') {
      return lineStart;
    }
    String before = source.subSequence(0, end - 2).toString();
    int open = before.lastIndexOf("/**");
    if (open < 0 || before.indexOf("*/", open) >= 0) {
      return lineStart;
    }
    int from = open;
    while (from > 0 && (source.charAt(from - 1) == ' ' || source.charAt(from - 1) == '\t')) {
      from--;
    }
    return from > 0 && source.charAt(from - 1) == '\n' ? from : open;
  }

  /** The constant the sentinel test compares the taken index with, or null. */
  @Nullable
  private static Symbol sentinelConstant(WorkerLoop shape) {
    return shape.sentinel() instanceof BinaryTree test
            && Trees.skipParensAndCasts(test.getRightOperand()) instanceof IdentifierTree constant
        ? ASTHelpers.getSymbol(constant)
        : null;
  }

  private static boolean throwsInterrupted(MethodTree method, VisitorState state) {
    MethodSymbol symbol = ASTHelpers.getSymbol(method);
    Type interrupted = INTERRUPTED_EXCEPTION.get(state);
    return symbol != null
        && interrupted != null
        && symbol.getThrownTypes().stream()
            .anyMatch(t -> ASTHelpers.isSubtype(interrupted, t, state));
  }

  @Nullable
  private static StatementTree statementOf(Tree inner, List<? extends StatementTree> statements) {
    for (StatementTree statement : statements) {
      if (AstPaths.contains(statement, inner)) {
        return statement;
      }
    }
    return null;
  }

  @Nullable
  private static StatementTree single(StatementTree statement) {
    if (statement instanceof BlockTree block) {
      return block.getStatements().size() == 1 ? block.getStatements().get(0) : null;
    }
    return statement;
  }

  private static Set<Symbol> declaredBy(Set<Tree> statements) {
    Set<Symbol> declared = new HashSet<>();
    for (Tree statement : statements) {
      if (statement instanceof VariableTree variable) {
        declared.add(ASTHelpers.getSymbol(variable));
      }
    }
    return declared;
  }

  private static boolean uses(Tree tree, Set<Symbol> symbols) {
    return AstPaths.anyMatch(
        tree, t -> t instanceof IdentifierTree && symbols.contains(ASTHelpers.getSymbol(t)));
  }
}
