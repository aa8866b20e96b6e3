package dev.runbook.dsl;

import java.util.Optional;

/**
 * The rule for an http {@code status:}: a whole number from 100 to 599. Checked when the runbook is
 * loaded for a status written as a number, and when its value is known for one given as a {@code
 * ${{ }}} expression.
 */
public final class HttpStatus {
  private HttpStatus() {}

  /** Why {@code text} is not a status code, as the end of a sentence; empty when it is one. */
  public static Optional<String> problem(String text) {
    return WholeNumbers.inRange(text, 100, 599, "an HTTP status code");
  }
}
