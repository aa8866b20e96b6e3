package dev.runbook.engine;

import dev.runbook.dsl.model.OnFailure;
import java.util.Optional;

/**
 * How {@code run} was asked to behave.
 *
 * @param onFailure overrides the runbook's {@code on_failure}; empty keeps it
 * @param engineVersion recorded in the journal's {@code run_started}
 * @param failAfterAction the journal id of a step that fails right after its action (with its
 *     outputs and verify) succeeded, as a rehearsal ({@code runbook test}) asks: the fault point of
 *     the step lifecycle, so that a trial never edits the runbook; empty in every real run
 */
public record RunOptions(
    Optional<OnFailure> onFailure, String engineVersion, Optional<String> failAfterAction) {
  public RunOptions(Optional<OnFailure> onFailure, String engineVersion) {
    this(onFailure, engineVersion, Optional.empty());
  }

  /** The reason a step fails with when {@link #failAfterAction} names it. */
  public static String injectedFailure(String stepId) {
    return "injected failure after the action of " + stepId;
  }
}
