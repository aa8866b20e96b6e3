package dev.runbook.engine;

import dev.runbook.dsl.expr.ExpressionException;
import dev.runbook.dsl.expr.ExpressionLanguage;
import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.Requirement;
import dev.runbook.dsl.model.Step;
import dev.runbook.engine.internal.docker.BuiltInCompensation;
import dev.runbook.engine.internal.docker.ReplacedContainer;
import dev.runbook.engine.internal.exec.ActionRunner;
import dev.runbook.engine.internal.exec.Attempt;
import dev.runbook.engine.internal.exec.CheckRunner;
import dev.runbook.engine.internal.exec.RunState;
import dev.runbook.engine.journal.JournalEvent;
import dev.runbook.engine.journal.RunFold;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The saga of one run: the steps that started, registered as they act, and their compensation,
 * newest first, when the run rolls back. Every transition is journaled before and after it, so a
 * rollback that stops (a failing compensation, a signal, a dead engine) goes on from where it
 * stopped, and only from there.
 *
 * <p>A rollback never stops for a reason the operator cannot get past: a step whose action never
 * started is never registered; the compensation of the step that failed is skipped, with a note,
 * when it cannot even be resolved (it reads what its step never produced); a compensation that
 * really fails stops the rollback, which {@code resume} retries and {@code --skip-compensation
 * STEP} passes, journaled as the operator's choice.
 */
final class Compensator {
  /** Why a compensation in flight at a crash was not run again. */
  static final String RECOVERED = "it was in flight and its verify passes now";

  /** A step whose compensation a rollback runs, with what its expressions read. */
  private record Registered(String id, Step step, RunState state, Path cwd) {}

  /** How a rollback ended. */
  enum Outcome {
    COMPLETE,
    /** A compensation failed: the rollback stopped there and is resumable. */
    INCOMPLETE,
    /** A signal stopped it; it is resumable, the compensation in flight is decided on resume. */
    INTERRUPTED
  }

  private final ActiveRun run;
  private final Optional<RunFold> prior;
  private final Set<String> operatorSkips;
  private final Deque<Registered> started = new ArrayDeque<>();
  private final Set<String> registered = new HashSet<>();

  /** Containers replaced by {@code replace: true} runs of this engine, by step id. */
  private final Map<String, ReplacedContainer> replacedContainers = new HashMap<>();

  /** Steps that a rollback passed without undoing them, with the reason; may be empty. */
  private final List<String> irreversible = new ArrayList<>();

  /**
   * @param prior the journal of the run this one continues; empty for a new run
   * @param operatorSkips steps whose compensation the operator chose to skip
   */
  Compensator(ActiveRun run, Optional<RunFold> prior, Set<String> operatorSkips) {
    this.run = run;
    this.prior = prior;
    this.operatorSkips = Set.copyOf(operatorSkips);
  }

  /**
   * Registers a step whose action started (saga rule: a failed step may have half-applied); a step
   * registers once however many times it is tried.
   */
  void register(String id, Step step, RunState state, Path cwd) {
    if (registered.add(id)) {
      started.push(new Registered(id, step, state, cwd));
    }
  }

  /** Forgets a step the operator skipped after it failed: it is not compensated. */
  void forget(String id) {
    registered.remove(id);
    started.removeIf(r -> r.id().equals(id));
  }

  /** Steps a rollback could not undo, with their reason, in the order it passed them. */
  List<String> irreversible() {
    return List.copyOf(irreversible);
  }

  /** Registers, oldest first, every step the journal says started (a resumed rollback). */
  void rebuild(RunFold journal) {
    Set<String> ids = new HashSet<>(journal.startedAndDone());
    ids.addAll(journal.startedNotDone());
    for (String id : run.stepIds()) {
      if (!ids.contains(id) || run.isFinallyStep(id)) {
        continue;
      }
      ActiveRun.StepRef ref = run.step(id).orElseThrow();
      if (ref.step().action() instanceof Action.Call && ref.step().compensate().isEmpty()) {
        continue;
      }
      RunState st = run.stateFor(ref);
      Path base = Planner.baseDir(ref.owner());
      Path cwd = base;
      try {
        cwd = run.cwd(ref.step(), st, run.stepEnv(ref.step(), st), base);
      } catch (ExpressionException e) {
        // its compensation reports what it cannot resolve
      }
      register(id, ref.step(), st, cwd);
    }
  }

  /** Compensates every registered step, newest first. */
  Outcome rollback() {
    if (prior.isEmpty() || !prior.get().rollingBack()) {
      run.journal.append(new JournalEvent.RollbackStarted());
    }
    while (!started.isEmpty()) {
      Registered s = started.peek();
      Outcome outcome = compensate(s);
      if (outcome != Outcome.COMPLETE) {
        return outcome;
      }
      started.pop();
    }
    run.journal.append(new JournalEvent.RolledBack());
    return Outcome.COMPLETE;
  }

  private Outcome compensate(Registered s) {
    boolean builtIn = BuiltInCompensation.appliesTo(s.step());
    s.step().irreversible().ifPresent(why -> reportIrreversible(s.id(), why));
    if (s.step().compensate().isEmpty() && !builtIn) {
      return Outcome.COMPLETE;
    }
    List<Step> compensations = builtIn ? List.of() : s.step().compensate();
    List<String> ids =
        builtIn ? List.of(BuiltInCompensation.ID) : compensations.stream().map(Step::id).toList();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      if (prior.isPresent() && prior.get().compensated(s.id(), id)) {
        continue;
      }
      if (run.interrupted()) {
        return interrupted(s.id());
      }
      run.journal.append(new JournalEvent.CompensationStarted(s.id(), id));
      run.listener.compensationStarted(s.id(), id);
      Result result =
          operatorSkips.contains(s.id())
              ? Result.skipped("by the operator (--skip-compensation " + s.id() + ")")
              : builtIn ? restoreReplaced(s) : runCompensation(compensations.get(i), s);
      if (result.kind() == Result.Kind.INTERRUPTED
          || (result.kind() == Result.Kind.FAILED && run.interrupted())) {
        // Left in flight in the journal: resume decides it (its verify, or run it again).
        return interrupted(s.id());
      }
      boolean ok = result.kind() != Result.Kind.FAILED;
      boolean skipped = result.kind() == Result.Kind.SKIPPED;
      String reason = skipped ? "skipped: " + result.reason() : result.reason();
      String shown = s.state().mask(reason);
      run.journal.append(
          new JournalEvent.CompensationFinished(
              s.id(), id, ok, skipped, shown, ok && result.reason().equals(RECOVERED)));
      run.listener.compensationFinished(s.id(), id, ok, shown);
      AdoptedProcess adopted = run.adopted.remove(s.id() + "/compensate/" + id);
      if (adopted != null) {
        adopted.adoption().discard(); // its result is journaled now
      }
      if (!ok) {
        run.journal.append(new JournalEvent.RollbackIncomplete(s.id(), shown));
        return Outcome.INCOMPLETE;
      }
    }
    return Outcome.COMPLETE;
  }

  private Outcome interrupted(String stepId) {
    run.journal.append(new JournalEvent.Interrupted(Optional.of(stepId)));
    return Outcome.INTERRUPTED;
  }

  /**
   * Reports a step the rollback cannot undo (also when a compensation undoes part of it: the
   * operator must know what stays changed); once per step and rollback.
   */
  private void reportIrreversible(String stepId, String why) {
    String line = stepId + ": " + why;
    if (irreversible.contains(line)) {
      return;
    }
    irreversible.add(line);
    run.listener.irreversible(stepId, why);
    run.journal.append(new JournalEvent.Irreversible(stepId, why));
  }

  /** How one compensation ended. */
  private record Result(Kind kind, String reason) {
    enum Kind {
      SUCCEEDED,
      SKIPPED,
      FAILED,
      INTERRUPTED
    }

    static Result succeeded(String reason) {
      return new Result(Kind.SUCCEEDED, reason);
    }

    static Result skipped(String reason) {
      return new Result(Kind.SKIPPED, reason);
    }

    static Result failed(String reason) {
      return new Result(Kind.FAILED, reason);
    }
  }

  /**
   * Runs one compensation: {@code when}, {@code requires}, its action, then its {@code verify}. One
   * that was in flight when the engine stopped is not run again if its verify passes now.
   */
  private Result runCompensation(Step compensation, Registered s) {
    if (compensation.action() instanceof Action.Call call) {
      // Failing here keeps the rollback journaled and resumable.
      return Result.failed(
          "a `call` cannot compensate a step: undo it by hand ("
              + call.runbook()
              + "), or list its steps under `compensate`");
    }
    Map<String, String> env;
    Path cwd;
    try {
      env = run.stepEnv(compensation, s.state());
      cwd = run.cwd(compensation, s.state(), env, s.cwd());
      // `when` first, as for any step, so that a compensation can skip what its step never did.
      if (compensation.when().isPresent()
          && !ExpressionLanguage.standard()
              .compile(compensation.when().get())
              .test(s.state().variables(env))) {
        return Result.skipped("when `" + compensation.when().get().source() + "` is false");
      }
    } catch (ExpressionException e) {
      return unresolvable(s, e.getMessage());
    }
    String actionId = s.id() + "/compensate/" + compensation.id();
    ActionRunner.StepFiles files = run.files(s.id() + ".compensate." + compensation.id());
    AdoptedProcess adopted = run.adopted.get(actionId);
    if (adopted != null) {
      // It ran while no engine watched: its real end is its result.
      return ended(
          run.actions.adopted(compensation, adopted.result(), files), compensation, s, env, cwd);
    }
    if (prior.isPresent()
        && prior.get().compensationInFlight(s.id(), compensation.id())
        && !compensation.verify().isEmpty()
        && run.verify(compensation, s.state(), env, cwd) == null) {
      return Result.succeeded(RECOVERED);
    }
    for (Requirement requirement : compensation.requires()) {
      String name = CheckRunner.name(requirement.check(), s.state().bindings(env, List.of()));
      CheckOutcome outcome = run.require(requirement, s.state(), env, cwd);
      if (!outcome.holds()) {
        String why = "requirement not met: " + name + " (" + outcome.detail() + ")";
        return requirement.onUnmet() == dev.runbook.dsl.model.OnUnmet.SKIP
            ? Result.skipped(why)
            : Result.failed(why);
      }
    }
    Attempt attempt =
        run.actions.attempt(
            s.id() + "/compensate/" + compensation.id(),
            compensation,
            s.state(),
            env,
            cwd,
            files,
            compensation.timeout(),
            run.interaction,
            replaced -> {},
            line -> run.listener.output(compensation.id(), line),
            run.watch(s.id(), Optional.of(compensation.id()), compensation.id()));
    return ended(attempt, compensation, s, env, cwd);
  }

  /** How a compensation's try ended, its verify included. */
  private Result ended(
      Attempt attempt, Step compensation, Registered s, Map<String, String> env, Path cwd) {
    switch (attempt.outcome()) {
      case SUCCEEDED -> {
        String problem = run.verify(compensation, s.state(), env, cwd);
        return problem == null ? Result.succeeded("") : Result.failed(problem);
      }
      case INTERRUPTED -> {
        return new Result(Result.Kind.INTERRUPTED, attempt.reason());
      }
      case NOT_STARTED -> {
        return unresolvable(s, attempt.reason());
      }
      default -> {
        return Result.failed(attempt.reason());
      }
    }
  }

  /**
   * A compensation that could not be resolved: skipped with a note when its step did not succeed
   * (it reads what that step never produced, so there is nothing of it to undo there); a failure
   * otherwise, which the operator can retry or skip.
   */
  private Result unresolvable(Registered s, String why) {
    boolean stepSucceeded =
        s.state().stepStatus(s.step().id()).filter("succeeded"::equals).isPresent();
    if (stepSucceeded) {
      return Result.failed(why);
    }
    return Result.skipped(
        "its step did not finish, and the compensation reads what it did not produce ("
            + why
            + ")");
  }

  /**
   * Journals the container a {@code replace: true} run is about to remove, before it does
   * (write-ahead). The first record of a step is the one a rollback restores: a later try of the
   * step only meets the container an earlier try created.
   */
  void recordReplaced(String id, ReplacedContainer container) {
    if (replaced(id).isPresent()) {
      return;
    }
    run.journal.append(new JournalEvent.ContainerReplaced(id, container.toJson()));
    replacedContainers.put(id, container);
  }

  private Optional<ReplacedContainer> replaced(String id) {
    ReplacedContainer here = replacedContainers.get(id);
    if (here != null) {
      return Optional.of(here);
    }
    return prior.flatMap(p -> p.replacedContainer(id)).map(ReplacedContainer::fromJson);
  }

  /** The built-in compensation of a {@code replace: true} run without {@code compensate}. */
  private Result restoreReplaced(Registered s) {
    Map<String, String> env;
    try {
      env = run.stepEnv(s.step(), s.state());
    } catch (ExpressionException e) {
      return Result.failed(e.getMessage());
    }
    Attempt attempt =
        run.actions.restoreReplaced(
            s.id(),
            s.step(),
            s.state(),
            env,
            s.cwd(),
            run.files(s.id() + ".compensate." + BuiltInCompensation.ID),
            replaced(s.id()),
            line -> run.listener.output(BuiltInCompensation.ID, line));
    return attempt.succeeded() ? Result.succeeded("") : Result.failed(attempt.reason());
  }
}
