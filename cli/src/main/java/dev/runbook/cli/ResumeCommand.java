package dev.runbook.cli;

import dev.runbook.cli.terminal.Signals;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.engine.ChangedRunbook;
import dev.runbook.engine.EngineContext;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.Executor;
import dev.runbook.engine.Plan;
import dev.runbook.engine.Planner;
import dev.runbook.engine.ResumeOptions;
import dev.runbook.engine.RunOptions;
import dev.runbook.engine.RunResult;
import dev.runbook.engine.RunbookException;
import dev.runbook.engine.journal.RunHistory;
import dev.runbook.engine.journal.RunSummary;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.json.JSONObject;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runbook resume [RUN_ID]}: continues an interrupted, paused or stopped run. */
@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description =
        "Continue a run that was interrupted, paused or stopped, after its last checkpoint.",
    footer = {
      "",
      "Without RUN_ID, resumes the only resumable run (and lists them when there are several).",
      "Exit codes: as `run`; 2 when no run, or several, could be resumed.",
      "",
      "Examples:",
      "  runbook resume",
      "  runbook resume 20261123-0712-seqdesk-rollback-3f9a --confirm operator_check"
    })
final class ResumeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunbookInput input;

  @Parameters(index = "0", arity = "0..1", paramLabel = "RUN_ID", description = "The run.")
  String runId;

  @Option(
      names = "--accept-changes",
      description = "Resume even though the runbook changed since the run started.")
  boolean acceptChanges;

  @ArgGroup(exclusive = true)
  Inflight inflight = new Inflight();

  static final class Inflight {
    @Option(
        names = "--rerun-inflight",
        description = "Run again the step that was running when the run stopped.")
    boolean rerun;

    @Option(
        names = "--skip-inflight",
        description = "Count the step that was running when the run stopped as done.")
    boolean skip;
  }

  @Option(names = "--confirm", paramLabel = "STEP", description = "Confirm this confirm step.")
  String confirm;

  @Option(names = "--yes", description = "Answer yes to every confirm step.")
  boolean yes;

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  RunCommand.RunFormat format;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    EngineContext context = input.context();
    RunHistory history = new RunHistory(context.state());
    Optional<RunbookInput.EarlyLoad> early =
        runId == null ? Optional.empty() : RunbookInput.EarlyLoad.start(history, runId);
    RunSummary run = runId == null ? onlyResumable(history, err) : history.get(runId);
    if (!run.resumable()) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "run " + run.runId() + " is " + run.status() + ": there is nothing to resume",
          run.status().equals("succeeded") || run.status().equals("finally_failed")
              ? "to undo it, `runbook rollback " + run.runId() + "`"
              : null);
    }
    JSONObject saved = run.started().optJSONObject("params");
    if (saved != null) {
      saved.keySet().forEach(k -> input.params.putIfAbsent(k, String.valueOf(saved.get(k))));
    }
    RunbookInput.Loaded loaded = input.load(run.file(), err, true, early);
    Runbook runbook = loaded.load().runbook().orElseThrow();
    Plan plan = new Planner(context).plan(runbook, loaded.load().called(), loaded.params(), true);
    ChangedRunbook changed = ChangedRunbook.since(run, plan);
    changed.report(acceptChanges).forEach(err::println);
    changed.refuseUnless(acceptChanges, "resume");
    Executor executor = new Executor(context);
    try (RunOutput output = RunOutput.open(format, out)) {
      Runnable rearm =
          Signals.install(executor::stopCurrentStep, executor::interrupt, output.onTerminal());
      RunResult result =
          executor.resume(
              plan,
              run.runId(),
              history.journalAsRead(run.runId()),
              new RunOptions(Optional.empty(), VersionProvider.version()),
              new ResumeOptions(inflight.rerun, inflight.skip, Optional.ofNullable(confirm)),
              output.listener(rearm),
              output.interaction(yes, executor::interrupt));
      return result.status().exitCode();
    }
  }

  private static RunSummary onlyResumable(RunHistory history, PrintWriter err) {
    List<RunSummary> resumable = history.list().stream().filter(RunSummary::resumable).toList();
    if (resumable.size() == 1) {
      return resumable.get(0);
    }
    if (resumable.isEmpty()) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT, "no run can be resumed", "see them all with `runbook runs`");
    }
    for (RunSummary r : resumable) {
      err.println("  " + r.runId() + "  " + r.status() + " at " + r.lastStep().orElse("-"));
    }
    throw new RunbookException(
        ErrorCode.INVALID_INPUT,
        resumable.size() + " runs can be resumed: name one",
        "e.g. `runbook resume " + resumable.get(resumable.size() - 1).runId() + "`");
  }
}
