package io.leakedproducer.checker;

import static com.google.errorprone.matchers.Matchers.anyOf;
import static com.google.errorprone.matchers.method.MethodMatchers.constructor;
import static com.google.errorprone.matchers.method.MethodMatchers.instanceMethod;
import static com.google.errorprone.matchers.method.MethodMatchers.staticMethod;
import static com.google.errorprone.util.ASTHelpers.isStatic;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.errorprone.VisitorState;
import com.google.errorprone.matchers.Matcher;
import com.google.errorprone.suppliers.Supplier;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Type;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the analysis knows about library APIs: which calls block on insertion, which take, which
 * spawn a thread, and which cancel or interrupt one. Kept apart from the analysis so that flags can
 * extend it without touching the decisions that use it.
 */
final class ConcurrencyApiModel {
  private static final String BLOCKING_QUEUE = "java.util.concurrent.BlockingQueue";
  private static final String BLOCKING_DEQUE = "java.util.concurrent.BlockingDeque";
  private static final String QUEUE = "java.util.Queue";

  private static final Matcher<ExpressionTree> BUILTIN_BLOCKING_INSERTION =
      anyOf(
          instanceMethod().onDescendantOf(BLOCKING_QUEUE).named("put"),
          instanceMethod().onDescendantOf(BLOCKING_DEQUE).namedAnyOf("putFirst", "putLast"),
          instanceMethod().onDescendantOf("java.util.concurrent.TransferQueue").named("transfer"));

  /** {@code offer(e, timeout, unit)}: blocks for a while, so it only leaks inside a retry loop. */
  private static final Matcher<ExpressionTree> TIMED_OFFER =
      anyOf(
          instanceMethod()
              .onDescendantOf(BLOCKING_QUEUE)
              .named("offer")
              .withParameters("java.lang.Object", "long", "java.util.concurrent.TimeUnit"),
          instanceMethod()
              .onDescendantOf(BLOCKING_DEQUE)
              .namedAnyOf("offerFirst", "offerLast")
              .withParameters("java.lang.Object", "long", "java.util.concurrent.TimeUnit"),
          instanceMethod()
              .onDescendantOf("java.util.concurrent.TransferQueue")
              .named("tryTransfer")
              .withParameters("java.lang.Object", "long", "java.util.concurrent.TimeUnit"));

  /**
   * {@code offer(e)}: never waits, so it is a blocking insertion only when a loop retries it until
   * it succeeds (spec: "a retry loop around offer(e, t, unit) (or a plain offer)").
   */
  private static final Matcher<ExpressionTree> PLAIN_OFFER =
      anyOf(
          instanceMethod()
              .onDescendantOf(BLOCKING_QUEUE)
              .named("offer")
              .withParameters("java.lang.Object"),
          instanceMethod()
              .onDescendantOf(BLOCKING_DEQUE)
              .namedAnyOf("offerFirst", "offerLast")
              .withParameters("java.lang.Object"));

  private static final Matcher<ExpressionTree> TRANSFER =
      instanceMethod()
          .onDescendantOf("java.util.concurrent.TransferQueue")
          .namedAnyOf("transfer", "tryTransfer");

  private static final Matcher<ExpressionTree> BLOCKING_TAKE =
      anyOf(
          instanceMethod().onDescendantOf(BLOCKING_QUEUE).named("take"),
          instanceMethod().onDescendantOf(BLOCKING_DEQUE).namedAnyOf("takeFirst", "takeLast"));

  private static final Matcher<ExpressionTree> TIMED_POLL =
      anyOf(
          instanceMethod()
              .onDescendantOf(BLOCKING_QUEUE)
              .named("poll")
              .withParameters("long", "java.util.concurrent.TimeUnit"),
          instanceMethod()
              .onDescendantOf(BLOCKING_DEQUE)
              .namedAnyOf("pollFirst", "pollLast")
              .withParameters("long", "java.util.concurrent.TimeUnit"));

  private static final Matcher<ExpressionTree> ANY_REMOVAL =
      anyOf(
          BLOCKING_TAKE,
          TIMED_POLL,
          instanceMethod().onDescendantOf(QUEUE).namedAnyOf("poll", "remove", "clear"),
          instanceMethod()
              .onDescendantOf("java.util.Deque")
              .namedAnyOf("pollFirst", "pollLast", "removeFirst", "removeLast"),
          instanceMethod().onDescendantOf(BLOCKING_QUEUE).named("drainTo"));

  /**
   * Every method of a ScheduledExecutorService starts the task on the pool, the periodic ones too;
   * each returns a ScheduledFuture whose cancel(true) interrupts the running task.
   */
  private static final ImmutableList<String> SCHEDULING_METHODS =
      ImmutableList.of("schedule", "scheduleAtFixedRate", "scheduleWithFixedDelay");

  private static final Matcher<ExpressionTree> SPAWN_CALL =
      anyOf(
          instanceMethod().onDescendantOf("java.util.concurrent.Executor").named("execute"),
          instanceMethod()
              .onDescendantOf("java.util.concurrent.ExecutorService")
              .namedAnyOf("submit", "invokeAll", "invokeAny"),
          instanceMethod()
              .onDescendantOf("java.util.concurrent.ScheduledExecutorService")
              .namedAnyOf(SCHEDULING_METHODS),
          instanceMethod().onDescendantOf("java.util.concurrent.CompletionService").named("submit"),
          instanceMethod()
              .onDescendantOf("java.util.concurrent.ForkJoinPool")
              .namedAnyOf("execute", "submit", "invoke"),
          staticMethod()
              .onClass("java.util.concurrent.CompletableFuture")
              .namedAnyOf("runAsync", "supplyAsync"),
          staticMethod().onClass("java.lang.Thread").named("startVirtualThread"),
          instanceMethod()
              .onDescendantOf("java.lang.Thread.Builder")
              .namedAnyOf("start", "unstarted"),
          instanceMethod().onDescendantOf("java.util.concurrent.ThreadFactory").named("newThread"));

  private static final Matcher<ExpressionTree> THREAD_CONSTRUCTOR =
      constructor().forClass("java.lang.Thread");

  /**
   * Calls that return a handle whose cancellation interrupts the task. Not CompletableFuture, and
   * not ForkJoinPool.submit: ForkJoinTask.cancel ignores mayInterruptIfRunning.
   */
  private static final Matcher<ExpressionTree> FUTURE_RETURNING_SPAWN =
      anyOf(
          instanceMethod().onDescendantOf("java.util.concurrent.ExecutorService").named("submit"),
          instanceMethod()
              .onDescendantOf("java.util.concurrent.ScheduledExecutorService")
              .namedAnyOf(SCHEDULING_METHODS),
          instanceMethod()
              .onDescendantOf("java.util.concurrent.CompletionService")
              .named("submit"));

  private static final Matcher<ExpressionTree> FUTURE_CANCEL =
      instanceMethod().onDescendantOf("java.util.concurrent.Future").named("cancel");

  private static final Matcher<ExpressionTree> SHUTDOWN_NOW =
      instanceMethod().onDescendantOf("java.util.concurrent.ExecutorService").named("shutdownNow");

  /**
   * Wrappers that run every task handed to them on the executor given as their first constructor
   * argument, so that executor's {@code shutdownNow()} interrupts those tasks.
   */
  private static final Matcher<ExpressionTree> EXECUTOR_WRAPPER_CONSTRUCTOR =
      constructor().forClass("java.util.concurrent.ExecutorCompletionService");

  private static final Matcher<ExpressionTree> THREAD_INTERRUPT =
      instanceMethod().onDescendantOf("java.lang.Thread").named("interrupt");

  private static final Matcher<ExpressionTree> THREAD_JOIN =
      instanceMethod().onDescendantOf("java.lang.Thread").named("join").withNoParameters();

  private static final Matcher<ExpressionTree> CURRENT_THREAD =
      staticMethod().onClass("java.lang.Thread").named("currentThread");

  /**
   * Waits with no timeout for one task to end: {@code future.get()}, {@code completable.join()},
   * {@code thread.join()}. A waiter on a task that blocks forever waits forever too.
   */
  private static final Matcher<ExpressionTree> UNTIMED_TASK_WAIT =
      anyOf(
          instanceMethod()
              .onDescendantOf("java.util.concurrent.Future")
              .named("get")
              .withNoParameters(),
          instanceMethod()
              .onDescendantOf("java.util.concurrent.CompletableFuture")
              .named("join")
              .withNoParameters(),
          THREAD_JOIN);

  private static final Matcher<ExpressionTree> TIMED_INVOKE_ALL =
      instanceMethod()
          .onDescendantOf("java.util.concurrent.ExecutorService")
          .namedAnyOf("invokeAll", "invokeAny")
          .withParameters("java.util.Collection", "long", "java.util.concurrent.TimeUnit");

  /**
   * Methods by which whoever holds an object ends its use of it. An owner that hands its takes to
   * callers must stop its producer in every one of these ({@code AutoCloseable.close} included).
   */
  private static final ImmutableSet<String> LIFECYCLE_METHOD_NAMES =
      ImmutableSet.of(
          "close",
          "stop",
          "cancel",
          "shutdown",
          "shutdownNow",
          "dispose",
          "terminate",
          "disconnect");

  /**
   * Pull interfaces and the methods through which their holder asks for the next element: takes in
   * these run whenever (and only as long as) the caller keeps pulling.
   */
  private static final ImmutableMap<String, ImmutableSet<String>> PULL_API_METHODS =
      ImmutableMap.of(
          "java.util.Iterator", ImmutableSet.of("hasNext", "next", "forEachRemaining"),
          "java.util.Spliterator", ImmutableSet.of("tryAdvance", "forEachRemaining"),
          "java.util.Enumeration", ImmutableSet.of("hasMoreElements", "nextElement"));

  /** Types a method can return to hand its caller something that pulls from a queue. */
  private static final ImmutableList<String> PULL_HANDLE_TYPES =
      ImmutableList.of(
          "java.util.Iterator",
          "java.lang.Iterable",
          "java.util.Spliterator",
          "java.util.Enumeration",
          "java.util.stream.BaseStream");

  /** Names of an owner's methods that hand one taken element to their caller. */
  private static final ImmutableSet<String> RECEIVE_METHOD_NAMES =
      ImmutableSet.of(
          "poll", "next", "take", "receive", "read", "fetch", "nextBatch", "nextElement", "await");

  /** Stream sources that call a supplier each time the stream's consumer wants an element. */
  private static final Matcher<ExpressionTree> STREAM_SOURCE =
      anyOf(
          staticMethod().onClass("java.util.stream.Stream").namedAnyOf("generate", "iterate"),
          staticMethod().onClass("java.util.stream.StreamSupport").named("stream"));

  /** {@code stream.onClose(handler)}: the handler runs when the stream's holder closes it. */
  private static final Matcher<ExpressionTree> STREAM_ON_CLOSE =
      instanceMethod().onDescendantOf("java.util.stream.BaseStream").named("onClose");

  private static final Matcher<ExpressionTree> QUEUE_CLEAR =
      instanceMethod().onDescendantOf("java.util.Collection").named("clear");

  private static final Matcher<ExpressionTree> DRAIN_TO =
      instanceMethod().onDescendantOf(BLOCKING_QUEUE).named("drainTo");

  // --- What can kill a consumer (ConsumerDeath, ExceptionEscapes) ------------------------------

  /** Packages that ship with the JDK: their interfaces are implemented by the JDK's own classes. */
  private static final ImmutableList<String> JDK_PACKAGES =
      ImmutableList.of("java.", "javax.", "jdk.", "sun.", "com.sun.");

  /**
   * JDK types (and their subtypes) whose implementations are the user's code: a call through one
   * runs whatever the caller handed in. Every other JDK interface (collections, futures, locks) is
   * implemented by the JDK.
   */
  private static final ImmutableSet<String> HANDLER_TYPES =
      ImmutableSet.of(
          "java.lang.Runnable",
          "java.util.concurrent.Callable",
          "java.util.Comparator",
          "java.util.EventListener",
          "java.lang.Thread.UncaughtExceptionHandler",
          "java.util.concurrent.RejectedExecutionHandler",
          "java.util.concurrent.ThreadFactory",
          "java.util.concurrent.Flow.Subscriber",
          "java.util.logging.Handler",
          "java.util.logging.Filter",
          "java.util.logging.Formatter");

  /** Packages whose every interface is a handler type ({@code Consumer}, {@code Function}, ...). */
  private static final ImmutableList<String> HANDLER_PACKAGES =
      ImmutableList.of("java.util.function.");

  private static final ImmutableSet<String> ATOMIC_OPERATIONS =
      ImmutableSet.of(
          "get",
          "set",
          "lazySet",
          "getPlain",
          "setPlain",
          "getAcquire",
          "setRelease",
          "incrementAndGet",
          "getAndIncrement",
          "decrementAndGet",
          "getAndDecrement",
          "addAndGet",
          "getAndAdd",
          "compareAndSet",
          "weakCompareAndSet",
          "getAndSet",
          "intValue",
          "longValue",
          "toString");

  private static final ImmutableSet<String> COLLECTION_OPERATIONS =
      ImmutableSet.of(
          "<init>",
          "add",
          "addLast",
          "addFirst",
          "offer",
          "put",
          "putIfAbsent",
          "get",
          "getOrDefault",
          "containsKey",
          "contains",
          "size",
          "isEmpty",
          "clear",
          "poll",
          "peek");

  /**
   * JDK calls that cannot fail on valid input (allocation failure aside): under {@link
   * ConsumerDeath#BROAD} they are not assumed to throw. Keys are declaring types (a call matches a
   * key on any JDK supertype of the method's owner); {@code <init>} is that class's own
   * constructor. Exceptions these methods declare still count at every level. Kept short on
   * purpose: each entry is a promise that a consumer calling it does not die.
   */
  private static final ImmutableMap<String, ImmutableSet<String>> NON_FAILING_CALLS =
      ImmutableMap.<String, ImmutableSet<String>>builder()
          .put("java.lang.Object", ImmutableSet.of("<init>", "getClass"))
          // The implicit super() of every record and enum constructor.
          .put("java.lang.Record", ImmutableSet.of("<init>"))
          .put("java.lang.Enum", ImmutableSet.of("<init>"))
          .put("java.lang.Throwable", ImmutableSet.of("getMessage", "addSuppressed"))
          .put(
              "java.lang.System",
              ImmutableSet.of("nanoTime", "currentTimeMillis", "identityHashCode"))
          .put(
              "java.lang.Thread",
              ImmutableSet.of(
                  "currentThread",
                  "interrupted",
                  "isInterrupted",
                  "interrupt",
                  "getName",
                  "isAlive",
                  "sleep",
                  "onSpinWait",
                  "yield"))
          .put("java.lang.Math", ImmutableSet.of("min", "max", "abs"))
          .put(
              "java.lang.String",
              ImmutableSet.of(
                  "equals",
                  "equalsIgnoreCase",
                  "hashCode",
                  "length",
                  "isEmpty",
                  "isBlank",
                  "startsWith",
                  "endsWith",
                  "contains",
                  "trim",
                  "strip",
                  "toString",
                  "valueOf",
                  "toLowerCase",
                  "toUpperCase",
                  "concat"))
          .put("java.lang.StringBuilder", ImmutableSet.of("<init>", "append", "length", "toString"))
          .put(
              "java.lang.Integer",
              ImmutableSet.of("valueOf", "intValue", "toString", "hashCode", "equals"))
          .put(
              "java.lang.Long",
              ImmutableSet.of("valueOf", "longValue", "toString", "hashCode", "equals"))
          .put(
              "java.util.Objects",
              ImmutableSet.of("equals", "hash", "hashCode", "isNull", "nonNull", "toString"))
          // PrintStream reports its I/O errors through checkError(), never by throwing.
          .put("java.io.PrintStream", ImmutableSet.of("print", "println", "flush"))
          .put("java.util.concurrent.atomic.AtomicInteger", ATOMIC_OPERATIONS)
          .put("java.util.concurrent.atomic.AtomicLong", ATOMIC_OPERATIONS)
          .put("java.util.concurrent.atomic.AtomicBoolean", ATOMIC_OPERATIONS)
          .put("java.util.concurrent.atomic.AtomicReference", ATOMIC_OPERATIONS)
          .put(
              "java.util.concurrent.atomic.LongAdder",
              ImmutableSet.of("increment", "decrement", "add", "sum", "reset"))
          .put("java.util.concurrent.CountDownLatch", ImmutableSet.of("countDown", "getCount"))
          .put(
              "java.util.concurrent.locks.ReentrantLock",
              ImmutableSet.of("lock", "unlock", "lockInterruptibly"))
          // The handoff's own calls block, or fail only with InterruptedException (a cancellation).
          .put(
              BLOCKING_QUEUE,
              ImmutableSet.of(
                  "put",
                  "take",
                  "offer",
                  "poll",
                  "peek",
                  "size",
                  "isEmpty",
                  "remainingCapacity",
                  "drainTo"))
          .put(
              BLOCKING_DEQUE,
              ImmutableSet.of(
                  "putFirst",
                  "putLast",
                  "takeFirst",
                  "takeLast",
                  "offerFirst",
                  "offerLast",
                  "pollFirst",
                  "pollLast"))
          .put("java.util.concurrent.TransferQueue", ImmutableSet.of("transfer", "tryTransfer"))
          .put("java.util.ArrayList", COLLECTION_OPERATIONS)
          .put("java.util.ArrayDeque", COLLECTION_OPERATIONS)
          .put("java.util.HashMap", COLLECTION_OPERATIONS)
          .put("java.util.HashSet", COLLECTION_OPERATIONS)
          .put("java.util.concurrent.ConcurrentHashMap", COLLECTION_OPERATIONS)
          .put("java.util.concurrent.ConcurrentLinkedQueue", COLLECTION_OPERATIONS)
          .buildOrThrow();

  /** JDK types whose subtypes' constructors cannot fail either: creating an exception to throw. */
  private static final ImmutableSet<String> NON_FAILING_CONSTRUCTOR_FAMILIES =
      ImmutableSet.of("java.lang.Throwable");

  /** True for a type shipped with the JDK. */
  static boolean isJdkType(Symbol type) {
    String name = type.getQualifiedName().toString();
    return JDK_PACKAGES.stream().anyMatch(name::startsWith);
  }

  /**
   * True for a type whose implementations are the user's code when the call site cannot see them:
   * any type outside the JDK, and the JDK's handler types (tasks, listeners, {@code
   * java.util.function}).
   */
  static boolean isHandlerType(Symbol.TypeSymbol type, VisitorState state) {
    if (!isJdkType(type)) {
      return true;
    }
    for (Type superType : state.getTypes().closure(type.type)) {
      String name = superType.tsym.getQualifiedName().toString();
      if (HANDLER_TYPES.contains(name) || HANDLER_PACKAGES.stream().anyMatch(name::startsWith)) {
        return true;
      }
    }
    return false;
  }

  /**
   * True for a JDK call listed in {@link #NON_FAILING_CALLS}. The receiver's static type is looked
   * up when it is a JDK type, so that {@code queue.isEmpty()} on a {@code BlockingQueue} matches
   * although {@code isEmpty} is declared by {@code Collection}.
   */
  static boolean cannotFail(MethodSymbol callee, @Nullable Type receiverType, VisitorState state) {
    Symbol owner = callee.owner;
    if (!(owner instanceof Symbol.TypeSymbol) || !isJdkType(owner)) {
      return false;
    }
    String name = callee.getSimpleName().toString();
    boolean constructor = callee.isConstructor();
    Type start =
        receiverType != null
                && receiverType.tsym != null
                && !constructor
                && !callee.isStatic()
                && isJdkType(receiverType.tsym)
            ? receiverType
            : owner.type;
    for (Type superType : state.getTypes().closure(start)) {
      String typeName = superType.tsym.getQualifiedName().toString();
      if (constructor && superType.tsym != owner) {
        // A constructor is its own class's: only the listed families pass theirs on to subtypes.
        if (NON_FAILING_CONSTRUCTOR_FAMILIES.contains(typeName)) {
          return true;
        }
        continue;
      }
      ImmutableSet<String> methods = NON_FAILING_CALLS.get(typeName);
      if (methods != null && methods.contains(name)) {
        return true;
      }
    }
    return false;
  }

  /** A cancellation, not a failure: the consumer reacting to it is being stopped on purpose. */
  static boolean isInterruption(Type type, VisitorState state) {
    Type interrupted = JAVA_LANG_INTERRUPTEDEXCEPTION.get(state);
    return interrupted != null && ASTHelpers.isSameType(type, interrupted, state);
  }

  /** {@code RuntimeException}: what an unknown call is assumed to throw. */
  static Type anyUnchecked(VisitorState state) {
    return state.getSymtab().runtimeExceptionType;
  }

  /** {@code Error}: what an unknown call can also throw under {@link ConsumerDeath#BROAD}. */
  static Type anyError(VisitorState state) {
    return state.getSymtab().errorType;
  }

  /** {@code NullPointerException}: what dereferencing a value the unit creates as null throws. */
  static Type nullDereference(VisitorState state) {
    return JAVA_LANG_NULLPOINTEREXCEPTION.get(state);
  }

  /** True for exceptions the compiler does not make anyone declare: RuntimeException, Error. */
  static boolean isUnchecked(Type type, VisitorState state) {
    return ASTHelpers.isSubtype(type, anyUnchecked(state), state)
        || ASTHelpers.isSubtype(type, anyError(state), state);
  }

  /** Calls that return their first argument unchanged: the queue under another name. */
  private static final ImmutableList<MethodRef> IDENTITY_WRAPPERS =
      ImmutableList.of(
          new MethodRef("java.util.Objects", "requireNonNull"),
          new MethodRef("com.google.common.base.Preconditions", "checkNotNull"),
          new MethodRef("com.google.common.base.Verify", "verifyNotNull"));

  /** Calls that return one element of a container: {@code queues.get(i)}. */
  private static final ImmutableList<MethodRef> ELEMENT_ACCESSORS =
      ImmutableList.of(
          new MethodRef("java.util.List", "get"),
          new MethodRef("java.util.Map", "get"),
          new MethodRef("java.util.Map", "getOrDefault"));

  /**
   * Map calls whose result is one of the map's values (the previous or the current one for the
   * key): {@code putIfAbsent}, {@code computeIfAbsent}, {@code remove(key)}, {@code put}.
   */
  private static final ImmutableList<MethodRef> VALUE_RESULTS =
      ImmutableList.of(
          new MethodRef("java.util.Map", "putIfAbsent"),
          new MethodRef("java.util.Map", "computeIfAbsent"),
          new MethodRef("java.util.Map", "remove"),
          new MethodRef("java.util.Map", "put"),
          new MethodRef("java.util.Map", "replace"));

  /** Views of every element of a container: iterating one visits each element in turn. */
  private static final ImmutableList<MethodRef> ELEMENTS_VIEWS =
      ImmutableList.of(new MethodRef("java.util.Map", "values"));

  private static final String QUEUE_TYPE = "java.util.Queue";

  /** Queries of a pool's lifecycle state that a retry loop can re-test between timed offers. */
  private static final ImmutableSet<String> POOL_STATE_QUERIES =
      ImmutableSet.of("isShutdown", "isTerminated", "isTerminating");

  private static final String REJECTION_HANDLER = "java.util.concurrent.RejectedExecutionHandler";
  private static final String REJECTION_METHOD = "rejectedExecution";
  private static final String THREAD_POOL = "java.util.concurrent.ThreadPoolExecutor";

  /**
   * {@code new ThreadPoolExecutor(core, max, keepAlive, unit, workQueue, ...)}: where the work
   * queue goes.
   */
  static final int WORK_QUEUE_CONSTRUCTOR_ARGUMENT = 4;

  private static final ImmutableSet<String> BUILTIN_CANDIDATE_NAMES =
      ImmutableSet.of(
          "put",
          "putFirst",
          "putLast",
          "transfer",
          "offer",
          "offerFirst",
          "offerLast",
          "tryTransfer");

  private final ImmutableList<MethodRef> extraInsertions;

  /** Method names that can start an analysis: checked on the tree before any type is resolved. */
  private final ImmutableSet<String> candidateNames;

  ConcurrencyApiModel(ModelExtensions extensions) {
    this.extraInsertions = extensions.insertions();
    ImmutableSet.Builder<String> names =
        ImmutableSet.<String>builder().addAll(BUILTIN_CANDIDATE_NAMES);
    for (MethodRef insertion : extraInsertions) {
      names.add(insertion.name());
    }
    this.candidateNames = names.build();
  }

  /**
   * The cheap first filter for every method call javac sees: is the called name one that could be a
   * blocking insertion? Reads only the tree, so that the check costs almost nothing elsewhere.
   */
  boolean mayBeInsertion(MethodInvocationTree call) {
    ExpressionTree select = call.getMethodSelect();
    String name;
    if (select instanceof com.sun.source.tree.MemberSelectTree memberSelectTree) {
      name = memberSelectTree.getIdentifier().toString();
    } else if (select instanceof com.sun.source.tree.IdentifierTree identifierTree) {
      name = identifierTree.getName().toString();
    } else {
      return false;
    }
    return candidateNames.contains(name);
  }

  /** {@code put}, {@code putFirst/putLast} or {@code transfer} of the JDK: no timeout. */
  static boolean isBuiltinBlockingInsertion(ExpressionTree tree, VisitorState state) {
    return BUILTIN_BLOCKING_INSERTION.matches(tree, state);
  }

  /** {@code put}, {@code putFirst/putLast}, {@code transfer}, or a method named by a flag. */
  boolean isBlockingInsertion(ExpressionTree tree, VisitorState state) {
    if (BUILTIN_BLOCKING_INSERTION.matches(tree, state)) {
      return true;
    }
    return !extraInsertions.isEmpty() && matchesExtra(tree);
  }

  private boolean matchesExtra(ExpressionTree tree) {
    if (!(tree instanceof MethodInvocationTree)) {
      return false;
    }
    Symbol sym = ASTHelpers.getSymbol(tree);
    return sym instanceof MethodSymbol
        && !isStatic(sym)
        && MethodRef.anyMatches(extraInsertions, sym);
  }

  static boolean isTimedOffer(ExpressionTree tree, VisitorState state) {
    return TIMED_OFFER.matches(tree, state);
  }

  static boolean isPlainOffer(ExpressionTree tree, VisitorState state) {
    return PLAIN_OFFER.matches(tree, state);
  }

  static boolean isTransfer(ExpressionTree tree, VisitorState state) {
    return TRANSFER.matches(tree, state);
  }

  static boolean isTimedPoll(ExpressionTree tree, VisitorState state) {
    return TIMED_POLL.matches(tree, state);
  }

  /**
   * A removal that waits for an element ({@code take}, a timed {@code poll}); every other removal
   * only takes what is there now.
   */
  static boolean isWaitingTake(ExpressionTree tree, VisitorState state) {
    return BLOCKING_TAKE.matches(tree, state)
        || TIMED_POLL.matches(tree, state)
        || isExtraTake(tree);
  }

  /** Any call that removes elements: take, poll, remove, drainTo, clear. */
  static boolean isRemoval(ExpressionTree tree, VisitorState state) {
    return ANY_REMOVAL.matches(tree, state) || isExtraTake(tree);
  }

  /** A take named by {@code -XepOpt:LeakedProducer:TakeMethods}. */
  private static boolean isExtraTake(ExpressionTree tree) {
    return tree instanceof MethodInvocationTree
        && MethodRef.anyMatches(ModelExtensions.current().takes(), ASTHelpers.getSymbol(tree));
  }

  static boolean isSpawn(Tree tree, VisitorState state) {
    return tree instanceof ExpressionTree expressionTree
        && (SPAWN_CALL.matches(expressionTree, state)
            || THREAD_CONSTRUCTOR.matches(expressionTree, state)
            || (tree instanceof MethodInvocationTree
                && MethodRef.anyMatches(
                    ModelExtensions.current().spawns(), ASTHelpers.getSymbol(tree))));
  }

  /** A call named by {@code -XepOpt:LeakedProducer:InterruptingMethods}. */
  private static boolean isExtraInterrupt(MethodInvocationTree call) {
    return MethodRef.anyMatches(ModelExtensions.current().interrupts(), ASTHelpers.getSymbol(call));
  }

  static boolean returnsInterruptibleFuture(ExpressionTree tree, VisitorState state) {
    return FUTURE_RETURNING_SPAWN.matches(tree, state);
  }

  static boolean isThreadConstructor(ExpressionTree tree, VisitorState state) {
    return THREAD_CONSTRUCTOR.matches(tree, state);
  }

  /**
   * {@code f.cancel(true)} where {@code f} is not a CompletableFuture, whose cancel never
   * interrupts.
   */
  static boolean isInterruptingCancel(MethodInvocationTree call, VisitorState state) {
    if (isExtraInterrupt(call)) {
      return true;
    }
    if (!FUTURE_CANCEL.matches(call, state) || call.getArguments().size() != 1) {
      return false;
    }
    Boolean mayInterrupt = ASTHelpers.constValue(call.getArguments().get(0), Boolean.class);
    if (!Boolean.TRUE.equals(mayInterrupt)) {
      return false;
    }
    ExpressionTree receiver = ASTHelpers.getReceiver(call);
    if (receiver == null) {
      return false;
    }
    Type receiverType = ASTHelpers.getType(receiver);
    for (String neverInterrupts :
        List.of("java.util.concurrent.CompletableFuture", "java.util.concurrent.ForkJoinTask")) {
      Type type = state.getTypeFromString(neverInterrupts);
      if (receiverType == null
          || (type != null && ASTHelpers.isSubtype(receiverType, type, state))) {
        return false;
      }
    }
    return true;
  }

  static boolean isShutdownNow(ExpressionTree tree, VisitorState state) {
    return SHUTDOWN_NOW.matches(tree, state)
        || (tree instanceof MethodInvocationTree call && isExtraInterrupt(call));
  }

  /**
   * The executor that runs the tasks of a wrapper created by {@code tree} ({@code pool} in {@code
   * new ExecutorCompletionService<>(pool)}), or null when {@code tree} creates no such wrapper.
   */
  static @Nullable ExpressionTree wrappedExecutor(ExpressionTree tree, VisitorState state) {
    if (tree instanceof NewClassTree creation
        && EXECUTOR_WRAPPER_CONSTRUCTOR.matches(creation, state)
        && !creation.getArguments().isEmpty()) {
      return creation.getArguments().get(0);
    }
    return null;
  }

  /** {@code t.join()} without a timeout: it returns only once the thread has ended. */
  static boolean isUntimedThreadJoin(MethodInvocationTree call, VisitorState state) {
    return THREAD_JOIN.matches(call, state);
  }

  /** {@code f.get()}, {@code f.join()} or {@code t.join()} with no timeout. */
  static boolean isUntimedTaskWait(MethodInvocationTree call, VisitorState state) {
    return UNTIMED_TASK_WAIT.matches(call, state);
  }

  /** {@code t.interrupt()} on some thread other than the current one. */
  static boolean isInterruptOfOtherThread(MethodInvocationTree call, VisitorState state) {
    if (isExtraInterrupt(call)) {
      return true;
    }
    if (!THREAD_INTERRUPT.matches(call, state)) {
      return false;
    }
    ExpressionTree receiver = ASTHelpers.getReceiver(call);
    return receiver != null && !CURRENT_THREAD.matches(Trees.skipParensAndCasts(receiver), state);
  }

  /** {@code Objects.requireNonNull(q)} and its kin: the result is the argument. */
  static boolean isIdentityWrapper(MethodInvocationTree call) {
    Symbol sym = ASTHelpers.getSymbol(call);
    return MethodRef.anyMatches(IDENTITY_WRAPPERS, sym)
        || MethodRef.anyMatches(ModelExtensions.current().identityWrappers(), sym);
  }

  /** {@code list.get(i)} and {@code map.get(k)}: one element of a container. */
  static boolean isElementAccess(MethodInvocationTree call) {
    return isInstanceCallOf(ELEMENT_ACCESSORS, call);
  }

  /** A map call that returns one of the map's values: an alias of its elements, as get is. */
  static boolean returnsContainerValue(MethodInvocationTree call) {
    return isInstanceCallOf(VALUE_RESULTS, call);
  }

  /** {@code map.values()}: a view of every element of a container. */
  static boolean isElementsView(MethodInvocationTree call) {
    return isInstanceCallOf(ELEMENTS_VIEWS, call);
  }

  private static boolean isInstanceCallOf(
      ImmutableList<MethodRef> refs, MethodInvocationTree call) {
    Symbol sym = ASTHelpers.getSymbol(call);
    return sym instanceof MethodSymbol method
        && !method.isStatic()
        && MethodRef.anyMatches(refs, method);
  }

  static boolean isQueueTypeName(String qualifiedName) {
    return QUEUE_TYPE.equals(qualifiedName);
  }

  static boolean isWorkQueueAccessor(MethodInvocationTree call) {
    Symbol sym = ASTHelpers.getSymbol(call);
    return sym instanceof MethodSymbol method
        && method.getSimpleName().contentEquals("getQueue")
        && method.getParameters().isEmpty()
        && method.owner instanceof Symbol.ClassSymbol owner
        && Trees.isSubtypeByName(owner, THREAD_POOL::contentEquals);
  }

  static boolean isPoolStateQuery(MethodInvocationTree call) {
    Symbol sym = ASTHelpers.getSymbol(call);
    return sym instanceof MethodSymbol method
        && method.getParameters().isEmpty()
        && POOL_STATE_QUERIES.contains(method.getSimpleName().toString())
        && method.owner instanceof Symbol.ClassSymbol owner
        && Trees.isSubtypeByName(owner, "java.util.concurrent.ExecutorService"::contentEquals);
  }

  /**
   * {@code rejectedExecution(Runnable, ThreadPoolExecutor)} of a {@code RejectedExecutionHandler}.
   */
  static boolean isRejectionHandlerMethod(MethodSymbol method, VisitorState state) {
    if (!method.getSimpleName().contentEquals(REJECTION_METHOD)
        || method.getParameters().size() != 2) {
      return false;
    }
    return method.owner instanceof Symbol.ClassSymbol owner
        && Trees.isSubtypeByName(owner, REJECTION_HANDLER::contentEquals);
  }

  /**
   * The pool parameter (the second) of a lambda written for a {@code RejectedExecutionHandler}:
   * {@code (task, executor) -> executor.getQueue().put(task)}.
   */
  static boolean isRejectionHandlerLambdaPool(
      com.sun.source.tree.LambdaExpressionTree lambda, Symbol.VarSymbol parameter) {
    Type type = ASTHelpers.getType(lambda);
    return lambda.getParameters().size() == 2
        && parameter.equals(ASTHelpers.getSymbol(lambda.getParameters().get(1)))
        && type != null
        && type.tsym instanceof Symbol.ClassSymbol handler
        && Trees.isSubtypeByName(handler, REJECTION_HANDLER::contentEquals);
  }

  static boolean isThreadPoolConstruction(
      com.sun.source.tree.NewClassTree creation, VisitorState state) {
    Type type = ASTHelpers.getType(creation);
    return type != null
        && type.tsym instanceof Symbol.ClassSymbol cls
        && Trees.isSubtypeByName(cls, THREAD_POOL::contentEquals)
        && !Trees.isSubtypeByName(
            cls, "java.util.concurrent.ScheduledThreadPoolExecutor"::contentEquals);
  }

  /** {@code Thread.currentThread()}. */
  static boolean isCurrentThread(MethodInvocationTree call) {
    Symbol sym = ASTHelpers.getSymbol(call);
    return sym instanceof MethodSymbol method
        && method.isStatic()
        && method.getSimpleName().contentEquals("currentThread")
        && method.owner.getQualifiedName().contentEquals("java.lang.Thread");
  }

  static boolean isTimedInvokeAll(ExpressionTree tree, VisitorState state) {
    return TIMED_INVOKE_ALL.matches(tree, state);
  }

  /** The lifecycle method a fix adds to an owner that has none. */
  static final String ADDED_LIFECYCLE_METHOD = "close";

  /**
   * A no-argument {@code close()}: one the owner has already, which an added one would clash with.
   */
  static boolean isNoArgClose(MethodSymbol method) {
    return method.getSimpleName().contentEquals(ADDED_LIFECYCLE_METHOD)
        && method.getParameters().isEmpty();
  }

  /** A method by which the holder ends its use of the object: close, stop, cancel, shutdown... */
  static boolean isLifecycleMethod(MethodSymbol method) {
    // cancel(orderId) is business, not lifecycle: only no parameters or Future's cancel(boolean).
    List<Symbol.VarSymbol> parameters = method.getParameters();
    return !method.isStatic()
        && !method.isConstructor()
        && (parameters.isEmpty()
            || (parameters.size() == 1
                && parameters.get(0).type.getKind() == javax.lang.model.type.TypeKind.BOOLEAN))
        && (LIFECYCLE_METHOD_NAMES.contains(method.getSimpleName().toString())
            || ModelExtensions.current()
                .lifecycleNames()
                .contains(method.getSimpleName().toString()));
  }

  /** {@code hasNext()}/{@code next()} of an Iterator, {@code tryAdvance} of a Spliterator... */
  static boolean isPullApiMethod(MethodSymbol method, VisitorState state) {
    if (method.isStatic()) {
      return false;
    }
    String name = method.getSimpleName().toString();
    for (var api : PULL_API_METHODS.entrySet()) {
      if (api.getValue().contains(name)
          && isErasedSubtype(method.enclClass().type, api.getKey(), state)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The class implements a pull interface (Iterator, Spliterator, Enumeration): its code runs only
   * while its holder keeps pulling, and a holder may abandon it at any element.
   */
  static boolean isPullApiClass(Symbol.ClassSymbol type, VisitorState state) {
    for (String api : PULL_API_METHODS.keySet()) {
      if (isErasedSubtype(type.type, api, state)) {
        return true;
      }
    }
    return false;
  }

  /** The method returns an Iterator, Iterable, Spliterator, Enumeration or Stream to its caller. */
  static boolean returnsPullHandle(MethodSymbol method, VisitorState state) {
    Type returned = method.getReturnType();
    if (returned == null) {
      return false;
    }
    for (String handle : PULL_HANDLE_TYPES) {
      if (isErasedSubtype(returned, handle, state)) {
        return true;
      }
    }
    return false;
  }

  /** A method named like one that hands the next element to its caller: poll, next, receive... */
  static boolean isReceiveMethodName(MethodSymbol method) {
    return RECEIVE_METHOD_NAMES.contains(method.getSimpleName().toString());
  }

  /** {@code Stream.generate}, {@code Stream.iterate}, {@code StreamSupport.stream}. */
  static boolean isStreamSource(ExpressionTree tree, VisitorState state) {
    return STREAM_SOURCE.matches(tree, state);
  }

  static boolean isStreamOnClose(ExpressionTree tree, VisitorState state) {
    return STREAM_ON_CLOSE.matches(tree, state);
  }

  static boolean isClear(ExpressionTree tree, VisitorState state) {
    return QUEUE_CLEAR.matches(tree, state);
  }

  static boolean isDrainTo(ExpressionTree tree, VisitorState state) {
    return DRAIN_TO.matches(tree, state);
  }

  private static final Supplier<Type> JAVA_LANG_NULLPOINTEREXCEPTION =
      VisitorState.memoize(state -> state.getTypeFromString("java.lang.NullPointerException"));

  private static final Supplier<Type> JAVA_LANG_INTERRUPTEDEXCEPTION =
      VisitorState.memoize(state -> state.getTypeFromString("java.lang.InterruptedException"));

  // --- Task spawning (TaskSpawns) -----------------------------------------------------------

  /** Methods another thread invokes on a task object: run(), call(), get(), compute(). */
  private static final ImmutableSet<String> TASK_METHOD_NAMES =
      ImmutableSet.of("run", "call", "get", "compute");

  /** The task interfaces whose no-argument method another thread runs. */
  private static final ImmutableList<String> TASK_TYPES =
      ImmutableList.of(
          "java.lang.Runnable",
          "java.util.concurrent.Callable",
          "java.util.function.Supplier",
          "java.util.concurrent.ForkJoinTask");

  private static final String THREAD = "java.lang.Thread";

  /** The method that starts a {@code Thread}. */
  private static final String THREAD_START = "start";

  /**
   * The query that tells whether a consumer's handle has finished: a {@code Thread} that no longer
   * runs, a {@code Future} whose task is done. A consumer whose task has ended takes nothing more.
   */
  static final String THREAD_ENDED_QUERY = "isAlive";

  static final String FUTURE_ENDED_QUERY = "isDone";

  /** Adds a task to a collection that is started later (invokeAll): {@code tasks.add(t)}. */
  private static final ImmutableSet<String> TASK_COLLECTORS = ImmutableSet.of("add", "of");

  /** Builds a collection of tasks around a task expression: {@code List.of(t)}, {@code asList}. */
  private static final ImmutableSet<String> TASK_COLLECTION_BUILDERS =
      ImmutableSet.of("of", "asList", "add");

  /** Spawn methods that start a thread, as {@link SpawnMethod#THREAD}. */
  private static final ImmutableSet<String> THREAD_STARTERS =
      ImmutableSet.of("start", "startVirtualThread", "unstarted", "newThread");

  private static final ImmutableSet<String> INVOKE_ALL_NAMES =
      ImmutableSet.of("invokeAll", "invokeAny");

  /** How a spawn call (see {@link #isSpawn}) hands out its task, for cancellation. */
  enum SpawnMethod {
    /** {@code ForkJoinPool.submit}: its task's cancel never interrupts. */
    FORK_JOIN_SUBMIT,
    /** {@code CompletableFuture.runAsync/supplyAsync}: cancel never interrupts. */
    COMPLETABLE_FUTURE,
    /** {@code invokeAll}/{@code invokeAny}: the caller waits for the tasks. */
    INVOKE_ALL,
    /** Starts a thread: {@code Thread.Builder.start}, {@code ThreadFactory.newThread}, ... */
    THREAD,
    /** Anything else: execute, submit, schedule. */
    OTHER
  }

  static SpawnMethod spawnMethod(MethodSymbol sym) {
    String name = sym.getSimpleName().toString();
    if (sym.owner.getQualifiedName().contentEquals("java.util.concurrent.ForkJoinPool")
        && name.equals("submit")) {
      return SpawnMethod.FORK_JOIN_SUBMIT;
    }
    if (sym.owner.getQualifiedName().contentEquals("java.util.concurrent.CompletableFuture")) {
      return SpawnMethod.COMPLETABLE_FUTURE;
    }
    if (INVOKE_ALL_NAMES.contains(name)) {
      return SpawnMethod.INVOKE_ALL;
    }
    return THREAD_STARTERS.contains(name) ? SpawnMethod.THREAD : SpawnMethod.OTHER;
  }

  /** run() or call() of a Runnable, Callable or Thread: a method some other thread invokes. */
  static boolean isTaskMethod(MethodSymbol method, VisitorState state) {
    if (!method.getParameters().isEmpty()
        || !TASK_METHOD_NAMES.contains(method.getSimpleName().toString())) {
      return false;
    }
    Type owner = method.enclClass().type;
    for (String task : TASK_TYPES) {
      Type type = state.getTypeFromString(task);
      if (type != null && ASTHelpers.isSubtype(owner, type, state)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A call that starts a task on another thread: an executor or builder spawn, or {@code
   * thread.start()}.
   */
  static boolean startsTask(Tree tree, VisitorState state) {
    if (tree instanceof MethodInvocationTree call
        && call.getArguments().isEmpty()
        && call.getMethodSelect() instanceof com.sun.source.tree.MemberSelectTree select
        && isThreadStart(select)
        && isThreadType(ASTHelpers.getType(select.getExpression()))) {
      return true;
    }
    return tree instanceof MethodInvocationTree && isSpawn(tree, state);
  }

  static boolean isThreadStart(com.sun.source.tree.MemberSelectTree select) {
    return select.getIdentifier().contentEquals(THREAD_START);
  }

  /** The type is {@code Thread} or a subclass. */
  static boolean isThreadType(@Nullable Type type) {
    return type != null
        && type.tsym instanceof Symbol.ClassSymbol cls
        && Trees.isSubtypeByName(cls, THREAD::contentEquals);
  }

  static boolean isTaskCollector(MethodSymbol method) {
    return TASK_COLLECTORS.contains(method.getSimpleName().toString());
  }

  static boolean isTaskCollectionBuilder(MethodSymbol method) {
    return TASK_COLLECTION_BUILDERS.contains(method.getSimpleName().toString());
  }

  // --- Interrupt status, queue hand-offs, inline callbacks -----------------------------------

  /** Queries of a thread's interrupt status: {@code isInterrupted()}, {@code interrupted()}. */
  private static final ImmutableSet<String> INTERRUPT_STATUS_QUERIES =
      ImmutableSet.of("isInterrupted", "interrupted");

  private static final String INTERRUPT = "interrupt";

  /** A method reference to one of these, handed to other code, is a consumer we cannot see. */
  private static final ImmutableList<String> TAKING_METHOD_PREFIXES =
      ImmutableList.of("take", "poll", "drainTo");

  /**
   * Library calls that look at a queue passed to them without taking from it: {@code
   * requireNonNull}, string building, printing.
   */
  private static final ImmutableSet<String> QUEUE_INSPECTING_OWNERS =
      ImmutableSet.of("java.lang.String", "java.lang.StringBuilder");

  private static final ImmutableSet<String> QUEUE_INSPECTING_METHODS =
      ImmutableSet.of(
          "java.util.Objects#requireNonNull",
          "com.google.common.base.Preconditions#checkNotNull",
          "*#println",
          "*#identityHashCode");

  /**
   * Functional interfaces whose lambdas run inline on the caller's thread ({@code forEach}, {@code
   * computeIfAbsent}); {@code Supplier} is the exception: it is also the task type of {@code
   * supplyAsync}.
   */
  private static final String INLINE_FUNCTION_PACKAGE = "java.util.function.";

  private static final String SUPPLIER = "java.util.function.Supplier";

  static boolean isInterruptStatusQuery(@Nullable Symbol sym) {
    return sym != null && INTERRUPT_STATUS_QUERIES.contains(sym.getSimpleName().toString());
  }

  /** A call named {@code interrupt()}: restores or sends an interrupt. */
  static boolean isInterruptCall(@Nullable Symbol sym) {
    return sym != null && sym.getSimpleName().contentEquals(INTERRUPT);
  }

  static boolean isTakingMethodName(CharSequence name) {
    String n = name.toString();
    return TAKING_METHOD_PREFIXES.stream().anyMatch(n::startsWith);
  }

  static boolean inspectsWithoutTaking(MethodSymbol method) {
    String owner = method.owner.getQualifiedName().toString();
    String name = method.getSimpleName().toString();
    if (QUEUE_INSPECTING_OWNERS.contains(owner)) {
      return true;
    }
    for (String spec : QUEUE_INSPECTING_METHODS) {
      int hash = spec.indexOf('#');
      String specOwner = spec.substring(0, hash);
      String specName = spec.substring(hash + 1);
      if ((specOwner.equals("*") || specOwner.equals(owner)) && name.startsWith(specName)) {
        return true;
      }
    }
    return false;
  }

  /** A lambda of this functional interface runs inline on its caller's thread. */
  static boolean runsInline(CharSequence functionalInterface) {
    String name = functionalInterface.toString();
    return name.startsWith(INLINE_FUNCTION_PACKAGE) && !name.equals(SUPPLIER);
  }

  // --- Which queues are bounded (QueueBoundedness) ------------------------------------------

  /** How a queue class's constructor decides its bound. */
  enum QueueFamily {
    /** {@code SynchronousQueue}: no capacity at all, every insertion waits for a taker. */
    SYNCHRONOUS,
    /** {@code ArrayBlockingQueue} and its subclasses: always bounded. */
    ALWAYS_BOUNDED,
    /** {@code LinkedBlockingQueue}/{@code Deque}: bounded only when given a capacity. */
    BOUNDED_BY_CAPACITY_ARGUMENT,
    /** Any other {@code java.util.Queue}: unbounded. */
    OTHER_QUEUE,
    /** Not a queue. */
    NOT_A_QUEUE
  }

  private static final String SYNCHRONOUS_QUEUE = "java.util.concurrent.SynchronousQueue";

  private static final String ARRAY_BLOCKING_QUEUE = "java.util.concurrent.ArrayBlockingQueue";

  private static final ImmutableSet<String> CAPACITY_ARGUMENT_QUEUES =
      ImmutableSet.of(
          "java.util.concurrent.LinkedBlockingQueue", "java.util.concurrent.LinkedBlockingDeque");

  /** Guava's factories, matched by name so that no Guava dependency is needed. */
  private static final ImmutableList<MethodRef> BOUNDED_QUEUE_FACTORIES =
      ImmutableList.of(
          new MethodRef("com.google.common.collect.Queues", "newArrayBlockingQueue"),
          new MethodRef("com.google.common.collect.Queues", "newLinkedBlockingQueue"),
          new MethodRef("com.google.common.collect.Queues", "newLinkedBlockingDeque"));

  /** Insertions that {@code CancellableBoundedQueue} offers with the same signature. */
  private static final ImmutableSet<String> CANCELLABLE_QUEUE_INSERTIONS =
      ImmutableSet.of("put", "offer");

  static QueueFamily queueFamily(Type type, VisitorState state) {
    if (isErasedSubtype(type, SYNCHRONOUS_QUEUE, state)) {
      return QueueFamily.SYNCHRONOUS;
    }
    if (isErasedSubtype(type, ARRAY_BLOCKING_QUEUE, state)) {
      return QueueFamily.ALWAYS_BOUNDED;
    }
    for (String queue : CAPACITY_ARGUMENT_QUEUES) {
      if (isErasedSubtype(type, queue, state)) {
        return QueueFamily.BOUNDED_BY_CAPACITY_ARGUMENT;
      }
    }
    return isErasedSubtype(type, QUEUE, state) ? QueueFamily.OTHER_QUEUE : QueueFamily.NOT_A_QUEUE;
  }

  /** The type is the JDK's own {@code LinkedBlockingQueue}/{@code Deque}, not a subclass. */
  static boolean isLibraryQueueClass(Type type) {
    return CAPACITY_ARGUMENT_QUEUES.contains(type.tsym.getQualifiedName().toString());
  }

  /** {@code Queues.newArrayBlockingQueue(n)} and Guava's other bounded-queue factories. */
  static boolean isBoundedQueueFactory(MethodSymbol sym) {
    return MethodRef.anyMatches(BOUNDED_QUEUE_FACTORIES, sym);
  }

  /**
   * The JDK queues a runtime-backed fix may replace by a {@code CancellableBoundedQueue} created
   * with the same capacity: FIFO, bounded, and no methods beyond {@code BlockingQueue}'s that the
   * swap would lose once every variable holding the queue is typed by an interface it implements.
   */
  private static final ImmutableSet<String> SWAPPABLE_FOR_CANCELLABLE_QUEUE =
      ImmutableSet.of(ARRAY_BLOCKING_QUEUE, "java.util.concurrent.LinkedBlockingQueue");

  /** What a blocked or later {@code put} on an abandoned {@code CancellableBoundedQueue} throws. */
  static final String QUEUE_ABANDONED_EXCEPTION =
      "io.leakedproducer.runtime.QueueAbandonedException";

  /** The created type is a JDK queue that a {@code CancellableBoundedQueue} can stand in for. */
  static boolean isSwappableForCancellableQueue(Type created) {
    return SWAPPABLE_FOR_CANCELLABLE_QUEUE.contains(created.tsym.getQualifiedName().toString());
  }

  /** The runtime-backed fix can keep this call as it is on a {@code CancellableBoundedQueue}. */
  static boolean isCancellableQueueInsertion(@Nullable Symbol sym) {
    return sym != null && CANCELLABLE_QUEUE_INSERTIONS.contains(sym.getSimpleName().toString());
  }

  private static boolean isErasedSubtype(Type type, String name, VisitorState state) {
    Type other = state.getTypeFromString(name);
    return other != null
        && ASTHelpers.isSubtype(
            state.getTypes().erasure(type), state.getTypes().erasure(other), state);
  }

  // --- End of stream and emptiness (EarlyExits) ---------------------------------------------

  /** Words that name a pill constant, a pill type or a done flag: POISON, EndOfStream, done. */
  private static final java.util.regex.Pattern END_MARKER =
      java.util.regex.Pattern.compile(
          "(?i).*(poison|pill|end|eof|eos|stop|shutdown|done|sentinel|terminat|close|last|finish"
              + "|complete|quit|marker).*");

  /** Predicates on an element that say "this is the end marker": isPoison(), isLast(). */
  private static final java.util.regex.Pattern END_PREDICATE =
      java.util.regex.Pattern.compile(
          "(?i)is(poison|pill|end|eof|eos|stop|shutdown|done|sentinel|terminat|close|last|finish"
              + "|complete|quit|marker).*");

  /**
   * Queue calls that answer for this instant only: a consumer that stops when one says "empty"
   * stops while the producer may still be producing.
   */
  private static final ImmutableSet<String> MOMENTARY_PROBES =
      ImmutableSet.of("isEmpty", "peek", "size");

  private static final String MOMENTARY_PROBE_PREFIX = "poll";

  /** Calls that put their first argument into a queue, blocking or not. */
  private static final ImmutableSet<String> ELEMENT_INSERTIONS =
      ImmutableSet.of(
          "put", "putFirst", "putLast", "offer", "offerFirst", "offerLast", "add", "transfer");

  /** No-argument factories of an empty value that a producer can send as its pill. */
  private static final ImmutableSet<String> EMPTY_FACTORIES =
      ImmutableSet.of("of", "empty", "emptyList", "emptySet", "emptyMap");

  /** The timed insertion that replaces each blocking one in a fix. */
  private static final ImmutableMap<String, String> TIMED_COUNTERPARTS =
      ImmutableMap.of("putFirst", "offerFirst", "putLast", "offerLast", "transfer", "tryTransfer");

  private static final String TIMED_OFFER_NAME = "offer";

  private static final String EQUALS = "equals";

  private static final String IS_EMPTY = "isEmpty";

  static boolean isEndMarkerName(CharSequence name) {
    return END_MARKER.matcher(name).matches();
  }

  static boolean isEndPredicateName(CharSequence name) {
    return END_PREDICATE.matcher(name).matches();
  }

  /** {@code poll()}, {@code isEmpty()}, {@code peek()}, {@code size()} on a queue. */
  static boolean isMomentaryProbe(@Nullable Symbol sym) {
    if (sym == null) {
      return false;
    }
    String name = sym.getSimpleName().toString();
    return name.startsWith(MOMENTARY_PROBE_PREFIX) || MOMENTARY_PROBES.contains(name);
  }

  /** {@code a.equals(b)}. */
  static boolean isEqualsCall(@Nullable Symbol sym) {
    return sym instanceof MethodSymbol method
        && method.getSimpleName().contentEquals(EQUALS)
        && method.getParameters().size() == 1;
  }

  /** {@code element.isEmpty()}. */
  static boolean isEmptinessTest(@Nullable Symbol sym) {
    return sym instanceof MethodSymbol method
        && method.getSimpleName().contentEquals(IS_EMPTY)
        && method.getParameters().isEmpty();
  }

  static boolean isElementInsertion(@Nullable Symbol sym) {
    return sym != null && ELEMENT_INSERTIONS.contains(sym.getSimpleName().toString());
  }

  /** {@code List.of()}, {@code Optional.empty()}, {@code Collections.emptyList()}... */
  static boolean isEmptyFactory(@Nullable Symbol sym) {
    return sym instanceof MethodSymbol method
        && method.isStatic()
        && EMPTY_FACTORIES.contains(method.getSimpleName().toString());
  }

  /** {@code take()}, {@code takeFirst()}, {@code takeLast()}. */
  static boolean isBlockingTake(ExpressionTree tree, VisitorState state) {
    return BLOCKING_TAKE.matches(tree, state);
  }

  /** Atomic counter calls that count one party out and return the count. */
  private static final ImmutableSet<String> COUNTER_DECREMENTS =
      ImmutableSet.of("decrementAndGet", "getAndDecrement");

  /** {@code consumers.decrementAndGet()}: one consumer counts itself out. */
  static boolean isCounterDecrement(@Nullable Symbol sym) {
    return sym != null && COUNTER_DECREMENTS.contains(sym.getSimpleName().toString());
  }

  private static final String PUT = "put";

  /** {@code queue.put(e)} itself, not {@code putFirst}/{@code putLast} or a flagged method. */
  static boolean isPut(@Nullable Symbol sym) {
    return sym != null && sym.getSimpleName().contentEquals(PUT);
  }

  /** The timed method a fix calls instead of this blocking insertion: put becomes offer. */
  static String timedCounterpart(Symbol insertion) {
    return TIMED_COUNTERPARTS.getOrDefault(insertion.getSimpleName().toString(), TIMED_OFFER_NAME);
  }

  // --- Counting (ElementCount, capacity checks) ----------------------------------------------

  private static final String SIZE = "size";

  /** Method-name prefixes of calls that add an element to a queue, blocking or not. */
  private static final ImmutableList<String> INSERTION_PREFIXES =
      ImmutableList.of("put", "offer", "add", "transfer");

  /** {@code c.size()}: the number of elements of a collection. */
  static boolean isCollectionSize(MethodInvocationTree call) {
    Symbol sym = ASTHelpers.getSymbol(call);
    return sym instanceof MethodSymbol method
        && method.getSimpleName().contentEquals(SIZE)
        && method.getParameters().isEmpty();
  }

  /** Any call that may add an element to a queue: put, offer, add, transfer and their variants. */
  boolean mayInsert(MethodInvocationTree call, VisitorState state) {
    Symbol sym = ASTHelpers.getSymbol(call);
    String name = sym == null ? "" : sym.getSimpleName().toString();
    return INSERTION_PREFIXES.stream().anyMatch(name::startsWith)
        || isBlockingInsertion(call, state);
  }

  // --- Stop signals and cancellation (CancellationPaths) -------------------------------------

  /** Calls that change a flag, latch, future or counter a producer may check between offers. */
  private static final ImmutableSet<String> SIGNAL_MUTATORS =
      ImmutableSet.of(
          "set",
          "lazySet",
          "setRelease",
          "setPlain",
          "setOpaque",
          "compareAndSet",
          "weakCompareAndSet",
          "getAndSet",
          "countDown",
          "complete",
          "completeExceptionally",
          "cancel",
          "close",
          "arrive",
          "arriveAndDeregister",
          "arriveAndAwaitAdvance",
          "forceTermination",
          "incrementAndGet",
          "decrementAndGet",
          "getAndIncrement",
          "getAndDecrement",
          "addAndGet",
          "getAndAdd",
          "release",
          "signal",
          "signalAll",
          "interrupt",
          "shutdown",
          "shutdownNow",
          "obtrudeValue",
          "add",
          "put",
          "offer");

  /** Types whose value changes by itself (a deadline, a timer): a check of one ends. */
  private static final ImmutableSet<String> SELF_CHANGING_TYPES =
      ImmutableSet.of(
          "java.util.concurrent.Future",
          "java.lang.Thread",
          "java.util.concurrent.ExecutorService");

  /** The queue's own cancel ({@code CancellableBoundedQueue.cancel()}). */
  static final String QUEUE_CANCEL = "cancel";

  /** Calls on the queue that insert or clear, which a drain loop skips. */
  private static final ImmutableSet<String> INSERT_OR_CLEAR =
      ImmutableSet.of("clear", "put", "add");

  private static final String OFFER = "offer";

  static boolean isSignalMutator(@Nullable Symbol sym) {
    return sym != null
        && (SIGNAL_MUTATORS.contains(sym.getSimpleName().toString())
            || MethodRef.anyMatches(ModelExtensions.current().signalSetters(), sym));
  }

  static boolean changesByItself(Type type, VisitorState state) {
    if (ModelExtensions.current().isSignalType(type, state)) {
      return true;
    }
    for (String typeName : SELF_CHANGING_TYPES) {
      Type changing = state.getTypeFromString(typeName);
      if (changing != null && ASTHelpers.isSubtype(type, changing, state)) {
        return true;
      }
    }
    return false;
  }

  // --- Loop flags held in an AtomicBoolean (OwnerStops) -------------------------------------

  private static final String ATOMIC_BOOLEAN = "java.util.concurrent.atomic.AtomicBoolean";

  /** Reads of an {@code AtomicBoolean} a loop condition tests: {@code while (running.get())}. */
  private static final Matcher<ExpressionTree> ATOMIC_FLAG_READ =
      instanceMethod()
          .onDescendantOf(ATOMIC_BOOLEAN)
          .namedAnyOf("get", "getPlain", "getAcquire", "getOpaque");

  /**
   * Writes of an {@code AtomicBoolean}, each with the position of the argument that holds the new
   * value: {@code set(false)}, {@code compareAndSet(true, false)}.
   */
  private static final ImmutableMap<String, Integer> ATOMIC_FLAG_WRITES =
      ImmutableMap.of(
          "set", 0,
          "lazySet", 0,
          "setPlain", 0,
          "setRelease", 0,
          "setOpaque", 0,
          "getAndSet", 0,
          "compareAndSet", 1,
          "weakCompareAndSet", 1);

  static boolean isAtomicFlagRead(ExpressionTree tree, VisitorState state) {
    return ATOMIC_FLAG_READ.matches(tree, state);
  }

  /** The argument that holds the new value of an {@code AtomicBoolean} write, or null. */
  static @Nullable ExpressionTree atomicFlagWrittenValue(
      MethodInvocationTree call, VisitorState state) {
    Symbol sym = ASTHelpers.getSymbol(call);
    Integer position = sym == null ? null : ATOMIC_FLAG_WRITES.get(sym.getSimpleName().toString());
    if (position == null
        || position >= call.getArguments().size()
        || !(sym.owner instanceof Symbol.ClassSymbol owner)
        || !isErasedSubtype(owner.type, ATOMIC_BOOLEAN, state)) {
      return null;
    }
    return call.getArguments().get(position);
  }

  static boolean isQueueCancel(@Nullable Symbol sym) {
    return sym != null && sym.getSimpleName().contentEquals(QUEUE_CANCEL);
  }

  static boolean isInsertionOrClear(@Nullable Symbol sym) {
    if (sym == null) {
      return false;
    }
    String name = sym.getSimpleName().toString();
    return INSERT_OR_CLEAR.contains(name) || name.startsWith(OFFER);
  }
}
