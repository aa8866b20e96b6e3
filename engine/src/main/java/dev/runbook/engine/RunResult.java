package dev.runbook.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * How a run ended.
 *
 * @param failedStep the step whose failure decided the outcome; null when none
 * @param reason one line for the summary
 * @param continuedFailures steps that failed with {@code continue_on_error}; may be empty
 * @param irreversible steps that a rollback could not undo, with their reason; may be empty
 */
public record RunResult(
    String runId,
    Path runDir,
    Status status,
    String failedStep,
    String reason,
    List<String> continuedFailures,
    List<String> irreversible) {
  public RunResult {
    continuedFailures = List.copyOf(continuedFailures);
    irreversible = List.copyOf(irreversible);
  }

  /** The ways a run ends, each with its exit code. */
  public enum Status {
    SUCCEEDED(0),
    /** {@code rollback RUN_ID} compensated every step. */
    UNDONE(0),
    ROLLED_BACK(ErrorCode.ROLLED_BACK.exitCode()),
    PRECONDITIONS_UNMET(ErrorCode.PRECONDITION_UNMET.exitCode()),
    STOPPED(ErrorCode.NEEDS_OPERATOR.exitCode()),
    ROLLBACK_INCOMPLETE(ErrorCode.NEEDS_OPERATOR.exitCode()),
    PAUSED(ErrorCode.NEEDS_OPERATOR.exitCode()),
    /** Resume stopped at an in-flight step the operator must decide about. */
    NEEDS_DECISION(ErrorCode.NEEDS_OPERATOR.exitCode()),
    FINALLY_FAILED(ErrorCode.NEEDS_OPERATOR.exitCode()),
    INTERRUPTED(ErrorCode.INTERRUPTED.exitCode());

    private final int exitCode;

    Status(int exitCode) {
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }
}
