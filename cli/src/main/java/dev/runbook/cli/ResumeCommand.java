package dev.runbook.cli;

import dev.runbook.cli.terminal.Signals;
import dev.runbook.engine.Engine;
import dev.runbook.engine.Plan;
import dev.runbook.engine.ResumeOptions;
import dev.runbook.engine.RunOptions;
import dev.runbook.engine.RunResult;
import dev.runbook.engine.journal.RunHistory;
import dev.runbook.engine.journal.RunSummary;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
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

  @Option(
      names = "--skip-compensation",
      paramLabel = "STEP",
      description =
          "If the run is rolling back: count STEP's compensation as done without running it"
              + " (repeatable; undo that step by hand).")
  Set<String> skipCompensation = new LinkedHashSet<>();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Engine engine = new Engine(input.context());
    RunHistory history = engine.history();
    Optional<RunbookInput.EarlyLoad> early =
        runId == null ? Optional.empty() : RunbookInput.EarlyLoad.start(history, runId);
    RunSummary run = engine.runToResume(Optional.ofNullable(runId));
    RunbookInput.Loaded loaded = input.loadForRun(run, err, early);
    Plan plan =
        engine.plan(
            loaded.load().runbook().orElseThrow(), loaded.load().called(), loaded.params(), true);
    try (RunOutput output = RunOutput.open(format, out)) {
      Runnable rearm =
          Signals.install(engine::stopCurrentStep, engine::interrupt, output.onTerminal());
      RunResult result =
          engine.resume(
              plan,
              continuation(run, history, err),
              new RunOptions(Optional.empty(), VersionProvider.version()),
              new ResumeOptions(inflight.rerun, inflight.skip, Optional.ofNullable(confirm)),
              output.listener(rearm),
              output.interaction(yes, engine::interrupt));
      return result.status().exitCode();
    }
  }

  private Engine.Continuation continuation(RunSummary run, RunHistory history, PrintWriter err) {
    return new Engine.Continuation(
        run,
        history.journalAsRead(run.runId()),
        acceptChanges,
        skipCompensation,
        false,
        line -> {
          err.println(line);
          err.flush();
        });
  }
}
