package io.leakedproducer.checker;

import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ConditionalExpressionTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.ElementKind;
import org.jspecify.annotations.Nullable;

/**
 * Decides which variables in a compilation unit hold the same queue object (locals, fields,
 * constructor and helper parameters it is passed through), where that object was created, and
 * whether it escapes to code we cannot see. A queue that escapes may have consumers elsewhere, so
 * the check stays silent on it.
 */
final class QueueAliases {
  /** Every variable that holds the queue. */
  final Set<VarSymbol> variables;

  /** The expressions that created the queue (initialisers, assignments, call arguments). */
  final List<ExpressionTree> origins;

  /**
   * True when some variable gets its value from a place we cannot see (an unseen caller, a lambda
   * parameter).
   */
  final boolean unknownOrigin;

  /** True when the queue is handed to code outside this unit, which may consume it. */
  final boolean escapes;

  /**
   * {@code return queue;} in the unit's visible getters: their callers are consumers the unit
   * cannot see, who can stop at any time (see {@link ExternalConsumers}).
   */
  final List<TreePath> returnedToCallers;

  private QueueAliases(
      Set<VarSymbol> variables,
      List<ExpressionTree> origins,
      boolean unknownOrigin,
      boolean escapes,
      List<TreePath> returnedToCallers) {
    this.variables = variables;
    this.origins = origins;
    this.unknownOrigin = unknownOrigin;
    this.escapes = escapes;
    this.returnedToCallers = returnedToCallers;
  }

  static QueueAliases of(VarSymbol start, CompilationUnitIndex index) {
    Set<VarSymbol> seen = new LinkedHashSet<>();
    List<ExpressionTree> origins = new ArrayList<>();
    boolean unknown = false;
    boolean escapes = false;
    List<TreePath> returned = new ArrayList<>();
    Deque<VarSymbol> work = new ArrayDeque<>();
    work.add(start);
    while (!work.isEmpty() && seen.size() < 64) {
      VarSymbol v = work.poll();
      if (!seen.add(v)) {
        continue;
      }
      // Where this variable's value comes from.
      boolean hasSource = false;
      TreePath decl = index.declarations.get(v);
      if (decl != null && decl.getLeaf() instanceof VariableTree declared) {
        ExpressionTree init = declared.getInitializer();
        if (init != null) {
          hasSource = true;
          unknown |= addSource(init, origins, work, index);
        }
        // for (BlockingQueue<T> q : queues): each element of the container.
        // An element of the queue itself (for (T event : queue)) is not the queue.
        if (decl.getParentPath() != null
            && decl.getParentPath().getLeaf() instanceof EnhancedForLoopTree loop
            && loop.getVariable() == decl.getLeaf()
            && AstPaths.isQueueTypeSymbol(v.type.tsym)) {
          VarSymbol container = containerVariable(loop.getExpression(), index);
          if (container != null) {
            hasSource = true;
            work.add(container);
          }
        }
      }
      for (TreePath write : index.writesOf(v)) {
        hasSource = true;
        unknown |=
            addSource(((AssignmentTree) write.getLeaf()).getExpression(), origins, work, index);
      }
      if (isContainerOfQueues(v)) {
        // queues.add(new ArrayBlockingQueue<>(n)), byShard.put(k, q): the elements' sources.
        for (TreePath call : index.callsOn(v)) {
          MethodInvocationTree invocation = (MethodInvocationTree) call.getLeaf();
          for (ExpressionTree arg : invocation.getArguments()) {
            if (AstPaths.isQueueTyped(arg)) {
              hasSource = true;
              unknown |= addSource(arg, origins, work, index);
            } else if (arg instanceof LambdaExpressionTree lambda && createdValue(lambda) != null) {
              // computeIfAbsent(k, k -> new LinkedBlockingQueue<>(n)): what the lambda creates
              hasSource = true;
              unknown |= addSource(createdValue(lambda), origins, work, index);
            } else if (arg instanceof MemberReferenceTree reference
                && LambdaHandoffs.returnedBy(reference, index) != null) {
              // computeIfAbsent(topic, this::startTopic): what the unit's private helper returns
              hasSource = true;
              for (ExpressionTree value : LambdaHandoffs.returnedBy(reference, index)) {
                unknown |= addSource(value, origins, work, index);
              }
            } else if (arg instanceof LambdaExpressionTree || arg instanceof MemberReferenceTree) {
              unknown = true; // a mapping function we do not follow
            }
          }
        }
      }
      if (v.getKind() == ElementKind.PARAMETER) {
        Symbol owner = v.owner;
        int position = parameterIndex(v);
        List<TreePath> sites =
            owner instanceof MethodSymbol methodSymbol
                ? index.callSitesOf(methodSymbol)
                : List.of();
        List<ExpressionTree> passed =
            isLambdaParameter(decl) ? LambdaHandoffs.argumentsPassedTo(v, decl, index) : null;
        if (passed != null) {
          // internalQueue -> ...: the value the unit's helper passes to its action.accept(queue)
          hasSource = true;
          for (ExpressionTree argument : passed) {
            unknown |= addSource(argument, origins, work, index);
          }
        } else if (sites.isEmpty() || position < 0 || isLambdaParameter(decl)) {
          unknown = true;
        } else {
          hasSource = true;
          for (TreePath site : sites) {
            List<? extends ExpressionTree> args = arguments(site.getLeaf());
            if (position < args.size()) {
              unknown |= addSource(args.get(position), origins, work, index);
            } else {
              unknown = true;
            }
          }
        }
      } else if (!hasSource && index.componentParameters.containsKey(v)) {
        // A record component: set from the canonical constructor's parameter, whatever it gets.
        work.add(index.componentParameters.get(v));
      } else if (!hasSource) {
        // A field or local never assigned here: injected or set elsewhere.
        unknown = true;
      }
      // Where this variable's value goes.
      for (TreePath directUse : usesThroughGetters(v, index)) {
        TreePath use = outermostReference(directUse, v, index);
        TreePath parentPath = AstPaths.parentSkippingParens(use);
        if (parentPath == null) {
          continue;
        }
        Tree parent = parentPath.getLeaf();
        if (parent instanceof EnhancedForLoopTree loop && loop.getExpression() == use.getLeaf()) {
          Symbol element = ASTHelpers.getSymbol(loop.getVariable());
          // Only a container's elements are queues; the events taken by iterating the queue are
          // not, and handing them to other code does not hand over the queue.
          if (element instanceof VarSymbol elementVariable
              && AstPaths.isQueueTypeSymbol(elementVariable.type.tsym)) {
            work.add(elementVariable); // for (BlockingQueue<T> q : queues): every element in turn
          }
        } else if (parent instanceof ReturnTree) {
          Tree method = AstPaths.taskRoot(parentPath).getLeaf();
          List<VarSymbol> stored = LambdaHandoffs.callersStoring(parentPath, index);
          if (stored == null) {
            stored = containerMapping(method, index);
          }
          if (stored != null && !isGetterOf(method, v, index)) {
            work.addAll(stored); // a private helper hands the queue back to its callers here
          } else if (isAccessor(method) && !isGetterOf(method, v, index)) {
            returned.add(parentPath);
          } else {
            escapes |= !isGetterOf(method, v, index);
          }
        } else if (parent instanceof VariableTree variableTree
            && variableTree.getInitializer() != null
            && Trees.skipParensAndCasts(variableTree.getInitializer()) == use.getLeaf()) {
          Symbol target = ASTHelpers.getSymbol(parent);
          if (target instanceof VarSymbol varSymbol) {
            work.add(varSymbol);
          }
        } else if (parent instanceof AssignmentTree assignmentTree
            && Trees.skipParensAndCasts(assignmentTree.getExpression()) == use.getLeaf()) {
          VarSymbol target = AstPaths.variable(assignmentTree.getVariable());
          if (target != null) {
            work.add(target);
          } else {
            escapes = true;
          }
        } else if (parent instanceof MethodInvocationTree call
            && LambdaHandoffs.lambdaParametersReceiving(call, use.getLeaf(), index) != null) {
          // action.accept(queue): the lambdas the unit passes for action receive it
          work.addAll(LambdaHandoffs.lambdaParametersReceiving(call, use.getLeaf(), index));
        } else if (parent instanceof MethodInvocationTree call && containerReceiver(call) != null) {
          // queues.add(q), byTable.put(table, q): the container stands for q; whether it escapes
          // is judged on the container's own uses.
          work.add(containerReceiver(call));
        } else if (parent instanceof NewClassTree copy && isContainerCopy(copy)) {
          // new ArrayList<>(queues): the copy holds the same queues, wherever it is stored.
          VarSymbol target = AstPaths.storedInto(parentPath);
          if (target != null) {
            work.add(target);
          } else {
            escapes = true;
          }
        } else if (parent instanceof MethodInvocationTree || parent instanceof NewClassTree) {
          escapes |= followArgument(parent, use.getLeaf(), index, work);
        } else if (parent instanceof MemberReferenceTree memberReferenceTree) {
          // `queue::take` handed to someone else is a consumer we cannot see.
          escapes |= ConcurrencyApiModel.isTakingMethodName(memberReferenceTree.getName());
        }
      }
    }
    return new QueueAliases(seen, origins, unknown, escapes, returned);
  }

  /**
   * For a private helper of the unit whose only use is as the mapping function of a container of
   * queues ({@code queues.computeIfAbsent(topic, this::startTopic)}): that container, which stores
   * what the helper returns, one queue per key. Null otherwise.
   */
  private static @Nullable List<VarSymbol> containerMapping(
      Tree method, CompilationUnitIndex index) {
    MethodSymbol symbol =
        method instanceof MethodTree methodTree ? ASTHelpers.getSymbol(methodTree) : null;
    if (symbol == null
        || (symbol.flags() & com.sun.tools.javac.code.Flags.PRIVATE) == 0
        || !index.callSitesOf(symbol).isEmpty()) {
      return null;
    }
    List<TreePath> references = index.memberReferences.getOrDefault(symbol, List.of());
    if (references.size() != 1) {
      return null;
    }
    TreePath reference = references.get(0);
    VarSymbol container =
        reference.getParentPath().getLeaf() instanceof MethodInvocationTree mapping
                && mapping.getArguments().contains(reference.getLeaf())
            ? containerReceiver(mapping)
            : null;
    return container == null ? null : List.of(container);
  }

  /**
   * The container of queues a call is made on ({@code queues.add(q)}, {@code byTable.put(k, q)}),
   * or null when the receiver is not one.
   */
  private static @Nullable VarSymbol containerReceiver(MethodInvocationTree call) {
    VarSymbol receiver = AstPaths.variable(ASTHelpers.getReceiver(call));
    return receiver != null && isContainerOfQueues(receiver) ? receiver : null;
  }

  /**
   * The container of queues an expression stands for: the variable itself, or a view of all its
   * elements ({@code byTable.values()}).
   */
  private static @Nullable VarSymbol containerVariable(
      ExpressionTree expr, CompilationUnitIndex index) {
    ExpressionTree t = Trees.skipParensAndCasts(expr);
    if (t instanceof MethodInvocationTree call && ConcurrencyApiModel.isElementsView(call)) {
      VarSymbol receiver = AstPaths.variable(ASTHelpers.getReceiver(call));
      return receiver != null && isContainerOfQueues(receiver) ? receiver : null;
    }
    return index.variable(t);
  }

  /**
   * The uses of {@code v}, and the calls of the unit's getters that return it: {@code
   * holder.getQueue()} is the field under another name, and where that call's value goes the queue
   * goes (into another constructor, another field).
   */
  private static List<TreePath> usesThroughGetters(VarSymbol v, CompilationUnitIndex index) {
    List<TreePath> uses = new ArrayList<>(index.usesOf(v));
    index.getters.forEach(
        (getter, field) -> {
          if (field.equals(v)) {
            uses.addAll(index.callSitesOf(getter));
          }
        });
    return uses;
  }

  /** A parameterless instance method whose body is a single {@code return}. */
  private static boolean isAccessor(Tree method) {
    return method instanceof MethodTree m
        && m.getParameters().isEmpty()
        && m.getBody() != null
        && m.getBody().getStatements().size() == 1
        && m.getBody().getStatements().get(0) instanceof ReturnTree
        && !ASTHelpers.getSymbol(m).isStatic();
  }

  /**
   * Follows the queue into a method or constructor declared in this unit; anything else is an
   * escape.
   */
  private static boolean followArgument(
      Tree call, Tree argument, CompilationUnitIndex index, Deque<VarSymbol> work) {
    List<? extends ExpressionTree> args = arguments(call);
    int position = -1;
    for (int i = 0; i < args.size(); i++) {
      if (Trees.skipParensAndCasts(args.get(i)) == argument) {
        position = i;
      }
    }
    if (position < 0) {
      return false; // the queue is the receiver, not an argument
    }
    Symbol callee = ASTHelpers.getSymbol(call);
    if (!(callee instanceof MethodSymbol method)) {
      return true;
    }

    TreePath declaration = index.methods.get(method);
    if (declaration == null) {
      return !ConcurrencyApiModel.inspectsWithoutTaking(method);
    }
    List<VarSymbol> params = method.getParameters();
    if (position < params.size() && !(method.isVarArgs() && position >= params.size() - 1)) {
      work.add(params.get(position));
      return false;
    }
    return true;
  }

  /**
   * Adds {@code source} as an origin or as another alias; returns true when it is of unknown
   * origin.
   */
  private static boolean addSource(
      ExpressionTree source,
      List<ExpressionTree> origins,
      Deque<VarSymbol> work,
      CompilationUnitIndex index) {
    ExpressionTree expr = Trees.skipParensAndCasts(source);
    if (expr.getKind() == Tree.Kind.NULL_LITERAL) {
      return false; // `= null` now, created later: the later assignment is the origin
    }
    VarSymbol other = index.variable(expr);
    if (other != null) {
      work.add(other);
      return false;
    }
    if (expr instanceof MethodInvocationTree wrapper
        && ConcurrencyApiModel.isIdentityWrapper(wrapper)
        && !wrapper.getArguments().isEmpty()) {
      // requireNonNull(new ArrayBlockingQueue<>(n)): the wrapped creation is the origin
      return addSource(wrapper.getArguments().get(0), origins, work, index);
    }
    List<ExpressionTree> returned =
        expr instanceof MethodInvocationTree ? LambdaHandoffs.returnedBy(expr, index) : null;
    if (returned != null) {
      // queue = helper(..): what the private helper returns; a call among them stays an origin
      boolean unknown = false;
      for (ExpressionTree value : returned) {
        ExpressionTree inner = Trees.skipParensAndCasts(value);
        if (inner instanceof MethodInvocationTree) {
          origins.add(inner);
        } else {
          unknown |= addSource(inner, origins, work, index);
        }
      }
      return unknown;
    }
    if (expr instanceof ConditionalExpressionTree conditional) {
      return addSource(conditional.getTrueExpression(), origins, work, index)
          || addSource(conditional.getFalseExpression(), origins, work, index);
    }
    if (!AstPaths.isQueueTyped(expr)) {
      // A container of queues: new BlockingQueue[n], new ArrayList<>(), List.of(a, b).
      if (expr instanceof NewArrayTree array) {
        boolean unknown = false;
        for (ExpressionTree element :
            array.getInitializers() == null ? List.<ExpressionTree>of() : array.getInitializers()) {
          unknown |= addSource(element, origins, work, index);
        }
        return unknown;
      }
      if (expr instanceof NewClassTree creation) {
        if (creation.getArguments().stream().allMatch(QueueAliases::isSizingArgument)) {
          // new ArrayList<>(), new ArrayList<>(n), new HashMap<>(16, 0.75f): an empty container,
          // filled by add/put calls followed elsewhere.
          return false;
        }
        VarSymbol copied =
            creation.getArguments().size() == 1
                ? containerVariable(creation.getArguments().get(0), index)
                : null;
        if (copied != null && isContainerOfQueues(copied)) {
          work.add(copied); // new ArrayList<>(queues): holds the same queues as its source
          return false;
        }
      }
      if (expr instanceof MethodInvocationTree call
          && !call.getArguments().isEmpty()
          && call.getArguments().stream().allMatch(AstPaths::isQueueTyped)) {
        boolean unknown = false;
        for (ExpressionTree element : call.getArguments()) {
          unknown |= addSource(element, origins, work, index);
        }
        return unknown;
      }
    }
    origins.add(expr);
    return false;
  }

  /**
   * The queue a mapping lambda returns ({@code k -> new LinkedBlockingQueue<>(n)}, or a block whose
   * only statement returns it), or null when it returns something else or more than one thing.
   */
  private static @Nullable ExpressionTree createdValue(LambdaExpressionTree lambda) {
    Tree body = lambda.getBody();
    if (body instanceof com.sun.source.tree.BlockTree block
        && block.getStatements().size() == 1
        && block.getStatements().get(0) instanceof ReturnTree ret) {
      body = ret.getExpression();
    }
    return body instanceof ExpressionTree value && AstPaths.isQueueTyped(value) ? value : null;
  }

  /** {@code new ArrayList<>(queues)}: a container of queues made from a single other container. */
  private static boolean isContainerCopy(NewClassTree creation) {
    com.sun.tools.javac.code.Type type = ASTHelpers.getType(creation);
    return creation.getArguments().size() == 1
        && creation.getClassBody() == null
        && type != null
        && !type.getTypeArguments().isEmpty()
        && !AstPaths.isQueueTypeSymbol(type.tsym)
        && type.getTypeArguments().stream().anyMatch(arg -> AstPaths.isQueueTypeSymbol(arg.tsym));
  }

  /**
   * An initial capacity or load factor ({@code new ArrayList<>(n)}, {@code new HashMap<>(16,
   * 0.75f)}): it sizes a container without putting anything in it.
   */
  private static boolean isSizingArgument(ExpressionTree argument) {
    com.sun.tools.javac.code.Type type = ASTHelpers.getType(argument);
    return type != null
        && type.isPrimitive()
        && type.getKind() != javax.lang.model.type.TypeKind.BOOLEAN;
  }

  /**
   * Climbs from a use of {@code v} through expressions that still stand for the same queue ({@code
   * queues.get(i)}, {@code requireNonNull(q)}, {@code getQueue()}), so that what happens to the
   * element is judged, not what happens to the container.
   */
  private static TreePath outermostReference(
      TreePath use, VarSymbol v, CompilationUnitIndex index) {
    TreePath current = use;
    for (TreePath p = current.getParentPath(); p != null; p = p.getParentPath()) {
      Tree leaf = p.getLeaf();
      if (leaf instanceof MemberSelectTree
          || leaf instanceof com.sun.source.tree.ParenthesizedTree
          || leaf instanceof com.sun.source.tree.TypeCastTree) {
        continue; // queues.get is not an expression of its own; the call above it is
      }
      if (leaf instanceof ExpressionTree expr
          && (v.equals(index.variable(expr)) || v.equals(containerVariable(expr, index)))
          && expr != use.getLeaf()) {
        current = p;
        continue;
      }
      break;
    }
    return current;
  }

  /** {@code method} is one of the unit's getters returning {@code field}. */
  private static boolean isGetterOf(Tree method, VarSymbol field, CompilationUnitIndex index) {
    return method instanceof MethodTree m
        && field.equals(index.getters.get(ASTHelpers.getSymbol(m)));
  }

  /** An array, collection or map whose elements are queues: it stands for all of them. */
  private static boolean isContainerOfQueues(VarSymbol v) {
    com.sun.tools.javac.code.Type type = v.type;
    if (type instanceof com.sun.tools.javac.code.Type.ArrayType array) {
      return array.elemtype.tsym instanceof com.sun.tools.javac.code.Symbol.ClassSymbol c
          && Trees.isSubtypeByName(c, n -> ConcurrencyApiModel.isQueueTypeName(n.toString()));
    }
    if (type == null
        || type.getTypeArguments().isEmpty()
        || AstPaths.isQueueTypeSymbol(type.tsym)) {
      return false;
    }
    return type.getTypeArguments().stream().anyMatch(arg -> AstPaths.isQueueTypeSymbol(arg.tsym));
  }

  private static int parameterIndex(VarSymbol param) {
    return param.owner instanceof MethodSymbol method ? method.getParameters().indexOf(param) : -1;
  }

  private static boolean isLambdaParameter(TreePath decl) {
    return (decl != null
            && decl.getParentPath() != null
            && decl.getParentPath().getLeaf() instanceof LambdaExpressionTree)
        || (decl != null && !(decl.getParentPath().getLeaf() instanceof MethodTree));
  }

  /**
   * Where {@code creation} is stored: the declaration or assignment of an alias whose value it is.
   */
  @Nullable TreePath creationSite(ExpressionTree creation, CompilationUnitIndex index) {
    for (VarSymbol alias : variables) {
      TreePath decl = index.declarations.get(alias);
      if (decl != null
          && decl.getLeaf() instanceof VariableTree declared
          && Trees.skipParensAndCasts(declared.getInitializer()) == creation) {
        return decl;
      }
      for (TreePath write : index.writesOf(alias)) {
        if (Trees.skipParensAndCasts(((AssignmentTree) write.getLeaf()).getExpression())
            == creation) {
          return write;
        }
      }
    }
    return null;
  }

  static List<? extends ExpressionTree> arguments(Tree call) {
    return AstPaths.arguments(call);
  }
}
