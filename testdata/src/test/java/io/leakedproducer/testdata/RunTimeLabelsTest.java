package io.leakedproducer.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakedproducer.testdata.RunTimeLabels.Label;
import io.leakedproducer.testdata.RunTimeLabels.Outcome;
import io.leakedproducer.testdata.labels.CleanMain;
import io.leakedproducer.testdata.labels.HangingMain;
import io.leakedproducer.testdata.labels.LeakingMain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The run-time label tool on three tiny programs: one leaks, one does not, one hangs its caller.
 */
@Timeout(300)
final class RunTimeLabelsTest {
  private static Path source(Class<?> program) {
    return Path.of("src/test/java", program.getName().replace('.', '/') + ".java");
  }

  @Test
  void leakingProgramIsLabelledWithItsMarkedSite() throws Exception {
    Set<String> expected = RunTimeLabels.leakMarkers(source(LeakingMain.class));
    assertEquals(1, expected.size(), "LeakingMain marks one site: " + expected);

    Label label = RunTimeLabels.label(LeakingMain.class.getName());

    assertEquals(Outcome.RETURNED, label.outcome(), label.output());
    assertEquals(expected, label.stuckSites(), label.output());
    assertTrue(label.output().contains("bad line: giving up"), label.output());
  }

  @Test
  void cleanProgramHasNoStuckSite() throws Exception {
    assertEquals(Set.of(), RunTimeLabels.leakMarkers(source(CleanMain.class)));

    Label label = RunTimeLabels.label(CleanMain.class.getName());

    assertEquals(Outcome.RETURNED, label.outcome(), label.output());
    assertEquals(Set.of(), label.stuckSites(), label.output());
    assertNull(label.thrown());
  }

  @Test
  void mainThatDoesNotReturnIsACallerHangWithItsStack() throws Exception {
    Set<String> expected = RunTimeLabels.leakMarkers(source(HangingMain.class));

    Label label = RunTimeLabels.label(HangingMain.class.getName(), Duration.ofSeconds(1));

    assertEquals(Outcome.HUNG, label.outcome(), label.output());
    assertEquals(expected, label.stuckSites(), label.output());
    String site = expected.iterator().next();
    assertTrue(
        label.mainStack().contains(HangingMain.class.getName() + ".main(" + site + ")"),
        "main stack: " + label.mainStack());
    assertEquals("java.util.concurrent.ArrayBlockingQueue.put", methodOf(label.mainStack(), site));
  }

  @Test
  void classWithoutMainIsRejectedByName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RunTimeLabels.label(Leaks.class.getName()));
    assertTrue(
        e.getMessage().startsWith(Leaks.class.getName() + " has no public static void main"),
        e.getMessage());
  }

  @Test
  void leakMarkersNeedTheMarkerComment() throws Exception {
    Path file = java.nio.file.Files.createTempFile("Marked", ".java");
    try {
      java.nio.file.Files.write(
          file,
          List.of("q.put(a); // LEAK", "q.put(b); // LEAKY is not the marker", "q.put(c); //LEAK"));
      String name = file.getFileName().toString();
      assertEquals(Set.of(name + ":1", name + ":3"), RunTimeLabels.leakMarkers(file));
      assertFalse(RunTimeLabels.leakMarkers(file).contains(name + ":2"));
    } finally {
      java.nio.file.Files.delete(file);
    }
  }

  /** The frame just above the caller's frame at {@code site}: the queue method it is parked in. */
  private static String methodOf(List<String> stack, String site) {
    for (int i = 1; i < stack.size(); i++) {
      if (stack.get(i).endsWith("(" + site + ")")) {
        String frame = stack.get(i - 1);
        return frame.substring(0, frame.indexOf('('));
      }
    }
    return null;
  }
}
