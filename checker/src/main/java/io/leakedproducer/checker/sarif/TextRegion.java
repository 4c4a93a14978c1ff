package io.leakedproducer.checker.sarif;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A range of a source file in SARIF's terms: lines and columns count from 1, columns in UTF-16 code
 * units (the run declares {@code columnKind: utf16CodeUnits}), {@code endColumn} is the column just
 * after the last character, and {@code charOffset}/{@code charLength} give the same range in
 * characters from the start of the file. An empty region ({@code charLength == 0}) is an insertion
 * point.
 */
record TextRegion(
    int startLine, int startColumn, int endLine, int endColumn, int charOffset, int charLength) {

  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("startLine", startLine);
    json.put("startColumn", startColumn);
    json.put("endLine", endLine);
    json.put("endColumn", endColumn);
    json.put("charOffset", charOffset);
    json.put("charLength", charLength);
    return json;
  }
}
