package io.leakedproducer.checker.sarif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The hand-written JSON and line/column code the SARIF log rests on. */
final class JsonAndSourceTextTest {
  @Test
  void writtenJsonReadsBackTheSameWithJacksonAndOurParser() throws Exception {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("text", "quote \" backslash \\ newline \n tab \t bell \u0007 é \u2028 😀");
    value.put("numbers", List.of(0, -7, 2147483647L));
    value.put("empty", Map.of());
    value.put("none", Arrays.asList(null, true, false, List.of()));
    String json = Json.write(value);

    assertEquals(
        JsonMapper.builder().build().readTree(json),
        JsonMapper.builder()
            .build()
            .readTree(
                "{\"text\": \"quote \\\" backslash \\\\ newline \\n"
                    + " tab \\t bell \\u0007 é \u2028 😀\", \"numbers\": [0, -7, 2147483647],"
                    + " \"empty\": {}, \"none\": [null, true, false, []]}"));

    Map<String, Object> expected = new LinkedHashMap<>(value);
    expected.put(
        "numbers", List.of(new BigDecimal(0), new BigDecimal(-7), new BigDecimal(2147483647L)));
    assertEquals(expected, Json.parse(json));
  }

  @Test
  void parserRejectsIncompleteText() {
    for (String text : List.of("", "{", "{\"runs\": [", "[1,]", "{\"a\" 1}", "\"open", "{} x")) {
      assertThrows(Json.MalformedJsonException.class, () -> Json.parse(text), text);
    }
  }

  @Test
  void regionsCountLinesForEveryLineEndAndColumnsInChars() {
    SourceText text = new SourceText("ab\ncd\r\nef\rgh");
    // "cd": line 2, columns 1 to 2 (end column one past the last character).
    assertEquals(new TextRegion(2, 1, 2, 3, 3, 2), text.region(3, 5));
    // "ef" after a CRLF, "gh" after a lone CR.
    assertEquals(new TextRegion(3, 1, 3, 3, 7, 2), text.region(7, 9));
    assertEquals(new TextRegion(4, 1, 4, 3, 10, 2), text.region(10, 12));
    // A region ending with its line's line end stays on that line.
    assertEquals(new TextRegion(1, 2, 1, 4, 1, 2), text.region(1, 3));
    // An empty region is an insertion point.
    assertEquals(new TextRegion(2, 2, 2, 2, 4, 0), text.region(4, 4));
    // A tab is one column.
    assertEquals(new TextRegion(1, 2, 1, 3, 1, 1), new SourceText("\tx").region(1, 2));
    assertThrows(IllegalArgumentException.class, () -> text.region(5, 40));
  }
}
