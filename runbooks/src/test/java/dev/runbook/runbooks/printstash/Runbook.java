package dev.runbook.runbooks.printstash;

import dev.runbook.cli.CliProcess;
import dev.runbook.runbooks.Installation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged CLI run against a {@link PrintStashInstallation}, its state in the installation. */
final class Runbook {
  private Runbook() {}

  /** {@code runbook COMMAND ARGS --state-dir ROOT/state}, in the installation's root. */
  static CliProcess.Result cli(PrintStashInstallation installation, String... args)
      throws IOException, InterruptedException {
    return installation.cli(Map.of(), args);
  }

  static CliProcess.Result cli(
      PrintStashInstallation installation, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    return installation.cli(env, args);
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
    return installation.cli(env, argv.toArray(String[]::new));
  }

  static String describe(CliProcess.Result result) {
    return Installation.describe(result);
  }
}
