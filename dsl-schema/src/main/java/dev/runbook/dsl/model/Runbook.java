package dev.runbook.dsl.model;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated runbook.
 *
 * @param file the file it was loaded from, absolute and normalized
 * @param name identifier; the run lock's name unless {@code lock} names another
 * @param lock what a run locks (a template over non-secret parameters); empty: {@code name}
 * @param params declared parameters in declaration order
 * @param env environment for every step, in declaration order
 * @param onFailure what a failing step leads to, unless the command line says otherwise
 * @param preconditions checks that gate the whole run
 * @param steps the steps in order, never empty
 * @param finallySteps steps that always run at the run's end; may be empty
 * @param state what {@code runbook test} compares between trials; empty when not declared
 */
public record Runbook(
    Path file,
    String name,
    Optional<Template> lock,
    Optional<String> title,
    Optional<String> description,
    Map<String, Param> params,
    Map<String, Template> env,
    OnFailure onFailure,
    List<Check> preconditions,
    List<Step> steps,
    List<Step> finallySteps,
    Optional<StateSpec> state,
    SourceLocation location) {
  public Runbook {
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    preconditions = List.copyOf(preconditions);
    steps = List.copyOf(steps);
    finallySteps = List.copyOf(finallySteps);
  }
}
