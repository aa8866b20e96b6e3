package dev.runbook.dsl.expr;

import dev.runbook.dsl.model.SourceLocation;
import java.util.Objects;

/**
 * An expression that cannot be parsed, is not allowed, or cannot be evaluated: a user's mistake,
 * never a bug of the engine.
 *
 * <p>The message is one line an operator can act on: what is wrong, in which expression, and how to
 * fix it where that helps. It never contains a stack trace, JEXL's internal wording, or a value
 * read from the variables (a value may be a secret); it may quote the expression's source, which is
 * runbook text. The cause, when there is one, is kept for {@code --debug}.
 */
public final class ExpressionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of mistake it is; each has a stable problem code. */
  public enum Reason {
    /** The text is not a well-formed template or expression. */
    SYNTAX("expr.syntax"),
    /** Well-formed, but uses a construct the sandbox refuses (assignment, method call, …). */
    FORBIDDEN("expr.forbidden"),
    /** Names a variable root or a function that does not exist, found before evaluation. */
    UNKNOWN_NAME("expr.unknown-name"),
    /** Reads a variable or field that the values given to the evaluation do not have. */
    UNDEFINED("expr.undefined"),
    /**
     * Produced a value of the wrong kind: not a boolean for a condition, no text for a template.
     */
    WRONG_TYPE("expr.wrong-type"),
    /** Evaluation failed otherwise: a null operand, a bad regular expression, a division by 0. */
    FAILED("expr.failed");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    /** The problem code, e.g. {@code expr.syntax}; stable across versions. */
    public String code() {
      return code;
    }
  }

  private final Reason reason;
  // transient: SourceLocation is a plain record; nothing serializes these exceptions.
  private final transient SourceLocation location;

  public ExpressionException(Reason reason, SourceLocation location, String message) {
    this(reason, location, message, null);
  }

  public ExpressionException(
      Reason reason, SourceLocation location, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.location = Objects.requireNonNull(location, "location");
  }

  /** What kind of mistake; never null. */
  public Reason reason() {
    return reason;
  }

  /** The stable problem code of the {@link #reason()}. */
  public String code() {
    return reason.code();
  }

  /** Where the expression (or the template part) is written; never null. */
  public SourceLocation location() {
    return location;
  }

  /** {@code FILE:LINE:COL: message}, the form the command line prints. */
  public String headline() {
    return location + ": " + getMessage();
  }
}
