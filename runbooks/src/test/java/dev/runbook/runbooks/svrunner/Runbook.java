package dev.runbook.runbooks.svrunner;

import dev.runbook.cli.CliProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged CLI run against an {@link SvrunnerInstallation}, its state in the installation. */
final class Runbook {
  private Runbook() {}

  /** {@code runbook COMMAND ARGS --state-dir ROOT/state}, in the installation's root. */
  static CliProcess.Result cli(SvrunnerInstallation installation, String... args)
      throws IOException, InterruptedException {
    return cli(installation, Map.of(), args);
  }

  static CliProcess.Result cli(
      SvrunnerInstallation installation, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(args));
    argv.add("--state-dir");
    argv.add(installation.stateDir().toString());
    return CliProcess.run(installation.root(), env, argv.toArray(String[]::new));
  }

  /** The arguments of {@code runbook run upgrade.yaml --params-file ROOT/params.json}. */
  static List<String> runArgs(SvrunnerInstallation installation) {
    return List.of(
        "run",
        SvrunnerInstallation.RUNBOOK.toString(),
        "--params-file",
        installation.paramsFile().toString(),
        "--state-dir",
        installation.stateDir().toString());
  }

  /** {@code runbook run upgrade.yaml --params-file ROOT/params.json}. */
  static CliProcess.Result upgrade(SvrunnerInstallation installation)
      throws IOException, InterruptedException {
    return upgrade(installation, Map.of());
  }

  static CliProcess.Result upgrade(SvrunnerInstallation installation, Map<String, String> env)
      throws IOException, InterruptedException {
    return CliProcess.run(installation.root(), env, runArgs(installation).toArray(String[]::new));
  }

  /** The only run's journal, one JSON record a line. */
  static List<String> journal(SvrunnerInstallation installation) throws IOException {
    Path runs = installation.stateDir().resolve("runs");
    List<String> ids = SvrunnerInstallation.list(runs);
    if (ids.size() != 1) {
      throw new IllegalStateException("expected one run in " + runs + ", found " + ids);
    }
    return Files.readAllLines(runs.resolve(ids.get(0)).resolve("journal.jsonl"));
  }

  static String describe(CliProcess.Result result) {
    return "exit " + result.exitCode() + "\n" + result.stdout() + result.stderr();
  }
}
