package io.leakedproducer.checker;

import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ConditionalExpressionTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.tools.javac.code.Flags;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.code.Type;
import com.sun.tools.javac.code.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.ElementKind;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a consumer dies of an exception: whether one can leave its take loop from the
 * loop's condition or body, including everything the loop reaches inside the compilation unit
 * (callees followed transitively, overrides of a called method, lambdas and method references that
 * flow into the called handler), with no handler for it on the way.
 *
 * <p>What counts as thrown is set by the {@link ConsumerDeath} level: a {@code throw} and a {@code
 * throws} clause always; a callback passed in from outside the unit under {@code CALLBACKS}; any
 * call the unit cannot see into under {@code BROAD}. {@code InterruptedException} never counts: a
 * consumer that stops on it is being cancelled.
 *
 * <p>Guarantees: callees are followed at most {@value #MAX_DEPTH} calls deep and each frame is
 * summarised once per instance, so the cost is bounded by the unit's size. Deeper code counts as
 * unseen (silence, never a guess) except under {@code BROAD}, which assumes unseen code can throw.
 */
final class ExceptionEscapes {
  private static final int MAX_DEPTH = 6;
  private static final int MAX_IMPLEMENTATIONS = 8;
  private static final int MAX_FLOW_STEPS = 4;

  /** Where an escaping exception comes from. */
  enum Origin {
    /** A {@code throw} statement. */
    THROWN,
    /** A {@code throws} clause of a called method. */
    DECLARED,
    /** A call through a handler the unit does not implement itself. */
    CALLBACK,
    /** A call into code the unit cannot see ({@code BROAD} only). */
    UNSEEN_CALL,
    /**
     * A call on a record component that the unit itself creates as {@code null}: a {@code
     * NullPointerException} the unit's own code makes certain, counted at every level.
     */
    NULL_COMPONENT
  }

  /**
   * One exception that leaves a frame. {@code anyOfKind} means "any subtype of {@code type}" (an
   * assumption about unseen code), which only a handler for the whole kind stops.
   */
  record Escape(Type type, boolean anyOfKind, Origin origin, String frame, int line) {}

  /**
   * A way out of the take loop, at the call (or throw) inside the loop that starts it. {@code
   * assumed} when it rests only on what the level assumes about code nobody can see.
   */
  record LoopExit(Tree at, String reason, boolean assumed, List<Type> thrown) {}

  /**
   * What a call can run: bodies in the unit, and whether code from outside the unit can run too.
   */
  private record Targets(List<TreePath> bodies, boolean visible, boolean callback) {}

  /** Where a variable's value comes from. */
  private static final class Sources {
    final List<Tree> implementations = new ArrayList<>();

    /**
     * Some value is handed in by a caller outside the unit (a parameter of a non-private method).
     */
    boolean passedIn;

    /**
     * Some value comes from somewhere the unit cannot follow (a call result, a lambda parameter).
     */
    boolean unknown;
  }

  private final ConsumerDeath policy;
  private final CompilationUnitIndex index;
  private final VisitorState state;
  private final Types types;

  /** Escapes of each frame (a method or lambda tree), computed once. */
  private final IdentityHashMap<Tree, List<Escape>> summaries = new IdentityHashMap<>();

  private final Set<Tree> inProgress = new HashSet<>();
  private final Map<MethodSymbol, List<TreePath>> overridesCache = new HashMap<>();

  ExceptionEscapes(ConsumerDeath policy, CompilationUnitIndex index, VisitorState state) {
    this.policy = policy;
    this.index = index;
    this.state = state;
    this.types = state.getTypes();
  }

  /**
   * The ways an exception can end the take loop: every call or inline-lambda {@code throw} in the
   * loop's condition, update and body from which an exception escapes the loop, and then is not
   * handled by a {@code catch} that goes round an enclosing loop again (in the loop's own method or
   * in {@code callers}, the call sites that lead to it, innermost first). Explicit {@code throw}
   * statements of the loop's own text are {@link EarlyExits}' business.
   */
  List<LoopExit> exitsOf(TreePath loop, List<TreePath> callers) {
    List<LoopExit> exits = new ArrayList<>();
    Tree leaf = loop.getLeaf();
    List<Tree> parts = new ArrayList<>();
    ExpressionTree condition = AstPaths.loopCondition(leaf);
    if (condition != null) {
      parts.add(condition);
    }
    if (leaf instanceof ForLoopTree forLoopTree) {
      parts.addAll(forLoopTree.getUpdate());
    }
    parts.add(AstPaths.loopBody(leaf));
    for (Tree part : parts) {
      new FrameScanner(
              0,
              "the loop",
              (at, escapes) -> {
                LoopExit exit = exitFromLoop(at, escapes, loop, callers);
                if (exit != null) {
                  exits.add(exit);
                }
              })
          .scan(new TreePath(loop, part), null);
    }
    return exits;
  }

  @Nullable
  private LoopExit exitFromLoop(
      TreePath at, List<Escape> escapes, TreePath loop, List<TreePath> callers) {
    List<Escape> escaping = new ArrayList<>();
    CatchTree stoppedUnchecked = null;
    for (Escape escape : escapes) {
      CatchTree handler = handler(at, loop.getLeaf(), escape.type());
      if (handler == null && !survivesOutside(loop, callers, escape.type())) {
        escaping.add(escape);
      } else if (escape.anyOfKind() && handler != null) {
        stoppedUnchecked = handler;
      }
    }
    if (escaping.isEmpty()) {
      return null;
    }
    int exitLine = AstPaths.line(index.unit, at.getLeaf());
    boolean assumed = escaping.stream().allMatch(Escape::anyOfKind);
    return new LoopExit(
        at.getLeaf(),
        reason(escaping, stoppedUnchecked, exitLine),
        assumed,
        escaping.stream().map(Escape::type).toList());
  }

  private String reason(List<Escape> escaping, @Nullable CatchTree stoppedUnchecked, int exitLine) {
    Escape first =
        escaping.stream().filter(e -> !e.anyOfKind()).findFirst().orElse(escaping.get(0));
    String where = first.line() == exitLine ? "" : " (line " + first.line() + ")";
    if (!first.anyOfKind()) {
      return first.frame()
          + " can throw "
          + first.type().tsym.getSimpleName()
          + where
          + " out of the take loop";
    }
    boolean error = escaping.stream().anyMatch(e -> isError(e.type()));
    boolean unchecked = escaping.stream().anyMatch(e -> !isError(e.type()));
    String what = first.origin() == Origin.CALLBACK ? " is a callback and can throw" : " can throw";
    if (error && unchecked) {
      return first.frame()
          + what
          + " any RuntimeException or Error"
          + where
          + " out of the take loop";
    }
    String kind = error ? " an Error" : " any RuntimeException";
    String past =
        stoppedUnchecked == null
            ? ""
            : " (catch ("
                + state.getSourceForNode(stoppedUnchecked.getParameter().getType())
                + ") does not stop"
                + kind
                + ")";
    return first.frame() + what + kind + where + " out of the take loop" + past;
  }

  private boolean isError(Type type) {
    return ASTHelpers.isSubtype(type, ConcurrencyApiModel.anyError(state), state);
  }

  /** Receives, for each call or throw a frame scan meets, what can leave it. */
  private interface Sink {
    void accept(TreePath at, List<Escape> escapes);
  }

  /**
   * Walks one frame's code: its calls and throws, and the lambdas that run inline in it, but not
   * nested classes or lambdas handed to another thread (they run elsewhere, later).
   */
  private final class FrameScanner extends TreePathScanner<Void, Void> {
    private final int depth;
    private final String frame;
    private final Sink sink;

    FrameScanner(int depth, String frame, Sink sink) {
      this.depth = depth;
      this.frame = frame;
      this.sink = sink;
    }

    @Override
    public Void visitClass(ClassTree tree, Void unused) {
      return null;
    }

    @Override
    public Void visitLambdaExpression(LambdaExpressionTree tree, Void unused) {
      if (AstPaths.isTaskRoot(tree)) {
        return null;
      }
      return super.visitLambdaExpression(tree, null);
    }

    @Override
    public Void visitThrow(ThrowTree tree, Void unused) {
      // The loop's own throws are EarlyExits' (it says more about them); those in lambdas it skips.
      boolean loopText = depth == 0 && !insideLambda(getCurrentPath());
      Type thrown = ASTHelpers.getType(tree.getExpression());
      if (!loopText && thrown != null && !ConcurrencyApiModel.isInterruption(thrown, state)) {
        int line = AstPaths.line(index.unit, tree);
        TreePath lambda = enclosingLambda(getCurrentPath());
        String name = lambda == null ? frame : frameNameOf(lambda.getLeaf());
        sink.accept(
            getCurrentPath(), List.of(new Escape(thrown, false, Origin.THROWN, name, line)));
      }
      return super.visitThrow(tree, null);
    }

    @Override
    public Void visitMethodInvocation(MethodInvocationTree tree, Void unused) {
      report();
      return super.visitMethodInvocation(tree, null);
    }

    @Override
    public Void visitNewClass(NewClassTree tree, Void unused) {
      report();
      return super.visitNewClass(tree, null);
    }

    private void report() {
      List<Escape> escapes = escapesOfCall(getCurrentPath(), depth);
      if (!escapes.isEmpty()) {
        sink.accept(getCurrentPath(), escapes);
      }
    }

    private boolean insideLambda(TreePath path) {
      return enclosingLambda(path) != null;
    }

    /** The inline lambda of this frame that the path is in, or null. */
    @Nullable
    private TreePath enclosingLambda(TreePath path) {
      for (TreePath p = path.getParentPath(); p != null; p = p.getParentPath()) {
        if (p.getLeaf() instanceof LambdaExpressionTree) {
          return p;
        }
        if (AstPaths.isLoop(p.getLeaf()) || p.getLeaf() instanceof MethodTree) {
          return null;
        }
      }
      return null;
    }
  }

  /**
   * What can leave a call: its {@code throws} clause, the bodies it runs, and the policy's
   * assumptions.
   */
  private List<Escape> escapesOfCall(TreePath call, int depth) {
    Symbol symbol = ASTHelpers.getSymbol(call.getLeaf());
    if (!(symbol instanceof MethodSymbol callee)) {
      return List.of();
    }
    int line = AstPaths.line(index.unit, call.getLeaf());
    List<Escape> escapes = new ArrayList<>();
    MethodSymbol nullComponent = NullComponents.dereferencedNull(call, index);
    if (nullComponent != null) {
      escapes.add(
          new Escape(
              ConcurrencyApiModel.nullDereference(state),
              false,
              Origin.NULL_COMPONENT,
              "a null " + nullComponent.getSimpleName() + "()",
              line));
    }
    for (Type thrown : callee.getThrownTypes()) {
      if (!ConcurrencyApiModel.isInterruption(thrown, state)) {
        // At the loop itself the call is named as written; deeper, with its class for orientation.
        String frame = depth == 0 ? callee.getSimpleName() + "()" : frameName(callee);
        escapes.add(new Escape(thrown, false, Origin.DECLARED, frame, line));
      }
    }
    Targets targets = targets(call, callee);
    if (depth < MAX_DEPTH) {
      for (TreePath body : targets.bodies()) {
        escapes.addAll(summary(body, depth + 1));
      }
    }
    boolean unseen = !targets.visible() || depth >= MAX_DEPTH;
    if (targets.callback() && policy.countsCallbacks()) {
      // Code handed in from outside can throw anything, an Error included.
      escapes.add(any(ConcurrencyApiModel.anyUnchecked(state), Origin.CALLBACK, callee, line));
      escapes.add(any(ConcurrencyApiModel.anyError(state), Origin.CALLBACK, callee, line));
    } else if (policy.countsEveryCall()
        && unseen
        && !ConcurrencyApiModel.cannotFail(callee, receiverType(call), state)) {
      escapes.add(any(ConcurrencyApiModel.anyUnchecked(state), Origin.UNSEEN_CALL, callee, line));
      escapes.add(any(ConcurrencyApiModel.anyError(state), Origin.UNSEEN_CALL, callee, line));
    }
    return escapes;
  }

  /**
   * The receiver's type, made exact for a local variable that only ever holds one {@code new}
   * object ({@code List<E> batch = new ArrayList<>()} is an {@code ArrayList}).
   */
  @Nullable
  private Type receiverType(TreePath call) {
    if (!(call.getLeaf() instanceof MethodInvocationTree invocation)) {
      return null;
    }
    ExpressionTree receiver = ASTHelpers.getReceiver(invocation);
    if (receiver == null) {
      return null;
    }
    VarSymbol local = AstPaths.variable(receiver);
    if (local != null
        && local.getKind() == ElementKind.LOCAL_VARIABLE
        && index.writesOf(local).isEmpty()
        && index.declarations.get(local) != null
        && ((VariableTree) index.declarations.get(local).getLeaf()).getInitializer()
            instanceof NewClassTree created
        && created.getClassBody() == null) {
      return ASTHelpers.getType(created);
    }
    return ASTHelpers.getType(receiver);
  }

  private Escape any(Type kind, Origin origin, MethodSymbol callee, int line) {
    return new Escape(kind, true, origin, frameName(callee), line);
  }

  /**
   * The escapes of one frame (a method or a lambda), computed once; a recursive call adds nothing.
   */
  private List<Escape> summary(TreePath frame, int depth) {
    Tree leaf = frame.getLeaf();
    List<Escape> known = summaries.get(leaf);
    if (known != null) {
      return known;
    }
    if (!inProgress.add(leaf)) {
      return List.of();
    }
    List<Escape> escapes = new ArrayList<>();
    Tree body =
        leaf instanceof MethodTree methodTree
            ? methodTree.getBody()
            : ((LambdaExpressionTree) leaf).getBody();
    if (body != null) {
      String name = frameNameOf(leaf);
      new FrameScanner(
              depth,
              name,
              (at, found) -> {
                for (Escape escape : found) {
                  if (handler(at, leaf, escape.type()) == null) {
                    escapes.add(escape);
                  }
                }
              })
          .scan(new TreePath(frame, body), null);
    }
    inProgress.remove(leaf);
    summaries.put(leaf, escapes);
    return escapes;
  }

  /**
   * The code a call can run: the callee's body in the unit, the overrides of it in the unit, and
   * the lambdas and method references that flow into its receiver. {@code callback} is true when an
   * implementation can also come from outside the unit.
   */
  private Targets targets(TreePath call, MethodSymbol callee) {
    List<TreePath> bodies = new ArrayList<>();
    TreePath own = index.methods.get(callee);
    boolean abstractMethod = (callee.flags() & Flags.ABSTRACT) != 0;
    // A method of a class in the unit without a tree is generated (accessor, default constructor).
    boolean visible =
        !abstractMethod && (own != null || index.classes.containsKey(callee.enclClass()));
    if (own != null && !abstractMethod) {
      bodies.add(own);
    }
    if (!isOverridable(callee, call)) {
      return new Targets(bodies, visible, false);
    }
    bodies.addAll(overridesInUnit(callee));
    if (!abstractMethod) {
      return new Targets(bodies, visible, false);
    }
    // Only an abstract method has lambdas and method references for implementations.
    ExpressionTree receiver = ASTHelpers.getReceiver((ExpressionTree) call.getLeaf());
    boolean onThis = receiver == null || isThis(receiver);
    Sources sources = new Sources();
    if (!onThis) {
      collectSources(receiver, sources, new HashSet<>(), 0);
      for (Tree implementation : sources.implementations) {
        TreePath path = implementationPath(implementation);
        if (path != null && bodies.size() < MAX_IMPLEMENTATIONS) {
          bodies.add(path);
        }
      }
    }
    ClassSymbol owner = callee.enclClass();
    boolean open;
    if (onThis || closedInUnit(owner)) {
      // A template method: the subclass that implements it may live anywhere, unless the class is
      // closed.
      open = onThis && !closedInUnit(owner);
    } else {
      boolean functional = types.isFunctionalInterface(owner);
      open = sources.passedIn || (sources.unknown && functional);
    }
    boolean callback = open && ConcurrencyApiModel.isHandlerType(owner, state);
    return new Targets(bodies, open ? false : !bodies.isEmpty(), callback);
  }

  private boolean isOverridable(MethodSymbol callee, TreePath call) {
    if (callee.isStatic()
        || callee.isConstructor()
        || callee.isPrivate()
        || (callee.flags() & Flags.FINAL) != 0
        || (callee.enclClass().flags() & Flags.FINAL) != 0) {
      return false;
    }
    ExpressionTree receiver = ASTHelpers.getReceiver((ExpressionTree) call.getLeaf());
    // super.m() runs exactly that method, whatever overrides it.
    return !(receiver instanceof IdentifierTree id && id.getName() == state.getNames()._super);
  }

  private boolean isThis(ExpressionTree receiver) {
    ExpressionTree r = Trees.skipParensAndCasts(receiver);
    return r instanceof IdentifierTree id && id.getName() == state.getNames()._this;
  }

  /** A class whose every subclass and implementation is in the unit: private or local to it. */
  private boolean closedInUnit(ClassSymbol owner) {
    if (!index.classes.containsKey(owner)) {
      return false;
    }
    for (Symbol s = owner; s instanceof ClassSymbol cls; s = s.owner) {
      if (cls.isPrivate() || cls.isDirectlyOrIndirectlyLocal()) {
        return true;
      }
    }
    return false;
  }

  private List<TreePath> overridesInUnit(MethodSymbol callee) {
    return overridesCache.computeIfAbsent(
        callee,
        m -> {
          List<TreePath> found = new ArrayList<>();
          for (Map.Entry<MethodSymbol, TreePath> entry : index.methods.entrySet()) {
            MethodSymbol candidate = entry.getKey();
            if (candidate != m
                && candidate.getSimpleName().equals(m.getSimpleName())
                && candidate.overrides(m, candidate.enclClass(), types, true)
                && ((MethodTree) entry.getValue().getLeaf()).getBody() != null) {
              found.add(entry.getValue());
              if (found.size() >= MAX_IMPLEMENTATIONS) {
                break;
              }
            }
          }
          return found;
        });
  }

  /** The frame a lambda or method reference that reaches the receiver runs for {@code callee}. */
  @Nullable
  private TreePath implementationPath(Tree implementation) {
    if (implementation instanceof LambdaExpressionTree) {
      return TreePath.getPath(index.unit, implementation);
    }
    if (implementation instanceof MemberReferenceTree) {
      Symbol target = ASTHelpers.getSymbol(implementation);
      return target instanceof MethodSymbol ? index.methods.get(target) : null;
    }
    return null;
  }

  /**
   * Follows a value back through variables, parameters (to the unit's call sites) and assignments.
   */
  private void collectSources(
      ExpressionTree expression, Sources sources, Set<VarSymbol> seen, int steps) {
    ExpressionTree e = Trees.skipParensAndCasts(expression);
    if (e instanceof LambdaExpressionTree || e instanceof MemberReferenceTree) {
      sources.implementations.add(e);
      return;
    }
    if (e.getKind() == Tree.Kind.NULL_LITERAL) {
      return;
    }
    if (e instanceof ConditionalExpressionTree c) {
      collectSources(c.getTrueExpression(), sources, seen, steps);
      collectSources(c.getFalseExpression(), sources, seen, steps);
      return;
    }
    if (e instanceof NewClassTree n) {
      Symbol created = ASTHelpers.getSymbol(n.getIdentifier());
      // An instance of a class of the unit runs the overrides already found; any other is unknown.
      if (n.getClassBody() == null && !(created != null && index.classes.containsKey(created))) {
        sources.unknown = true;
      }
      return;
    }
    VarSymbol variable = AstPaths.variable(e);
    if (variable == null || steps >= MAX_FLOW_STEPS) {
      sources.unknown = true;
      return;
    }
    if (!seen.add(variable)) {
      return;
    }
    TreePath declaration = index.declarations.get(variable);
    if (variable.getKind() == ElementKind.PARAMETER) {
      parameterSources(declaration, sources, seen, steps);
      return;
    }
    boolean any = false;
    if (declaration != null && ((VariableTree) declaration.getLeaf()).getInitializer() != null) {
      collectSources(
          ((VariableTree) declaration.getLeaf()).getInitializer(), sources, seen, steps + 1);
      any = true;
    }
    for (TreePath write : index.writesOf(variable)) {
      collectSources(((AssignmentTree) write.getLeaf()).getExpression(), sources, seen, steps + 1);
      any = true;
    }
    if (!any) {
      sources.unknown = true; // injected, or set where the unit cannot see
    }
  }

  private void parameterSources(
      @Nullable TreePath declaration, Sources sources, Set<VarSymbol> seen, int steps) {
    if (declaration == null
        || !(declaration.getParentPath().getLeaf() instanceof MethodTree method)) {
      sources.unknown = true; // a lambda's parameter: whoever calls the lambda supplies it
      return;
    }
    MethodSymbol owner = ASTHelpers.getSymbol(method);
    int position = method.getParameters().indexOf(declaration.getLeaf());
    if (owner == null || position < 0) {
      sources.unknown = true;
      return;
    }
    if (!owner.isPrivate()) {
      sources.passedIn = true; // callers outside the unit can hand in anything
    }
    if (!index.memberReferences.getOrDefault(owner, List.of()).isEmpty()) {
      sources.unknown = true;
    }
    for (TreePath site : index.callSitesOf(owner)) {
      List<? extends ExpressionTree> arguments =
          site.getLeaf() instanceof MethodInvocationTree invocation
              ? invocation.getArguments()
              : ((NewClassTree) site.getLeaf()).getArguments();
      if (position < arguments.size() && !owner.isVarArgs()) {
        collectSources(arguments.get(position), sources, seen, steps + 1);
      }
    }
  }

  /**
   * The catch between {@code from} and {@code stop} (exclusive) that handles {@code thrown}, or
   * null.
   */
  @Nullable
  private CatchTree handler(TreePath from, Tree stop, Type thrown) {
    Tree previous = from.getLeaf();
    for (TreePath p = from.getParentPath();
        p != null && p.getLeaf() != stop;
        p = p.getParentPath()) {
      if (p.getLeaf() instanceof TryTree t
          && (t.getBlock() == previous || t.getResources().contains(previous))) {
        for (CatchTree clause : t.getCatches()) {
          if (AstPaths.catches(clause, thrown, state)) {
            return clause;
          }
        }
      }
      previous = p.getLeaf();
    }
    return null;
  }

  /**
   * True when an exception that left the loop is caught on the way out by a {@code catch} that
   * stays inside an enclosing loop (a restart loop): the consumer goes round and takes again. The
   * loop's own method is searched first, then each caller in turn while nothing catches it.
   */
  private boolean survivesOutside(TreePath loop, List<TreePath> callers, Type thrown) {
    List<TreePath> starts = new ArrayList<>();
    starts.add(loop);
    starts.addAll(callers);
    for (TreePath start : starts) {
      TreePath root = AstPaths.taskRoot(start);
      Tree previous = start.getLeaf();
      for (TreePath p = start.getParentPath();
          p != null && p != root && p.getLeaf() != root.getLeaf();
          p = p.getParentPath()) {
        if (p.getLeaf() instanceof TryTree t && t.getBlock() == previous) {
          for (CatchTree clause : t.getCatches()) {
            if (AstPaths.catches(clause, thrown, state)) {
              return AstPaths.enclosingLoop(p, root.getLeaf()) != null && !leaves(clause);
            }
          }
        }
        previous = p.getLeaf();
      }
    }
    return false;
  }

  /** A catch block that returns, breaks or throws: the enclosing loop does not go round again. */
  private static boolean leaves(CatchTree clause) {
    return AstPaths.anyMatch(
        clause.getBlock(),
        t -> t instanceof ReturnTree || t instanceof ThrowTree || t instanceof BreakTree);
  }

  private String frameNameOf(Tree frame) {
    if (frame instanceof MethodTree method) {
      MethodSymbol symbol = ASTHelpers.getSymbol(method);
      return symbol == null ? "a method" : frameName(symbol);
    }
    Type type = ASTHelpers.getType(frame);
    if (type != null && types.isFunctionalInterface(type.tsym)) {
      Symbol descriptor = types.findDescriptorSymbol(type.tsym);
      if (descriptor instanceof MethodSymbol m) {
        return type.tsym.getSimpleName() + "." + m.getSimpleName() + "()";
      }
    }
    return "a lambda";
  }

  /** {@code Type.method()}, an anonymous class named after what it implements. */
  private static String frameName(MethodSymbol method) {
    ClassSymbol owner = method.enclClass();
    String type = owner.getSimpleName().toString();
    if (type.isEmpty()) {
      List<Type> interfaces = owner.getInterfaces();
      Type named = interfaces.isEmpty() ? owner.getSuperclass() : interfaces.get(0);
      type = named.tsym.getSimpleName().toString();
    }
    return method.isConstructor()
        ? "new " + type + "()"
        : type + "." + method.getSimpleName() + "()";
  }
}
