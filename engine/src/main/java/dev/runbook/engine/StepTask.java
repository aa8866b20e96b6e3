package dev.runbook.engine;

import dev.runbook.dsl.Durations;
import dev.runbook.dsl.expr.ExpressionException;
import dev.runbook.dsl.expr.ExpressionLanguage;
import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.OutputSpec;
import dev.runbook.dsl.model.Requirement;
import dev.runbook.dsl.model.Retry;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.dsl.model.Step;
import dev.runbook.engine.internal.exec.ActionRunner;
import dev.runbook.engine.internal.exec.Attempt;
import dev.runbook.engine.internal.exec.CheckRunner;
import dev.runbook.engine.internal.exec.OutputCapture;
import dev.runbook.engine.internal.exec.RunState;
import dev.runbook.engine.internal.exec.StepOutcome;
import dev.runbook.engine.journal.JournalEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One step of a run through its phases: settle (what a resumed run already did) → when → requires →
 * attempts (retry, timeout) → outputs → verify → register compensation → report.
 *
 * <p>This is the only writer of a step's journal records and of its listener events, and {@link
 * #report} is the one place a step ends: a step that was started ends exactly once, whether it
 * succeeded, failed, paused for a confirmation or was interrupted.
 */
final class StepTask {
  private final ActiveRun run;
  private final Optional<Replay> replay;
  private final Compensator saga;
  private final Step step;
  private final String id;
  private final Runbook owner;
  private final RunState state;
  private final boolean compensable;

  /** Set once the listener was told the step started: the step then ends exactly once. */
  private boolean started;

  private Instant startedAt;
  private int attempt;

  /** The try in flight when an earlier engine died, whose process a resume saw end. */
  private Optional<Attempt> adopted = Optional.empty();

  private Map<String, Object> outputs = Map.of();

  /**
   * @param id the step's journal id ({@code call/step} in a called runbook)
   * @param compensable whether a rollback undoes it (false for {@code finally} steps)
   */
  StepTask(
      ActiveRun run,
      Optional<Replay> replay,
      Compensator saga,
      Step step,
      String id,
      Runbook owner,
      RunState state,
      boolean compensable) {
    this.run = run;
    this.replay = replay;
    this.saga = saga;
    this.step = step;
    this.id = id;
    this.owner = owner;
    this.state = state;
    this.compensable = compensable;
  }

  StepOutcome execute() {
    return report(phases());
  }

  private StepOutcome phases() {
    Path base = Planner.baseDir(owner);
    Map<String, String> env;
    Path cwd;
    try {
      env = run.stepEnv(step, state);
      cwd = run.cwd(step, state, env, base);
    } catch (ExpressionException e) {
      return failed(e.getMessage(), false);
    }
    if (replay.isPresent()) {
      AdoptedProcess process = run.adopted.get(id);
      if (process != null) {
        // It ran, while no engine watched: its real end is its result, as if waited for now.
        adopted = Optional.of(run.actions.adopted(step, process.result(), run.files(id)));
        return attempts(env, cwd);
      }
      Optional<StepOutcome> settled = settle(replay.get(), env, cwd);
      if (settled.isPresent()) {
        return settled.get();
      }
    }
    try {
      if (step.when().isPresent()
          && !ExpressionLanguage.standard().compile(step.when().get()).test(state.variables(env))) {
        return skipped("when `" + step.when().get().source() + "` is false");
      }
    } catch (ExpressionException e) {
      return failed(e.getMessage(), false);
    }
    for (Requirement requirement : step.requires()) {
      CheckOutcome outcome = run.require(requirement, state, env, cwd);
      if (run.interrupted()) {
        // A check the signal cut short says nothing: not skipped, not failed; runs on resume.
        return new StepOutcome(StepOutcome.Kind.INTERRUPTED, "interrupted");
      }
      if (!outcome.holds()) {
        String why =
            "requirement not met: "
                + CheckRunner.name(requirement.check(), state.bindings(env, List.of()))
                + " ("
                + outcome.detail()
                + ")";
        return requirement.onUnmet() == dev.runbook.dsl.model.OnUnmet.SKIP
            ? skipped(why)
            : failed(why, false);
      }
    }
    if (step.action() instanceof Action.Call call) {
      return new CallTask(run, replay, saga, this, call, env, cwd).execute();
    }
    return attempts(env, cwd);
  }

  /** What a resumed run already settled; empty when the step runs as in a new run. */
  private Optional<StepOutcome> settle(Replay replay, Map<String, String> env, Path cwd) {
    Replay.Settlement settlement = replay.settle(step, id, state, env, cwd);
    switch (settlement.kind()) {
      case DONE_BEFORE, SKIPPED_BEFORE -> {
        boolean succeeded = settlement.kind() == Replay.Settlement.Kind.DONE_BEFORE;
        state.recordStep(step.id(), succeeded ? "succeeded" : "skipped", settlement.outputs());
        if (step.action() instanceof Action.Call) {
          return Optional.empty(); // its own steps are settled one by one
        }
        if (compensable && succeeded) {
          saga.register(id, step, state, cwd);
        }
        run.listener.stepDoneBefore(id);
        return Optional.of(
            StepOutcome.of(succeeded ? StepOutcome.Kind.SUCCEEDED : StepOutcome.Kind.SKIPPED));
      }
      case RECOVERED -> {
        String how = settlement.reason();
        Map<String, Object> recovered = settlement.outputs();
        run.journal.append(
            new JournalEvent.StepSucceeded(
                id, 0, run.maskedOutputs(recovered, state), Optional.of(how)));
        state.recordStep(step.id(), "succeeded", recovered);
        if (compensable) {
          saga.register(id, step, state, cwd);
        }
        run.listener.stepSkipped(id, how);
        return Optional.of(StepOutcome.of(StepOutcome.Kind.SUCCEEDED));
      }
      case NEEDS_DECISION -> {
        return Optional.of(new StepOutcome(StepOutcome.Kind.NEEDS_DECISION, settlement.reason()));
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  /** The action, tried as its {@code retry} allows, then its outputs and its verify. */
  private StepOutcome attempts(Map<String, String> env, Path cwd) {
    Retry retry = step.retry().orElse(new Retry(1, Duration.ZERO, 1.0, step.location()));
    Duration delay = retry.delay();
    ActionRunner.StepFiles files = run.files(id);
    Interaction asker =
        replay.flatMap(r -> r.options().confirm()).filter(id::equals).isPresent()
            ? Interaction.unattended(true)
            : run.interaction;
    int first = adopted.isPresent() ? replay.orElseThrow().inflightAttempt(id) : 1;
    for (int attemptNo = first; ; attemptNo++) {
      Attempt attempt;
      if (adopted.isPresent() && attemptNo == first) {
        resumeStarted(attemptNo);
        attempt = adopted.get();
      } else {
        start(attemptNo);
        attempt =
            run.actions.attempt(
                id,
                step,
                state,
                env,
                cwd,
                files,
                step.timeout(),
                asker,
                replaced -> saga.recordReplaced(id, replaced),
                line -> run.listener.output(id, line),
                run.watch(id, Optional.empty(), id));
      }
      boolean acted = acted(attempt.outcome());
      if (acted && compensable) {
        // Registered once its action started (saga rule): a failed step may have half-applied.
        saga.register(id, step, state, cwd);
      }
      String problem = null;
      Map<String, Object> produced = new LinkedHashMap<>(attempt.builtInOutputs());
      switch (attempt.outcome()) {
        case PAUSED -> {
          return new StepOutcome(StepOutcome.Kind.PAUSED, attempt.reason());
        }
        case INTERRUPTED -> {
          return new StepOutcome(StepOutcome.Kind.INTERRUPTED, attempt.reason());
        }
        case DECLINED -> {
          return failed(attempt.reason(), false);
        }
        case FAILED, NOT_STARTED -> problem = attempt.reason();
        case SUCCEEDED -> {
          state.recordStep(step.id(), "running", produced);
          problem = captureOutputs(attempt, env, cwd, produced);
          if (problem == null) {
            state.recordStep(step.id(), "succeeded", produced);
            problem = run.verify(step, state, env, cwd);
          }
        }
      }
      outputs = produced;
      if (problem == null && injectedHere()) {
        state.recordStep(step.id(), "failed", produced);
        return failed(RunOptions.injectedFailure(id), true); // not retried: it is no try's fault
      }
      if (problem == null) {
        state.recordStep(step.id(), "succeeded", produced);
        return StepOutcome.of(StepOutcome.Kind.SUCCEEDED);
      }
      if (attemptNo >= retry.attempts()) {
        state.recordStep(step.id(), "failed", produced);
        return failed(problem, acted);
      }
      String shown = state.mask(problem);
      run.journal.append(new JournalEvent.StepAttemptFailed(id, attemptNo, shown, acted));
      discardAdopted();
      run.listener.stepRetrying(id, attemptNo + 1, delay, shown);
      if (!run.pause(delay)) {
        return new StepOutcome(StepOutcome.Kind.INTERRUPTED, "interrupted");
      }
      // the delay stops growing at the longest duration a runbook may write, so that no number of
      // tries at any backoff can overflow it (or a deadline computed from it)
      double grown = delay.toMillis() * retry.backoff();
      delay = grown >= Durations.MAX.toMillis() ? Durations.MAX : Duration.ofMillis((long) grown);
    }
  }

  /** Whether the run's fault point ({@link RunOptions#failAfterAction}) is this step. */
  private boolean injectedHere() {
    return run.options.failAfterAction().filter(id::equals).isPresent();
  }

  private static boolean acted(Attempt.Outcome outcome) {
    return switch (outcome) {
      case SUCCEEDED, FAILED, INTERRUPTED -> true;
      case NOT_STARTED, PAUSED, DECLINED -> false;
    };
  }

  /** Journals and reports one try's start. Called by {@link CallTask} for a call too. */
  void start(int attemptNo) {
    run.journal.append(new JournalEvent.StepStarted(id, attemptNo, step.checkpoint()));
    attempt = attemptNo;
    if (startedAt == null) {
      startedAt = Instant.now();
    }
    started = true;
    run.listener.stepStarted(id, step.title().orElse(defaultTitle()), attemptNo);
  }

  /**
   * Reports the try an earlier engine started, whose process a resume adopted: already journaled as
   * started, so only the listener hears of it.
   */
  private void resumeStarted(int attemptNo) {
    attempt = attemptNo;
    startedAt = Instant.now();
    started = true;
    run.listener.stepStarted(id, step.title().orElse(defaultTitle()), attemptNo);
  }

  /** The adopted process's raw output goes once its try's end is journaled. */
  private void discardAdopted() {
    AdoptedProcess process = run.adopted.remove(id);
    if (process != null) {
      process.adoption().discard();
    }
  }

  private String defaultTitle() {
    return step.action() instanceof Action.Call call ? "call " + call.runbook() : "";
  }

  private String captureOutputs(
      Attempt attempt, Map<String, String> env, Path cwd, Map<String, Object> produced) {
    for (OutputSpec spec : step.outputs().values()) {
      Optional<Path> source = attempt.stdout();
      Optional<String> text = attempt.text();
      if (spec.file().isPresent()) {
        try {
          source = Optional.of(run.resolvePath(spec.file().get(), state, env, cwd));
          text = Optional.empty();
        } catch (ExpressionException e) {
          return "output `" + spec.name() + "`: " + e.getMessage();
        }
      }
      OutputCapture.Captured captured = OutputCapture.capture(spec, source, text);
      if (captured.value().isEmpty()) {
        return "output `" + spec.name() + "`: " + captured.problem();
      }
      produced.put(spec.name(), captured.value().get());
    }
    return null;
  }

  /** A skip before the step started: journaled and reported here, as every end of a step. */
  private StepOutcome skipped(String why) {
    return new StepOutcome(StepOutcome.Kind.SKIPPED, why);
  }

  private boolean actionStarted;

  StepOutcome failed(String why, boolean acted) {
    this.actionStarted = acted;
    return new StepOutcome(StepOutcome.Kind.FAILED, why);
  }

  /**
   * The one place a step ends: journals its end and tells the listener, once. A reason is masked
   * here, the last gate before the journal and the screen: it may quote a check that read a value
   * holding a secret without being one (a step's output, say).
   */
  private StepOutcome report(StepOutcome outcome) {
    String reason = state.mask(outcome.reason());
    switch (outcome.kind()) {
      case SUCCEEDED -> {
        if (started) {
          Map<String, Object> shown = run.maskedOutputs(outputs, state);
          // On disk with the next step's start, before that step acts (one sync for both).
          run.journal.appendUnsynced(
              new JournalEvent.StepSucceeded(id, attempt, shown, Optional.empty()));
          discardAdopted();
          run.listener.stepSucceeded(id, Duration.between(startedAt, Instant.now()), shown);
        }
        return outcome;
      }
      case SKIPPED -> {
        if (!outcome.reason().isEmpty()) {
          run.journal.append(new JournalEvent.StepSkipped(id, reason));
          state.recordStatus(step.id(), "skipped");
          run.listener.stepSkipped(id, reason);
        }
        return new StepOutcome(StepOutcome.Kind.SKIPPED, reason);
      }
      case FAILED -> {
        run.journal.append(new JournalEvent.StepFailed(id, reason, actionStarted));
        discardAdopted();
        state.recordStatus(step.id(), "failed");
        boolean continuing = step.continueOnError();
        run.listener.stepFailed(id, reason, run.files(id).log(), continuing);
        if (continuing) {
          run.continuedFailures.add(id + ": " + reason);
          return new StepOutcome(StepOutcome.Kind.SUCCEEDED, reason);
        }
        return new StepOutcome(StepOutcome.Kind.FAILED, reason);
      }
      case PAUSED, INTERRUPTED -> {
        if (started) {
          run.listener.stepStopped(id, reason);
        }
        return new StepOutcome(outcome.kind(), reason);
      }
      default -> {
        return outcome;
      }
    }
  }

  /** Skips a step after it failed, as the operator chose: journaled, not compensated. */
  static void skipByOperator(
      ActiveRun run, Compensator saga, String id, Step step, RunState state) {
    run.journal.append(new JournalEvent.StepSkipped(id, "skipped by the operator"));
    state.recordStatus(step.id(), "skipped");
    saga.forget(id);
  }

  String id() {
    return id;
  }

  Step step() {
    return step;
  }

  RunState state() {
    return state;
  }

  boolean compensable() {
    return compensable;
  }
}
