package dev.runbook.engine;

import dev.runbook.dsl.expr.ExpressionException;
import dev.runbook.dsl.model.Check;
import dev.runbook.dsl.model.OnFailure;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.engine.internal.exec.CheckRunner;
import dev.runbook.engine.internal.exec.StepOutcome;
import dev.runbook.engine.journal.JournalEvent;
import dev.runbook.engine.journal.RunFold;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Drives one run from start to end: preconditions, the steps in order, the failure policy (a
 * rollback through the {@link Compensator}, or a stop), {@code finally}, and the end record. A
 * resumed run or a rollback on demand continues from its {@link Replay}.
 */
final class RunDriver {
  private final ActiveRun run;
  private final Optional<Replay> replay;
  private final Compensator saga;
  private final boolean rollbackRequested;

  /** The failure policy given on the command line (when the run started), over the runbook's. */
  private final Optional<OnFailure> onFailure;

  RunDriver(ActiveRun run, Optional<Replay> replay, Compensator saga, boolean rollbackRequested) {
    this.run = run;
    this.replay = replay;
    this.saga = saga;
    this.rollbackRequested = rollbackRequested;
    this.onFailure =
        run.options
            .onFailure()
            .or(
                () ->
                    replay
                        .flatMap(r -> r.prior().onFailure())
                        .map(p -> OnFailure.valueOf(p.toUpperCase(Locale.ROOT))));
  }

  /** A new run: preconditions, then the steps. */
  RunResult start() {
    run.listener.runStarted(run.runId, run.runDir, run.plan.runbook().name());
    Optional<String> envProblem = runbookEnv();
    if (envProblem.isPresent()) {
      // like an unmet precondition: found before anything changed, and fixed outside the runbook
      List<String> unmet = List.of(run.state.mask(envProblem.get()));
      run.journal.append(new JournalEvent.PreconditionsUnmet(unmet));
      return finish(
          RunResult.Status.PRECONDITIONS_UNMET, null, "preconditions unmet: " + unmet.get(0));
    }
    Optional<RunResult> unmet = preconditions();
    return unmet.isPresent() ? unmet.get() : proceed();
  }

  /**
   * Resolves the runbook's {@code env:}; why it cannot be (it reads an unset {@code env.NAME},
   * say), located at the expression, or empty when it was.
   */
  private Optional<String> runbookEnv() {
    try {
      run.state.resolveRunbookEnv(run.plan.runbook().env());
      return Optional.empty();
    } catch (ExpressionException e) {
      return Optional.of("the runbook's env (" + e.location() + "): " + e.getMessage());
    }
  }

  /**
   * Checks every precondition; a result when one does not hold (nothing was changed), empty when
   * all hold, which is journaled so that a resume knows they were checked.
   */
  private Optional<RunResult> preconditions() {
    Runbook runbook = run.plan.runbook();
    List<String> unmet = new ArrayList<>();
    for (Check check : runbook.preconditions()) {
      String name = CheckRunner.name(check, run.state.bindings(Map.of(), List.of()));
      CheckOutcome outcome =
          run.checks.evaluate(check, run.state, Map.of(), Planner.baseDir(runbook), run.runDir);
      run.listener.preconditionChecked(name, outcome);
      if (!outcome.holds()) {
        unmet.add(run.state.mask(name + " (" + outcome.detail() + ")"));
      }
      if (run.interrupted()) {
        return Optional.of(interruptedAt(null));
      }
    }
    if (!unmet.isEmpty()) {
      run.journal.append(new JournalEvent.PreconditionsUnmet(unmet));
      return Optional.of(
          finish(
              RunResult.Status.PRECONDITIONS_UNMET,
              null,
              "preconditions unmet: " + String.join("; ", unmet)));
    }
    run.journal.append(new JournalEvent.PreconditionsHeld());
    return Optional.empty();
  }

  /** The steps in order, the failure policy, then {@code finally}. */
  private RunResult proceed() {
    List<PlannedStep> steps = run.plan.steps();
    for (int i = 0; i < steps.size(); i++) {
      PlannedStep planned = steps.get(i);
      if (run.interrupted()) {
        return interruptedAt(planned.id());
      }
      StepOutcome outcome = task(planned, true).execute();
      switch (outcome.kind()) {
        case PAUSED, NEEDS_DECISION -> {
          if (run.interrupted()) {
            return interruptedAt(planned.id());
          }
          run.journal.append(new JournalEvent.Paused(planned.id(), outcome.reason()));
          run.listener.paused(planned.id(), outcome.reason());
          return result(
              outcome.kind() == StepOutcome.Kind.PAUSED
                  ? RunResult.Status.PAUSED
                  : RunResult.Status.NEEDS_DECISION,
              planned.id(),
              outcome.reason());
        }
        case INTERRUPTED -> {
          return interruptedAt(planned.id());
        }
        case FAILED -> {
          if (run.interrupted()) {
            return interruptedAt(planned.id());
          }
          Interaction.FailureChoice choice = failureChoice(planned.id(), outcome.reason());
          if (run.interrupted()) {
            return interruptedAt(planned.id());
          }
          if (choice == Interaction.FailureChoice.RETRY) {
            run.journal.append(new JournalEvent.OperatorRetry(planned.id()));
            i--;
            continue;
          }
          if (choice == Interaction.FailureChoice.SKIP) {
            StepTask.skipByOperator(run, saga, planned.id(), planned.step(), run.state);
            continue;
          }
          return afterFailure(planned.id(), outcome.reason(), choice);
        }
        default -> {
          if (run.interrupted()) {
            return interruptedAt(planned.id());
          }
        }
      }
    }
    return runFinally()
        ? finish(RunResult.Status.SUCCEEDED, null, "")
        : finish(RunResult.Status.FINALLY_FAILED, null, "a finally step failed");
  }

  private StepTask task(PlannedStep planned, boolean compensable) {
    return new StepTask(
        run,
        replay,
        saga,
        planned.step(),
        planned.id(),
        run.plan.runbook(),
        run.state,
        compensable);
  }

  /** The failure policy: the command line's, else the runbook's; {@code ask} asks. */
  private Interaction.FailureChoice failureChoice(String failedStep, String why) {
    return switch (onFailure.orElse(run.plan.runbook().onFailure())) {
      case ROLLBACK -> Interaction.FailureChoice.ROLLBACK;
      case STOP -> Interaction.FailureChoice.STOP;
      case ASK -> run.interaction.onFailure(failedStep, why);
    };
  }

  /**
   * What follows a step's failure: the policy's rollback of every started step (or a stop), then
   * {@code finally}, then the run's end.
   */
  private RunResult afterFailure(String failedStep, String why, Interaction.FailureChoice choice) {
    String reason = "step `" + failedStep + "` failed: " + why;
    if (choice != Interaction.FailureChoice.ROLLBACK) {
      runFinally(); // a failed finally step does not change how a failed run ended
      return finish(RunResult.Status.STOPPED, failedStep, reason);
    }
    return rollBack(Optional.of(new RunFold.Failure(failedStep, why)), false);
  }

  /**
   * Rolls back and ends the run: rolled back (exit 1) when it answers a failure, undone (exit 0) on
   * demand; incomplete or interrupted runs stay resumable, and {@code finally} waits for the
   * rollback's end.
   */
  private RunResult rollBack(Optional<RunFold.Failure> cause, boolean onDemand) {
    Compensator.Outcome outcome = saga.rollback();
    String failedStep = cause.map(RunFold.Failure::step).orElse(null);
    if (outcome == Compensator.Outcome.INTERRUPTED) {
      return result(RunResult.Status.INTERRUPTED, failedStep, "interrupted");
    }
    boolean complete = outcome == Compensator.Outcome.COMPLETE;
    if (onDemand) {
      return complete
          ? finish(RunResult.Status.UNDONE, null, "undone on demand")
          : finish(RunResult.Status.ROLLBACK_INCOMPLETE, null, "a compensation failed");
    }
    String reason =
        cause.map(f -> "step `" + f.step() + "` failed: " + f.reason()).orElse("rolled back");
    runFinally(); // a failed finally step does not change how a failed run ended
    return complete
        ? finish(RunResult.Status.ROLLED_BACK, failedStep, reason)
        : finish(
            RunResult.Status.ROLLBACK_INCOMPLETE, failedStep, reason + "; a compensation failed");
  }

  /** A resumed run, or a rollback on demand, from what the journal says. */
  RunResult resume() {
    Replay r = replay.orElseThrow();
    RunFold prior = r.prior();
    run.listener.runStarted(run.runId, run.runDir, run.plan.runbook().name());
    // The runbook's env first: its secrets are masked in what the adopted process printed.
    Optional<String> envProblem = runbookEnv();
    if (envProblem.isPresent()) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          run.state.mask(envProblem.get()),
          "set what it reads, then resume again");
    }
    if (!r.adoptInFlight() || !r.awaitLeftovers()) {
      return interruptedAt(prior.inflight().or(prior::compensationInFlight).orElse(null));
    }
    if (!rollbackRequested && !prior.rollingBack()) {
      if (!prior.preconditionsHeld()) {
        // The run stopped before its preconditions all held: nothing changed, so they gate
        // the resumed run as they would a new one.
        Optional<RunResult> unmet = preconditions();
        if (unmet.isPresent()) {
          return unmet.get();
        }
      }
      Optional<RunFold.Failure> undecided =
          prior
              .undecidedFailure()
              .filter(f -> run.step(f.step()).isPresent())
              .filter(f -> !run.step(f.step()).get().step().continueOnError())
              .filter(f -> !run.isFinallyStep(f.step()));
      if (undecided.isPresent()) {
        // The engine stopped between a step's failure and acting on it: act on it now, rather
        // than run the failed step again.
        r.restoreOutputs();
        saga.rebuild(prior);
        Interaction.FailureChoice choice =
            failureChoice(undecided.get().step(), undecided.get().reason());
        return afterFailure(
            undecided.get().step(),
            undecided.get().reason(),
            choice == Interaction.FailureChoice.ROLLBACK
                ? Interaction.FailureChoice.ROLLBACK
                : Interaction.FailureChoice.STOP);
      }
      // Preconditions gated the run when it started; mid-upgrade they may well not hold.
      return proceed();
    }
    // A rollback on demand that stopped goes on as one: it ends undone (exit 0). A rollback that
    // answered a failure ends as that failure (exit 1), with finally after it.
    boolean onDemand = rollbackRequested || prior.rollbackOnDemand();
    r.restoreOutputs();
    saga.rebuild(prior);
    return rollBack(onDemand ? Optional.empty() : prior.failure(), onDemand);
  }

  private boolean runFinally() {
    boolean ok = true;
    for (PlannedStep planned : run.plan.finallySteps()) {
      StepOutcome outcome = task(planned, false).execute();
      ok &= outcome.kind() != StepOutcome.Kind.FAILED;
    }
    return ok;
  }

  private RunResult interruptedAt(String stepId) {
    run.journal.append(new JournalEvent.Interrupted(Optional.ofNullable(stepId)));
    return result(RunResult.Status.INTERRUPTED, stepId, "interrupted");
  }

  private RunResult finish(RunResult.Status status, String failedStep, String reason) {
    run.journal.append(
        new JournalEvent.Finished(
            status.name().toLowerCase(Locale.ROOT), reason, Optional.ofNullable(failedStep)));
    return result(status, failedStep, reason);
  }

  private RunResult result(RunResult.Status status, String failedStep, String reason) {
    RunResult result =
        new RunResult(
            run.runId,
            run.runDir,
            status,
            failedStep,
            reason,
            run.continuedFailures,
            saga.irreversible());
    run.listener.runFinished(result);
    return result;
  }
}
