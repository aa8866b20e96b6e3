package dev.runbook.engine;

import dev.runbook.dsl.model.Step;
import java.util.List;
import java.util.Optional;

/**
 * One step as planned.
 *
 * <p>Which fields drive {@code run} and which are for display only (as Terraform's {@code
 * plans/plan.go} says field by field): {@code run} executes the {@link #step() step} from the
 * runbook under the {@link #id() id}, in the plan's order, and descends into {@link #children()};
 * everything else here is what the plan <em>shows</em>. A run renders every value again from the
 * runbook, its pinned parameters and the outputs its steps really produced, and decides each {@code
 * when} again when the step is reached; nothing resolved here is executed.
 *
 * @param id drives {@code run}: the step's id and journal key; for a step of a called runbook,
 *     {@code call_id/step_id}
 * @param step drives {@code run}: the step as the runbook declares it, which the run executes
 * @param decision display only: what the run is expected to do with it, and {@code reason} why; the
 *     run decides again at the step
 * @param fields display only: the action's template fields resolved one by one ({@code script},
 *     {@code url}, {@code argv[0]}, {@code params.NAME}, ...), as data for tools; {@link PlanText}
 *     composes the action's text from them
 * @param until display only: a {@code wait}'s {@code until} check, described; empty for every other
 *     kind
 * @param docker display only: a {@code docker} action described, one line per entry, with the
 *     engine it reaches (its settings outnumber its template fields, so it stays prose); empty for
 *     every other kind
 * @param cwd display only: the step's {@code cwd}, resolved; empty when it has none
 * @param env display only: the step's own {@code env} entries, resolved, by name
 * @param requires display only: the step preconditions, described
 * @param verify display only: the postconditions, described
 * @param compensation display only: what undoes it, in order; the run takes its compensations from
 *     the {@link #step() step}; empty when nothing does
 * @param children drives {@code run}: the steps of a called runbook, planned with the values the
 *     call gives; empty otherwise
 */
public record PlannedStep(
    String id,
    Step step,
    Decision decision,
    String reason,
    List<PlannedField> fields,
    Optional<String> until,
    List<String> docker,
    Optional<PlannedValue> cwd,
    List<PlannedField> env,
    List<String> requires,
    List<String> verify,
    List<PlannedStep> compensation,
    List<PlannedStep> children) {
  public PlannedStep {
    fields = List.copyOf(fields);
    docker = List.copyOf(docker);
    env = List.copyOf(env);
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
