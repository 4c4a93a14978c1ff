package io.leakedproducer.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Command 1 of the README with {@code -XepOpt:LeakedProducer:SarifFile}: compiling every program of
 * this module writes a SARIF 2.1.0 log (valid against the schema) with exactly one result per
 * warning the build log shows, at the warned line, on the insertion call, with its fix.
 */
@Timeout(600)
final class SarifLogTest {
  /** An insertion call, as the region's text must read. */
  private static final Pattern INSERTION_CALL =
      Pattern.compile(
          "\\w+(\\.\\w+\\(\\))?\\.(put|putFirst|putLast|transfer|offer)\\(.*\\)", Pattern.DOTALL);

  @Test
  void oneValidResultPerFinding(@TempDir Path dir) throws IOException {
    Path module = Paths.get(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    List<Path> sources;
    try (Stream<Path> files = Files.walk(Javac.mainSources())) {
      sources =
          files.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    }
    Path sarif = dir.resolve("target/leaked-producer.sarif");
    Javac.Result result =
        Javac.compile(
            sources,
            dir.resolve("classes"),
            "-XepDisableAllChecks -Xep:LeakedProducer:WARN -XepOpt:LeakedProducer:Strict=true"
                + " -XepOpt:LeakedProducer:SarifFile="
                + sarif
                + " -XepOpt:LeakedProducer:SarifBaseDir="
                + module);
    assertFalse(result.hasErrors(), result.render());

    // What the build log shows: file (relative to the module) -> warned lines, in order.
    Map<String, List<Long>> warned = new TreeMap<>();
    for (Diagnostic<? extends JavaFileObject> d : result.diagnostics) {
      if (d.getKind() == Diagnostic.Kind.WARNING
          && d.getMessage(null).contains("[LeakedProducer]")) {
        String file = relative(module, Paths.get(d.getSource().toUri()));
        warned.computeIfAbsent(file, f -> new ArrayList<>()).add(d.getLineNumber());
      }
    }
    assertTrue(warned.size() >= 12, "every Leaky program is warned at: " + warned.keySet());

    String text = Files.readString(sarif, StandardCharsets.UTF_8);
    assertEquals(List.of(), schemaErrors(text));
    JsonNode run = JsonMapper.builder().build().readTree(text).get("runs").get(0);
    assertEquals(
        module.toUri().toString(),
        run.get("originalUriBaseIds").get("%SRCROOT%").get("uri").asString());

    Map<String, List<Long>> reported = new TreeMap<>();
    for (JsonNode r : run.get("results")) {
      assertEquals("LeakedProducer", r.get("ruleId").asString());
      assertEquals("warning", r.get("level").asString());
      JsonNode physical = r.get("locations").get(0).get("physicalLocation");
      String uri = physical.get("artifactLocation").get("uri").asString();
      assertEquals("%SRCROOT%", physical.get("artifactLocation").get("uriBaseId").asString());
      JsonNode region = physical.get("region");
      long line = region.get("startLine").asLong();
      reported.computeIfAbsent(uri, f -> new ArrayList<>()).add(line);

      String source = Files.readString(module.resolve(uri), StandardCharsets.UTF_8);
      int offset = region.get("charOffset").asInt();
      String call = source.substring(offset, offset + region.get("charLength").asInt());
      assertTrue(
          INSERTION_CALL.matcher(call).matches(), uri + ":" + line + " region is '" + call + "'");
      assertTrue(r.get("message").get("text").asString().contains("can block forever in"), uri);
      assertTrue(
          r.get("partialFingerprints").get("leakedProducer/v1").asString().matches("[0-9a-f]{64}"));

      JsonNode fixes = r.get("fixes");
      assertTrue(fixes != null && fixes.size() == 1, uri + ":" + line + " has no fix");
      JsonNode change = fixes.get(0).get("artifactChanges").get(0);
      assertEquals(uri, change.get("artifactLocation").get("uri").asString());
      assertFalse(
          change.get("replacements").isEmpty(), uri + ":" + line + " fix has no replacement");
    }
    assertEquals(warned, reported, "SARIF results vs the build log's warnings (file -> lines)");
  }

  private static String relative(Path module, Path file) {
    return module
        .relativize(file.toAbsolutePath().normalize())
        .toString()
        .replace(File.separatorChar, '/');
  }

  /** Errors against the SARIF 2.1.0 schema kept with the checker's tests (see the README there). */
  private static List<String> schemaErrors(String json) throws IOException {
    Path schemaFile =
        Paths.get(System.getProperty("basedir", "."))
            .resolve("../checker/src/test/resources/io/leakedproducer/checker/sarif")
            .resolve("sarif-schema-2.1.0.json");
    try (InputStream in = Files.newInputStream(schemaFile)) {
      Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(in);
      return schema.validate(json, InputFormat.JSON).stream()
          .map(Object::toString)
          .sorted(Comparator.naturalOrder())
          .collect(Collectors.toList());
    }
  }
}
