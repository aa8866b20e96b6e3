package dev.runbook.cli;

import dev.runbook.cli.terminal.Signals;
import dev.runbook.dsl.model.OnFailure;
import dev.runbook.engine.Engine;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.Plan;
import dev.runbook.engine.RunOptions;
import dev.runbook.engine.RunResult;
import dev.runbook.engine.RunbookException;
import dev.runbook.engine.SavedPlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runbook run FILE}: executes the plan that {@code plan} shows. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run a runbook: preconditions, then each step; compensate on failure.",
    footer = {
      "",
      "Exit codes: 0 succeeded, 1 failed and rolled back, 2 invalid input, 3 preconditions",
      "unmet (nothing changed), 4 needs the operator, 5 locked, 130 interrupted.",
      "",
      "Example:",
      "  runbook run examples/demo-upgrade.yaml -p fail_at=migrate"
    })
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunbookInput input;

  @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The runbook.")
  Path file;

  @Option(
      names = "--plan",
      paramLabel = "PLAN",
      description = "Run a plan saved by `plan -o PLAN`, as it was shown.")
  Path savedPlan;

  @Option(names = "--yes", description = "Answer yes to every confirm step.")
  boolean yes;

  @Option(
      names = "--on-failure",
      paramLabel = "POLICY",
      description = "rollback, stop or ask: overrides the runbook's on_failure.")
  String onFailure;

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  RunFormat format;

  /**
   * The fault point of a rehearsal: {@code runbook test} runs its failure trials with it. Hidden:
   * an operator never needs it, and it is no edit of the runbook.
   */
  @Option(names = "--inject-failure-after", paramLabel = "STEP", hidden = true)
  String injectFailureAfter;

  enum RunFormat {
    text,
    jsonl
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<OnFailure> policy = Optional.empty();
    if (onFailure != null) {
      try {
        policy = Optional.of(OnFailure.valueOf(onFailure.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new RunbookException(
            ErrorCode.INVALID_INPUT,
            "--on-failure must be rollback, stop or ask, not `" + onFailure + "`");
      }
    }
    Optional<SavedPlan> saved = Optional.ofNullable(savedPlan).map(SavedPlan::read);
    if (saved.isPresent() == (file != null)) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          file == null
              ? "name a runbook FILE or a saved --plan"
              : "give either FILE or --plan, not both",
          "e.g. `runbook run upgrade.yaml` or `runbook run --plan upgrade.plan`");
    }
    Path runbookFile = saved.map(SavedPlan::runbook).orElse(file);
    // A saved plan's values are given as if by -p; an explicit -p still wins, and then the
    // digest comparison below refuses the run, naming the parameter.
    saved.ifPresent(s -> input.givenAgainUnlessMasked(s.params()));
    RunbookInput.Loaded loaded = input.load(runbookFile, err, true);
    Engine engine = new Engine(input.context());
    Plan plan =
        engine.plan(
            loaded.load().runbook().orElseThrow(), loaded.load().called(), loaded.params(), true);
    saved.ifPresent(s -> engine.refuseChangedPlan(s, savedPlan, plan));
    if (injectFailureAfter != null && !TestCommand.stepIds(plan).contains(injectFailureAfter)) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "--inject-failure-after: the runbook has no step `" + injectFailureAfter + "`");
    }
    UnfinishedRuns.warn(engine, plan.runbook().name(), err);
    try (RunOutput output = RunOutput.open(format, out)) {
      Runnable rearm =
          Signals.install(engine::stopCurrentStep, engine::interrupt, output.onTerminal());
      RunResult result =
          engine.run(
              plan,
              new RunOptions(
                  policy, VersionProvider.version(), Optional.ofNullable(injectFailureAfter)),
              output.listener(rearm),
              output.interaction(yes, engine::interrupt));
      return result.status().exitCode();
    }
  }
}
