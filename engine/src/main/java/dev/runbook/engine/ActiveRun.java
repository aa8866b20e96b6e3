package dev.runbook.engine;

import dev.runbook.dsl.Durations;
import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.Check;
import dev.runbook.dsl.model.Requirement;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.dsl.model.Step;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.internal.exec.ActionRunner;
import dev.runbook.engine.internal.exec.CheckRunner;
import dev.runbook.engine.internal.exec.RunState;
import dev.runbook.engine.internal.process.Leftovers;
import dev.runbook.engine.internal.process.Pause;
import dev.runbook.engine.internal.process.ProcessResult;
import dev.runbook.engine.internal.process.ProcessWatch;
import dev.runbook.engine.internal.process.StartedProcess;
import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What the parts of one run share: the plan, the journal, the listener and the operator, the values
 * expressions read, and the small services every phase needs (a step's environment and working
 * directory, its checks, its files). It decides nothing: {@link RunDriver} drives the run, {@link
 * StepTask} runs a step, {@link Compensator} undoes, {@link Replay} reads what came before.
 */
final class ActiveRun {
  /** A step, the runbook it belongs to, and the call step it runs under (null at top level). */
  record StepRef(Step step, Runbook owner, String callId) {}

  final Plan plan;
  final RunOptions options;
  final RunListener listener;
  final Interaction interaction;
  final String runId;
  final Path runDir;
  final Journal journal;
  final RunState state;
  final ActionRunner actions;
  final CheckRunner checks;
  private final EngineContext context;
  private final BooleanSupplier interrupted;

  /** Every step of the plan by journal id (called runbooks' as {@code call/step}). */
  private final Map<String, StepRef> stepsById = new LinkedHashMap<>();

  private final Map<String, RunState> calleeStates = new HashMap<>();

  /** Steps that failed with {@code continue_on_error}, with their reason. */
  final List<String> continuedFailures = new ArrayList<>();

  ActiveRun(
      EngineContext context,
      Plan plan,
      RunOptions options,
      RunListener listener,
      Interaction interaction,
      String runId,
      Path runDir,
      Journal journal,
      BooleanSupplier interrupted) {
    this.context = context;
    this.plan = plan;
    this.options = options;
    this.listener = listener;
    this.interaction = interaction;
    this.runId = runId;
    this.runDir = runDir;
    this.journal = journal;
    this.interrupted = interrupted;
    this.actions = context.actions();
    this.checks = context.checks();
    this.state = new RunState(plan.params(), context.environment(), runId, runDir);
    index(plan.steps(), plan.runbook(), null);
    index(plan.finallySteps(), plan.runbook(), null);
    state.markBackupSteps(backupStepIds(plan.runbook()));
  }

  /** The ids of a runbook's own backup steps, for a restore to find what the run journaled. */
  private static List<String> backupStepIds(Runbook runbook) {
    List<String> ids = new ArrayList<>();
    for (Step step : runbook.steps()) {
      if (step.action() instanceof Action.Backup) {
        ids.add(step.id());
      }
    }
    for (Step step : runbook.finallySteps()) {
      if (step.action() instanceof Action.Backup) {
        ids.add(step.id());
      }
    }
    return ids;
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

  /** The step with this journal id; empty for one the runbook no longer has. */
  Optional<StepRef> step(String journalId) {
    return Optional.ofNullable(stepsById.get(journalId));
  }

  /** Every journal id, in plan order. */
  List<String> stepIds() {
    return List.copyOf(stepsById.keySet());
  }

  boolean isFinallyStep(String journalId) {
    return plan.finallySteps().stream().anyMatch(p -> p.id().equals(journalId));
  }

  boolean interrupted() {
    return interrupted.getAsBoolean();
  }

  /** Sleeps unless the run is interrupted first; false when it was. */
  boolean pause(Duration d) {
    return Pause.sleep(d, interrupted);
  }

  /** The log and stdout files of the action with this journal id. */
  ActionRunner.StepFiles files(String journalId) {
    String safe = journalId.replace('/', '.');
    Path steps = runDir.resolve("steps");
    return new ActionRunner.StepFiles(steps.resolve(safe + ".log"), steps.resolve(safe + ".out"));
  }

  /** A step's {@code env:}, resolved in order (a value may read an earlier one). */
  Map<String, String> stepEnv(Step step, RunState runState) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Map.Entry<String, Template> e : step.env().entrySet()) {
      env.put(e.getKey(), runState.resolve(e.getValue(), env));
    }
    return env;
  }

  Path resolvePath(Template t, RunState runState, Map<String, String> env, Path base) {
    return runState.resolvePath(t, env, base);
  }

  /** A step's working directory: its {@code cwd}, else the directory of its runbook. */
  Path cwd(Step step, RunState runState, Map<String, String> env, Path base) {
    return step.cwd().map(t -> resolvePath(t, runState, env, base)).orElse(base);
  }

  /** Null when every {@code verify} check holds; the first that does not, in words, otherwise. */
  String verify(Step step, RunState runState, Map<String, String> env, Path cwd) {
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

  /** A requirement's check, waited for when it says {@code on_unmet: wait}. */
  CheckOutcome require(
      Requirement requirement, RunState runState, Map<String, String> env, Path cwd) {
    CheckOutcome outcome = checks.evaluate(requirement.check(), runState, env, cwd, runDir);
    if (outcome.holds() || requirement.onUnmet() != dev.runbook.dsl.model.OnUnmet.WAIT) {
      return outcome;
    }
    Duration timeout = requirement.timeout().orElse(Duration.ZERO);
    Duration interval = requirement.interval().orElse(Duration.ofSeconds(2));
    Instant deadline = Instant.now().plus(timeout);
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

  /**
   * The processes of actions in flight when an earlier engine died whose end a resume learned, by
   * the action's journal id: each is taken, once, by the step or compensation it belongs to.
   */
  final Map<String, AdoptedProcess> adopted = new HashMap<>();

  /**
   * Journals a process an action started, so that a resume after the engine died waits for it (and
   * what it started) instead of deciding about its step while it still runs.
   */
  /**
   * What an action's processes tell: each start journaled ({@link #journalProcess}), and processes
   * a finished command left behind, which the runner ended, reported to the operator as {@code
   * shownAs}.
   */
  ProcessWatch watch(String stepId, Optional<String> compensationId, String shownAs) {
    return new ProcessWatch() {
      @Override
      public void started(StartedProcess process) {
        journalProcess(stepId, compensationId, process);
      }

      @Override
      public void leftBehind(List<ProcessResult.Left> processes) {
        listener.leftBehind(
            shownAs,
            processes.stream()
                .map(p -> new RunListener.LeftProcess(p.pid(), p.command()))
                .toList());
      }
    };
  }

  void journalProcess(String stepId, Optional<String> compensationId, StartedProcess process) {
    // Only a resume after the engine died reads it, and what the engine wrote survives its death.
    long pid = process.pid();
    journal.appendUnsynced(
        new JournalEvent.ProcessStarted(
            stepId,
            compensationId,
            pid,
            Leftovers.startOf(pid),
            Optional.of(process.outputDir().toString())));
  }

  /** A step's outputs as the journal and listeners get them: masked, bodies left out. */
  Map<String, Object> maskedOutputs(Map<String, Object> outputs, RunState runState) {
    Map<String, Object> masked = new LinkedHashMap<>();
    outputs.forEach(
        (k, v) -> {
          if (k.equals("body")) {
            return; // response bodies can be large and may hold anything: not journaled
          }
          masked.put(
              k,
              v instanceof Number || v instanceof Boolean ? v : runState.mask(String.valueOf(v)));
        });
    return masked;
  }

  /** The values a step's expressions read: the run's, or its called runbook's. */
  RunState stateFor(StepRef ref) {
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
          return calleeState(
              ref.owner(),
              Parameters.resolve(ref.owner(), given, Optional.empty(), Map.of()).values(),
              caller);
        });
  }

  /** The values a called runbook's steps read, with the caller's secrets to mask. */
  RunState calleeState(Runbook callee, Map<String, Parameters.Value> params, RunState caller) {
    RunState calleeState = new RunState(params, context.environment(), runId, runDir);
    calleeState.addSecretValues(caller.secretValues());
    calleeState.resolveRunbookEnv(callee.env());
    calleeState.markBackupSteps(backupStepIds(callee));
    return calleeState;
  }

  /** Keeps what a called runbook's steps read, so that a rollback resolves them alike. */
  void rememberCalleeState(String callId, RunState calleeState) {
    calleeStates.put(callId, calleeState);
  }
}
