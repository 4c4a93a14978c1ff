package io.leakedproducer.checker;

import com.google.common.collect.ImmutableList;
import com.google.errorprone.VisitorState;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.Tree;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.code.Symbol.VarSymbol;
import com.sun.tools.javac.code.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.lang.model.type.TypeKind;
import org.jspecify.annotations.Nullable;

/**
 * A number of elements or loop trips as the analysis compares them: a constant plus symbolic terms
 * ({@code items.size()}, {@code names.length}, {@code workers}, or an opaque expression). Terms
 * compare by what they mean (the same variable's size is the same term however it is spelled);
 * their source text is kept only to write messages and fixes.
 *
 * @param constant the constant part
 * @param terms the symbolic summands, in source order
 */
record ElementCount(long constant, ImmutableList<ElementCount.Term> terms) {
  static final ElementCount ONE = new ElementCount(1, ImmutableList.of());

  /** What a symbolic term counts. */
  enum Measure {
    /** {@code c.size()} of a variable {@code c}. */
    SIZE,
    /** {@code a.length} of a variable {@code a}. */
    LENGTH,
    /** The value of a variable. */
    VALUE,
    /** Any other expression, compared by its normalized source. */
    EXPRESSION
  }

  /**
   * One symbolic summand. Equal when they measure the same variable the same way, or, for an opaque
   * expression, when the normalized sources are equal; {@code source} is not compared.
   */
  record Term(Measure measure, @Nullable Symbol variable, String key, String source) {
    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Term other
          && measure == other.measure
          && Objects.equals(variable, other.variable)
          && (variable != null || key.equals(other.key));
    }

    @Override
    public int hashCode() {
      return Objects.hash(measure, variable, variable == null ? key : "");
    }
  }

  static ElementCount of(long constant) {
    return new ElementCount(constant, ImmutableList.of());
  }

  /** The trips of {@code for (T x : expr)}: its size, or its length for an array. */
  @Nullable
  static ElementCount elementsOf(ExpressionTree collection, VisitorState state) {
    String source = state.getSourceForNode(collection);
    if (source == null) {
      return null;
    }
    Type type = ASTHelpers.getType(collection);
    boolean array = type != null && type.getKind() == TypeKind.ARRAY;
    Symbol variable = variableOf(collection);
    String rendered = source + (array ? ".length" : ".size()");
    return new ElementCount(
        0,
        ImmutableList.of(
            new Term(
                variable == null ? Measure.EXPRESSION : array ? Measure.LENGTH : Measure.SIZE,
                variable,
                normalize(rendered),
                rendered)));
  }

  /**
   * The value of {@code expression}, split at its top-level {@code +}: {@code 2 * workers + 1} is
   * the term {@code 2 * workers} plus the constant 1. Null when its source is not available.
   */
  @Nullable
  static ElementCount valueOf(ExpressionTree expression, VisitorState state) {
    List<ExpressionTree> summands = new ArrayList<>();
    flattenSum(expression, summands);
    long constant = 0;
    ImmutableList.Builder<Term> terms = ImmutableList.builder();
    for (ExpressionTree summand : summands) {
      Integer value = ASTHelpers.constValue(summand, Integer.class);
      if (value != null) {
        constant += value;
        continue;
      }
      Term term = termOf(summand, state);
      if (term == null) {
        return null;
      }
      terms.add(term);
    }
    return new ElementCount(constant, terms.build());
  }

  /**
   * The trips of a loop counting an index up from zero while {@code condition} holds: {@code i <
   * bound} runs {@code bound} times, {@code i <= bound} once more; null for any other condition.
   */
  @Nullable
  static ElementCount tripsWhileBelow(BinaryTree condition, VisitorState state) {
    ElementCount bound = valueOf(condition.getRightOperand(), state);
    if (bound == null) {
      return null;
    }
    if (condition.getKind() == Tree.Kind.LESS_THAN) {
      return bound;
    }
    if (condition.getKind() == Tree.Kind.LESS_THAN_EQUAL) {
      return bound.plus(ONE);
    }
    return null;
  }

  ElementCount plus(ElementCount other) {
    return new ElementCount(
        constant + other.constant,
        ImmutableList.<Term>builder().addAll(terms).addAll(other.terms).build());
  }

  /**
   * This count repeated {@code factor} times (the per-task count times the number of tasks), or
   * null when both are symbolic: a product of two terms is no sum of terms that a capacity could be
   * compared with.
   */
  @Nullable ElementCount times(ElementCount factor) {
    if (factor.isOne()) {
      return this;
    }
    if (isOne()) {
      return factor;
    }
    if (factor.terms.isEmpty()) {
      return repeated(factor.constant);
    }
    return terms.isEmpty() ? factor.repeated(constant) : null;
  }

  @Nullable
  private ElementCount repeated(long times) {
    if (times < 0 || times > MAX_REPEATED_TERMS) {
      return terms.isEmpty() ? of(constant * times) : null;
    }
    ImmutableList.Builder<Term> repeated = ImmutableList.builder();
    for (long i = 0; i < times; i++) {
      repeated.addAll(terms);
    }
    return new ElementCount(constant * times, repeated.build());
  }

  /** A capacity written as a sum never repeats one term more often than this. */
  private static final long MAX_REPEATED_TERMS = 16;

  boolean isOne() {
    return constant == 1 && terms.isEmpty();
  }

  /** A single summand: a constant, or one term with no constant. */
  boolean isSingleSummand() {
    return terms.isEmpty() || (terms.size() == 1 && constant == 0);
  }

  /**
   * True when a queue of this capacity holds every element of {@code inserted}: each of its terms
   * is a term of the capacity (as a multiset), and its constant fits in the capacity's constant.
   */
  boolean covers(ElementCount inserted) {
    List<Term> room = new ArrayList<>(terms);
    for (Term term : inserted.terms) {
      if (!room.remove(term)) {
        return false;
      }
    }
    return inserted.constant <= constant;
  }

  /** The count as source text, for messages and fixes: {@code items.size() + 1}. */
  String source() {
    List<String> parts = new ArrayList<>();
    terms.forEach(t -> parts.add(t.source()));
    if (constant != 0 || parts.isEmpty()) {
      parts.add(Long.toString(constant));
    }
    return String.join(" + ", parts);
  }

  private static void flattenSum(ExpressionTree expression, List<ExpressionTree> summands) {
    ExpressionTree e = Trees.skipParensAndCasts(expression);
    if (e instanceof BinaryTree sum && e.getKind() == Tree.Kind.PLUS) {
      flattenSum(sum.getLeftOperand(), summands);
      flattenSum(sum.getRightOperand(), summands);
    } else {
      summands.add(e);
    }
  }

  @Nullable
  private static Term termOf(ExpressionTree expression, VisitorState state) {
    String source = state.getSourceForNode(expression);
    if (source == null) {
      return null;
    }
    String key = normalize(source);
    if (expression instanceof MethodInvocationTree call
        && ConcurrencyApiModel.isCollectionSize(call)) {
      Symbol variable = variableOf(ASTHelpers.getReceiver(call));
      if (variable != null) {
        return new Term(Measure.SIZE, variable, key, source);
      }
    }
    if (expression instanceof MemberSelectTree select
        && select.getIdentifier().contentEquals("length")
        && ASTHelpers.getType(select.getExpression()) != null
        && ASTHelpers.getType(select.getExpression()).getKind() == TypeKind.ARRAY) {
      Symbol variable = variableOf(select.getExpression());
      if (variable != null) {
        return new Term(Measure.LENGTH, variable, key, source);
      }
    }
    Symbol variable = variableOf(expression);
    return variable != null
        ? new Term(Measure.VALUE, variable, key, source)
        : new Term(Measure.EXPRESSION, null, key, source);
  }

  @Nullable
  private static Symbol variableOf(@Nullable ExpressionTree expression) {
    if (expression == null) {
      return null;
    }
    Symbol symbol = ASTHelpers.getSymbol(Trees.skipParensAndCasts(expression));
    return symbol instanceof VarSymbol ? symbol : null;
  }

  /** Source text without blanks and without a leading {@code this.}. */
  private static String normalize(String source) {
    return source.replaceAll("\\s+", "").replaceFirst("^this\\.", "");
  }
}
