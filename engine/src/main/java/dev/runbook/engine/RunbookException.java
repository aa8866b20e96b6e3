package dev.runbook.engine;

import java.util.List;
import java.util.Optional;

/**
 * The one exception for a user's mistake or a refused operation: it carries an {@link ErrorCode}, a
 * one-line message and an optional hint. Anything else that escapes is a bug.
 */
public class RunbookException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String hint;
  private final List<String> details;

  public RunbookException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  public RunbookException(ErrorCode code, String message, String hint) {
    this(code, message, hint, null);
  }

  public RunbookException(ErrorCode code, String message, String hint, Throwable cause) {
    this(code, List.of(), message, hint, cause);
  }

  /**
   * @param details lines shown before the message, each complete ({@code FILE: error: ...}): what
   *     exactly is wrong when there is more than one thing
   */
  public RunbookException(
      ErrorCode code, List<String> details, String message, String hint, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.hint = hint;
    this.details = List.copyOf(details);
  }

  /** Lines to show before the message; may be empty. */
  public List<String> details() {
    return details;
  }

  public ErrorCode code() {
    return code;
  }

  public Optional<String> hint() {
    return Optional.ofNullable(hint);
  }
}
