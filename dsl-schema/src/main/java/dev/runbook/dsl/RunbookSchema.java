package dev.runbook.dsl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The JSON Schema of the runbook DSL, as shipped in this jar. */
public final class RunbookSchema {
  /** Where the schema lives on the classpath. */
  public static final String RESOURCE = "/dev/runbook/dsl/runbook-v1.schema.json";

  /** The DSL version a runbook declares in its {@code schema:} key. */
  public static final String VERSION = "runbook/v1";

  private RunbookSchema() {}

  /** The schema's text (JSON Schema draft-07), never null. */
  public static String text() {
    try (InputStream in = RunbookSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the schema resource " + RESOURCE + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
