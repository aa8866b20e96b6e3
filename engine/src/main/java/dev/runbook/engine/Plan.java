package dev.runbook.engine;

import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.model.Runbook;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run will do, decided before it starts: the object {@code plan} prints and {@code run}
 * executes.
 *
 * <p>Which fields drive {@code run} and which are display only, field by field (as Terraform's
 * {@code plans/plan.go} documents its plan): {@code run} executes the {@code runbook}'s steps in
 * the order of {@code steps} and {@code finallySteps}, under their ids, with {@code params}; a
 * saved plan ({@link SavedPlan}) keeps only the runbook's path, the non-secret parameter values and
 * the {@code digest}, and {@code run --plan} rebuilds the plan from them. Every resolved value,
 * each {@code when} decision and each live check result is for the reviewer: the run resolves,
 * decides and evaluates them again when it gets there, so a plan shown a minute ago cannot make a
 * run act on stale values.
 *
 * @param runbook drives {@code run}: the runbook whose steps run
 * @param lock drives {@code run}, {@code resume} and {@code rollback}: the run lock's name (the
 *     runbook's {@code lock:} resolved, else its name), journaled in {@code run_started} and taken
 *     again by the run's resume and rollback
 * @param called drives {@code run}: every runbook reached through {@code call}, by path
 * @param params drives {@code run}: the resolved parameters, pinned for the run and its resumes
 *     (secret values only in memory, never rendered)
 * @param preconditions display only: the run's gates, with their live result unless offline; the
 *     run evaluates them again before its first step
 * @param steps drives {@code run} through each step's id, step and children (see {@link
 *     PlannedStep} for which of its fields are display only)
 * @param finallySteps drives {@code run} as {@code steps} does, at the run's end
 * @param offline display only: whether live checks were skipped
 * @param digest drives {@code run --plan}: what the plan was made from (runbooks and non-secret
 *     parameters); a saved plan whose digest no longer matches is refused
 */
public record Plan(
    Runbook runbook,
    String lock,
    Map<Path, Runbook> called,
    Map<String, Parameters.Value> params,
    List<PlannedCheck> preconditions,
    List<PlannedStep> steps,
    List<PlannedStep> finallySteps,
    boolean offline,
    PlanDigest digest) {
  public Plan {
    called = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(called));
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    preconditions = List.copyOf(preconditions);
    steps = List.copyOf(steps);
    finallySteps = List.copyOf(finallySteps);
  }

  /** True when every precondition was evaluated and holds. */
  public boolean preconditionsHold() {
    return preconditions.stream().allMatch(c -> c.live().map(CheckOutcome::holds).orElse(true));
  }
}
