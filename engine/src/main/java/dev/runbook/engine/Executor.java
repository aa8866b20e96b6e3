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
import dev.runbook.engine.internal.docker.BuiltInCompensation;
import dev.runbook.engine.internal.docker.ReplacedContainer;
import dev.runbook.engine.internal.exec.ActionRunner;
import dev.runbook.engine.internal.exec.Attempt;
import dev.runbook.engine.internal.exec.CheckRunner;
import dev.runbook.engine.internal.exec.OutputCapture;
import dev.runbook.engine.internal.exec.RunState;
import dev.runbook.engine.internal.exec.StepOutcome;
import dev.runbook.engine.internal.process.Leftovers;
import dev.runbook.engine.internal.process.Pause;
import dev.runbook.engine.journal.Journal;
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
import java.util.Locale;
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
  /** How long resume waits for a process that only its environment ties to an in-flight step. */
  static final Duration MARKED_LEFTOVER_WAIT = Duration.ofSeconds(10);

  /** The copy of the runbook kept in a run's directory. */
  public static final String SNAPSHOT = "runbook.yaml";

  /** Why a compensation in flight at a crash was not run again. */
  private static final String RECOVERED = "it was in flight and its verify passes now";

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

  /**
   * Stops the step running now (an operator's first Ctrl-C): its process tree is ended and the step
   * fails, so the failure policy (on a terminal, the prompt) decides what comes next.
   */
  public void stopCurrentStep() {
    context.actions().stopCurrentStep();
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
   * @param asRead the run's journal as the caller read it (for its summary): reused under the run's
   *     lock if the file has not grown since, read again otherwise
   */
  public RunResult resume(
      Plan plan,
      String runId,
      Journal.Contents asRead,
      RunOptions options,
      ResumeOptions resume,
      RunListener listener,
      Interaction interaction) {
    return continueRun(plan, runId, asRead, options, resume, false, listener, interaction);
  }

  /**
   * Compensates a run on demand (the smoke test failed an hour later), newest first. {@code asRead}
   * as for {@link #resume}.
   */
  public RunResult rollback(
      Plan plan,
      String runId,
      Journal.Contents asRead,
      RunOptions options,
      RunListener listener,
      Interaction interaction) {
    return continueRun(
        plan,
        runId,
        asRead,
        options,
        new ResumeOptions(false, false, Optional.empty()),
        true,
        listener,
        interaction);
  }

  private RunResult continueRun(
      Plan plan,
      String runId,
      Journal.Contents asRead,
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
          // The records replayed are the ones on disk under the lock.
          try (Journal journal = Journal.reopen(runDir, context.clock(), asRead)) {
            Run run = new Run(plan, options, listener, interaction, runId, runDir, journal);
            run.prior = PriorRun.replay(journal.contents().records(), run.steps());
            run.onFailure = options.onFailure().or(run.prior::onFailure);
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

    /** Containers replaced by {@code replace: true} runs of this process, by step id. */
    private final Map<String, ReplacedContainer> replacedContainers = new HashMap<>();

    /** Every step of the plan by journal id (called runbooks' as {@code call/step}). */
    private final Map<String, StepRef> stepsById = new LinkedHashMap<>();

    /** What the journal says was done before; null for a new run. */
    private PriorRun prior;

    private ResumeOptions resume = new ResumeOptions(false, false, Optional.empty());

    /** The failure policy given on the command line (when the run started), over the runbook's. */
    private Optional<OnFailure> onFailure;

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
      this.onFailure = options.onFailure();
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
      JSONObject started = new JSONObject();
      onFailure.ifPresent(p -> started.put("on_failure", p.name().toLowerCase(Locale.ROOT)));
      journal.append(
          "run_started",
          started
              .put("run_id", runId)
              .put("runbook", runbook.name())
              .put("file", runbook.file().toString())
              .put("digest", new JSONObject(plan.digest().runbooks()))
              .put("params_digest", plan.digest().params())
              .put("params", visibleParams)
              .put("user", System.getProperty("user.name"))
              .put("host", RunLock.hostName())
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
      List<PlannedStep> steps = plan.steps();
      for (int i = 0; i < steps.size(); i++) {
        PlannedStep planned = steps.get(i);
        StepOutcome outcome =
            interrupted
                ? StepOutcome.of(StepOutcome.Kind.INTERRUPTED)
                : runStep(planned.step(), planned.id(), runbook, state, true);
        if (outcome.kind() == StepOutcome.Kind.PAUSED
            || outcome.kind() == StepOutcome.Kind.NEEDS_DECISION) {
          if (interrupted) {
            return interruptedAt(planned.id());
          }
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
          return interruptedAt(planned.id());
        }
        if (outcome.kind() != StepOutcome.Kind.FAILED) {
          continue;
        }
        Interaction.FailureChoice choice = failureChoice(runbook, planned.id(), outcome.reason());
        if (interrupted) {
          return interruptedAt(planned.id());
        }
        if (choice == Interaction.FailureChoice.RETRY) {
          journal.append("operator_retry", new JSONObject().put("step", planned.id()));
          i--;
          continue;
        }
        if (choice == Interaction.FailureChoice.SKIP) {
          journal.append(
              "step_skipped",
              new JSONObject().put("step", planned.id()).put("reason", "skipped by the operator"));
          state.recordStatus(planned.step().id(), "skipped");
          started.removeIf(s -> s.id().equals(planned.id()));
          continue;
        }
        return afterFailure(runbook, planned.id(), outcome.reason(), choice);
      }
      boolean finallyOk = runFinally(runbook);
      return finallyOk
          ? finish(RunResult.Status.SUCCEEDED, null, "", List.of())
          : finish(RunResult.Status.FINALLY_FAILED, null, "a finally step failed", List.of());
    }

    /**
     * What follows a step's failure: the failure policy (rollback of every started step, or stop),
     * then {@code finally}, then the run's end.
     */
    private RunResult afterFailure(Runbook runbook, String failedStep, String why) {
      Interaction.FailureChoice choice = failureChoice(runbook, failedStep, why);
      // Retrying or skipping means going on with the steps: here (a resumed failure) the
      // operator does that with `resume`; anything but a rollback stops.
      return afterFailure(
          runbook,
          failedStep,
          why,
          choice == Interaction.FailureChoice.ROLLBACK
              ? Interaction.FailureChoice.ROLLBACK
              : Interaction.FailureChoice.STOP);
    }

    /** The failure policy: the command line's, else the runbook's; {@code ask} asks. */
    private Interaction.FailureChoice failureChoice(
        Runbook runbook, String failedStep, String why) {
      return switch (onFailure.orElse(runbook.onFailure())) {
        case ROLLBACK -> Interaction.FailureChoice.ROLLBACK;
        case STOP -> Interaction.FailureChoice.STOP;
        case ASK -> interaction.onFailure(failedStep, why);
      };
    }

    private RunResult afterFailure(
        Runbook runbook, String failedStep, String why, Interaction.FailureChoice choice) {
      String reason = "step `" + failedStep + "` failed: " + why;
      RunResult.Status status = RunResult.Status.STOPPED;
      List<String> irreversible = new ArrayList<>();
      if (choice == Interaction.FailureChoice.ROLLBACK) {
        boolean complete = rollback(irreversible);
        status = complete ? RunResult.Status.ROLLED_BACK : RunResult.Status.ROLLBACK_INCOMPLETE;
      }
      runFinally(runbook); // a failed finally step does not change how a failed run ended
      return finish(status, failedStep, reason, irreversible);
    }

    private RunResult interruptedAt(String stepId) {
      journal.append("interrupted", new JSONObject().put("step", stepId));
      return result(RunResult.Status.INTERRUPTED, stepId, "interrupted", List.of());
    }

    /** A resumed run, or a rollback on demand, from what the journal says. */
    private RunResult continuePrior(Runbook runbook, JSONObject visibleParams) {
      journal.append(
          rollbackRequested ? "rollback_requested" : "resumed",
          new JSONObject()
              .put("params", visibleParams)
              .put("digest", new JSONObject(plan.digest().runbooks()))
              .put("user", System.getProperty("user.name"))
              .put("host", RunLock.hostName())
              .put("pid", ProcessHandle.current().pid())
              .put("engine_version", options.engineVersion()));
      listener.runStarted(runId, runDir, runbook.name());
      if (!awaitLeftovers()) {
        String at = prior.inflight().or(prior::compensationInFlight).orElse(null);
        journal.append("interrupted", new JSONObject().put("step", at));
        return result(RunResult.Status.INTERRUPTED, at, "interrupted", List.of());
      }
      state.resolveRunbookEnv(runbook.env());
      Optional<PriorRun.Failure> undecided =
          prior
              .undecidedFailure()
              .filter(f -> stepsById.containsKey(f.step()))
              .filter(f -> !stepsById.get(f.step()).step().continueOnError())
              .filter(f -> plan.finallySteps().stream().noneMatch(p -> p.id().equals(f.step())));
      if (!rollbackRequested && !prior.rollingBack() && undecided.isPresent()) {
        // The engine stopped between a step's failure and acting on it: act on it now, rather
        // than run the failed step again.
        restoreForRollback();
        return afterFailure(runbook, undecided.get().step(), undecided.get().reason());
      }
      if (!rollbackRequested && !prior.rollingBack()) {
        // Preconditions gated the run when it started; mid-upgrade they may well not hold.
        return proceed(runbook);
      }
      // A rollback on demand that stopped at a failing compensation goes on as one when resumed:
      // it ends undone (exit 0), and the finally steps, which ran at the run's end, do not rerun.
      boolean onDemand = rollbackRequested || prior.rollbackOnDemand();
      restoreForRollback();
      List<String> notUndone = new ArrayList<>();
      boolean complete = rollback(notUndone);
      RunResult.Status status =
          complete ? RunResult.Status.ROLLED_BACK : RunResult.Status.ROLLBACK_INCOMPLETE;
      if (onDemand && complete) {
        status = RunResult.Status.UNDONE;
      }
      String reason = complete ? "rolled back" : "a compensation failed";
      if (!onDemand) {
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
        boolean builtIn = BuiltInCompensation.appliesTo(s.step());
        if (s.step().compensate().isEmpty() && !builtIn) {
          if (s.step().irreversible().isPresent()) {
            irreversible.add(s.id() + ": " + s.step().irreversible().get());
            listener.irreversible(s.id(), s.step().irreversible().get());
            journal.append(
                "irreversible",
                new JSONObject().put("step", s.id()).put("reason", s.step().irreversible().get()));
          }
          continue;
        }
        List<String> ids = new ArrayList<>();
        if (builtIn) {
          ids.add(BuiltInCompensation.ID);
        } else {
          s.step().compensate().forEach(c -> ids.add(c.id()));
        }
        for (int i = 0; i < ids.size(); i++) {
          String id = ids.get(i);
          if (prior != null && prior.compensated(s.id(), id)) {
            continue;
          }
          journal.append(
              "compensation_started", new JSONObject().put("step", s.id()).put("compensation", id));
          listener.compensationStarted(s.id(), id);
          StepOutcome outcome =
              builtIn ? restoreReplaced(s) : runCompensation(s.step().compensate().get(i), s);
          boolean skipped = outcome.kind() == StepOutcome.Kind.SKIPPED;
          boolean ok = skipped || outcome.kind() == StepOutcome.Kind.SUCCEEDED;
          String reason = skipped ? "skipped: " + outcome.reason() : outcome.reason();
          JSONObject finished =
              new JSONObject()
                  .put("step", s.id())
                  .put("compensation", id)
                  .put("ok", ok)
                  .put("skipped", skipped)
                  .put("reason", reason);
          if (ok && outcome.reason().equals(RECOVERED)) {
            finished.put("recovered", RECOVERED);
          }
          journal.append("compensation_finished", finished);
          listener.compensationFinished(s.id(), id, ok, reason);
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

    /**
     * Journals the container a {@code replace: true} run is about to remove, before it does
     * (write-ahead). The first record of a step is the one a rollback restores: a later try of the
     * step only meets the container an earlier try created.
     */
    private void recordReplaced(String id, ReplacedContainer container) {
      if (replaced(id).isPresent()) {
        return;
      }
      journal.append(
          "container_replaced",
          new JSONObject().put("step", id).put("container", container.toJson()));
      replacedContainers.put(id, container);
    }

    private Optional<ReplacedContainer> replaced(String id) {
      ReplacedContainer here = replacedContainers.get(id);
      if (here != null) {
        return Optional.of(here);
      }
      return prior == null ? Optional.empty() : prior.replaced(id);
    }

    /** The built-in compensation of a {@code replace: true} run without {@code compensate}. */
    private StepOutcome restoreReplaced(Started s) {
      Map<String, String> env;
      try {
        env = stepEnv(s.step(), s.state());
      } catch (ExpressionException e) {
        return new StepOutcome(StepOutcome.Kind.FAILED, e.getMessage());
      }
      Attempt attempt =
          actions.restoreReplaced(
              s.id(),
              s.step(),
              s.state(),
              env,
              s.cwd(),
              files(s.id() + ".compensate." + BuiltInCompensation.ID),
              replaced(s.id()),
              line -> listener.output(BuiltInCompensation.ID, line));
      return attempt.succeeded()
          ? StepOutcome.of(StepOutcome.Kind.SUCCEEDED)
          : new StepOutcome(StepOutcome.Kind.FAILED, attempt.reason());
    }

    /**
     * Runs one compensation: its action, then its {@code verify}. One that was in flight when the
     * engine stopped is not run again if its verify passes now (its reason then says so).
     */
    private StepOutcome runCompensation(Step compensation, Started s) {
      if (compensation.action() instanceof Action.Call call) {
        // Not supported yet: failing here keeps the rollback journaled and resumable, where
        // handing it to the action runner ended the engine with an internal error.
        return new StepOutcome(
            StepOutcome.Kind.FAILED,
            "a `call` cannot compensate a step yet: undo it by hand ("
                + call.runbook()
                + "), or list its steps under `compensate`");
      }
      Map<String, String> env;
      Path cwd;
      try {
        env = stepEnv(compensation, s.state());
        cwd = compensation.cwd().map(t -> resolvePath(t, s.state(), env, s.cwd())).orElse(s.cwd());
        // `when` and `requires` first, as for any step, so that a compensation can skip what
        // its step never did (a half-applied step is compensated too).
        if (compensation.when().isPresent()
            && !ExpressionLanguage.standard()
                .compile(compensation.when().get())
                .test(s.state().variables(env))) {
          return new StepOutcome(
              StepOutcome.Kind.SKIPPED,
              "when `" + compensation.when().get().source() + "` is false");
        }
      } catch (ExpressionException e) {
        return new StepOutcome(StepOutcome.Kind.FAILED, e.getMessage());
      }
      if (prior != null
          && prior.compensationInFlight(s.id(), compensation.id())
          && !compensation.verify().isEmpty()
          && verify(compensation, s.state(), env, cwd) == null) {
        return new StepOutcome(StepOutcome.Kind.SUCCEEDED, RECOVERED);
      }
      for (Requirement requirement : compensation.requires()) {
        String name = CheckRunner.name(requirement.check(), s.state().bindings(env, List.of()));
        CheckOutcome outcome = checks.evaluate(requirement.check(), s.state(), env, cwd, runDir);
        if (!outcome.holds() && requirement.onUnmet() == dev.runbook.dsl.model.OnUnmet.WAIT) {
          outcome = waitFor(requirement, s.state(), env, cwd);
        }
        if (!outcome.holds()) {
          return new StepOutcome(
              requirement.onUnmet() == dev.runbook.dsl.model.OnUnmet.SKIP
                  ? StepOutcome.Kind.SKIPPED
                  : StepOutcome.Kind.FAILED,
              "requirement not met: " + name + " (" + outcome.detail() + ")");
        }
      }
      Attempt attempt =
          actions.attempt(
              s.id() + "/compensate/" + compensation.id(),
              compensation,
              s.state(),
              env,
              cwd,
              files(s.id() + ".compensate." + compensation.id()),
              compensation.timeout(),
              interaction,
              replaced -> {},
              line -> listener.output(compensation.id(), line),
              pid -> journalProcess(s.id(), compensation.id(), pid));
      if (!attempt.succeeded()) {
        return new StepOutcome(StepOutcome.Kind.FAILED, attempt.reason());
      }
      String problem = verify(compensation, s.state(), env, cwd);
      return problem == null
          ? StepOutcome.of(StepOutcome.Kind.SUCCEEDED)
          : new StepOutcome(StepOutcome.Kind.FAILED, problem);
    }

    /**
     * Journals a process an action started, so that a resume after the engine died waits for it
     * (and what it started) instead of deciding about its step while it still runs.
     */
    private void journalProcess(String stepId, String compensationId, long pid) {
      JSONObject record = new JSONObject().put("step", stepId).put("pid", pid);
      if (compensationId != null) {
        record.put("compensation", compensationId);
      }
      Leftovers.startOf(pid).ifPresent(t -> record.put("start", t.toString()));
      // Only a resume after the engine died reads it, and what the engine wrote survives its death.
      journal.appendUnsynced("process_started", record);
    }

    /**
     * Waits until no process of this run that an earlier engine left behind still runs. False when
     * interrupted meanwhile.
     */
    private boolean awaitLeftovers() {
      List<ProcessHandle> left = Leftovers.of(runId, prior.processes(), prior.inflightActions());
      if (left.isEmpty()) {
        return true;
      }
      Optional<String> at = prior.inflight().or(prior::compensationInFlight);
      String step = at.orElse("-");
      String what = Leftovers.describe(left);
      JSONObject record =
          new JSONObject().put("pids", left.stream().map(ProcessHandle::pid).toList());
      at.ifPresent(id -> record.put("step", id));
      journal.append("awaiting_processes", record);
      listener.waiting(
          step,
          what
              + (left.size() == 1 ? " is" : " are")
              + " still running, left by the engine that stopped; waiting for "
              + (left.size() == 1 ? "it" : "them")
              + " to end before deciding about the step");
      // A process known only by its environment mark may be one the step started on purpose and
      // detached (a server): it is waited for a bounded time, which covers a step process killed
      // before its start was journaled; processes in a journaled step's session are waited for.
      long markedUntil = System.nanoTime() + MARKED_LEFTOVER_WAIT.toNanos();
      while (!left.isEmpty()) {
        if (!pause(Duration.ofMillis(100))) {
          return false;
        }
        left =
            Leftovers.of(
                runId,
                prior.processes(),
                System.nanoTime() < markedUntil ? prior.inflightActions() : List.of());
      }
      return true;
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
        return runCall(step, id, call, runState, env, cwd, compensable);
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
                id,
                step,
                runState,
                env,
                cwd,
                stepFiles,
                step.timeout(),
                asker,
                replaced -> recordReplaced(id, replaced),
                line -> listener.output(id, line),
                pid -> journalProcess(id, null, pid));
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
          // On disk with the next step's start, before that step acts (one sync for both).
          journal.appendUnsynced("step_succeeded", record);
          runState.recordStep(step.id(), "succeeded", outputs);
          listener.stepSucceeded(id, Duration.between(start, Instant.now()));
          return StepOutcome.of(StepOutcome.Kind.SUCCEEDED);
        }
        if (attemptNo >= retry.attempts()) {
          runState.recordStep(step.id(), "failed", outputs);
          return fail(id, step, runState, problem, stepFiles.log());
        }
        String shown = runState.mask(problem); // as in skip
        journal.append(
            "step_attempt_failed",
            new JSONObject().put("step", id).put("attempt", attemptNo).put("reason", shown));
        listener.stepRetrying(id, attemptNo + 1, delay, shown);
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
        listener.stepDoneBefore(id);
        return Optional.of(
            StepOutcome.of(succeeded ? StepOutcome.Kind.SUCCEEDED : StepOutcome.Kind.SKIPPED));
      }
      if (prior.inflight().filter(id::equals).isEmpty()
          || step.action() instanceof Action.Confirm) {
        return Optional.empty();
      }
      String how = null;
      boolean outputsLost = false;
      Map<String, Object> outputs = Map.of();
      if (!step.verify().isEmpty()) {
        runState.recordStep(step.id(), "succeeded", Map.of());
        if (verify(step, runState, env, cwd) != null) {
          runState.recordStatus(step.id(), "failed");
        } else if (step.outputs().isEmpty()) {
          how = "it was in flight and its verify passes now";
          outputs = actions.recoveredOutputs(step, runState, env, cwd);
        } else {
          // Done, but what it printed was never journaled: skipping it would leave its
          // declared outputs unknown to the steps that read them.
          outputsLost = true;
        }
      }
      if (how == null && resume.skipInflight()) {
        how = "it was in flight; skipped (--skip-inflight)";
      }
      if (how != null) {
        journal.append(
            "step_succeeded",
            new JSONObject()
                .put("step", id)
                .put("recovered", how)
                .put("outputs", maskedOutputs(outputs, runState)));
        runState.recordStep(step.id(), "succeeded", outputs);
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
          String why =
              outputsLost
                  ? "its verify passes, but its outputs were not recorded before the run stopped,"
                      + " and it is not idempotent"
                  : "it is not idempotent and has no verify that passes";
          return Optional.of(
              new StepOutcome(
                  StepOutcome.Kind.NEEDS_DECISION,
                  "step `"
                      + id
                      + "` was in flight when the run stopped; "
                      + why
                      + ": resume with --rerun-inflight or --skip-inflight"));
        }
      }
    }

    private StepOutcome runCall(
        Step step,
        String id,
        Action.Call call,
        RunState callerState,
        Map<String, String> env,
        Path cwd,
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
        // A type problem quotes the value, which may be the caller's secret.
        return fail(id, step, callerState, callerState.mask(why), files(id).log());
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
          // The call started and may have half-applied: its own compensation runs too (saga
          // rule), first, as it does after a call that succeeded.
          registerCall(step, id, callerState, cwd, compensable);
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
      registerCall(step, id, callerState, cwd, compensable);
      return StepOutcome.of(StepOutcome.Kind.SUCCEEDED);
    }

    /** Registers a call step's own compensation, after those of the called runbook's steps. */
    private void registerCall(
        Step step, String id, RunState callerState, Path cwd, boolean compensable) {
      if (compensable && !step.compensate().isEmpty()) {
        started.push(new Started(id, step, callerState, cwd));
      }
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
            json.put(
                k,
                v instanceof Number || v instanceof Boolean ? v : runState.mask(String.valueOf(v)));
          });
      return json;
    }

    private StepOutcome skip(String id, Step step, RunState runState, String why) {
      // The last gate before the journal and the screen: a reason quotes checks, which may read
      // a value that holds a secret without being one (a step's output, say).
      String reason = runState.mask(why);
      journal.append("step_skipped", new JSONObject().put("step", id).put("reason", reason));
      runState.recordStatus(step.id(), "skipped");
      listener.stepSkipped(id, reason);
      return new StepOutcome(StepOutcome.Kind.SKIPPED, reason);
    }

    private StepOutcome fail(String id, Step step, RunState runState, String why, Path log) {
      String reason = runState.mask(why); // as in skip
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
}
