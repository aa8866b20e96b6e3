package dev.runbook.engine.internal.exec;

/**
 * How a step ended, for the executor's control flow.
 *
 * @param reason one line when it did not succeed; empty otherwise
 */
public record StepOutcome(Kind kind, String reason) {
  /** The ways a step can end. */
  public enum Kind {
    SUCCEEDED,
    SKIPPED,
    FAILED,
    PAUSED,
    /** Resume cannot tell whether to run an in-flight step again: the operator must say. */
    NEEDS_DECISION,
    INTERRUPTED
  }

  public static StepOutcome of(Kind kind) {
    return new StepOutcome(kind, "");
  }
}
