package dev.runbook.dsl.model;

import java.util.List;
import java.util.Optional;

/**
 * A declared parameter.
 *
 * @param defaultValue the default as written (a scalar's text); empty makes the parameter required
 * @param allowed the {@code enum} values; empty when any value of the type is allowed
 */
public record Param(
    String name,
    ParamType type,
    Optional<String> defaultValue,
    Optional<String> description,
    boolean secret,
    List<String> allowed,
    SourceLocation location) {
  public Param {
    allowed = List.copyOf(allowed);
  }

  /** True when no default is declared, so a value must be given. */
  public boolean required() {
    return defaultValue.isEmpty();
  }
}
