package dev.runbook.cli;

import dev.runbook.cli.terminal.Signals;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.engine.ChangedRunbook;
import dev.runbook.engine.EngineContext;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.Executor;
import dev.runbook.engine.Plan;
import dev.runbook.engine.Planner;
import dev.runbook.engine.RunOptions;
import dev.runbook.engine.RunResult;
import dev.runbook.engine.RunbookException;
import dev.runbook.engine.journal.RunHistory;
import dev.runbook.engine.journal.RunSummary;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.json.JSONObject;
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
      "Exit codes: 0 all compensated, 2 unknown run or a changed runbook, 4 incomplete (resumable),",
      "5 locked.",
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
      names = "--accept-changes",
      description = "Roll back even though the runbook changed since the run started.")
  boolean acceptChanges;

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  RunCommand.RunFormat format;

  @Override
  public Integer call() {
    EngineContext context = input.context();
    RunHistory history = new RunHistory(context.state());
    Optional<RunbookInput.EarlyLoad> early = RunbookInput.EarlyLoad.start(history, runId);
    RunSummary run = history.get(runId);
    if (run.status().equals("rolled_back") || run.status().equals("undone")) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT, "run " + runId + " is already rolled back");
    }
    JSONObject saved = run.started().optJSONObject("params");
    if (saved != null) {
      saved.keySet().forEach(k -> input.params.putIfAbsent(k, String.valueOf(saved.get(k))));
    }
    RunbookInput.Loaded loaded = input.load(run.file(), spec.commandLine().getErr(), true, early);
    Runbook runbook = loaded.load().runbook().orElseThrow();
    Plan plan = new Planner(context).plan(runbook, loaded.load().called(), loaded.params(), true);
    ChangedRunbook changed = ChangedRunbook.since(run, plan);
    changed.report(acceptChanges).forEach(spec.commandLine().getErr()::println);
    changed.refuseUnless(acceptChanges, "rollback");
    Executor executor = new Executor(context);
    try (RunOutput output = RunOutput.open(format, spec.commandLine().getOut())) {
      Runnable rearm =
          Signals.install(executor::stopCurrentStep, executor::interrupt, output.onTerminal());
      RunResult result =
          executor.rollback(
              plan,
              runId,
              history.journalAsRead(runId),
              new RunOptions(Optional.empty(), VersionProvider.version()),
              output.listener(rearm),
              output.interaction(false, executor::interrupt));
      return result.status().exitCode();
    }
  }
}
