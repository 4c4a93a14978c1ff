package io.leakedproducer.checker;

import com.sun.source.tree.ConditionalExpressionTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decides which insertion sites can run together: two sites in the then and else branches of the
 * same {@code if} (or the two arms of a {@code ?:}) never both run in one pass, so a queue made per
 * call needs room for the largest path, not for the sum of every site (spec: "Capacity covers every
 * element").
 */
final class ExclusiveBranches {
  /** Above this many sites the check does not enumerate paths and counts every site. */
  private static final int MAX_SITES = 10;

  private ExclusiveBranches() {}

  /**
   * The totals that one pass can insert: for each set of sites that can all run together, the sum
   * of their counts; only the maximal sets are needed, so every set is returned and {@code covers}
   * is checked on each. With a single site, or too many, the one total of all sites.
   *
   * @param chains each site's call chain, innermost first (see {@link ProducerDiscovery#callChain})
   */
  static List<ElementCount> pathTotals(List<List<TreePath>> chains, List<ElementCount> counts) {
    int n = chains.size();
    if (n <= 1 || n > MAX_SITES) {
      ElementCount sum = ElementCount.of(0);
      for (ElementCount c : counts) {
        sum = sum.plus(c);
      }
      return List.of(sum);
    }
    boolean[][] exclusive = new boolean[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        exclusive[i][j] = exclusive(chains.get(i), chains.get(j));
        exclusive[j][i] = exclusive[i][j];
      }
    }
    List<ElementCount> totals = new ArrayList<>();
    for (int mask = 1; mask < (1 << n); mask++) {
      if (!compatible(mask, exclusive, n) || !maximal(mask, exclusive, n)) {
        continue;
      }
      ElementCount sum = ElementCount.of(0);
      for (int i = 0; i < n; i++) {
        if ((mask & (1 << i)) != 0) {
          sum = sum.plus(counts.get(i));
        }
      }
      totals.add(sum);
    }
    return totals;
  }

  private static boolean compatible(int mask, boolean[][] exclusive, int n) {
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        if ((mask & (1 << i)) != 0 && (mask & (1 << j)) != 0 && exclusive[i][j]) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean maximal(int mask, boolean[][] exclusive, int n) {
    for (int k = 0; k < n; k++) {
      if ((mask & (1 << k)) == 0 && compatible(mask | (1 << k), exclusive, n)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The two chains part where they first differ, from the outermost call down; the sites are
   * exclusive when, at that point, they sit in opposite branches of one {@code if} or {@code ?:}.
   */
  static boolean exclusive(List<TreePath> a, List<TreePath> b) {
    int i = a.size() - 1;
    int j = b.size() - 1;
    while (i > 0 && j > 0 && a.get(i).getLeaf() == b.get(j).getLeaf()) {
      i--;
      j--;
    }
    return oppositeBranches(a.get(i), b.get(j));
  }

  private static boolean oppositeBranches(TreePath x, TreePath y) {
    if (x.getLeaf() == y.getLeaf()) {
      return false;
    }
    IdentityHashMap<Tree, Tree> childOnXSide = new IdentityHashMap<>();
    Tree child = x.getLeaf();
    for (TreePath p = x.getParentPath(); p != null; p = p.getParentPath()) {
      childOnXSide.put(p.getLeaf(), child);
      child = p.getLeaf();
    }
    Tree yChild = y.getLeaf();
    for (TreePath p = y.getParentPath(); p != null; p = p.getParentPath()) {
      Tree xChild = childOnXSide.get(p.getLeaf());
      if (xChild != null) {
        return branches(p.getLeaf(), xChild, yChild);
      }
      yChild = p.getLeaf();
    }
    return false;
  }

  /** {@code xChild} and {@code yChild} are the two different branches of {@code node}. */
  private static boolean branches(Tree node, @Nullable Tree xChild, Tree yChild) {
    if (node instanceof IfTree ifTree) {
      return ifTree.getElseStatement() != null
          && ((xChild == ifTree.getThenStatement() && yChild == ifTree.getElseStatement())
              || (xChild == ifTree.getElseStatement() && yChild == ifTree.getThenStatement()));
    }
    if (node instanceof ConditionalExpressionTree conditional) {
      return (xChild == conditional.getTrueExpression()
              && yChild == conditional.getFalseExpression())
          || (xChild == conditional.getFalseExpression()
              && yChild == conditional.getTrueExpression());
    }
    return false;
  }
}
