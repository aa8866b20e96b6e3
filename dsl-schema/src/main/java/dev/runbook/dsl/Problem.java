package dev.runbook.dsl;

import dev.runbook.dsl.model.SourceLocation;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * Something wrong with a user's input, as a value.
 *
 * @param code stable identifier of the kind of problem (e.g. {@code schema.unknown-key})
 * @param message what is wrong, where, expected versus actual; one line
 * @param location where; line and column 0 when the whole file is meant
 * @param hint how to fix it; empty when there is nothing useful to add
 */
public record Problem(
    Severity severity,
    String code,
    String message,
    SourceLocation location,
    Optional<String> hint) {

  /** File order: by file, line, column, then severity (errors first). */
  public static final Comparator<Problem> IN_FILE_ORDER =
      Comparator.comparing((Problem p) -> p.location().file())
          .thenComparingInt(p -> p.location().line())
          .thenComparingInt(p -> p.location().column())
          .thenComparing(Problem::severity);

  public Problem {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(hint, "hint");
  }

  public static Problem error(String code, SourceLocation location, String message) {
    return new Problem(Severity.ERROR, code, message, location, Optional.empty());
  }

  public static Problem error(String code, SourceLocation location, String message, String hint) {
    return new Problem(Severity.ERROR, code, message, location, Optional.ofNullable(hint));
  }

  public static Problem warning(String code, SourceLocation location, String message, String hint) {
    return new Problem(Severity.WARNING, code, message, location, Optional.ofNullable(hint));
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** {@code FILE:LINE:COL: error: message}, the form every command prints. */
  public String headline() {
    return location + ": " + severity.label() + ": " + message;
  }
}
