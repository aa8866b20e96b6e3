package dev.runbook.cli;

import dev.runbook.dsl.LoadResult;
import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.Problem;
import dev.runbook.dsl.RunbookLoader;
import dev.runbook.dsl.UrlCredentials;
import dev.runbook.dsl.model.Param;
import dev.runbook.engine.EngineContext;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.RunbookException;
import dev.runbook.engine.journal.LockDir;
import dev.runbook.engine.journal.RunHistory;
import dev.runbook.engine.journal.RunSummary;
import dev.runbook.engine.journal.StateDir;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
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
          "Where runs live (default: RUNBOOK_STATE_DIR, $XDG_STATE_HOME/runbook,"
              + " ~/.local/state/runbook).")
  Path stateDir;

  @Option(
      names = "--lock-dir",
      paramLabel = "DIR",
      description =
          "The host-wide directory of run locks, the same for every operator of this host"
              + " (default: RUNBOOK_LOCK_DIR, /var/lock/runbook).")
  Path lockDir;

  /** A loaded, valid runbook and its resolved parameters. */
  record Loaded(LoadResult load, Parameters.Resolution params) {}

  /**
   * Loads {@code file}, resolves parameters, asks for missing secrets on a terminal; prints the
   * problems and throws exit 2 when anything is wrong.
   */
  Loaded load(Path file, PrintWriter err, boolean mayPrompt) {
    return load(file, err, mayPrompt, Optional.empty());
  }

  /**
   * As {@link #load(Path, PrintWriter, boolean)}, with the loader's result from {@code early} when
   * it loaded the same file.
   */
  Loaded load(Path file, PrintWriter err, boolean mayPrompt, Optional<EarlyLoad> early) {
    LoadResult result =
        early
            .filter(e -> e.file().equals(file))
            .map(EarlyLoad::result)
            .orElseGet(() -> new RunbookLoader().load(file, file.toString()));
    ProblemRenderer.text(result.problems(), err);
    if (result.hasErrors()) {
      throw new RunbookException(ErrorCode.INVALID_INPUT, file + " is not a valid runbook");
    }
    refuseSecretsOnTheCommandLine(result.runbook().orElseThrow().params().values());
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
    ProblemRenderer.text(Parameters.credentialWarnings(params), err);
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

  /**
   * A secret given with {@code -p} would sit on the engine's command line for the whole run, where
   * every local user reads it ({@code ps}, {@code /proc/PID/cmdline}): refused before anything
   * else, naming the ways that keep it off argv.
   */
  private void refuseSecretsOnTheCommandLine(java.util.Collection<Param> declared) {
    for (Param param : declared) {
      if (param.secret() && params.containsKey(param.name())) {
        String env =
            "RUNBOOK_PARAM_" + param.name().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        throw new RunbookException(
            ErrorCode.INVALID_INPUT,
            "parameter `"
                + param.name()
                + "` is secret and is never taken from -p: on the command line every local"
                + " user can read it; nothing was run",
            "set "
                + env
                + " in the environment, give it in a --params-file (`--params-file /dev/stdin`"
                + " reads it from standard input), or leave it out to be asked on a terminal");
      }
    }
  }

  /**
   * Loads the runbook a run started with, with the parameter values it started with (pinned: a
   * different value given here is refused by the engine, naming the parameter). Secrets, never
   * journaled, are given again as for {@code run}.
   */
  Loaded loadForRun(RunSummary run, PrintWriter err, Optional<EarlyLoad> early) {
    Map<String, String> started = new LinkedHashMap<>();
    run.params().forEach((k, v) -> started.put(k, String.valueOf(v)));
    givenAgainUnlessMasked(started);
    return load(run.file(), err, true, early);
  }

  /**
   * Takes {@code values} kept by an earlier command (a run's journal, a saved plan) as if given by
   * {@code -p}, where no {@code -p} gives them. A value whose URL password was kept masked is not
   * taken: it is given again from its sources, like a secret, and compared with the kept one.
   */
  void givenAgainUnlessMasked(Map<String, String> values) {
    values.forEach(
        (name, value) -> {
          if (!UrlCredentials.holdsMaskedPassword(value)) {
            params.putIfAbsent(name, value);
          }
        });
  }

  /**
   * The load of a run's runbook, started on a thread of its own before the run's journal is read:
   * for a run of many steps the journal and the runbook take about as long to read, and each has a
   * core. The loader only reads files and prints nothing, so what the command says, and in what
   * order, stays the same.
   */
  static final class EarlyLoad {
    private final Path file;
    private final FutureTask<LoadResult> task;

    private EarlyLoad(Path file) {
      this.file = file;
      this.task = new FutureTask<>(() -> new RunbookLoader().load(file, file.toString()));
    }

    /** Starts loading the runbook run {@code runId} started with, if its journal names one. */
    static Optional<EarlyLoad> start(RunHistory history, String runId) {
      return history
          .startedFile(runId)
          .map(
              file -> {
                EarlyLoad early = new EarlyLoad(file);
                Thread thread = new Thread(early.task, "runbook-early-load");
                thread.setDaemon(true);
                thread.start();
                return early;
              });
    }

    Path file() {
      return file;
    }

    /** The loader's result, waiting for it; what it threw, as it threw it. */
    LoadResult result() {
      try {
        return task.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while loading " + file, e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
  }

  EngineContext context() {
    return new EngineContext(
        StateDir.resolve(Optional.ofNullable(stateDir), System.getenv()),
        LockDir.resolve(Optional.ofNullable(lockDir), System.getenv()),
        System.getenv(),
        Clock.systemUTC());
  }
}
