package dev.runbook.runbooks.printstash;

import dev.runbook.cli.CliProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged CLI run against a {@link PrintStashInstallation}, its state in the installation. */
final class Runbook {
  private Runbook() {}

  /** {@code runbook COMMAND ARGS --state-dir ROOT/state}, in the installation's root. */
  static CliProcess.Result cli(PrintStashInstallation installation, String... args)
      throws IOException, InterruptedException {
    return cli(installation, Map.of(), args);
  }

  static CliProcess.Result cli(
      PrintStashInstallation installation, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(args));
    argv.add("--state-dir");
    argv.add(installation.stateDir().toString());
    return CliProcess.run(installation.root(), env, argv.toArray(String[]::new));
  }

  /** {@code runbook run upgrade.yaml --params-file ROOT/params.yaml}. */
  static CliProcess.Result upgrade(PrintStashInstallation installation, String... extra)
      throws IOException, InterruptedException {
    return upgrade(installation, Map.of(), extra);
  }

  static CliProcess.Result upgrade(
      PrintStashInstallation installation, Map<String, String> env, String... extra)
      throws IOException, InterruptedException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "run",
                PrintStashInstallation.RUNBOOK.toString(),
                "--params-file",
                installation.paramsFile().toString()));
    argv.addAll(List.of(extra));
    return cli(installation, env, argv.toArray(String[]::new));
  }

  /** The only run's journal, one JSON record a line. */
  static List<String> journal(PrintStashInstallation installation) throws IOException {
    Path runs = installation.stateDir().resolve("runs");
    List<String> ids = PrintStashInstallation.list(runs);
    if (ids.size() != 1) {
      throw new IllegalStateException("expected one run in " + runs + ", found " + ids);
    }
    return Files.readAllLines(runs.resolve(ids.get(0)).resolve("journal.jsonl"));
  }

  static String describe(CliProcess.Result result) {
    return "exit " + result.exitCode() + "\n" + result.stdout() + result.stderr();
  }
}
