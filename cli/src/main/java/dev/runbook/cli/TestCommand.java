package dev.runbook.cli;

import dev.runbook.engine.Engine;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.Plan;
import dev.runbook.engine.PlannedStep;
import dev.runbook.engine.RunbookException;
import dev.runbook.engine.rehearsal.Launcher;
import dev.runbook.engine.rehearsal.Rehearsal;
import dev.runbook.engine.rehearsal.ShellCommand;
import dev.runbook.engine.rehearsal.SystemState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runbook test FILE --reset CMD}: rehearses a runbook's rollback and resume on staging. */
@Command(
    name = "test",
    mixinStandardHelpOptions = true,
    description = {
      "Rehearse a runbook on a STAGING COPY of the system, never on production: every trial"
          + " really runs the runbook there.",
      "Trials: one clean run (its end state is what \"done\" means); for every step that changes"
          + " something, a failure injected right after its action, which must roll back (exit 1)"
          + " to the starting state; and --kills runs SIGKILLed at seeded moments (inside steps,"
          + " between steps, during rollbacks) and resumed, which must end as the clean run did."
          + " --reset CMD (or the runbook's state.reset) brings the copy back before each trial;"
          + " the runbook's state: (or --state-path, --state-command) says what is compared."
    },
    footer = {
      "",
      "Exit codes: 0 every trial passed, 1 a trial failed, 2 invalid input.",
      "",
      "Example:",
      "  runbook test upgrade.yaml -p install_dir=/srv/staging/app \\",
      "      --reset './make-staging.sh /srv/staging/app' --kills 10 --format junit > report.xml"
    })
final class TestCommand implements Callable<Integer> {
  /** Exit code when a trial failed. */
  static final int TRIAL_FAILED = 1;

  @Spec CommandSpec spec;

  @Mixin RunbookInput input;

  @Parameters(index = "0", paramLabel = "FILE", description = "The runbook.")
  Path file;

  @Option(
      names = "--reset",
      paramLabel = "CMD",
      description =
          "Shell command that restores the STAGING copy to its starting point before each trial"
              + " (wins over the runbook's state.reset). Required one way or the other.")
  String reset;

  @Option(
      names = "--state-path",
      paramLabel = "PATH",
      description = "A file or directory to compare (contents, mode, owner); repeatable.")
  List<String> statePaths = new ArrayList<>();

  @Option(
      names = "--state-command",
      paramLabel = "CMD",
      description = "A shell command whose output to compare; repeatable.")
  List<String> stateCommands = new ArrayList<>();

  @Option(
      names = "--kills",
      paramLabel = "N",
      defaultValue = "5",
      description = "How many kill-and-resume trials (default: ${DEFAULT-VALUE}).")
  int kills;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description = "Chooses the kill moments; the report names it, to replay them.")
  Long seed;

  @Option(
      names = "--only",
      paramLabel = "STEP",
      arity = "1..*",
      description = "Only the trials of these steps (the clean run always runs).")
  Set<String> only = new LinkedHashSet<>();

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "Report: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  ReportFormat format;

  enum ReportFormat {
    text,
    json,
    junit
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (kills < 0) {
      throw new RunbookException(ErrorCode.INVALID_INPUT, "--kills must be 0 or more");
    }
    RunbookInput.Loaded loaded = input.load(file, err, true);
    Engine engine = new Engine(input.context());
    Plan plan =
        engine.plan(
            loaded.load().runbook().orElseThrow(), loaded.load().called(), loaded.params(), true);
    Set<String> ids = stepIds(plan);
    for (String step : only) {
      if (!ids.contains(step)) {
        throw new RunbookException(
            ErrorCode.INVALID_INPUT,
            "--only: the runbook has no step `" + step + "`",
            "its steps: " + String.join(", ", ids));
      }
    }
    Path cwd = Path.of("").toAbsolutePath();
    Map<String, String> environment = System.getenv();
    ShellCommand resetCommand =
        SystemState.reset(plan, environment, Optional.ofNullable(reset), cwd)
            .orElseThrow(
                () ->
                    new RunbookException(
                        ErrorCode.INVALID_INPUT,
                        "name the staging copy to rehearse on: give --reset CMD, or `state.reset`"
                            + " in the runbook",
                        "runbook test really runs the runbook, again and again: point it at a"
                            + " staging copy that CMD restores before each trial, never at"
                            + " production"));
    SystemState state = SystemState.of(plan, environment, statePaths, stateCommands, cwd);
    long chosenSeed = seed != null ? seed : new SecureRandom().nextLong() & 0xffffffffL;
    Path workDir = Files.createTempDirectory("runbook-test-");
    Rehearsal.Options options =
        new Rehearsal.Options(
            launcher(loaded.params()), resetCommand, state, kills, chosenSeed, only, workDir);
    Rehearsal.Report report;
    try (RehearsalProgress progress = RehearsalProgress.open(err)) {
      report = new Rehearsal(plan, options, progress).rehearse();
    }
    switch (format) {
      case text -> RehearsalReports.text(report, commandLine(chosenSeed), out);
      case json -> RehearsalReports.json(report, plan.runbook().name(), out);
      case junit -> RehearsalReports.junit(report, plan.runbook().name(), out);
    }
    out.flush();
    if (report.passed()) {
      RehearsalReports.deleteTree(workDir); // kept only when a trial failed, to look into
      return 0;
    }
    return TRIAL_FAILED;
  }

  /** The same rehearsal, with its seed: what replays it. */
  private String commandLine(long chosenSeed) {
    List<String> words = new ArrayList<>(List.of("runbook", "test", file.toString()));
    input.params.forEach((k, v) -> words.add("-p " + k + "=" + v));
    if (input.paramsFile != null) {
      words.add("--params-file " + input.paramsFile);
    }
    if (reset != null) {
      words.add("--reset '" + reset.replace("'", "'\\''") + "'");
    }
    words.add("--kills " + kills);
    words.add("--seed " + chosenSeed);
    return String.join(" ", words);
  }

  /**
   * This very program, run again for each trial: the same JVM and class path. Secrets reach the
   * children through their environment, as for any run, never through their argv.
   */
  private Launcher launcher(dev.runbook.dsl.Parameters.Resolution params) {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName());
    List<String> paramArgs = new ArrayList<>();
    input.params.forEach((k, v) -> paramArgs.addAll(List.of("-p", k + "=" + v)));
    if (input.paramsFile != null) {
      paramArgs.addAll(List.of("--params-file", input.paramsFile.toAbsolutePath().toString()));
    }
    Map<String, String> env = new LinkedHashMap<>();
    params
        .values()
        .forEach(
            (name, value) -> {
              if (value.secret()) {
                env.put(
                    "RUNBOOK_PARAM_" + name.toUpperCase(Locale.ROOT),
                    String.valueOf(value.value()));
              }
            });
    return new Launcher(command, file.toAbsolutePath(), paramArgs, env, Duration.ofMinutes(30));
  }

  /** Every step's journal id, called runbooks' as {@code call/step}. */
  static Set<String> stepIds(Plan plan) {
    Set<String> ids = new LinkedHashSet<>();
    collect(plan.steps(), ids);
    collect(plan.finallySteps(), ids);
    return ids;
  }

  private static void collect(List<PlannedStep> steps, Set<String> ids) {
    for (PlannedStep p : steps) {
      ids.add(p.id());
      collect(p.children(), ids);
    }
  }
}
