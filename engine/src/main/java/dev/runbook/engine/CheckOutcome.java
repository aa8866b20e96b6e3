package dev.runbook.engine;

import java.util.Objects;

/**
 * The result of evaluating a check: it held, it was false, or it could not be evaluated.
 *
 * <p>A check that was false ({@link Status#FAILED}) is not a check that could not run ({@link
 * Status#ERRORED}); messages say which.
 *
 * @param detail one line an operator can act on, e.g. {@code "status 503, expected 200"}
 */
public record CheckOutcome(Status status, String detail) {
  /** The three ways a check can end. */
  public enum Status {
    HOLDS,
    FAILED,
    ERRORED
  }

  public CheckOutcome {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
  }

  public static CheckOutcome holds(String detail) {
    return new CheckOutcome(Status.HOLDS, detail);
  }

  public static CheckOutcome failed(String detail) {
    return new CheckOutcome(Status.FAILED, detail);
  }

  public static CheckOutcome errored(String detail) {
    return new CheckOutcome(Status.ERRORED, detail);
  }

  public boolean holds() {
    return status == Status.HOLDS;
  }
}
