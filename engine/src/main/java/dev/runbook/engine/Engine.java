package dev.runbook.engine;

import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalEvent;
import dev.runbook.engine.journal.LockHolder;
import dev.runbook.engine.journal.RunFold;
import dev.runbook.engine.journal.RunHistory;
import dev.runbook.engine.journal.RunIds;
import dev.runbook.engine.journal.RunLock;
import dev.runbook.engine.journal.RunStatus;
import dev.runbook.engine.journal.RunSummary;
import dev.runbook.engine.journal.StateDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The engine as the commands see it: one method per command ({@link #plan}, {@link #run}, {@link
 * #resume}, {@link #rollback}, {@link #history}), each returning a result the command renders. The
 * checks that decide whether a run may be continued at all (its status, its pinned parameters, a
 * changed runbook, a newer run) live here, not in the commands.
 *
 * <p>Whatever happens inside, a run the engine started or took over ends with a record in its
 * journal: an unexpected error is journaled as {@code errored} (resumable) before it is thrown on.
 */
public final class Engine {
  /** The copy of the runbook kept in a run's directory. */
  public static final String SNAPSHOT = "runbook.yaml";

  private final EngineContext context;
  private volatile boolean interrupted;

  public Engine(EngineContext context) {
    this.context = context;
  }

  /**
   * Which run a {@code resume} or {@code rollback} continues, and what the operator allowed.
   *
   * @param run the run, as {@link #history()} read it
   * @param asRead its journal as read for that summary: reused under the run's lock if the file has
   *     not grown since, read again otherwise
   * @param acceptChanges go on although the runbook changed since the run started
   * @param skipCompensation steps whose compensation the operator chose to skip; may be empty
   * @param force undo a run although a newer run of the same runbook succeeded after it
   * @param notices told each line worth showing before the run goes on (an accepted change)
   */
  public record Continuation(
      RunSummary run,
      Journal.Contents asRead,
      boolean acceptChanges,
      Set<String> skipCompensation,
      boolean force,
      Consumer<String> notices) {
    public Continuation {
      skipCompensation = Set.copyOf(skipCompensation);
    }
  }

  /**
   * Interrupts the run from another thread (a signal handler): the running step's process tree is
   * ended, the journal records {@code interrupted}, and the run method returns {@link
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

  /** The plan of {@code runbook} with {@code params}: see {@link Planner#plan}. */
  public Plan plan(
      Runbook runbook, Map<Path, Runbook> called, Parameters.Resolution params, boolean offline) {
    return new Planner(context).plan(runbook, called, params, offline);
  }

  /**
   * Refuses to run a plan saved by {@code plan -o} that no longer matches what it was made from
   * (the runbook, a called runbook, or a parameter changed since): what runs is what was reviewed.
   *
   * @param file where the saved plan was read from, to name it
   */
  public void refuseChangedPlan(SavedPlan saved, Path file, Plan plan) {
    List<String> changes = saved.changesSince(plan);
    if (!changes.isEmpty()) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          changes.stream().map(c -> file + ": error: " + c).toList(),
          "the saved plan no longer matches what it was made from; nothing was run",
          "review a new plan: `runbook plan " + saved.runbook() + " -o " + file + "`",
          null);
    }
  }

  /** The runs in the state directory. */
  public RunHistory history() {
    return new RunHistory(context.state());
  }

  /**
   * Runs of the runbook named {@code runbookName} that an operator left unfinished (stopped,
   * paused, interrupted, errored, rollback incomplete) or whose journal is damaged, oldest first:
   * {@code run} and {@code plan} warn about them.
   */
  public List<RunSummary> unfinishedRuns(String runbookName) {
    return history().listOf(runbookName).stream().filter(RunSummary::unfinished).toList();
  }

  /**
   * Runs the plan under its lock ({@link Plan#lock()}, host-wide); refuses with exit 5, naming the
   * holder, if another run holds it.
   */
  public RunResult run(
      Plan plan, RunOptions options, RunListener listener, Interaction interaction) {
    Runbook runbook = plan.runbook();
    String runId = RunIds.next(context.clock().instant(), runbook.name());
    StateDir state = context.state();
    StateDir.createPrivateDirectories(state.runs());
    return RunLock.withLock(
        context.locks(),
        LockHolder.thisProcess(plan.lock(), runId, "run", state, context.clock().instant()),
        () -> {
          Path runDir = StateDir.createPrivateDirectories(state.runDir(runId));
          StateDir.createPrivateDirectories(runDir.resolve("steps"));
          try (Journal journal = Journal.create(runDir, context.clock())) {
            ActiveRun run = active(plan, options, listener, interaction, runId, runDir, journal);
            journal.append(
                new JournalEvent.RunStarted(
                    runId,
                    runbook.name(),
                    plan.lock(),
                    runbook.file().toString(),
                    plan.digest().runbooks(),
                    plan.digest().params(),
                    visibleParams(plan),
                    invocation(options),
                    options.onFailure().map(p -> p.name().toLowerCase(java.util.Locale.ROOT))));
            Compensator saga = new Compensator(run, Optional.empty(), Set.of());
            return guarded(
                run,
                () -> {
                  snapshot(runbook, runDir);
                  return new RunDriver(run, Optional.empty(), saga, false).start();
                });
          }
        });
  }

  /**
   * The run {@code resume} continues: the one named, or the only resumable one. Refused (exit 2)
   * when there is no such run, when it is over, or when several could be meant (they are listed).
   */
  public RunSummary runToResume(Optional<String> runId) {
    RunHistory history = history();
    if (runId.isPresent()) {
      RunSummary run = history.get(runId.get());
      refuseIfOver(run);
      return run;
    }
    // A damaged run may have been the one meant: it is listed, never passed over in silence.
    List<RunSummary> candidates =
        history.list().stream().filter(r -> r.resumable() || r.damaged()).toList();
    if (candidates.size() == 1) {
      refuseIfOver(candidates.get(0));
      return candidates.get(0);
    }
    if (candidates.isEmpty()) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT, "no run can be resumed", "see them all with `runbook runs`");
    }
    long resumable = candidates.stream().filter(RunSummary::resumable).count();
    RunSummary example =
        candidates.stream()
            .filter(RunSummary::resumable)
            .reduce((a, b) -> b)
            .orElse(candidates.get(candidates.size() - 1));
    throw new RunbookException(
        ErrorCode.INVALID_INPUT,
        candidates.stream()
            .map(
                r ->
                    "  "
                        + r.runId()
                        + "  "
                        + r.statusText()
                        + (r.damaged()
                            ? ": see `runbook log " + r.runId() + "`"
                            : " at " + r.lastStep().orElse("-")))
            .toList(),
        resumable
            + (resumable == 1 ? " run can" : " runs can")
            + " be resumed"
            + (resumable < candidates.size()
                ? " and "
                    + (candidates.size() - resumable)
                    + (candidates.size() - resumable == 1
                        ? " has a damaged journal"
                        : " have damaged journals")
                : "")
            + ": name one",
        "e.g. `runbook " + (example.damaged() ? "status " : "resume ") + example.runId() + "`",
        null);
  }

  private static void refuseIfOver(RunSummary run) {
    refuseIfDamaged(run);
    if (!run.resumable()) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "run " + run.runId() + " is " + run.statusText() + ": there is nothing to resume",
          run.status() == RunStatus.SUCCEEDED || run.status() == RunStatus.FINALLY_FAILED
              ? "to undo it, `runbook rollback " + run.runId() + "`"
              : null);
    }
  }

  /**
   * The run {@code rollback RUN_ID} undoes; refused (exit 2) when there is no such run or its
   * journal is damaged.
   *
   * @param history where to read it, so that its journal as read can be reused ({@link
   *     RunHistory#journalAsRead})
   */
  public RunSummary runToRollBack(RunHistory history, String runId) {
    RunSummary run = history.get(runId);
    refuseIfDamaged(run);
    return run;
  }

  /** Nothing is appended after corruption, and nothing of it is cut: refused (exit 2). */
  private static void refuseIfDamaged(RunSummary run) {
    if (run.damage().isPresent()) {
      Journal.Damage damage = run.damage().get();
      if (damage.line() == 0) {
        throw new RunbookException(
            ErrorCode.INVALID_INPUT,
            "run " + run.runId() + " cannot be continued: " + damage.problem(),
            "inspect " + run.dir() + " by hand");
      }
      throw Journal.damaged(run.journalFile(), damage);
    }
  }

  /**
   * Continues a run from its journal: restores outputs, skips what a checkpoint covers, decides the
   * in-flight step, and goes on (or goes on rolling back, if it was).
   *
   * @param plan the plan rebuilt now from the run's runbook and the parameters it started with
   */
  public RunResult resume(
      Plan plan,
      Continuation continuation,
      RunOptions options,
      ResumeOptions resume,
      RunListener listener,
      Interaction interaction) {
    refuseIfOver(continuation.run());
    RunContinuation.check(plan, continuation, "resume");
    return continueRun(plan, continuation, options, resume, false, listener, interaction);
  }

  /** Compensates a run on demand (the smoke test failed an hour later), newest first. */
  public RunResult rollback(
      Plan plan,
      Continuation continuation,
      RunOptions options,
      RunListener listener,
      Interaction interaction) {
    RunSummary summary = continuation.run();
    refuseIfDamaged(summary);
    if (summary.status() == RunStatus.ROLLED_BACK || summary.status() == RunStatus.UNDONE) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT, "run " + summary.runId() + " is already rolled back");
    }
    if (!continuation.force()) {
      Optional<RunSummary> later = laterSuccess(summary);
      if (later.isPresent()) {
        throw new RunbookException(
            ErrorCode.INVALID_INPUT,
            "run "
                + later.get().runId()
                + " of `"
                + summary.runbook()
                + "` succeeded after run "
                + summary.runId()
                + ": undoing the older run would put back what the newer one changed",
            "undo the newer run first (`runbook rollback "
                + later.get().runId()
                + "`), or add --force if that is what you want");
      }
    }
    RunContinuation.check(plan, continuation, "rollback");
    return continueRun(
        plan,
        continuation,
        options,
        new ResumeOptions(false, false, Optional.empty()),
        true,
        listener,
        interaction);
  }

  /** The newest run of the same runbook that started after {@code run} and succeeded. */
  private Optional<RunSummary> laterSuccess(RunSummary run) {
    RunSummary newest = null;
    for (RunSummary r : history().listOf(run.runbook())) {
      if (!r.runId().equals(run.runId())
          && r.startedAt().isAfter(run.startedAt())
          && r.status() == RunStatus.SUCCEEDED) {
        newest = r;
      }
    }
    return Optional.ofNullable(newest);
  }

  private RunResult continueRun(
      Plan plan,
      Continuation continuation,
      RunOptions options,
      ResumeOptions resume,
      boolean rollbackRequested,
      RunListener listener,
      Interaction interaction) {
    StateDir state = context.state();
    String runId = continuation.run().runId();
    Journal.Contents asRead = continuation.asRead();
    // The lock the run took, whatever the runbook's `lock:` says now: a run and its resume or
    // rollback exclude the same runs.
    String lock = continuation.run().started().lock();
    return RunLock.withLock(
        context.locks(),
        LockHolder.thisProcess(
            lock,
            runId,
            rollbackRequested ? "rollback" : "resume",
            state,
            context.clock().instant()),
        () -> {
          Path runDir = state.runDir(runId);
          // The records replayed are the ones on disk under the lock.
          try (Journal journal = Journal.reopen(runDir, context.clock(), asRead)) {
            RunFold prior = RunFold.of(journal.contents().records());
            ActiveRun run = active(plan, options, listener, interaction, runId, runDir, journal);
            Map<String, Object> params = visibleParams(plan);
            journal.append(
                rollbackRequested
                    ? new JournalEvent.RollbackRequested(
                        params, plan.digest().runbooks(), invocation(options))
                    : new JournalEvent.Resumed(
                        params, plan.digest().runbooks(), invocation(options)));
            Replay replay = new Replay(run, prior, resume);
            Compensator saga =
                new Compensator(run, Optional.of(prior), continuation.skipCompensation());
            return guarded(
                run,
                () -> new RunDriver(run, Optional.of(replay), saga, rollbackRequested).resume());
          }
        });
  }

  private ActiveRun active(
      Plan plan,
      RunOptions options,
      RunListener listener,
      Interaction interaction,
      String runId,
      Path runDir,
      Journal journal) {
    return new ActiveRun(
        context, plan, options, listener, interaction, runId, runDir, journal, () -> interrupted);
  }

  /**
   * Runs {@code body}; an exception escaping it is journaled as {@code errored} (masked) before it
   * is thrown on, so that no run is left {@code running} by an engine that is still alive. A run
   * whose journal cannot be written at all (a full disk) is shown as interrupted once its engine is
   * gone.
   */
  private static RunResult guarded(ActiveRun run, java.util.function.Supplier<RunResult> body) {
    try {
      return body.get();
    } catch (RuntimeException | Error e) {
      String cause =
          e instanceof RunbookException
              ? e.getMessage()
              : e.getClass().getSimpleName()
                  + (e.getMessage() == null ? "" : ": " + e.getMessage());
      try {
        run.journal.append(new JournalEvent.Errored(Optional.empty(), run.state.mask(cause)));
      } catch (RuntimeException journalFailed) {
        e.addSuppressed(journalFailed);
      }
      if (e instanceof RunbookException) {
        throw e;
      }
      throw new RunbookException(
          ErrorCode.INTERNAL,
          "run "
              + run.runId
              + " stopped on an unexpected error ("
              + e.getClass().getSimpleName()
              + "); it is resumable: `runbook resume "
              + run.runId
              + "` or `runbook rollback "
              + run.runId
              + "`",
          "this is a bug in runbook; rerun with --debug for the details and report it",
          e);
    }
  }

  private static Map<String, Object> visibleParams(Plan plan) {
    Map<String, Object> visible = new LinkedHashMap<>();
    plan.params()
        .forEach(
            (k, v) -> {
              if (v.holdsCredential()) {
                visible.put(k, v.display());
              } else if (!v.secret()) {
                visible.put(k, v.value());
              }
            });
    return visible;
  }

  private static JournalEvent.Invocation invocation(RunOptions options) {
    return new JournalEvent.Invocation(
        System.getProperty("user.name"),
        RunLock.hostName(),
        ProcessHandle.current().pid(),
        options.engineVersion());
  }

  /** Keeps a copy of the runbook as it ran, so that {@code resume} can show what changed since. */
  private static void snapshot(Runbook runbook, Path runDir) {
    try {
      Files.copy(runbook.file(), runDir.resolve(SNAPSHOT));
      Files.setPosixFilePermissions(
          runDir.resolve(SNAPSHOT), PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new RunbookException(
          ErrorCode.NEEDS_OPERATOR,
          "cannot keep a copy of the runbook in " + runDir + ": " + e.getMessage(),
          "free disk space in the state directory, then run again",
          e);
    }
  }
}
