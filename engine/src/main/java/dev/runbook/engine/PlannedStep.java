package dev.runbook.engine;

import dev.runbook.dsl.model.Step;
import java.util.List;

/**
 * One step as planned.
 *
 * @param id the step's id; for a step of a called runbook, {@code call_id/step_id}
 * @param decision what the run will do with it, and {@code reason} why
 * @param action the resolved action, one line per entry (secrets masked, unknown values named)
 * @param requires the step preconditions, described
 * @param verify the postconditions, described
 * @param compensation what undoes it, in order; empty when nothing does
 * @param children the steps of a called runbook; empty otherwise
 */
public record PlannedStep(
    String id,
    Step step,
    Decision decision,
    String reason,
    List<String> action,
    List<String> requires,
    List<String> verify,
    List<PlannedStep> compensation,
    List<PlannedStep> children) {
  public PlannedStep {
    action = List.copyOf(action);
    requires = List.copyOf(requires);
    verify = List.copyOf(verify);
    compensation = List.copyOf(compensation);
    children = List.copyOf(children);
  }

  /** What the run will do with a step. */
  public enum Decision {
    /** It runs. */
    RUN,
    /** Its {@code when} is false now. */
    SKIP,
    /** Its {@code when} reads what only an earlier step will produce: decided when it runs. */
    DECIDED_AT_RUN
  }
}
