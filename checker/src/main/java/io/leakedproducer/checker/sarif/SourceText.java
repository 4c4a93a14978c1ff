package io.leakedproducer.checker.sarif;

import java.util.Arrays;

/**
 * Turns character offsets of one source file into SARIF line/column regions. Lines end at {@code
 * \n}, {@code \r\n} or a lone {@code \r}, as for javac; columns are not tab-expanded (SARIF counts
 * characters, javac's diagnostics expand tabs).
 */
final class SourceText {
  private final int length;

  /** Offset of the first character of each line; line {@code i + 1} starts at {@code starts[i]}. */
  private final int[] starts;

  SourceText(CharSequence text) {
    length = text.length();
    int[] lineStarts = new int[16];
    int lines = 1; // lineStarts[0] == 0
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      boolean endsLine =
          c == '\n' || (c == '\r' && (i + 1 == length || text.charAt(i + 1) != '\n'));
      if (endsLine) {
        if (lines == lineStarts.length) {
          lineStarts = Arrays.copyOf(lineStarts, lines * 2);
        }
        lineStarts[lines++] = i + 1;
      }
    }
    starts = Arrays.copyOf(lineStarts, lines);
  }

  /** The region of characters {@code [start, end)}; throws if it is not inside the text. */
  TextRegion region(int start, int end) {
    if (start < 0 || end < start || end > length) {
      throw new IllegalArgumentException(
          "range [" + start + ", " + end + ") outside a text of " + length + " characters");
    }
    int startLine = lineOf(start);
    // The last character of a non-empty region decides its end line, so that a region ending at a
    // line end stays on that line (endColumn one past its last character).
    int endLine = end == start ? startLine : lineOf(end - 1);
    return new TextRegion(
        startLine + 1,
        start - starts[startLine] + 1,
        endLine + 1,
        end - starts[endLine] + 1,
        start,
        end - start);
  }

  /** Zero-based line of the character at {@code offset}. */
  private int lineOf(int offset) {
    int found = Arrays.binarySearch(starts, offset);
    return found >= 0 ? found : -found - 2;
  }
}
