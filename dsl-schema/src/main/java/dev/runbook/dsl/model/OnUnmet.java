package dev.runbook.dsl.model;

/** What an unmet step precondition leads to. */
public enum OnUnmet {
  /** The step fails. */
  FAIL,
  /** The step is skipped (and not compensated). */
  SKIP,
  /** The check is polled until it holds or the timeout passes (then the step fails). */
  WAIT
}
