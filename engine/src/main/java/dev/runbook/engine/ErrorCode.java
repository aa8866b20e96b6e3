package dev.runbook.engine;

/**
 * Why a command ended without success, and the exit code each reason maps to.
 *
 * <p>This is the one table of exit codes; {@code runbook help exit-codes} prints it.
 */
public enum ErrorCode {
  /** A step failed and the rollback restored the system. */
  ROLLED_BACK(1, "failed and rolled back: the system is restored"),
  /** The runbook, a parameter or the command line is wrong. */
  INVALID_INPUT(2, "invalid input or usage: nothing was changed"),
  /** A precondition does not hold. */
  PRECONDITION_UNMET(3, "preconditions unmet: nothing was changed"),
  /** The run stopped and needs an operator. */
  NEEDS_OPERATOR(
      4,
      "stopped and needs the operator: failed without rollback, rollback incomplete, or waiting"
          + " for a confirmation"),
  /** Another run on this host holds the run's lock (the runbook's {@code lock:}). */
  LOCKED(5, "locked: another run on this host holds the same lock (the refusal names it)"),
  /** A bug in runbook itself. */
  INTERNAL(70, "internal error: a bug in runbook (rerun with --debug and report it)"),
  /** A signal interrupted the run; it is resumable. */
  INTERRUPTED(130, "interrupted: the run is resumable");

  private final int exitCode;
  private final String meaning;

  ErrorCode(int exitCode, String meaning) {
    this.exitCode = exitCode;
    this.meaning = meaning;
  }

  public int exitCode() {
    return exitCode;
  }

  /** One line an operator reads in {@code runbook help exit-codes}. */
  public String meaning() {
    return meaning;
  }
}
