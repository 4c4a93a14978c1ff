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

/** The SARIF 2.1.0 JSON schema (a copy kept with the tests, see README.md beside it). */
final class SarifSchema {
  private static final Schema SCHEMA = load();

  private SarifSchema() {}

  private static Schema load() {
    try (InputStream in = SarifSchema.class.getResourceAsStream("sarif-schema-2.1.0.json")) {
      if (in == null) {
        throw new IllegalStateException(
            "sarif-schema-2.1.0.json is missing from the test resources");
      }
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What makes {@code json} an invalid SARIF 2.1.0 log; empty if it is valid. */
  static List<String> errors(String json) {
    List<Error> errors = SCHEMA.validate(json, InputFormat.JSON);
    return errors.stream().map(Error::toString).collect(Collectors.toList());
  }
}
