package dev.runbook.cli;

import dev.runbook.engine.Engine;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.Plan;
import dev.runbook.engine.SavedPlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runbook plan FILE}: what a run would do, with every value resolved. Changes nothing. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = "Show what a run would do, with every value resolved; changes nothing.",
    footer = {
      "",
      "Exit codes: 0 ready to run, 2 invalid input, 3 a precondition does not hold now.",
      "",
      "Example:",
      "  runbook plan runbooks/seqdesk/rollback.yaml -p install_dir=/opt/seqdesk"
    })
final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunbookInput input;

  @Parameters(index = "0", paramLabel = "FILE", description = "The runbook.")
  Path file;

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  PlanFormat format;

  @Option(names = "--offline", description = "Do not evaluate the preconditions live.")
  boolean offline;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "PLAN",
      description =
          "Also save the plan, so that `run --plan PLAN` runs exactly it (and refuses if the"
              + " runbook or a parameter changed).")
  Path output;

  enum PlanFormat {
    text,
    json,
    mermaid
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RunbookInput.Loaded loaded = input.load(file, err, false);
    Engine engine = new Engine(input.context());
    Plan plan =
        engine.plan(
            loaded.load().runbook().orElseThrow(),
            loaded.load().called(),
            loaded.params(),
            offline);
    UnfinishedRuns.warn(engine, plan.runbook().name(), err);
    if (output != null) {
      SavedPlan.of(plan).write(output);
    }
    switch (format) {
      case json -> out.println(PlanRenderer.json(plan).toString(2));
      case mermaid -> out.print(PlanRenderer.mermaid(plan));
      default -> out.print(PlanRenderer.text(plan));
    }
    out.flush();
    return plan.preconditionsHold() ? 0 : ErrorCode.PRECONDITION_UNMET.exitCode();
  }
}
