package dev.runbook.dsl.model;

/** What a step that failed after its retries leads to. */
public enum OnFailure {
  /** Compensate every started step, newest first. */
  ROLLBACK,
  /** Stop and leave the run resumable. */
  STOP,
  /** Ask the operator on a terminal; {@link #STOP} without one. */
  ASK
}
