package dev.runbook.dsl.model;

import java.util.List;

/**
 * A string value from the runbook that may contain {@code ${{ expression }}} parts.
 *
 * @param source the text as written
 * @param parts literal text and expressions, in order; never empty for a non-empty source
 * @param location where the value is written
 */
public record Template(String source, List<Part> parts, SourceLocation location) {
  public Template {
    parts = List.copyOf(parts);
  }

  /** One piece of a template. */
  public sealed interface Part permits Literal, Interpolation {}

  /** Text taken as written. */
  public record Literal(String text) implements Part {}

  /** A {@code ${{ }}} part: its value replaces it when the template is resolved. */
  public record Interpolation(Expression expression) implements Part {}
}
