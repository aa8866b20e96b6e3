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
  void callAsACompensationLeavesTheRollbackIncompleteInsteadOfCrashing() throws Exception {
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

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(4);
    assertThat(run.stderr()).doesNotContain("internal error");
    assertThat(run.stdout())
        .contains("compensation of stop: FAILED: a `call` cannot compensate a step yet")
        .contains("the rollback is INCOMPLETE");
  }
}
