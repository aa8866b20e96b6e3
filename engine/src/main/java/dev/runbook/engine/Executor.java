package dev.runbook.engine;

import dev.runbook.dsl.Durations;
import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.expr.ExpressionException;
import dev.runbook.dsl.expr.ExpressionLanguage;
import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.Check;
import dev.runbook.dsl.model.OnFailure;
import dev.runbook.dsl.model.OutputSpec;
import dev.runbook.dsl.model.Requirement;
import dev.runbook.dsl.model.Retry;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.dsl.model.Step;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.internal.exec.ActionRunner;
import dev.runbook.engine.internal.exec.Attempt;
import dev.runbook.engine.internal.exec.CheckRunner;
import dev.runbook.engine.internal.exec.OutputCapture;
import dev.runbook.engine.internal.exec.Pause;
import dev.runbook.engine.internal.exec.RunState;
import dev.runbook.engine.internal.exec.StepOutcome;
import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalRecord;
import dev.runbook.engine.journal.RunIds;
import dev.runbook.engine.journal.RunLock;
import dev.runbook.engine.journal.StateDir;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.json.JSONObject;

/**
 * Executes a {@link Plan}: preconditions, then each step through its phases (when, requires, action
 * with timeout and retry, verify, outputs), compensation newest first on a rollback, and {@code
 * finally} at the run's end.
 *
 * <p>The journal is written by the executor itself, before and after each transition: a step's
 * intent is on disk before its action starts, its result before the next step starts.
 */
public final class Executor {
  /** The copy of the runbook kept in a run's directory. */
  public static final String SNAPSHOT = "runbook.yaml";

  private final EngineContext context;
  private volatile boolean interrupted;

  public Executor(EngineContext context) {
    this.context = context;
  }

  /**
   * Interrupts the run from another thread (a signal handler): the running step's process tree is
   * ended, the journal records {@code interrupted}, and {@link #run} returns {@link
   * RunResult.Status#INTERRUPTED}. The run stays resumable.
   */
  public void interrupt() {
    interrupted = true;
    // Never Thread.interrupt(): it would close the journal's FileChannel mid-write. Sleeps
    // poll the flag instead.
    context.actions().terminateCurrent();
  }

  private boolean pause(Duration d) {
    return Pause.sleep(d, () -> interrupted);
  }

  /** Runs the plan under the runbook's lock; refuses with exit 5 if another run holds it. */
  public RunResult run(
      Plan plan, RunOptions options, RunListener listener, Interaction interaction) {
    Runbook runbook = plan.runbook();
    Instant now = context.clock().instant();
    String runId = RunIds.next(now, runbook.name());
    StateDir state = context.state();
    StateDir.createPrivateDirectories(state.runs());
    return RunLock.withLock(
        state,
        runbook.name(),
        runId,
        () -> {
          Path runDir = StateDir.createPrivateDirectories(state.runDir(runId));
          StateDir.createPrivateDirectories(runDir.resolve("steps"));
          try (Journal journal = Journal.create(runDir, context.clock())) {
            return new Run(plan, options, listener, interaction, runId, runDir, journal).execute();
          }
        });
  }

  /**
   * Continues a run from its journal: restores outputs, skips what a checkpoint covers, decides the
   * in-flight step, and goes on (or goes on rolling back, if it was).
   *
   * @param plan the plan rebuilt now from the run's runbook and parameters
   */
  public RunResult resume(
      Plan plan,
      String runId,
      List<JournalRecord> records,
      RunOptions options,
      ResumeOptions resume,
      RunListener listener,
      Interaction interaction) {
    return continueRun(plan, runId, records, options, resume, false, listener, interaction);
  }

  /** Compensates a run on demand (the smoke test failed an hour later), newest first. */
  public RunResult rollback(
      Plan plan,
      String runId,
      List<JournalRecord> records,
      RunOptions options,
      RunListener listener,
      Interaction interaction) {
    return continueRun(
        plan,
        runId,
        records,
        options,
        new ResumeOptions(false, false, Optional.empty()),
        true,
        listener,
        interaction);
  }

  private RunResult continueRun(
      Plan plan,
      String runId,
      List<JournalRecord> records,
      RunOptions options,
      ResumeOptions resume,
      boolean rollbackRequested,
      RunListener listener,
      Interaction interaction) {
    StateDir state = context.state();
    return RunLock.withLock(
        state,
        plan.runbook().name(),
        runId,
        () -> {
          Path runDir = state.runDir(runId);
          try (Journal journal = Journal.reopen(runDir, context.clock())) {
            Run run = new Run(plan, options, listener, interaction, runId, runDir, journal);
            run.prior = PriorRun.replay(records, run.steps());
            run.resume = resume;
            run.rollbackRequested = rollbackRequested;
            return run.execute();
          }
        });
  }

  /** One run's mutable state; lives for the duration of {@link #run}. */
  private final class Run {
    private final Plan plan;
    private final RunOptions options;
    private final RunListener listener;
    private final Interaction interaction;
    private final String runId;
    private final Path runDir;
    private final Journal journal;
    private final RunState state;
    private final ActionRunner actions = context.actions();
    private final CheckRunner checks = context.checks();

    /** Steps that started, newest last: what a rollback undoes. */
    private final Deque<Started> started = new ArrayDeque<>();

    private final List<String> continuedFailures = new ArrayList<>();

    /** Every step of the plan by journal id (called runbooks' as {@code call/step}). */
    private final Map<String, StepRef> stepsById = new LinkedHashMap<>();

    /** What the journal says was done before; null for a new run. */
    private PriorRun prior;

    private ResumeOptions resume = new ResumeOptions(false, false, Optional.empty());
    private boolean rollbackRequested;

    private record Started(String id, Step step, RunState state, Path cwd) {}

    /** A step, the runbook it belongs to, and the call step it runs under (null at top level). */
    private record StepRef(Step step, Runbook owner, String callId) {}

    Run(
        Plan plan,
        RunOptions options,
        RunListener listener,
        Interaction interaction,
        String runId,
        Path runDir,
        Journal journal) {
      this.plan = plan;
      this.options = options;
      this.listener = listener;
      this.interaction = interaction;
      this.runId = runId;
      this.runDir = runDir;
      this.journal = journal;
      this.state = new RunState(plan.params(), context.environment(), runId, runDir);
      index(plan.steps(), plan.runbook(), null);
      index(plan.finallySteps(), plan.runbook(), null);
    }

    Map<String, Step> steps() {
      Map<String, Step> steps = new LinkedHashMap<>();
      stepsById.forEach((id, ref) -> steps.put(id, ref.step()));
      return steps;
    }

    private void index(List<PlannedStep> steps, Runbook owner, String callId) {
      for (PlannedStep p : steps) {
        stepsById.put(p.id(), new StepRef(p.step(), owner, callId));
        if (p.step().action() instanceof Action.Call call
            && plan.called().containsKey(call.target())) {
          index(p.children(), plan.called().get(call.target()), p.id());
        }
      }
    }

    RunResult execute() {
      Runbook runbook = plan.runbook();
      JSONObject visibleParams = new JSONObject();
      plan.params()
          .forEach(
              (k, v) -> {
                if (!v.secret()) {
                  visibleParams.put(k, v.value());
                }
              });
      if (prior != null) {
        return continuePrior(runbook, visibleParams);
      }
      snapshotRunbook(runbook);
      journal.append(
          "run_started",
          new JSONObject()
              .put("run_id", runId)
              .put("runbook", runbook.name())
              .put("file", runbook.file().toString())
              .put("digest", new JSONObject(plan.digest().runbooks()))
              .put("params_digest", plan.digest().params())
              .put("params", visibleParams)
              .put("user", System.getProperty("user.name"))
              .put("host", hostName())
              .put("pid", ProcessHandle.current().pid())
              .put("engine_version", options.engineVersion()));
      listener.runStarted(runId, runDir, runbook.name());
      state.resolveRunbookEnv(runbook.env());

      List<String> unmet = new ArrayList<>();
      for (Check check : runbook.preconditions()) {
        String name = CheckRunner.name(check, state.bindings(Map.of(), List.of()));
        CheckOutcome outcome =
            checks.evaluate(check, state, Map.of(), Planner.baseDir(runbook), runDir);
        listener.preconditionChecked(name, outcome);
        if (!outcome.holds()) {
          unmet.add(name + " (" + outcome.detail() + ")");
        }
      }
      if (!unmet.isEmpty()) {
        String reason = "preconditions unmet: " + String.join("; ", unmet);
        journal.append("preconditions_unmet", new JSONObject().put("unmet", unmet));
        return finish(RunResult.Status.PRECONDITIONS_UNMET, null, reason, List.of());
      }

      return proceed(runbook);
    }

    /** The steps in order, the failure policy, then {@code finally}. */
    private RunResult proceed(Runbook runbook) {
      RunResult.Status status = RunResult.Status.SUCCEEDED;
      String failedStep = null;
      String reason = "";
      List<String> irreversible = List.of();
      for (PlannedStep planned : plan.steps()) {
        StepOutcome outcome =
            interrupted
                ? StepOutcome.of(StepOutcome.Kind.INTERRUPTED)
                : runStep(planned.step(), planned.id(), runbook, state, true);
        if (outcome.kind() == StepOutcome.Kind.PAUSED
            || outcome.kind() == StepOutcome.Kind.NEEDS_DECISION) {
          journal.append(
              "paused", new JSONObject().put("step", planned.id()).put("reason", outcome.reason()));
          listener.paused(planned.id(), outcome.reason());
          return result(
              outcome.kind() == StepOutcome.Kind.PAUSED
                  ? RunResult.Status.PAUSED
                  : RunResult.Status.NEEDS_DECISION,
              planned.id(),
              outcome.reason(),
              List.of());
        }
        if (outcome.kind() == StepOutcome.Kind.INTERRUPTED || interrupted) {
          journal.append("interrupted", new JSONObject().put("step", planned.id()));
          return result(RunResult.Status.INTERRUPTED, planned.id(), "interrupted", List.of());
        }
        if (outcome.kind() != StepOutcome.Kind.FAILED) {
          continue;
        }
        failedStep = planned.id();
        reason = "step `" + planned.id() + "` failed: " + outcome.reason();
        OnFailure policy = options.onFailure().orElse(runbook.onFailure());
        if (policy == OnFailure.ASK) {
          policy = interaction.onFailure(planned.id(), outcome.reason());
        }
        if (policy == OnFailure.ROLLBACK) {
          List<String> notUndone = new ArrayList<>();
          boolean complete = rollback(notUndone);
          irreversible = notUndone;
          status = complete ? RunResult.Status.ROLLED_BACK : RunResult.Status.ROLLBACK_INCOMPLETE;
        } else {
          status = RunResult.Status.STOPPED;
        }
        break;
      }
      boolean finallyOk = runFinally(runbook);
      if (!finallyOk && status == RunResult.Status.SUCCEEDED) {
        status = RunResult.Status.FINALLY_FAILED;
        reason = "a finally step failed";
      }
      return finish(status, failedStep, reason, irreversible);
    }

    /** A resumed run, or a rollback on demand, from what the journal says. */
    private RunResult continuePrior(Runbook runbook, JSONObject visibleParams) {
      journal.append(
          rollbackRequested ? "rollback_requested" : "resumed",
          new JSONObject()
              .put("params", visibleParams)
              .put("digest", new JSONObject(plan.digest().runbooks()))
              .put("user", System.getProperty("user.name"))
              .put("host", hostName())
              .put("pid", ProcessHandle.current().pid())
              .put("engine_version", options.engineVersion()));
      listener.runStarted(runId, runDir, runbook.name());
      state.resolveRunbookEnv(runbook.env());
      if (!rollbackRequested && !prior.rollingBack()) {
        // Preconditions gated the run when it started; mid-upgrade they may well not hold.
        return proceed(runbook);
      }
      restoreForRollback();
      List<String> notUndone = new ArrayList<>();
      boolean complete = rollback(notUndone);
      RunResult.Status status =
          complete ? RunResult.Status.ROLLED_BACK : RunResult.Status.ROLLBACK_INCOMPLETE;
      if (rollbackRequested && complete) {
        status = RunResult.Status.UNDONE;
      }
      String reason = complete ? "rolled back" : "a compensation failed";
      if (!rollbackRequested) {
        runFinally(runbook);
      }
      return finish(status, null, reason, notUndone);
    }

    /** Rebuilds the rollback stack: every step that started, oldest first. */
    private void restoreForRollback() {
      for (Map.Entry<String, PriorRun.Done> e : prior.doneSteps().entrySet()) {
        StepRef ref = stepsById.get(e.getKey());
        if (ref != null) {
          stateFor(ref)
              .recordStep(ref.step().id(), e.getValue().status(), e.getValue().outputs().toMap());
        }
      }
      Set<String> ids = new HashSet<>(prior.startedAndDone());
      ids.addAll(prior.startedNotDone());
      List<String> ordered = new ArrayList<>();
      for (String id : stepsById.keySet()) {
        if (ids.contains(id)) {
          ordered.add(id);
        }
      }
      for (String id : ordered) {
        StepRef ref = stepsById.get(id);
        if (ref.step().action() instanceof Action.Call && ref.step().compensate().isEmpty()) {
          continue;
        }
        if (plan.finallySteps().stream().anyMatch(f -> f.id().equals(id))) {
          continue;
        }
        RunState st = stateFor(ref);
        Path base = Planner.baseDir(ref.owner());
        Path cwd = base;
        try {
          Map<String, String> env = stepEnv(ref.step(), st);
          cwd = ref.step().cwd().map(t -> resolvePath(t, st, env, base)).orElse(base);
        } catch (ExpressionException e) {
          // the compensation reports what it cannot resolve
        }
        started.push(new Started(id, ref.step(), st, cwd));
      }
    }

    private final Map<String, RunState> calleeStates = new HashMap<>();

    /** The state a step's expressions read: the run's, or its called runbook's. */
    private RunState stateFor(StepRef ref) {
      if (ref.callId() == null) {
        return state;
      }
      return calleeStates.computeIfAbsent(
          ref.callId(),
          callId -> {
            StepRef call = stepsById.get(callId);
            RunState caller = stateFor(call);
            Action.Call action = (Action.Call) call.step().action();
            Map<String, String> given = new LinkedHashMap<>();
            action.params().forEach((k, v) -> given.put(k, caller.resolve(v, Map.of())));
            RunState callee =
                new RunState(
                    Parameters.resolve(ref.owner(), given, Optional.empty(), Map.of()).values(),
                    context.environment(),
                    runId,
                    runDir);
            callee.addSecretValues(caller.secretValues());
            callee.resolveRunbookEnv(ref.owner().env());
            return callee;
          });
    }

    /** Keeps a copy of the runbook as it ran, so `resume` can show what changed since. */
    private void snapshotRunbook(Runbook runbook) {
      try {
        java.nio.file.Files.copy(runbook.file(), runDir.resolve(SNAPSHOT));
        java.nio.file.Files.setPosixFilePermissions(
            runDir.resolve(SNAPSHOT),
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    private boolean runFinally(Runbook runbook) {
      boolean ok = true;
      for (PlannedStep planned : plan.finallySteps()) {
        StepOutcome outcome = runStep(planned.step(), planned.id(), runbook, state, false);
        ok &= outcome.kind() != StepOutcome.Kind.FAILED;
      }
      return ok;
    }

    private RunResult finish(
        RunResult.Status status, String failedStep, String reason, List<String> irreversible) {
      journal.append(
          "finished",
          new JSONObject()
              .put("status", status.name().toLowerCase(java.util.Locale.ROOT))
              .put("reason", reason));
      return result(status, failedStep, reason, irreversible);
    }

    private RunResult result(
        RunResult.Status status, String failedStep, String reason, List<String> irreversible) {
      RunResult result =
          new RunResult(runId, runDir, status, failedStep, reason, continuedFailures, irreversible);
      listener.runFinished(result);
      return result;
    }

    /** Compensates every started step, newest first; false when a compensation failed. */
    private boolean rollback(List<String> irreversible) {
      if (prior == null || !prior.rollingBack()) {
        journal.append("rollback_started", new JSONObject());
      }
      while (!started.isEmpty()) {
        Started s = started.pop();
        if (s.step().compensate().isEmpty()) {
          if (s.step().irreversible().isPresent()) {
            irreversible.add(s.id() + ": " + s.step().irreversible().get());
            listener.irreversible(s.id(), s.step().irreversible().get());
            journal.append(
                "irreversible",
                new JSONObject().put("step", s.id()).put("reason", s.step().irreversible().get()));
          }
          continue;
        }
        for (Step compensation : s.step().compensate()) {
          String id = compensation.id();
          if (prior != null && prior.compensated(s.id(), id)) {
            continue;
          }
          journal.append(
              "compensation_started", new JSONObject().put("step", s.id()).put("compensation", id));
          listener.compensationStarted(s.id(), id);
          StepOutcome outcome = runCompensation(compensation, s);
          boolean ok = outcome.kind() == StepOutcome.Kind.SUCCEEDED;
          journal.append(
              "compensation_finished",
              new JSONObject()
                  .put("step", s.id())
                  .put("compensation", id)
                  .put("ok", ok)
                  .put("reason", outcome.reason()));
          listener.compensationFinished(s.id(), id, ok, outcome.reason());
          if (!ok) {
            journal.append(
                "rollback_incomplete",
                new JSONObject().put("step", s.id()).put("reason", outcome.reason()));
            return false;
          }
        }
      }
      journal.append("rolled_back", new JSONObject());
      return true;
    }

    private StepOutcome runCompensation(Step compensation, Started s) {
      Map<String, String> env;
      try {
        env = stepEnv(compensation, s.state());
      } catch (ExpressionException e) {
        return new StepOutcome(StepOutcome.Kind.FAILED, e.getMessage());
      }
      Path cwd =
          compensation.cwd().map(t -> resolvePath(t, s.state(), Map.of(), s.cwd())).orElse(s.cwd());
      Attempt attempt =
          actions.attempt(
              compensation,
              s.state(),
              env,
              cwd,
              files(s.id() + ".compensate." + compensation.id()),
              compensation.timeout(),
              interaction,
              line -> listener.output(compensation.id(), line));
      return attempt.succeeded()
          ? StepOutcome.of(StepOutcome.Kind.SUCCEEDED)
          : new StepOutcome(StepOutcome.Kind.FAILED, attempt.reason());
    }

    private ActionRunner.StepFiles files(String id) {
      String safe = id.replace('/', '.');
      Path steps = runDir.resolve("steps");
      return new ActionRunner.StepFiles(steps.resolve(safe + ".log"), steps.resolve(safe + ".out"));
    }

    private Map<String, String> stepEnv(Step step, RunState runState) {
      Map<String, String> env = new LinkedHashMap<>();
      for (Map.Entry<String, Template> e : step.env().entrySet()) {
        env.put(e.getKey(), runState.resolve(e.getValue(), env));
      }
      return env;
    }

    private Path resolvePath(Template t, RunState runState, Map<String, String> env, Path base) {
      return base.resolve(runState.resolve(t, env)).normalize();
    }

    /**
     * Runs one step through its phases.
     *
     * @param compensable whether a rollback should undo it (false for {@code finally} steps)
     */
    private StepOutcome runStep(
        Step step, String id, Runbook runbook, RunState runState, boolean compensable) {
      Path base = Planner.baseDir(runbook);
      Map<String, String> env;
      Path cwd;
      try {
        env = stepEnv(step, runState);
        cwd = step.cwd().map(t -> resolvePath(t, runState, env, base)).orElse(base);
        if (prior != null) {
          Optional<StepOutcome> settled = settledBefore(step, id, runState, env, cwd, compensable);
          if (settled.isPresent()) {
            return settled.get();
          }
        }
        if (step.when().isPresent()
            && !ExpressionLanguage.standard()
                .compile(step.when().get())
                .test(runState.variables(env))) {
          return skip(id, step, runState, "when `" + step.when().get().source() + "` is false");
        }
      } catch (ExpressionException e) {
        return fail(id, step, runState, e.getMessage(), files(id).log());
      }
      for (Requirement requirement : step.requires()) {
        String name = CheckRunner.name(requirement.check(), runState.bindings(env, List.of()));
        CheckOutcome outcome = checks.evaluate(requirement.check(), runState, env, cwd, runDir);
        if (!outcome.holds() && requirement.onUnmet() == dev.runbook.dsl.model.OnUnmet.WAIT) {
          outcome = waitFor(requirement, runState, env, cwd);
        }
        if (!outcome.holds()) {
          switch (requirement.onUnmet()) {
            case SKIP -> {
              return skip(
                  id,
                  step,
                  runState,
                  "requirement not met: " + name + " (" + outcome.detail() + ")");
            }
            default -> {
              return fail(
                  id,
                  step,
                  runState,
                  "requirement not met: " + name + " (" + outcome.detail() + ")",
                  files(id).log());
            }
          }
        }
      }
      if (step.action() instanceof Action.Call call) {
        return runCall(step, id, call, runState, env, compensable);
      }
      if (compensable) {
        // Registered once started (saga rule): a failed step may have half-applied.
        started.push(new Started(id, step, runState, cwd));
      }
      Retry retry = step.retry().orElse(new Retry(1, Duration.ZERO, 1.0, step.location()));
      Duration delay = retry.delay();
      ActionRunner.StepFiles stepFiles = files(id);
      Instant start = Instant.now();
      for (int attemptNo = 1; ; attemptNo++) {
        journal.append("step_started", new JSONObject().put("step", id).put("attempt", attemptNo));
        listener.stepStarted(id, step.title().orElse(""), attemptNo);
        Interaction asker =
            resume.confirm().filter(id::equals).isPresent()
                ? Interaction.unattended(true)
                : interaction;
        Attempt attempt =
            actions.attempt(
                step,
                runState,
                env,
                cwd,
                stepFiles,
                step.timeout(),
                asker,
                line -> listener.output(id, line));
        String problem = null;
        Map<String, Object> outputs = new LinkedHashMap<>(attempt.builtInOutputs());
        switch (attempt.outcome()) {
          case PAUSED -> {
            return new StepOutcome(StepOutcome.Kind.PAUSED, attempt.reason());
          }
          case INTERRUPTED -> {
            return new StepOutcome(StepOutcome.Kind.INTERRUPTED, attempt.reason());
          }
          case DECLINED -> {
            return fail(id, step, runState, attempt.reason(), stepFiles.log());
          }
          case FAILED -> problem = attempt.reason();
          case SUCCEEDED -> {
            runState.recordStep(step.id(), "running", outputs);
            problem = captureOutputs(step, attempt, runState, env, cwd, outputs);
            if (problem == null) {
              runState.recordStep(step.id(), "succeeded", outputs);
              problem = verify(step, runState, env, cwd);
            }
          }
        }
        if (problem == null) {
          JSONObject record = new JSONObject().put("step", id).put("attempt", attemptNo);
          record.put("outputs", maskedOutputs(outputs, runState));
          journal.append("step_succeeded", record);
          runState.recordStep(step.id(), "succeeded", outputs);
          listener.stepSucceeded(id, Duration.between(start, Instant.now()));
          return StepOutcome.of(StepOutcome.Kind.SUCCEEDED);
        }
        if (attemptNo >= retry.attempts()) {
          runState.recordStep(step.id(), "failed", outputs);
          return fail(id, step, runState, problem, stepFiles.log());
        }
        journal.append(
            "step_attempt_failed",
            new JSONObject().put("step", id).put("attempt", attemptNo).put("reason", problem));
        listener.stepRetrying(id, attemptNo + 1, delay, problem);
        if (!pause(delay)) {
          return new StepOutcome(StepOutcome.Kind.INTERRUPTED, "interrupted");
        }
        delay = Duration.ofMillis((long) (delay.toMillis() * retry.backoff()));
      }
    }

    /**
     * What the journal already settled about a step: done before (outputs restored, nothing run),
     * or in flight (its verify decides, else idempotence, else the operator).
     */
    private Optional<StepOutcome> settledBefore(
        Step step,
        String id,
        RunState runState,
        Map<String, String> env,
        Path cwd,
        boolean compensable) {
      Optional<PriorRun.Done> done = prior.done(id);
      if (done.isPresent()) {
        boolean succeeded = done.get().status().equals("succeeded");
        runState.recordStep(step.id(), done.get().status(), done.get().outputs().toMap());
        if (step.action() instanceof Action.Call) {
          return Optional.empty(); // its own steps are settled one by one
        }
        if (compensable && succeeded) {
          started.push(new Started(id, step, runState, cwd));
        }
        listener.stepSkipped(id, "done before the run stopped");
        return Optional.of(
            StepOutcome.of(succeeded ? StepOutcome.Kind.SUCCEEDED : StepOutcome.Kind.SKIPPED));
      }
      if (prior.inflight().filter(id::equals).isEmpty()
          || step.action() instanceof Action.Confirm) {
        return Optional.empty();
      }
      String how = null;
      if (!step.verify().isEmpty()) {
        runState.recordStep(step.id(), "succeeded", Map.of());
        if (verify(step, runState, env, cwd) == null) {
          how = "it was in flight and its verify passes now";
        } else {
          runState.recordStatus(step.id(), "failed");
        }
      }
      if (how == null && resume.skipInflight()) {
        how = "it was in flight; skipped (--skip-inflight)";
      }
      if (how != null) {
        journal.append("step_succeeded", new JSONObject().put("step", id).put("recovered", how));
        runState.recordStep(step.id(), "succeeded", Map.of());
        if (compensable) {
          started.push(new Started(id, step, runState, cwd));
        }
        listener.stepSkipped(id, how);
        return Optional.of(StepOutcome.of(StepOutcome.Kind.SUCCEEDED));
      }
      if (step.idempotent() || resume.rerunInflight()) {
        return Optional.empty();
      }
      switch (interaction.inflight(id)) {
        case RERUN -> {
          return Optional.empty();
        }
        case SKIP -> {
          journal.append(
              "step_succeeded",
              new JSONObject().put("step", id).put("recovered", "skipped by the operator"));
          runState.recordStep(step.id(), "succeeded", Map.of());
          if (compensable) {
            started.push(new Started(id, step, runState, cwd));
          }
          listener.stepSkipped(id, "it was in flight; skipped by the operator");
          return Optional.of(StepOutcome.of(StepOutcome.Kind.SUCCEEDED));
        }
        default -> {
          return Optional.of(
              new StepOutcome(
                  StepOutcome.Kind.NEEDS_DECISION,
                  "step `"
                      + id
                      + "` was in flight when the run stopped; it is not idempotent and"
                      + " has no verify that passes: resume with --rerun-inflight or"
                      + " --skip-inflight"));
        }
      }
    }

    private StepOutcome runCall(
        Step step,
        String id,
        Action.Call call,
        RunState callerState,
        Map<String, String> env,
        boolean compensable) {
      Runbook callee = plan.called().get(call.target());
      if (callee == null) {
        return fail(
            id,
            step,
            callerState,
            "called runbook " + call.runbook() + " was not loaded",
            files(id).log());
      }
      Map<String, String> given = new LinkedHashMap<>();
      for (Map.Entry<String, Template> e : call.params().entrySet()) {
        given.put(e.getKey(), callerState.resolve(e.getValue(), env));
      }
      Parameters.Resolution params = Parameters.resolve(callee, given, Optional.empty(), Map.of());
      if (!params.ok()) {
        String why =
            params.problems().isEmpty()
                ? "missing secret parameters of " + call.runbook()
                : params.problems().get(0).message();
        return fail(id, step, callerState, why, files(id).log());
      }
      journal.append("step_started", new JSONObject().put("step", id).put("attempt", 1));
      listener.stepStarted(id, step.title().orElse("call " + call.runbook()), 1);
      Instant start = Instant.now();
      RunState calleeState = new RunState(params.values(), context.environment(), runId, runDir);
      calleeState.addSecretValues(callerState.secretValues());
      calleeState.resolveRunbookEnv(callee.env());
      for (Check check : callee.preconditions()) {
        CheckOutcome outcome =
            checks.evaluate(check, calleeState, Map.of(), Planner.baseDir(callee), runDir);
        if (!outcome.holds()) {
          return fail(
              id,
              step,
              callerState,
              "precondition of "
                  + call.runbook()
                  + " unmet: "
                  + CheckRunner.name(check, calleeState.bindings(Map.of(), List.of()))
                  + " ("
                  + outcome.detail()
                  + ")",
              files(id).log());
        }
      }
      for (Step child : callee.steps()) {
        StepOutcome outcome =
            runStep(child, id + "/" + child.id(), callee, calleeState, compensable);
        if (outcome.kind() == StepOutcome.Kind.FAILED) {
          return fail(
              id, step, callerState, "its step `" + child.id() + "` failed", files(id).log());
        }
        if (outcome.kind() == StepOutcome.Kind.PAUSED
            || outcome.kind() == StepOutcome.Kind.INTERRUPTED) {
          return outcome;
        }
      }
      for (Step child : callee.finallySteps()) {
        runStep(child, id + "/" + child.id(), callee, calleeState, false);
      }
      journal.append("step_succeeded", new JSONObject().put("step", id).put("attempt", 1));
      callerState.recordStep(id, "succeeded", Map.of());
      listener.stepSucceeded(id, Duration.between(start, Instant.now()));
      if (compensable && !step.compensate().isEmpty()) {
        started.push(new Started(id, step, callerState, Planner.baseDir(plan.runbook())));
      }
      return StepOutcome.of(StepOutcome.Kind.SUCCEEDED);
    }

    private CheckOutcome waitFor(
        Requirement requirement, RunState runState, Map<String, String> env, Path cwd) {
      Duration timeout = requirement.timeout().orElse(Duration.ZERO);
      Duration interval = requirement.interval().orElse(Duration.ofSeconds(2));
      Instant deadline = Instant.now().plus(timeout);
      CheckOutcome outcome = CheckOutcome.failed("not checked");
      while (Instant.now().isBefore(deadline)) {
        Duration left = Duration.between(Instant.now(), deadline);
        if (!pause(left.compareTo(interval) < 0 ? left : interval)) {
          return CheckOutcome.errored("interrupted");
        }
        outcome = checks.evaluate(requirement.check(), runState, env, cwd, runDir);
        if (outcome.holds()) {
          return outcome;
        }
      }
      return new CheckOutcome(
          outcome.status(), outcome.detail() + ", still after " + Durations.format(timeout));
    }

    private String captureOutputs(
        Step step,
        Attempt attempt,
        RunState runState,
        Map<String, String> env,
        Path cwd,
        Map<String, Object> outputs) {
      for (OutputSpec spec : step.outputs().values()) {
        Optional<Path> source = attempt.stdout();
        Optional<String> text = attempt.text();
        if (spec.file().isPresent()) {
          try {
            source = Optional.of(resolvePath(spec.file().get(), runState, env, cwd));
            text = Optional.empty();
          } catch (ExpressionException e) {
            return "output `" + spec.name() + "`: " + e.getMessage();
          }
        }
        OutputCapture.Captured captured = OutputCapture.capture(spec, source, text);
        if (captured.value().isEmpty()) {
          return "output `" + spec.name() + "`: " + captured.problem();
        }
        outputs.put(spec.name(), captured.value().get());
      }
      return null;
    }

    private String verify(Step step, RunState runState, Map<String, String> env, Path cwd) {
      for (Check check : step.verify()) {
        CheckOutcome outcome = checks.evaluate(check, runState, env, cwd, runDir);
        if (!outcome.holds()) {
          return "verify failed: "
              + CheckRunner.name(check, runState.bindings(env, List.of()))
              + " ("
              + outcome.detail()
              + ")";
        }
      }
      return null;
    }

    private JSONObject maskedOutputs(Map<String, Object> outputs, RunState runState) {
      JSONObject json = new JSONObject();
      outputs.forEach(
          (k, v) -> {
            if (k.equals("body")) {
              return; // response bodies can be large and may hold anything: not journaled
            }
            String text = String.valueOf(v);
            for (String secret : runState.secretValues()) {
              text = text.replace(secret, "***");
            }
            json.put(k, v instanceof Number || v instanceof Boolean ? v : text);
          });
      return json;
    }

    private StepOutcome skip(String id, Step step, RunState runState, String reason) {
      journal.append("step_skipped", new JSONObject().put("step", id).put("reason", reason));
      runState.recordStatus(step.id(), "skipped");
      listener.stepSkipped(id, reason);
      return new StepOutcome(StepOutcome.Kind.SKIPPED, reason);
    }

    private StepOutcome fail(String id, Step step, RunState runState, String reason, Path log) {
      journal.append("step_failed", new JSONObject().put("step", id).put("reason", reason));
      runState.recordStatus(step.id(), "failed");
      boolean continuing = step.continueOnError();
      listener.stepFailed(id, reason, log, continuing);
      if (continuing) {
        continuedFailures.add(id + ": " + reason);
        return new StepOutcome(StepOutcome.Kind.SUCCEEDED, reason);
      }
      return new StepOutcome(StepOutcome.Kind.FAILED, reason);
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown-host";
    }
  }
}
