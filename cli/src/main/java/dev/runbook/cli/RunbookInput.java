package dev.runbook.cli;

import dev.runbook.dsl.LoadResult;
import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.Problem;
import dev.runbook.dsl.RunbookLoader;
import dev.runbook.dsl.model.Param;
import dev.runbook.engine.EngineContext;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.RunbookException;
import dev.runbook.engine.journal.StateDir;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every command that reads a runbook and its parameters shares. */
final class RunbookInput {
  @Option(
      names = {"-p", "--param"},
      paramLabel = "NAME=VALUE",
      description =
          "A parameter's value (repeatable); wins over --params-file and RUNBOOK_PARAM_*.")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(
      names = "--params-file",
      paramLabel = "FILE",
      description = "A YAML or JSON map of parameter values.")
  Path paramsFile;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Where runs and locks live (default: RUNBOOK_STATE_DIR, $XDG_STATE_HOME/runbook,"
              + " ~/.local/state/runbook).")
  Path stateDir;

  /** A loaded, valid runbook and its resolved parameters. */
  record Loaded(LoadResult load, Parameters.Resolution params) {}

  /**
   * Loads {@code file}, resolves parameters, asks for missing secrets on a terminal; prints the
   * problems and throws exit 2 when anything is wrong.
   */
  Loaded load(Path file, PrintWriter err, boolean mayPrompt) {
    LoadResult result = new RunbookLoader().load(file, file.toString());
    ProblemRenderer.text(result.problems(), err);
    if (result.hasErrors()) {
      throw new RunbookException(ErrorCode.INVALID_INPUT, file + " is not a valid runbook");
    }
    Parameters.Resolution params =
        Parameters.resolve(
            result.runbook().orElseThrow(),
            this.params,
            Optional.ofNullable(paramsFile),
            System.getenv());
    if (!params.problems().isEmpty()) {
      ProblemRenderer.text(params.problems(), err);
      throw new RunbookException(ErrorCode.INVALID_INPUT, "parameters are not valid");
    }
    if (!mayPrompt) {
      return new Loaded(result, params.withSecretsNotGiven());
    }
    Console console = System.console();
    for (Param secret : List.copyOf(params.missingSecrets())) {
      if (console == null) {
        String env = "RUNBOOK_PARAM_" + secret.name().toUpperCase(java.util.Locale.ROOT);
        throw new RunbookException(
            ErrorCode.INVALID_INPUT,
            "missing secret parameter `" + secret.name() + "`",
            "set "
                + env
                + " in the environment (it never reaches argv or the journal), or run on a"
                + " terminal to be asked");
      }
      char[] typed =
          console.readPassword(
              "%s (secret%s): ", secret.name(), secret.description().map(d -> ", " + d).orElse(""));
      params = Parameters.withPrompted(params, secret, typed == null ? "" : new String(typed));
      if (!params.problems().isEmpty()) {
        List<Problem> problems = params.problems();
        ProblemRenderer.text(problems, err);
        throw new RunbookException(ErrorCode.INVALID_INPUT, "parameters are not valid");
      }
    }
    return new Loaded(result, params);
  }

  EngineContext context() {
    return new EngineContext(
        StateDir.resolve(Optional.ofNullable(stateDir), System.getenv()),
        System.getenv(),
        Clock.systemUTC());
  }
}
