package io.leakedproducer.checker.sarif;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A SARIF 2.1.0 log with one run of this check: building it, and reading back the results of a log
 * an earlier compilation wrote to the same file.
 */
final class SarifLog {
  static final String SCHEMA =
      "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

  /**
   * The base of every relative artifact URI; {@code originalUriBaseIds} maps it to the base dir.
   */
  private SarifLog() {}

  /** The whole log: one run, {@code results} in the given order. */
  static Map<String, Object> document(RuleMetadata rule, Path baseDir, List<Object> results) {
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("tool", Map.of("driver", rule.driverJson()));
    run.put("originalUriBaseIds", Map.of(SourceKey.SRCROOT, Map.of("uri", directoryUri(baseDir))));
    run.put("columnKind", "utf16CodeUnits");
    run.put("results", results);
    Map<String, Object> log = new LinkedHashMap<>();
    log.put("$schema", SCHEMA);
    log.put("version", "2.1.0");
    log.put("runs", List.of(run));
    return log;
  }

  static String directoryUri(Path dir) {
    String uri = dir.toUri().toString();
    return uri.endsWith("/") ? uri : uri + "/";
  }

  /** A result read back from an existing log: the source file and the line and column it is at. */
  record ExistingResult(Map<String, Object> json, SourceKey source, long line, long column) {}

  /**
   * The results of an existing log written by this check, or empty if {@code parsed} is a SARIF log
   * of some other tool (which must not be overwritten).
   *
   * @throws IllegalArgumentException if {@code parsed} is not a SARIF log shaped as this check
   *     writes it
   */
  static Optional<List<ExistingResult>> resultsOf(Object parsed, String toolName) {
    Map<String, Object> log = object(parsed, "the log");
    List<Object> runs = array(log.get("runs"), "runs");
    if (runs.size() != 1) {
      return runs.isEmpty() ? Optional.of(List.of()) : Optional.empty();
    }
    Map<String, Object> run = object(runs.get(0), "runs[0]");
    Map<String, Object> tool = object(run.get("tool"), "tool");
    Map<String, Object> driver = object(tool.get("driver"), "tool.driver");
    if (!toolName.equals(driver.get("name"))) {
      return Optional.empty();
    }
    URI base = null;
    if (run.get("originalUriBaseIds") instanceof Map<?, ?> bases
        && bases.get(SourceKey.SRCROOT) instanceof Map<?, ?> srcRoot
        && srcRoot.get("uri") instanceof String uri) {
      base = URI.create(uri);
    }
    List<ExistingResult> results = new ArrayList<>();
    for (Object element : array(run.getOrDefault("results", List.of()), "results")) {
      results.add(read(object(element, "a result"), base));
    }
    return Optional.of(results);
  }

  private static ExistingResult read(Map<String, Object> result, URI base) {
    List<Object> locations = array(result.get("locations"), "locations");
    if (locations.isEmpty()) {
      throw new IllegalArgumentException("a result has no location");
    }
    Map<String, Object> location = object(locations.get(0), "locations[0]");
    Map<String, Object> physical = object(location.get("physicalLocation"), "physicalLocation");
    Map<String, Object> artifact = object(physical.get("artifactLocation"), "artifactLocation");
    Map<String, Object> region = object(physical.get("region"), "region");
    if (!(artifact.get("uri") instanceof String uri)
        || !(region.get("startLine") instanceof Number line)) {
      throw new IllegalArgumentException("a result has no artifactLocation.uri or startLine");
    }
    long column = region.get("startColumn") instanceof Number c ? c.longValue() : 1;
    URI resolved = URI.create(uri);
    if (SourceKey.SRCROOT.equals(artifact.get("uriBaseId")) && base != null) {
      resolved = base.resolve(resolved);
    }
    SourceKey source =
        "file".equals(resolved.getScheme())
            ? SourceKey.ofPath(Path.of(resolved))
            : SourceKey.ofName(uri);
    return new ExistingResult(result, source, line.longValue(), column);
  }

  /**
   * Points the artifact URIs of an existing result at {@code source} as seen from {@code baseDir}
   * (a log read back may have been written with another base directory).
   */
  @SuppressWarnings("unchecked")
  static void relocate(Map<String, Object> result, SourceKey source, Path baseDir) {
    if (source.path().isEmpty()) {
      return; // a name, not a file: nothing to re-base
    }
    Map<String, Object> location = source.artifactLocation(baseDir);
    List<Map<String, Object>> artifactLocations = new ArrayList<>();
    for (Object l : (List<Object>) result.get("locations")) {
      Map<String, Object> physical =
          (Map<String, Object>) ((Map<String, Object>) l).get("physicalLocation");
      artifactLocations.add(physical);
    }
    if (result.get("fixes") instanceof List<?> fixes) {
      for (Object f : fixes) {
        if (((Map<String, Object>) f).get("artifactChanges") instanceof List<?> changes) {
          for (Object c : changes) {
            artifactLocations.add((Map<String, Object>) c);
          }
        }
      }
    }
    for (Map<String, Object> holder : artifactLocations) {
      holder.put("artifactLocation", new LinkedHashMap<>(location));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String what) {
    if (value instanceof Map<?, ?> map) {
      return (Map<String, Object>) map;
    }
    throw new IllegalArgumentException(what + " is not a JSON object");
  }

  @SuppressWarnings("unchecked")
  private static List<Object> array(Object value, String what) {
    if (value instanceof List<?> list) {
      return (List<Object>) list;
    }
    throw new IllegalArgumentException(what + " is not a JSON array");
  }
}
