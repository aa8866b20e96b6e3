package dev.runbook.dsl;

import java.util.Optional;

/**
 * The rule for a port check's {@code port:}: a whole number from 1 to 65535. Checked when the
 * runbook is loaded for a port written as a number, and when its value is known for one given as a
 * {@code ${{ }}} expression.
 */
public final class PortNumber {
  private PortNumber() {}

  /** Why {@code text} is not a port number, as the end of a sentence; empty when it is one. */
  public static Optional<String> problem(String text) {
    return WholeNumbers.inRange(text, 1, 65535, "a port number");
  }
}
