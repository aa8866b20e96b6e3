package dev.runbook.engine;

import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.Step;
import dev.runbook.engine.internal.exec.ActionRunner;
import dev.runbook.engine.internal.exec.RunState;
import dev.runbook.engine.internal.process.Adoption;
import dev.runbook.engine.internal.process.Leftovers;
import dev.runbook.engine.journal.JournalEvent;
import dev.runbook.engine.journal.RunFold;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a resumed run takes from the run it continues: which steps are done (their outputs restored,
 * nothing run again), what to do about the step that was in flight when the engine stopped, and
 * which processes that engine left running. It reads the journal only through its {@link RunFold};
 * it writes nothing about a step itself ({@link StepTask} records what it decides).
 */
final class Replay {
  /** How long resume waits for a process that only its environment ties to an in-flight step. */
  static final Duration MARKED_LEFTOVER_WAIT = Duration.ofSeconds(10);

  /** What the journal settles about a step before it would run. */
  record Settlement(Kind kind, String reason, Map<String, Object> outputs) {
    enum Kind {
      /** Nothing settled: the step runs as in a new run. */
      RUN,
      /** Done before the run stopped: its outputs restored, not run again. */
      DONE_BEFORE,
      /** Skipped before the run stopped. */
      SKIPPED_BEFORE,
      /** In flight when the run stopped, and known to be done now ({@code reason} says how). */
      RECOVERED,
      /** In flight, and only the operator can say whether to run it again. */
      NEEDS_DECISION
    }

    static Settlement run() {
      return new Settlement(Kind.RUN, "", Map.of());
    }
  }

  private final ActiveRun run;
  private final RunFold prior;
  private final ResumeOptions options;

  Replay(ActiveRun run, RunFold prior, ResumeOptions options) {
    this.run = run;
    this.prior = prior;
    this.options = options;
  }

  RunFold prior() {
    return prior;
  }

  ResumeOptions options() {
    return options;
  }

  /**
   * Gives every step done before its recorded status and outputs, for the expressions that read
   * them.
   */
  void restoreOutputs() {
    for (Map.Entry<String, RunFold.Done> e : prior.doneSteps().entrySet()) {
      run.step(e.getKey())
          .ifPresent(
              ref ->
                  run.stateFor(ref)
                      .recordStep(
                          ref.step().id(),
                          e.getValue().succeeded() ? "succeeded" : "skipped",
                          e.getValue().outputs()));
    }
  }

  /**
   * What the journal settles about {@code step}: done before, or in flight (its verify decides,
   * then a result the action left on disk, then the operator's flags, then idempotence, then the
   * operator).
   */
  Settlement settle(Step step, String id, RunState runState, Map<String, String> env, Path cwd) {
    Optional<RunFold.Done> done = prior.done(id);
    if (done.isPresent()) {
      return new Settlement(
          done.get().succeeded() ? Settlement.Kind.DONE_BEFORE : Settlement.Kind.SKIPPED_BEFORE,
          "",
          done.get().outputs());
    }
    if (prior.inflight().filter(id::equals).isEmpty()
        || step.action() instanceof Action.Confirm
        || step.action() instanceof Action.Call) {
      return Settlement.run();
    }
    // A built-in action that can tell from disk that it finished (a backup's own manifest) is done,
    // whatever the operator's in-flight choice: running it again would only find its result.
    Optional<Map<String, Object>> onDisk = run.actions.finishedOnDisk(id, step, runState, env, cwd);
    if (onDisk.isPresent()) {
      runState.recordStep(step.id(), "succeeded", onDisk.get());
      if (run.verify(step, runState, env, cwd) == null) {
        return new Settlement(Settlement.Kind.RECOVERED, "its result was on disk", onDisk.get());
      }
      runState.recordStatus(step.id(), "failed");
    }
    boolean outputsLost = false;
    if (onDisk.isEmpty() && !step.verify().isEmpty()) {
      runState.recordStep(step.id(), "succeeded", Map.of());
      boolean passes = run.verify(step, runState, env, cwd) == null;
      runState.recordStatus(step.id(), passes ? "succeeded" : "failed");
      if (passes && step.outputs().isEmpty()) {
        return new Settlement(
            Settlement.Kind.RECOVERED,
            "it was in flight and its verify passes now",
            run.actions.recoveredOutputs(step, runState, env, cwd));
      }
      // Done, but what it printed was never journaled: skipping it would leave its declared
      // outputs unknown to the steps that read them.
      outputsLost = passes;
    }
    if (options.skipInflight()) {
      return new Settlement(
          Settlement.Kind.RECOVERED, "it was in flight; skipped (--skip-inflight)", Map.of());
    }
    if (step.idempotent() || readOnly(step) || options.rerunInflight()) {
      return Settlement.run();
    }
    return switch (run.interaction.inflight(id)) {
      case RERUN -> Settlement.run();
      case SKIP ->
          new Settlement(
              Settlement.Kind.RECOVERED, "it was in flight; skipped by the operator", Map.of());
      case NOBODY ->
          new Settlement(
              Settlement.Kind.NEEDS_DECISION,
              "step `"
                  + id
                  + "` was in flight when the run stopped; "
                  + (outputsLost
                      ? "its verify passes, but its outputs were not recorded before the run"
                          + " stopped, and it is not idempotent"
                      : "it is not idempotent and has no verify that passes")
                  + ": resume with --rerun-inflight or --skip-inflight",
              Map.of());
    };
  }

  /**
   * Whether a step only reads (a {@code wait}, an http GET or HEAD): running it again after a crash
   * changes nothing, so it is idempotent whatever the runbook says.
   */
  static boolean readOnly(Step step) {
    if (step.action() instanceof Action.Wait) {
      return true;
    }
    return step.action() instanceof Action.Http http
        && (http.request().method().equalsIgnoreCase("GET")
            || http.request().method().equalsIgnoreCase("HEAD"));
  }

  /**
   * Takes over the process of the action (step or compensation) that was in flight when the engine
   * died, if that process wrote its output to files: masks the rest of its output into the step log
   * (following it, with its lines on the terminal, while it still runs) and learns its exit status,
   * which then stands for that try ({@link ActiveRun#adopted}). A process gone without a status
   * (the machine restarted) is left to the in-flight decision. False when a signal stopped the
   * wait; the raw output then stays for the next resume.
   */
  boolean adoptInFlight() {
    for (String action : prior.inflightActions()) {
      Optional<JournalEvent.ProcessStarted> last = lastProcessOf(action);
      if (last.isEmpty() || last.get().output().isEmpty()) {
        continue;
      }
      JournalEvent.ProcessStarted p = last.get();
      Optional<ActiveRun.StepRef> ref = run.step(p.step());
      if (ref.isEmpty()) {
        continue;
      }
      Optional<Step> step =
          p.compensation().isEmpty()
              ? Optional.of(ref.get().step())
              : ref.get().step().compensate().stream()
                  .filter(c -> c.id().equals(p.compensation().get()))
                  .findFirst();
      if (step.isEmpty()) {
        continue;
      }
      ActionRunner.StepFiles files =
          run.files(p.step() + p.compensation().map(c -> ".compensate." + c).orElse(""));
      String shownAs = p.compensation().orElse(p.step());
      Optional<Adoption> adoption =
          Adoption.of(
              Path.of(p.output().get()),
              p.pid(),
              p.start(),
              files.log(),
              ActionRunner.stdoutCopy(step.get(), files),
              run.stateFor(ref.get()).secretValues(),
              (source, line) -> run.listener.output(shownAs, line));
      if (adoption.isEmpty()) {
        continue;
      }
      if (adoption.get().running()) {
        run.journal.append(
            new JournalEvent.AwaitingProcesses(Optional.of(action), List.of(p.pid())));
        run.listener.waiting(
            shownAs,
            adoption.get().describe()
                + " of `"
                + action
                + "` is still running, left by the engine that stopped; waiting for it to end"
                + " (its output follows), then recording how it ended");
      }
      Adoption.Ending ending;
      try {
        ending = adoption.get().await(run::interrupted);
      } catch (IOException e) {
        run.listener.waiting(
            shownAs, "cannot read what process " + p.pid() + " left (" + e.getMessage() + ")");
        continue;
      }
      if (ending.interrupted()) {
        return false;
      }
      ending
          .result()
          .ifPresent(r -> run.adopted.put(action, new AdoptedProcess(r, adoption.get())));
    }
    return true;
  }

  private Optional<JournalEvent.ProcessStarted> lastProcessOf(String action) {
    List<JournalEvent.ProcessStarted> all = prior.processes();
    for (int i = all.size() - 1; i >= 0; i--) {
      JournalEvent.ProcessStarted p = all.get(i);
      String id = p.step() + p.compensation().map(c -> "/compensate/" + c).orElse("");
      if (id.equals(action)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The number of the try that was in flight when the engine stopped. */
  int inflightAttempt(String id) {
    return prior.steps().stream()
        .filter(v -> v.id().equals(id))
        .mapToInt(RunFold.StepView::attempts)
        .findFirst()
        .orElse(1);
  }

  /**
   * Waits until no process of this run that an earlier engine left behind still runs. False when
   * interrupted meanwhile.
   */
  boolean awaitLeftovers() {
    List<Leftovers.Started> journaled =
        prior.processes().stream().map(p -> new Leftovers.Started(p.pid(), p.start())).toList();
    List<ProcessHandle> left = Leftovers.of(run.runId, journaled, prior.inflightActions());
    if (left.isEmpty()) {
      return true;
    }
    Optional<String> at = prior.inflight().or(prior::compensationInFlight);
    String what = Leftovers.describe(left);
    run.journal.append(
        new JournalEvent.AwaitingProcesses(at, left.stream().map(ProcessHandle::pid).toList()));
    run.listener.waiting(
        at.orElse("-"),
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
      if (!run.pause(Duration.ofMillis(100))) {
        return false;
      }
      left =
          Leftovers.of(
              run.runId,
              journaled,
              System.nanoTime() < markedUntil ? prior.inflightActions() : List.of());
    }
    return true;
  }
}
