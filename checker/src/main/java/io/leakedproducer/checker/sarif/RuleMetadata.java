package io.leakedproducer.checker.sarif;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The tool and rule description of the SARIF run: the checker's version (from {@code
 * tool.properties}, filled in by the Maven build) and the rule's help, cut from the bug-pattern
 * page ({@code docs/bugpattern/LeakedProducer.md}, copied into the jar by the build), so that the
 * log says what the page says.
 *
 * @param fullDescription the page's "The problem" section as plain text
 * @param helpMarkdown the page's "The problem", "Bad" and "Good" sections
 */
record RuleMetadata(
    String name,
    String version,
    String shortDescription,
    String fullDescription,
    String helpText,
    String helpMarkdown,
    SarifResult.Level defaultLevel) {

  private static final String PAGE = "LeakedProducer.md";
  private static final String TOOL_PROPERTIES = "tool.properties";

  /** Reads the version and the bug-pattern page from the checker's jar. */
  static RuleMetadata load(String name, String summary, SarifResult.Level defaultLevel) {
    String page = resource(PAGE);
    String problem = section(page, "The problem");
    String plainProblem = String.join(" ", problem.strip().split("\\s*\n\\s*"));
    String markdown =
        "## The problem\n\n"
            + problem.strip()
            + "\n\n## Bad\n\n"
            + section(page, "Bad").strip()
            + "\n\n## Good\n\n"
            + section(page, "Good").strip()
            + "\n";
    String helpText =
        plainProblem + " Suppress a finding with @SuppressWarnings(\"" + name + "\").";
    return new RuleMetadata(
        name, readVersion(), summary, plainProblem, helpText, markdown, defaultLevel);
  }

  private static String readVersion() {
    Properties properties = new Properties();
    try (InputStream in = stream(TOOL_PROPERTIES)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String version = properties.getProperty("version", "");
    if (version.isEmpty() || version.startsWith("${")) {
      throw new IllegalStateException(TOOL_PROPERTIES + " was not filled in by the build");
    }
    return version;
  }

  private static String resource(String name) {
    try (InputStream in = stream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream stream(String name) {
    InputStream in = RuleMetadata.class.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("missing resource " + name + " in the checker's jar");
    }
    return in;
  }

  /** The body of the level-2 section {@code title}, up to the next level-2 heading. */
  static String section(String page, String title) {
    List<String> body = new ArrayList<>();
    boolean inside = false;
    boolean inCode = false;
    for (String line : page.split("\n", -1)) {
      if (line.startsWith("```")) {
        inCode = !inCode;
      }
      if (!inCode && line.startsWith("## ")) {
        if (inside) {
          break;
        }
        inside = line.substring(3).strip().equals(title);
        continue;
      }
      if (inside) {
        body.add(line);
      }
    }
    if (!inside) {
      throw new IllegalStateException("the bug-pattern page has no section '" + title + "'");
    }
    return String.join("\n", body);
  }

  Map<String, Object> driverJson() {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("id", name);
    rule.put("name", name);
    rule.put("shortDescription", Map.of("text", shortDescription));
    rule.put("fullDescription", Map.of("text", fullDescription));
    Map<String, Object> help = new LinkedHashMap<>();
    help.put("text", helpText);
    help.put("markdown", helpMarkdown);
    rule.put("help", help);
    rule.put("defaultConfiguration", Map.of("level", defaultLevel.json));
    rule.put("properties", Map.of("tags", List.of("concurrency", "reliability")));
    Map<String, Object> driver = new LinkedHashMap<>();
    driver.put("name", name);
    driver.put("version", version);
    driver.put("rules", List.of(rule));
    return driver;
  }
}
