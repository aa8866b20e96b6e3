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
 * @param called every runbook reached through {@code call}, by path
 * @param params the resolved parameters (secret values only in memory, never rendered)
 * @param preconditions the run's gates, with their live result unless offline
 * @param offline whether live checks were skipped
 * @param digest what the plan was made from (runbooks and non-secret parameters)
 */
public record Plan(
    Runbook runbook,
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
