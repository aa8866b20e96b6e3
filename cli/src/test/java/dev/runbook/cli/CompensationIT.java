package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rollbacks through the real CLI. */
class CompensationIT {
  @TempDir Path dir;

  @Test
  void callAsACompensationIsRefusedBeforeAnythingRunsInsteadOfCrashingTheRollback()
      throws Exception {
    Files.writeString(
        dir.resolve("start.yaml"),
        """
        schema: runbook/v1
        name: start
        steps:
          - id: start
            run: touch started
        """);
    Files.writeString(
        dir.resolve("upgrade.yaml"),
        """
        schema: runbook/v1
        name: upgrade
        on_failure: rollback
        steps:
          - id: stop
            run: touch stopped
            compensate: { call: { runbook: start.yaml } }
          - id: migrate
            run: "false"
        """);

    CliProcess.Result run =
        CliProcess.run(dir, "run", "upgrade.yaml", "--state-dir", dir.resolve("state").toString());

    // Caught by validation now: a rollback never meets a compensation it cannot run.
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(2);
    assertThat(run.stderr())
        .doesNotContain("internal error")
        .contains("upgrade.yaml:7:17: error: the compensation of `stop` is a `call`");
    assertThat(dir.resolve("stopped")).doesNotExist();
  }
}
