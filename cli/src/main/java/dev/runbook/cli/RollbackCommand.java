package dev.runbook.cli;

import dev.runbook.cli.terminal.Signals;
import dev.runbook.engine.Engine;
import dev.runbook.engine.Plan;
import dev.runbook.engine.RunOptions;
import dev.runbook.engine.RunResult;
import dev.runbook.engine.journal.RunHistory;
import dev.runbook.engine.journal.RunSummary;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runbook rollback RUN_ID}: compensates a run on demand, newest first. */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    description = "Undo a run: run the compensation of every step it started, newest first.",
    footer = {
      "",
      "Exit codes: 0 all compensated, 2 unknown run or refused (a newer run succeeded, the",
      "runbook or a parameter changed), 4 incomplete (resumable), 5 locked, 130 interrupted.",
      "",
      "Example:",
      "  runbook rollback 20261123-0712-seqdesk-update-3f9a"
    })
final class RollbackCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunbookInput input;

  @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run to undo.")
  String runId;

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  RunCommand.RunFormat format;

  @Option(
      names = "--accept-changes",
      description = "Roll back even though the runbook changed since the run started.")
  boolean acceptChanges;

  @Option(
      names = "--force",
      description = "Undo the run even though a later run of the same runbook succeeded after it.")
  boolean force;

  @Option(
      names = "--skip-compensation",
      paramLabel = "STEP",
      description =
          "Count STEP's compensation as done without running it (repeatable; undo that step by"
              + " hand). For a rollback that stopped at a compensation that cannot succeed.")
  Set<String> skipCompensation = new LinkedHashSet<>();

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Engine engine = new Engine(input.context());
    RunHistory history = engine.history();
    Optional<RunbookInput.EarlyLoad> early = RunbookInput.EarlyLoad.start(history, runId);
    RunSummary run = engine.runToRollBack(history, runId);
    RunbookInput.Loaded loaded = input.loadForRun(run, err, early);
    Plan plan =
        engine.plan(
            loaded.load().runbook().orElseThrow(), loaded.load().called(), loaded.params(), true);
    Engine.Continuation continuation =
        new Engine.Continuation(
            run,
            history.journalAsRead(runId),
            acceptChanges,
            skipCompensation,
            force,
            line -> {
              err.println(line);
              err.flush();
            });
    try (RunOutput output = RunOutput.open(format, spec.commandLine().getOut())) {
      Runnable rearm =
          Signals.install(engine::stopCurrentStep, engine::interrupt, output.onTerminal());
      RunResult result =
          engine.rollback(
              plan,
              continuation,
              new RunOptions(Optional.empty(), VersionProvider.version()),
              output.listener(rearm),
              output.interaction(false, engine::interrupt));
      return result.status().exitCode();
    }
  }
}
