package io.leakedproducer.checker.sarif;

import com.google.errorprone.BugPattern.SeverityLevel;
import com.google.errorprone.ErrorProneFlags;
import com.google.errorprone.VisitorState;
import com.google.errorprone.apply.ImportStatements;
import com.google.errorprone.bugpatterns.BugChecker;
import com.google.errorprone.fixes.Fix;
import com.google.errorprone.fixes.Replacement;
import com.google.errorprone.matchers.Description;
import com.google.errorprone.util.ASTHelpers;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.tools.javac.code.Symbol;
import com.sun.tools.javac.tree.JCTree.JCCompilationUnit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the findings of one compilation as a SARIF 2.1.0 log when {@code
 * -XepOpt:LeakedProducer:SarifFile=<path>} is given, and does nothing otherwise.
 *
 * <p>Guarantees: the file is written when the check is created (so a compilation without findings
 * still leaves a valid, empty log), again when a compilation unit whose old results are in the file
 * starts, and after every finding; each write is a complete log. Files shared with other
 * compilations are merged as {@link SarifFile} describes. Relative paths resolve against {@code
 * user.dir}, javac's working directory; parent folders are created. Artifact URIs are relative to
 * {@code -XepOpt:LeakedProducer:SarifBaseDir} (default {@code user.dir}) for files below it.
 */
public final class SarifRecorder {
  public static final String FLAG_FILE = "LeakedProducer:SarifFile";
  public static final String FLAG_BASE_DIR = "LeakedProducer:SarifBaseDir";

  /** The recorder when no SARIF file was asked for. */
  private static final SarifRecorder NONE = new SarifRecorder(null, null, null);

  private final SarifFile file;
  private final Path baseDir;
  private final String ruleId;

  /** Findings of this compilation by fingerprint (a finding reported twice is one result). */
  private final Map<String, SarifResult> results = new LinkedHashMap<>();

  private final Map<String, Integer> occurrences = new HashMap<>();
  private final Set<SourceKey> compiled = new HashSet<>();

  /** Sources the file had results for after this compilation's last write. */
  private Set<SourceKey> inFile = Set.of();

  private CompilationUnitTree textUnit;
  private SourceText text;
  private boolean failed;

  private SarifRecorder(SarifFile file, Path baseDir, String ruleId) {
    this.file = file;
    this.baseDir = baseDir;
    this.ruleId = ruleId;
  }

  /**
   * The recorder {@code flags} ask for; when they name a file, writes the initial log.
   *
   * @throws IllegalArgumentException naming the flag, for a path that is not usable
   */
  public static SarifRecorder fromFlags(ErrorProneFlags flags, BugChecker checker) {
    Optional<String> fileFlag = flags.get(FLAG_FILE);
    if (fileFlag.isEmpty()) {
      return NONE;
    }
    Path workingDir = Path.of(System.getProperty("user.dir"));
    Path file = path(FLAG_FILE, fileFlag.get(), workingDir);
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(
          "-XepOpt:" + FLAG_FILE + " names a directory, not a file: " + file);
    }
    Path baseDir =
        flags.get(FLAG_BASE_DIR).map(d -> path(FLAG_BASE_DIR, d, workingDir)).orElse(workingDir);
    RuleMetadata rule =
        RuleMetadata.load(
            checker.canonicalName(), checker.message(), level(checker.defaultSeverity()));
    SarifRecorder recorder =
        new SarifRecorder(new SarifFile(file, baseDir, rule), baseDir, checker.canonicalName());
    try {
      recorder.inFile = recorder.file.write(List.of(), Set.of());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "-XepOpt:" + FLAG_FILE + "=" + fileFlag.get() + ": cannot write the SARIF log: " + e, e);
    }
    return recorder;
  }

  private static Path path(String flag, String value, Path workingDir) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("-XepOpt:" + flag + " needs a path, got an empty value");
    }
    try {
      return workingDir.resolve(value).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("-XepOpt:" + flag + "=" + value + " is not a path", e);
    }
  }

  /** Notes that {@code unit} is compiled: its results from earlier compilations are replaced. */
  public void unitStarted(CompilationUnitTree unit) {
    if (file == null || failed) {
      return;
    }
    try {
      SourceKey source = SourceKey.of(unit.getSourceFile().toUri());
      if (compiled.add(source) && inFile.contains(source)) {
        write(); // drop the stale results now, in case this unit has no finding any more
      }
    } catch (RuntimeException | LinkageError e) {
      fail(e);
    }
  }

  /**
   * Records {@code description} (unless it is {@link Description#NO_MATCH}), the finding the check
   * reports for the insertion {@code call} at {@code state}'s path, and returns it. Never throws: a
   * failure to record is reported once on standard error and must not cost the build its finding.
   */
  public Description recorded(
      MethodInvocationTree call, Description description, VisitorState state) {
    if (file == null || description == Description.NO_MATCH || failed) {
      return description;
    }
    try {
      record(call, description, state);
    } catch (RuntimeException | LinkageError e) {
      fail(e);
    }
    return description;
  }

  private void record(MethodInvocationTree call, Description description, VisitorState state) {
    CompilationUnitTree unit = state.getPath().getCompilationUnit();
    SourceKey source = SourceKey.of(unit.getSourceFile().toUri());
    compiled.add(source);
    SourceText sourceText = textOf(unit, state);
    TextRegion region =
        sourceText.region(ASTHelpers.getStartPosition(call), state.getEndPosition(call));
    String fingerprint = fingerprint(source, state.getPath(), state.getSourceForNode(call));
    Optional<SarifResult.SuggestedFixData> fix =
        description.fixes.isEmpty()
            ? Optional.empty()
            : Optional.of(fixData(description.fixes.get(0), (JCCompilationUnit) unit, sourceText));
    results.put(
        fingerprint,
        new SarifResult(
            ruleId,
            level(effectiveSeverity(description, state)),
            description.getRawMessage(),
            source,
            region,
            fingerprint,
            fix));
    write();
  }

  /**
   * Error Prone applies {@code -Xep:Name:LEVEL} overrides after the check returns (in {@link
   * VisitorState#reportMatch}); the same map gives the level the build log shows.
   */
  private static SeverityLevel effectiveSeverity(Description description, VisitorState state) {
    SeverityLevel override = state.severityMap().get(description.checkName);
    return override != null ? override : description.severity();
  }

  private static SarifResult.Level level(SeverityLevel severity) {
    return switch (severity) {
      case ERROR -> SarifResult.Level.ERROR;
      case WARNING -> SarifResult.Level.WARNING;
      case SUGGESTION -> SarifResult.Level.NOTE;
    };
  }

  private SourceText textOf(CompilationUnitTree unit, VisitorState state) {
    if (unit != textUnit) {
      text = new SourceText(state.getSourceCode());
      textUnit = unit;
    }
    return text;
  }

  private SarifResult.SuggestedFixData fixData(Fix fix, JCCompilationUnit unit, SourceText text) {
    List<Replacement> replacements = FixReplacements.of(fix, unit);
    // Error Prone edits the import block apart from the fix's own replacements (patch mode does it
    // when it applies the fix); a SARIF fix must carry that edit too, or it would not compile.
    if (!fix.getImportsToAdd().isEmpty() || !fix.getImportsToRemove().isEmpty()) {
      ImportStatements imports = ImportStatements.create(unit);
      imports.addAll(fix.getImportsToAdd());
      imports.removeAll(fix.getImportsToRemove());
      if (imports.importsHaveChanged()) {
        replacements.add(
            Replacement.create(imports.getStartPos(), imports.getEndPos(), imports.toString()));
      }
    }
    replacements.sort(Comparator.comparingInt(Replacement::startPosition));
    List<SarifResult.Replacement> sarif = new ArrayList<>();
    for (Replacement r : replacements) {
      sarif.add(
          new SarifResult.Replacement(
              text.region(r.startPosition(), r.endPosition()), r.replaceWith()));
    }
    String description =
        fix.getShortDescription().isEmpty()
            ? "The suggested fix of " + ruleId
            : fix.getShortDescription();
    return new SarifResult.SuggestedFixData(description, sarif);
  }

  /**
   * A fingerprint that survives edits elsewhere in the file: the file's URI, the enclosing class
   * and method, the call's text, and which occurrence of that call text it is in that method. No
   * line numbers.
   */
  private String fingerprint(SourceKey source, TreePath path, String callText) {
    String enclosingClass = "";
    String enclosingMethod = "";
    for (TreePath p = path; p != null; p = p.getParentPath()) {
      Tree leaf = p.getLeaf();
      if (enclosingMethod.isEmpty() && leaf instanceof MethodTree method) {
        Symbol symbol = ASTHelpers.getSymbol(method);
        enclosingMethod = symbol != null ? symbol.toString() : method.getName().toString();
      }
      if (leaf instanceof ClassTree type) {
        Symbol.ClassSymbol symbol = ASTHelpers.getSymbol(type);
        enclosingClass =
            symbol != null ? symbol.flatName().toString() : type.getSimpleName().toString();
        break;
      }
    }
    String key =
        String.join(
            "\u0000",
            String.valueOf(source.artifactLocation(baseDir).get("uri")),
            enclosingClass,
            enclosingMethod,
            callText == null ? "" : callText.replaceAll("\\s+", " ").strip());
    int occurrence = occurrences.merge(key, 1, Integer::sum);
    return sha256(key + "\u0000" + occurrence);
  }

  private static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder();
      for (byte b : digest) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private void write() {
    if (failed) {
      return;
    }
    try {
      inFile = file.write(results.values(), compiled);
    } catch (IOException | RuntimeException | LinkageError e) {
      fail(e);
    }
  }

  /** Not a reason to lose the finding in the build log: says once why the log is incomplete. */
  private void fail(Throwable e) {
    failed = true;
    System.err.println(
        "[LeakedProducer] cannot write the SARIF log "
            + file.path()
            + " (-XepOpt:"
            + FLAG_FILE
            + "); it stays as last written: "
            + e);
  }
}
