package io.leakedproducer.checker;

import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.CompoundAssignmentTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.ClassSymbol;
import com.sun.tools.javac.code.Symbol.MethodSymbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import org.jspecify.annotations.Nullable;

/**
 * One pass over a compilation unit that records where each variable is used and each method is
 * called, so that every later question is a map lookup. Built at most once per compilation unit and
 * only when the unit contains a blocking insertion, which keeps the check's cost linear.
 */
final class CompilationUnitIndex {
  final CompilationUnitTree unit;
  final List<TreePath> calls = new ArrayList<>();
  final Map<VarSymbol, List<TreePath>> callsOnVariable = new HashMap<>();
  final Map<VarSymbol, List<TreePath>> uses = new HashMap<>();
  final Map<VarSymbol, List<TreePath>> writes = new HashMap<>();

  /** {@code x++}, {@code x += n} and the like: state changes that are not plain assignments. */
  final Map<VarSymbol, List<TreePath>> mutations = new HashMap<>();

  final Map<VarSymbol, TreePath> declarations = new HashMap<>();

  /** Calls and constructor invocations of methods declared in this unit. */
  final Map<MethodSymbol, List<TreePath>> callSites = new HashMap<>();

  final Map<MethodSymbol, List<TreePath>> memberReferences = new HashMap<>();
  final Map<MethodSymbol, TreePath> methods = new HashMap<>();
  final Map<Symbol, TreePath> classes = new HashMap<>();

  /**
   * Non-public, parameterless methods whose body is {@code return field;}: a call to one is the
   * field under another name (an alias inside the unit, not an escape).
   */
  final Map<MethodSymbol, VarSymbol> getters = new HashMap<>();

  /**
   * A record's component fields, each with the parameter of the canonical constructor that sets it:
   * javac writes the {@code this.c = c} of an implicit or compact constructor only after Error
   * Prone has run, so the tree has no assignment to follow.
   */
  final Map<VarSymbol, VarSymbol> componentParameters = new HashMap<>();

  private CompilationUnitIndex(CompilationUnitTree unit) {
    this.unit = unit;
  }

  static CompilationUnitIndex build(CompilationUnitTree unit) {
    CompilationUnitIndex index = new CompilationUnitIndex(unit);
    index.new GetterScanner().scan(unit, null);
    index.new Scanner().scan(unit, null);
    return index;
  }

  /**
   * The variable a receiver or argument stands for: {@link AstPaths#variable}, plus the unit's
   * getters.
   */
  @Nullable VarSymbol variable(@Nullable ExpressionTree tree) {
    VarSymbol plain = AstPaths.variable(tree);
    if (plain != null || tree == null) {
      return plain;
    }
    ExpressionTree t = Trees.skipParensAndCasts(tree);
    if (t instanceof MethodInvocationTree call && call.getArguments().isEmpty()) {
      MethodSymbol method = ASTHelpers.getSymbol(call);
      return method == null ? null : getters.get(method);
    }
    return null;
  }

  /**
   * What a call of a parameterless method of this unit returns, when the method's body is that one
   * {@code return} ({@code canRun() { return running && connected; }}); null otherwise.
   */
  @Nullable ExpressionTree singleReturnOf(MethodInvocationTree call) {
    MethodTree method = queryMethod(call);
    return method != null
            && method.getBody().getStatements().size() == 1
            && method.getBody().getStatements().get(0) instanceof ReturnTree ret
        ? ret.getExpression()
        : null;
  }

  /**
   * As {@link #singleReturnOf}, also when that one {@code return} sits inside other statements
   * ({@code lock(); try { return nc == null; } finally { unlock(); }}).
   */
  @Nullable ExpressionTree onlyReturnOf(MethodInvocationTree call) {
    MethodTree method = queryMethod(call);
    if (method == null) {
      return null;
    }
    List<ReturnTree> returns = new ArrayList<>();
    AstPaths.anyMatch(
        method.getBody(),
        t -> {
          if (t instanceof ReturnTree ret) {
            returns.add(ret);
          }
          return false;
        });
    return returns.size() == 1 ? returns.get(0).getExpression() : null;
  }

  /** The method of this unit, with a body, that a call without arguments invokes; or null. */
  private @Nullable MethodTree queryMethod(MethodInvocationTree call) {
    if (!call.getArguments().isEmpty()) {
      return null;
    }
    Symbol callee = ASTHelpers.getSymbol(call);
    TreePath method = callee instanceof MethodSymbol m ? methods.get(m) : null;
    return method != null && method.getLeaf() instanceof MethodTree tree && tree.getBody() != null
        ? tree
        : null;
  }

  /** The variable a call is made on ({@code q.put(x)}, {@code getQueue().put(x)}), or null. */
  @Nullable VarSymbol receiverVariable(MethodInvocationTree call) {
    return variable(ASTHelpers.getReceiver(call));
  }

  List<TreePath> callsOn(VarSymbol variable) {
    return callsOnVariable.getOrDefault(variable, List.of());
  }

  List<TreePath> usesOf(VarSymbol variable) {
    return uses.getOrDefault(variable, List.of());
  }

  List<TreePath> writesOf(VarSymbol variable) {
    return writes.getOrDefault(variable, List.of());
  }

  List<TreePath> callSitesOf(MethodSymbol method) {
    return callSites.getOrDefault(method, List.of());
  }

  private static <K> void add(Map<K, List<TreePath>> map, K key, TreePath path) {
    map.computeIfAbsent(key, k -> new ArrayList<>(2)).add(path);
  }

  /** First pass: the getters, so that the second pass can index calls made through them. */
  private final class GetterScanner extends TreePathScanner<Void, Void> {
    @Override
    public Void visitClass(ClassTree tree, Void unused) {
      ClassSymbol record = ASTHelpers.getSymbol(tree);
      if (record != null && record.isRecord()) {
        recordComponents(record, tree);
      }
      return super.visitClass(tree, null);
    }

    @Override
    public Void visitMethod(MethodTree tree, Void unused) {
      MethodSymbol sym = ASTHelpers.getSymbol(tree);
      if (sym != null
          && tree.getParameters().isEmpty()
          && !isVisibleOrOverridable(sym)
          && !sym.isStatic()
          && tree.getBody() != null
          && tree.getBody().getStatements().size() == 1
          && tree.getBody().getStatements().get(0) instanceof ReturnTree ret) {
        VarSymbol field = AstPaths.variable(ret.getExpression());
        if (field != null && field.getKind().isField()) {
          getters.put(sym, field);
        }
      }
      return super.visitMethod(tree, null);
    }
  }

  /**
   * The accessors javac generates for a record (they have no tree, so the method pass never sees
   * them) are getters of their component fields; and each component field's value is what the
   * canonical constructor's parameter of the same name receives.
   */
  private void recordComponents(ClassSymbol record, ClassTree tree) {
    Set<Symbol> declared = new java.util.HashSet<>();
    MethodSymbol canonical = null;
    for (Tree member : tree.getMembers()) {
      Symbol symbol = ASTHelpers.getSymbol(member);
      declared.add(symbol);
      if (member instanceof MethodTree method
          && symbol instanceof MethodSymbol constructor
          && constructor.isConstructor()
          && method.getParameters().size() == record.getRecordComponents().size()) {
        canonical = constructor;
      }
    }
    List<? extends Symbol.RecordComponent> components = record.getRecordComponents();
    for (int i = 0; i < components.size(); i++) {
      Symbol.RecordComponent component = components.get(i);
      VarSymbol field = componentField(record, component);
      if (field == null) {
        continue;
      }
      // As for any public getter, a public record's accessors may have callers we cannot see.
      if (component.accessor != null
          && !declared.contains(component.accessor)
          && !isVisible(record)) {
        getters.put(component.accessor, field);
      }
      if (canonical != null && canonical.getParameters().size() > i) {
        VarSymbol parameter = canonical.getParameters().get(i);
        if (parameter.getSimpleName().equals(component.getSimpleName())) {
          componentParameters.put(field, parameter);
        }
      }
    }
  }

  private static @Nullable VarSymbol componentField(
      ClassSymbol record, Symbol.RecordComponent component) {
    for (Symbol member : record.members().getSymbolsByName(component.getSimpleName())) {
      if (member instanceof VarSymbol field && field.getKind() == ElementKind.FIELD) {
        return field;
      }
    }
    return null;
  }

  /**
   * A getter that code outside the unit may call, or a subclass may override, does not stand for
   * the field: its callers may take from the queue, or an override may return another queue.
   */
  private static boolean isVisibleOrOverridable(MethodSymbol method) {
    Set<Modifier> modifiers = method.getModifiers();
    if (modifiers.contains(Modifier.PUBLIC) || modifiers.contains(Modifier.PROTECTED)) {
      // A record's accessor, or a public getter of a final holder class that is not public
      // itself: other code reaches it only through a holder the unit hands out, no further than a
      // package-private getter.
      return !(isFinalHolder(method.owner) && !isVisible(method.owner));
    }
    if (modifiers.contains(Modifier.PRIVATE) || modifiers.contains(Modifier.FINAL)) {
      return false;
    }
    Set<Modifier> owner = method.owner.getModifiers();
    return !owner.contains(Modifier.FINAL)
        && !owner.contains(Modifier.PRIVATE)
        && !method.owner.isAnonymous();
  }

  /** A record or final class nested in the unit's classes: nobody overrides its getters. */
  private static boolean isFinalHolder(Symbol owner) {
    return owner instanceof ClassSymbol c
        && c.owner instanceof ClassSymbol
        && (c.isRecord() || c.getModifiers().contains(Modifier.FINAL));
  }

  /** Declared public or protected: code of other packages can name it. */
  private static boolean isVisible(Symbol owner) {
    Set<Modifier> modifiers = owner.getModifiers();
    return modifiers.contains(Modifier.PUBLIC) || modifiers.contains(Modifier.PROTECTED);
  }

  private final class Scanner extends TreePathScanner<Void, Void> {
    @Override
    public Void visitMethodInvocation(MethodInvocationTree tree, Void unused) {
      TreePath path = getCurrentPath();
      calls.add(path);
      VarSymbol receiver = receiverVariable(tree);
      if (receiver != null) {
        add(callsOnVariable, receiver, path);
      }
      Symbol callee = ASTHelpers.getSymbol(tree);
      if (callee instanceof MethodSymbol methodSymbol) {
        add(callSites, methodSymbol, path);
      }
      return super.visitMethodInvocation(tree, null);
    }

    @Override
    public Void visitNewClass(NewClassTree tree, Void unused) {
      Symbol ctor = ASTHelpers.getSymbol(tree);
      if (ctor instanceof MethodSymbol methodSymbol) {
        add(callSites, methodSymbol, getCurrentPath());
      }
      return super.visitNewClass(tree, null);
    }

    @Override
    public Void visitMemberReference(MemberReferenceTree tree, Void unused) {
      Symbol target = ASTHelpers.getSymbol(tree);
      if (target instanceof MethodSymbol methodSymbol) {
        add(memberReferences, methodSymbol, getCurrentPath());
      }
      return super.visitMemberReference(tree, null);
    }

    @Override
    public Void visitMethod(MethodTree tree, Void unused) {
      MethodSymbol sym = ASTHelpers.getSymbol(tree);
      if (sym != null) {
        methods.put(sym, getCurrentPath());
      }
      return super.visitMethod(tree, null);
    }

    @Override
    public Void visitClass(ClassTree tree, Void unused) {
      Symbol sym = ASTHelpers.getSymbol(tree);
      if (sym != null) {
        classes.put(sym, getCurrentPath());
      }
      return super.visitClass(tree, null);
    }

    @Override
    public Void visitVariable(VariableTree tree, Void unused) {
      Symbol sym = ASTHelpers.getSymbol(tree);
      if (sym instanceof VarSymbol varSymbol) {
        declarations.put(varSymbol, getCurrentPath());
      }
      return super.visitVariable(tree, null);
    }

    @Override
    public Void visitAssignment(AssignmentTree tree, Void unused) {
      VarSymbol target = AstPaths.variable(tree.getVariable());
      if (target != null) {
        add(writes, target, getCurrentPath());
      }
      return super.visitAssignment(tree, null);
    }

    @Override
    public Void visitCompoundAssignment(CompoundAssignmentTree tree, Void unused) {
      VarSymbol target = AstPaths.variable(tree.getVariable());
      if (target != null) {
        add(mutations, target, getCurrentPath());
      }
      return super.visitCompoundAssignment(tree, null);
    }

    @Override
    public Void visitUnary(UnaryTree tree, Void unused) {
      VarSymbol target = AstPaths.variable(tree.getExpression());
      if (target != null) {
        add(mutations, target, getCurrentPath());
      }
      return super.visitUnary(tree, null);
    }

    @Override
    public Void visitIdentifier(IdentifierTree tree, Void unused) {
      recordUse(ASTHelpers.getSymbol(tree));
      return null;
    }

    @Override
    public Void visitMemberSelect(MemberSelectTree tree, Void unused) {
      recordUse(ASTHelpers.getSymbol(tree));
      return super.visitMemberSelect(tree, null);
    }

    private void recordUse(Symbol sym) {
      if (sym instanceof VarSymbol varSymbol) {
        add(uses, varSymbol, getCurrentPath());
      }
    }
  }
}
