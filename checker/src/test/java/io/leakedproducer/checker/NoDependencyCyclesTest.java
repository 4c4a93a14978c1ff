package io.leakedproducer.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The checker's classes depend on each other without cycles, so that each decision can be read,
 * tested and changed from the bottom up. The graph is the JDK's own {@code jdeps} reading of the
 * compiled main classes (nested classes count as their top-level class); a cycle is a strongly
 * connected component of more than one class.
 */
final class NoDependencyCyclesTest {
  private static final String PREFIX = "io.leakedproducer.checker.";

  @Test
  void mainClassesHaveNoDependencyCycles() throws Exception {
    Path classes =
        Paths.get(LeakedProducer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Map<String, Set<String>> graph = dependencies(classes);
    assertTrue(graph.size() > 20, "jdeps saw too few classes: " + graph.keySet());
    assertEquals(List.of(), cycles(graph), "dependency cycles among the checker's classes");
  }

  @Test
  void aCycleIsFound() {
    Map<String, Set<String>> graph = new TreeMap<>();
    graph.put("A", Set.of("B"));
    graph.put("B", Set.of("C"));
    graph.put("C", Set.of("A"));
    graph.put("D", Set.of("A"));
    assertEquals(List.of(Set.of("A", "B", "C")), cycles(graph));
  }

  private static Map<String, Set<String>> dependencies(Path classes) {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    StringWriter out = new StringWriter();
    int status =
        jdeps.run(
            new PrintWriter(out),
            new PrintWriter(out),
            "-verbose:class",
            "-filter:none",
            "-cp",
            classes.toString(),
            classes.toString());
    assertEquals(0, status, out.toString());
    Map<String, Set<String>> graph = new TreeMap<>();
    for (String line : out.toString().split("\n")) {
      String[] words = line.trim().split("\\s+");
      if (words.length >= 3 && words[1].equals("->") && words[0].startsWith(PREFIX)) {
        String from = topLevel(words[0]);
        Set<String> edges = graph.computeIfAbsent(from, k -> new TreeSet<>());
        if (words[2].startsWith(PREFIX) && !topLevel(words[2]).equals(from)) {
          edges.add(topLevel(words[2]));
        }
      }
    }
    return graph;
  }

  private static String topLevel(String binaryName) {
    int nested = binaryName.indexOf('$');
    return (nested < 0 ? binaryName : binaryName.substring(0, nested)).substring(PREFIX.length());
  }

  /** Tarjan's strongly connected components of more than one node. */
  private static List<Set<String>> cycles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new HashSet<>();
    List<Set<String>> found = new ArrayList<>();
    for (String node : graph.keySet()) {
      if (!index.containsKey(node)) {
        connect(node, graph, index, low, stack, onStack, found);
      }
    }
    return found;
  }

  private static void connect(
      String node,
      Map<String, Set<String>> graph,
      Map<String, Integer> index,
      Map<String, Integer> low,
      Deque<String> stack,
      Set<String> onStack,
      List<Set<String>> found) {
    index.put(node, index.size());
    low.put(node, index.get(node));
    stack.push(node);
    onStack.add(node);
    for (String next : graph.getOrDefault(node, Set.of())) {
      if (!index.containsKey(next)) {
        connect(next, graph, index, low, stack, onStack, found);
        low.put(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.contains(next)) {
        low.put(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node).equals(index.get(node))) {
      Set<String> component = new TreeSet<>();
      String member;
      do {
        member = stack.pop();
        onStack.remove(member);
        component.add(member);
      } while (!member.equals(node));
      if (component.size() > 1) {
        found.add(component);
      }
    }
  }
}
