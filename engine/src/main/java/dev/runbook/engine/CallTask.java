package dev.runbook.engine;

import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.expr.ExpressionException;
import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.Check;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.dsl.model.Step;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.internal.exec.CheckRunner;
import dev.runbook.engine.internal.exec.RunState;
import dev.runbook.engine.internal.exec.StepOutcome;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The action phase of a {@code call} step: the called runbook's preconditions, then its steps (each
 * a {@link StepTask} of its own, journaled as {@code call/step}), then its {@code finally}. The
 * call step's own start and end are its {@link StepTask}'s.
 */
final class CallTask {
  private final ActiveRun run;
  private final Optional<Replay> replay;
  private final Compensator saga;
  private final StepTask caller;
  private final Action.Call call;
  private final Map<String, String> env;
  private final Path cwd;

  CallTask(
      ActiveRun run,
      Optional<Replay> replay,
      Compensator saga,
      StepTask caller,
      Action.Call call,
      Map<String, String> env,
      Path cwd) {
    this.run = run;
    this.replay = replay;
    this.saga = saga;
    this.caller = caller;
    this.call = call;
    this.env = env;
    this.cwd = cwd;
  }

  StepOutcome execute() {
    Runbook callee = run.plan.called().get(call.target());
    RunState callerState = caller.state();
    if (callee == null) {
      return caller.failed("called runbook " + call.runbook() + " was not loaded", false);
    }
    Map<String, String> given = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Template> e : call.params().entrySet()) {
        given.put(e.getKey(), callerState.resolve(e.getValue(), env));
      }
    } catch (ExpressionException e) {
      return caller.failed(e.headline(), false);
    }
    Parameters.Resolution params = Parameters.resolve(callee, given, Optional.empty(), Map.of());
    if (!params.ok()) {
      // A type problem quotes the value, which may be the caller's secret: StepTask masks it.
      return caller.failed(
          params.problems().isEmpty()
              ? "missing secret parameters of " + call.runbook()
              : params.problems().get(0).message(),
          false);
    }
    caller.start(1);
    RunState calleeState;
    try {
      calleeState = run.calleeState(callee, params.values(), callerState);
    } catch (ExpressionException e) {
      return caller.failed("the env of " + call.runbook() + ": " + e.headline(), false);
    }
    run.rememberCalleeState(caller.id(), calleeState);
    for (Check check : callee.preconditions()) {
      CheckOutcome outcome =
          run.checks.evaluate(check, calleeState, Map.of(), Planner.baseDir(callee), run.runDir);
      if (!outcome.holds()) {
        return caller.failed(
            "precondition of "
                + call.runbook()
                + " unmet: "
                + CheckRunner.name(check, calleeState.bindings(Map.of(), List.of()))
                + " ("
                + outcome.detail()
                + ")",
            false);
      }
    }
    for (Step child : callee.steps()) {
      StepOutcome outcome =
          new StepTask(
                  run,
                  replay,
                  saga,
                  child,
                  caller.id() + "/" + child.id(),
                  callee,
                  calleeState,
                  caller.compensable())
              .execute();
      if (outcome.kind() == StepOutcome.Kind.FAILED) {
        // The call started and may have half-applied: its own compensation runs too (saga
        // rule), first, as it does after a call that succeeded.
        registerCall();
        return caller.failed("its step `" + child.id() + "` failed", true);
      }
      if (outcome.kind() == StepOutcome.Kind.PAUSED
          || outcome.kind() == StepOutcome.Kind.INTERRUPTED
          || outcome.kind() == StepOutcome.Kind.NEEDS_DECISION) {
        return outcome;
      }
    }
    for (Step child : callee.finallySteps()) {
      new StepTask(
              run, replay, saga, child, caller.id() + "/" + child.id(), callee, calleeState, false)
          .execute();
    }
    callerState.recordStep(caller.id(), "succeeded", Map.of());
    registerCall();
    return StepOutcome.of(StepOutcome.Kind.SUCCEEDED);
  }

  /** Registers the call step's own compensation, after those of the called runbook's steps. */
  private void registerCall() {
    if (caller.compensable() && !caller.step().compensate().isEmpty()) {
      saga.register(caller.id(), caller.step(), caller.state(), cwd);
    }
  }
}
