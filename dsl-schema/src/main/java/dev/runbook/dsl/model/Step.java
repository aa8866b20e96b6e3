package dev.runbook.dsl.model;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One step of a runbook, or of a compensation.
 *
 * @param id unique in the runbook, stable: the journal's key
 * @param when runs the step only if this is true; empty means always
 * @param requires step preconditions, checked before the action
 * @param action exactly one action
 * @param cwd working directory for processes; empty means the runbook's directory
 * @param env environment added for this step, in declaration order
 * @param timeout limit for one attempt of the action
 * @param verify postconditions checked after the action; also used on resume
 * @param outputs values captured from the action's output, by name, in declaration order
 * @param compensate steps that undo this one, in order; may be empty
 * @param irreversible why the step cannot be undone; empty when it can
 * @param idempotent running it twice has the effect of running it once
 * @param checkpoint whether finishing the step is a checkpoint for resume
 * @param continueOnError a failure is recorded and the run goes on
 */
public record Step(
    String id,
    Optional<String> title,
    Optional<Expression> when,
    List<Requirement> requires,
    Action action,
    Optional<Template> cwd,
    Map<String, Template> env,
    Optional<Duration> timeout,
    Optional<Retry> retry,
    List<Check> verify,
    Map<String, OutputSpec> outputs,
    List<Step> compensate,
    Optional<String> irreversible,
    boolean idempotent,
    boolean checkpoint,
    boolean continueOnError,
    SourceLocation location) {
  public Step {
    requires = List.copyOf(requires);
    env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    verify = List.copyOf(verify);
    outputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    compensate = List.copyOf(compensate);
  }
}
