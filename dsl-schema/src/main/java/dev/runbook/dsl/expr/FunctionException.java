package dev.runbook.dsl.expr;

/**
 * A function refused its arguments. Its own type, so that only our messages reach the operator: a
 * JDK exception's message may quote a value (NumberFormatException does), and values may be
 * secrets.
 */
final class FunctionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  FunctionException(String message) {
    super(message);
  }
}
