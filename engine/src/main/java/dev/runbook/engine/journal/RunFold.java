package dev.runbook.engine.journal;

import dev.runbook.engine.journal.JournalEvent.CompensationFinished;
import dev.runbook.engine.journal.JournalEvent.CompensationStarted;
import dev.runbook.engine.journal.JournalEvent.ContainerReplaced;
import dev.runbook.engine.journal.JournalEvent.Errored;
import dev.runbook.engine.journal.JournalEvent.Finished;
import dev.runbook.engine.journal.JournalEvent.Interrupted;
import dev.runbook.engine.journal.JournalEvent.Invocation;
import dev.runbook.engine.journal.JournalEvent.OperatorRetry;
import dev.runbook.engine.journal.JournalEvent.Paused;
import dev.runbook.engine.journal.JournalEvent.PreconditionsHeld;
import dev.runbook.engine.journal.JournalEvent.PreconditionsUnmet;
import dev.runbook.engine.journal.JournalEvent.ProcessStarted;
import dev.runbook.engine.journal.JournalEvent.Resumed;
import dev.runbook.engine.journal.JournalEvent.RollbackIncomplete;
import dev.runbook.engine.journal.JournalEvent.RollbackRequested;
import dev.runbook.engine.journal.JournalEvent.RollbackStarted;
import dev.runbook.engine.journal.JournalEvent.RolledBack;
import dev.runbook.engine.journal.JournalEvent.RunStarted;
import dev.runbook.engine.journal.JournalEvent.StepAttemptFailed;
import dev.runbook.engine.journal.JournalEvent.StepFailed;
import dev.runbook.engine.journal.JournalEvent.StepSkipped;
import dev.runbook.engine.journal.JournalEvent.StepStarted;
import dev.runbook.engine.journal.JournalEvent.StepSucceeded;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.json.JSONObject;

/**
 * The one reading of a journal: its events folded into where the run stands, each step's state and
 * outputs, and what a resume or a rollback must know (done steps, the in-flight step, the
 * compensations done). {@code resume}, {@code rollback}, {@code status}, {@code runs}, {@code log}
 * and the tests all ask it, so they cannot disagree.
 *
 * <p>A step counts as done only once a checkpoint covers it: a {@code checkpoint: false} step that
 * succeeded is done when a later checkpoint step is, and is otherwise redone with its group. The
 * step that started and never ended is the in-flight step.
 */
public final class RunFold {
  /** A step as the journal tells it, for {@code status}. */
  public record StepView(
      String id,
      StepState state,
      int attempts,
      Instant started,
      Optional<Instant> ended,
      String detail) {}

  /** What became of a step. */
  public enum StepState {
    RUNNING("running"),
    SUCCEEDED("succeeded"),
    SKIPPED("skipped"),
    FAILED("failed"),
    PAUSED("paused"),
    COMPENSATED("compensated"),
    COMPENSATION_FAILED("compensation failed"),
    COMPENSATION_SKIPPED("compensation skipped");

    private final String text;

    StepState(String text) {
      this.text = text;
    }

    /** How {@code status} names it. */
    public String text() {
      return text;
    }
  }

  /** A step done before, with the status it ended with and its (masked) outputs. */
  public record Done(boolean succeeded, Map<String, Object> outputs) {}

  /** A step's failure: which step, and the journaled reason. */
  public record Failure(String step, String reason) {}

  private RunStarted started;
  private Instant startedAt;
  private Instant lastAt;
  private Invocation lastInvocation;
  private RunStatus status = RunStatus.RUNNING;
  private String endReason = "";
  private Optional<String> lastStep = Optional.empty();
  private Optional<Failure> failure = Optional.empty();
  private Optional<Failure> rollbackCause = Optional.empty();
  private Optional<Failure> lastStepFailure = Optional.empty();
  private Optional<String> errorCause = Optional.empty();
  private final Map<String, StepView> views = new LinkedHashMap<>();
  private final Map<String, String> stepFailures = new HashMap<>();

  private final Map<String, Done> done = new LinkedHashMap<>();
  private final Map<String, Done> uncheckpointed = new LinkedHashMap<>();
  private final Set<String> startedInOrder = new LinkedHashSet<>();
  private final Set<String> open = new HashSet<>();
  private String lastStarted;
  private final Set<String> compensated = new HashSet<>();
  private final Set<String> skippedCompensations = new LinkedHashSet<>();
  private final Map<String, JSONObject> replacedContainers = new HashMap<>();
  private final List<ProcessStarted> processes = new ArrayList<>();
  private Optional<String> compensationInFlight = Optional.empty();
  private String compensationKey;
  private Optional<Failure> undecidedFailure = Optional.empty();
  private boolean preconditionsHeld;
  private boolean rollingBack;
  private boolean rollbackFinished;

  /** A {@code finished} record followed the rollback's end: the run ended as rolled back. */
  private boolean rollbackClosed;

  private boolean onDemand;

  private RunFold() {}

  /** Folds a journal's records, oldest first. */
  public static RunFold of(List<JournalRecord> records) {
    RunFold fold = new RunFold();
    for (JournalRecord r : records) {
      String step = r.field("step");
      if (step != null) {
        fold.lastStep = Optional.of(step);
      }
      fold.apply(r.timestamp(), r.event());
    }
    return fold;
  }

  private void apply(Instant at, JournalEvent event) {
    if (startedAt == null) {
      startedAt = at;
    }
    lastAt = at;
    settleFailure(event);
    if (event instanceof RunStarted e) {
      started = e;
      lastInvocation = e.by();
      status = RunStatus.RUNNING;
    } else if (event instanceof Resumed e) {
      lastInvocation = e.by();
      status = RunStatus.RUNNING;
    } else if (event instanceof RollbackRequested e) {
      lastInvocation = e.by();
      status = RunStatus.RUNNING;
      onDemand = true;
    } else if (event instanceof PreconditionsHeld) {
      preconditionsHeld = true;
    } else if (event instanceof PreconditionsUnmet e) {
      failure =
          Optional.of(new Failure("", "preconditions unmet: " + String.join("; ", e.unmet())));
    } else if (event instanceof StepStarted e) {
      stepStarted(at, e);
    } else if (event instanceof StepSucceeded e) {
      stepEnded(e.step(), new Done(true, e.outputs()));
      view(at, e.step(), StepState.SUCCEEDED, e.recovered().orElse(""), true);
    } else if (event instanceof StepSkipped e) {
      stepEnded(e.step(), new Done(false, Map.of()));
      view(at, e.step(), StepState.SKIPPED, e.reason(), true);
    } else if (event instanceof StepAttemptFailed e) {
      attemptEnded(e.step(), e.actionStarted());
    } else if (event instanceof StepFailed e) {
      open.remove(e.step());
      attemptEnded(e.step(), e.actionStarted());
      lastStepFailure = Optional.of(new Failure(e.step(), e.reason()));
      stepFailures.put(e.step(), e.reason());
      undecidedFailure = lastStepFailure;
      view(at, e.step(), StepState.FAILED, e.reason(), true);
    } else if (event instanceof OperatorRetry) {
      lastStepFailure = Optional.empty();
    } else if (event instanceof Paused e) {
      status = RunStatus.PAUSED;
      endReason = e.reason();
      if (views.containsKey(e.step())) {
        view(at, e.step(), StepState.PAUSED, e.reason(), false);
      }
    } else if (event instanceof Interrupted) {
      status = RunStatus.INTERRUPTED;
      endReason = "interrupted";
    } else if (event instanceof Errored e) {
      status = RunStatus.ERRORED;
      endReason = e.cause();
      errorCause = Optional.of(e.cause());
    } else if (event instanceof Finished e) {
      rollbackClosed = rollbackFinished;
      status = RunStatus.ofJournalName(e.status());
      endReason = e.reason();
      e.failedStep()
          .ifPresent(
              s -> failure = Optional.of(new Failure(s, stepFailures.getOrDefault(s, e.reason()))));
    } else if (event instanceof RollbackStarted) {
      rollingBack = true;
      rollbackFinished = false;
      rollbackClosed = false;
      rollbackCause = onDemand ? Optional.empty() : lastStepFailure;
    } else if (event instanceof RolledBack) {
      rollbackFinished = true;
    } else if (event instanceof RollbackIncomplete) {
      // the rollback stays unfinished: a resume goes on with it
    } else if (event instanceof CompensationStarted e) {
      compensationInFlight = Optional.of(e.step());
      compensationKey = key(e.step(), e.compensation());
    } else if (event instanceof CompensationFinished e) {
      compensationFinished(at, e);
    } else if (event instanceof ContainerReplaced e) {
      replacedContainers.putIfAbsent(e.step(), e.container());
    } else if (event instanceof ProcessStarted e) {
      processes.add(e);
    }
  }

  /**
   * A failure is undecided until the engine acts on it (or goes past it: a {@code
   * continue_on_error} step, a retry); one followed by none of these was never acted on.
   */
  private void settleFailure(JournalEvent event) {
    if (event instanceof RollbackStarted
        || event instanceof Finished
        || event instanceof Paused
        || event instanceof Interrupted
        || event instanceof StepStarted
        || event instanceof StepSucceeded
        || event instanceof StepSkipped) {
      undecidedFailure = Optional.empty();
    }
  }

  private void stepStarted(Instant at, StepStarted e) {
    open.add(e.step());
    lastStarted = e.step();
    startedInOrder.add(e.step());
    StepView was = views.get(e.step());
    views.put(
        e.step(),
        new StepView(
            e.step(),
            StepState.RUNNING,
            e.attempt(),
            was == null || was.state() == StepState.SKIPPED ? at : was.started(),
            Optional.empty(),
            ""));
    checkpoints.put(e.step(), e.checkpoint());
  }

  private final Map<String, Boolean> checkpoints = new HashMap<>();

  /** Steps with a try that acted: only these have anything for a rollback to undo. */
  private final Set<String> acted = new HashSet<>();

  /** A try ended; one that failed before acting, of a step no try of which acted, undid nothing. */
  private void attemptEnded(String step, boolean actionStarted) {
    if (actionStarted) {
      acted.add(step);
    } else if (!acted.contains(step)) {
      startedInOrder.remove(step);
    }
  }

  private void stepEnded(String step, Done d) {
    open.remove(step);
    acted.add(step);
    if (!checkpoints.getOrDefault(step, true)) {
      uncheckpointed.put(step, d);
    } else {
      done.putAll(uncheckpointed);
      uncheckpointed.clear();
      done.put(step, d);
    }
  }

  private void compensationFinished(Instant at, CompensationFinished e) {
    compensationInFlight = Optional.empty();
    compensationKey = null;
    if (e.ok()) {
      compensated.add(key(e.step(), e.compensation()));
    }
    if (e.skipped() && e.reason().startsWith(OPERATOR_SKIP)) {
      skippedCompensations.add(e.step());
    }
    StepView was = views.get(e.step());
    if (was != null) {
      StepState state =
          !e.ok()
              ? StepState.COMPENSATION_FAILED
              : e.reason().startsWith(OPERATOR_SKIP)
                  ? StepState.COMPENSATION_SKIPPED
                  : StepState.COMPENSATED;
      views.put(
          e.step(),
          new StepView(
              e.step(), state, was.attempts(), was.started(), Optional.of(at), e.reason()));
    }
  }

  /** How the reason of a compensation skipped with {@code --skip-compensation} starts. */
  public static final String OPERATOR_SKIP = "skipped: by the operator";

  private void view(Instant at, String step, StepState state, String detail, boolean ends) {
    StepView was = views.get(step);
    views.put(
        step,
        new StepView(
            step,
            state,
            was == null ? 0 : was.attempts(),
            was == null || state == StepState.SKIPPED ? at : was.started(),
            ends ? Optional.of(at) : Optional.empty(),
            detail));
  }

  private static String key(String step, String compensation) {
    return step + "|" + compensation;
  }

  // ---- the run

  /** The first record; empty when the journal has none (a damaged journal). */
  public Optional<RunStarted> started() {
    return Optional.ofNullable(started);
  }

  public Instant startedAt() {
    return startedAt;
  }

  public Instant lastAt() {
    return lastAt;
  }

  /** The engine that last took the run (started or continued it). */
  public Optional<Invocation> lastInvocation() {
    return Optional.ofNullable(lastInvocation);
  }

  /** Where the run stands by its journal alone: see {@link RunSummary} for a live look too. */
  public RunStatus status() {
    return status;
  }

  /** Why it ended or stopped, one line; empty while it runs. */
  public String endReason() {
    return endReason;
  }

  /** The last step the journal names; empty before the first step. */
  public Optional<String> lastStep() {
    return lastStep;
  }

  /**
   * Why the run failed: the step whose failure decided its end (or that the rollback in progress
   * answers), the preconditions that did not hold, or the error that stopped the engine.
   */
  public Optional<Failure> failure() {
    if (rollbackCause.isPresent()) {
      return rollbackCause;
    }
    if (failure.isPresent()) {
      return failure;
    }
    return errorCause.map(c -> new Failure(lastStep.orElse(""), c));
  }

  /** Every step the journal names, in the order they first appeared. */
  public List<StepView> steps() {
    return List.copyOf(views.values());
  }

  // ---- what a resume or a rollback continues from

  /** Whether every precondition held: false when the run stopped before they were all checked. */
  public boolean preconditionsHeld() {
    return preconditionsHeld || !startedInOrder.isEmpty();
  }

  /** The step {@code id} if a checkpoint covers it. */
  public Optional<Done> done(String id) {
    return Optional.ofNullable(done.get(id));
  }

  /** Every step a checkpoint covers, in the order they ended. */
  public Map<String, Done> doneSteps() {
    return Collections.unmodifiableMap(done);
  }

  /** Steps that started and are done, in the order they started: what a rollback undoes. */
  public List<String> startedAndDone() {
    List<String> ids = new ArrayList<>();
    for (String id : startedInOrder) {
      Done d = done.get(id);
      if (d != null && d.succeeded()) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** Steps that started but are not done (failed, in flight, or in an unfinished group). */
  public List<String> startedNotDone() {
    List<String> ids = new ArrayList<>();
    for (String id : startedInOrder) {
      if (!done.containsKey(id)) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** The step that started and never ended, if the run stopped inside one. */
  public Optional<String> inflight() {
    return lastStarted != null && open.contains(lastStarted) && !done.containsKey(lastStarted)
        ? Optional.of(lastStarted)
        : Optional.empty();
  }

  /**
   * The step whose failure is the journal's last word: the engine stopped after journaling it and
   * before acting on it (rollback or stop). Empty otherwise.
   */
  public Optional<Failure> undecidedFailure() {
    return undecidedFailure;
  }

  /** The {@code --on-failure} the run was started with, if one was given. */
  public Optional<String> onFailure() {
    return started().flatMap(RunStarted::onFailure);
  }

  /**
   * Whether a rollback started and the run did not end after it: also when every compensation was
   * done but the engine stopped before the run's end (its {@code finally} steps), so that a resume
   * ends it as a rollback and never runs the undone steps forward again.
   */
  public boolean rollingBack() {
    return rollingBack && !rollbackClosed;
  }

  /** Whether an unfinished rollback is one that {@code rollback RUN_ID} asked for. */
  public boolean rollbackOnDemand() {
    return onDemand && rollingBack();
  }

  /** The step whose compensation was running when the engine stopped, if one was. */
  public Optional<String> compensationInFlight() {
    return compensationInFlight;
  }

  /** Whether this compensation of this step was running when the engine stopped. */
  public boolean compensationInFlight(String stepId, String compensationId) {
    return key(stepId, compensationId).equals(compensationKey);
  }

  /** Whether this compensation of this step is done (or was skipped). */
  public boolean compensated(String stepId, String compensationId) {
    return compensated.contains(key(stepId, compensationId));
  }

  /** Steps whose compensation the operator skipped with {@code --skip-compensation}. */
  public Set<String> skippedCompensations() {
    return Collections.unmodifiableSet(skippedCompensations);
  }

  /** The journal ids of the actions in flight: a step's, or a compensation's. */
  public List<String> inflightActions() {
    List<String> ids = new ArrayList<>();
    inflight().ifPresent(ids::add);
    if (compensationKey != null) {
      ids.add(compensationKey.replace("|", "/compensate/"));
    }
    return ids;
  }

  /** Every process the journal says an action started, oldest first. */
  public List<ProcessStarted> processes() {
    return Collections.unmodifiableList(processes);
  }

  /** The container a {@code replace: true} run of {@code stepId} recorded before removing it. */
  public Optional<JSONObject> replacedContainer(String stepId) {
    return Optional.ofNullable(replacedContainers.get(stepId));
  }
}
