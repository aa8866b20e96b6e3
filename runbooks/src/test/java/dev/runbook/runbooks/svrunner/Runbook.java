package dev.runbook.runbooks.svrunner;

import dev.runbook.cli.CliProcess;
import dev.runbook.runbooks.Installation;
import java.io.IOException;
import java.util.Map;

/** The packaged CLI run against an {@link SvrunnerInstallation}, its state in the installation. */
final class Runbook {
  private Runbook() {}

  /** {@code runbook COMMAND ARGS --state-dir ROOT/state}, in the installation's root. */
  static CliProcess.Result cli(SvrunnerInstallation installation, String... args)
      throws IOException, InterruptedException {
    return installation.cli(Map.of(), args);
  }

  static CliProcess.Result cli(
      SvrunnerInstallation installation, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    return installation.cli(env, args);
  }

  /** {@code runbook run upgrade.yaml --params-file ROOT/params.json}. */
  static CliProcess.Result upgrade(SvrunnerInstallation installation)
      throws IOException, InterruptedException {
    return installation.upgrade(Map.of());
  }

  static CliProcess.Result upgrade(SvrunnerInstallation installation, Map<String, String> env)
      throws IOException, InterruptedException {
    return installation.upgrade(env);
  }

  static String describe(CliProcess.Result result) {
    return Installation.describe(result);
  }
}
