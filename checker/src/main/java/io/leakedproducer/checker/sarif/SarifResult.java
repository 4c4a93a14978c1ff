package io.leakedproducer.checker.sarif;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One finding as a SARIF {@code result}.
 *
 * @param source the file the finding is in
 * @param fingerprint the value of {@link #FINGERPRINT_KEY}, stable across re-runs (no line numbers)
 * @param fix the first suggested fix, if the finding has one
 */
record SarifResult(
    String ruleId,
    Level level,
    String message,
    SourceKey source,
    TextRegion region,
    String fingerprint,
    Optional<SuggestedFixData> fix) {

  /** The {@code partialFingerprints} key; bump its version if the fingerprint recipe changes. */
  static final String FINGERPRINT_KEY = "leakedProducer/v1";

  /** SARIF's {@code level}, from Error Prone's effective severity. */
  enum Level {
    ERROR("error"),
    WARNING("warning"),
    NOTE("note");

    final String json;

    Level(String json) {
      this.json = json;
    }
  }

  /** A fix as SARIF wants it: one artifact (the finding's file) and its replacements. */
  record SuggestedFixData(String description, List<Replacement> replacements) {}

  /** Characters {@code deleted} of the file replaced by {@code inserted}. */
  record Replacement(TextRegion deleted, String inserted) {}

  /** The result; artifact URIs are relative to {@code baseDir} where they can be. */
  Map<String, Object> toJson(Path baseDir) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("ruleId", ruleId);
    json.put("ruleIndex", 0);
    json.put("level", level.json);
    json.put("message", Map.of("text", message));
    Map<String, Object> physical = new LinkedHashMap<>();
    physical.put("artifactLocation", source.artifactLocation(baseDir));
    physical.put("region", region.toJson());
    json.put("locations", List.of(Map.of("physicalLocation", physical)));
    json.put("partialFingerprints", Map.of(FINGERPRINT_KEY, fingerprint));
    fix.ifPresent(f -> json.put("fixes", List.of(fixJson(f, baseDir))));
    return json;
  }

  private Map<String, Object> fixJson(SuggestedFixData fix, Path baseDir) {
    List<Object> replacements = new ArrayList<>();
    for (Replacement r : fix.replacements()) {
      Map<String, Object> replacement = new LinkedHashMap<>();
      replacement.put("deletedRegion", r.deleted().toJson());
      replacement.put("insertedContent", Map.of("text", r.inserted()));
      replacements.add(replacement);
    }
    Map<String, Object> change = new LinkedHashMap<>();
    change.put("artifactLocation", source.artifactLocation(baseDir));
    change.put("replacements", replacements);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("description", Map.of("text", fix.description()));
    json.put("artifactChanges", List.of(change));
    return json;
  }
}
