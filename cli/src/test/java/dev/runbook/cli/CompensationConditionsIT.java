package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compensation step goes through its {@code when} and {@code requires} like any step: a step that
 * failed half-way is compensated too, and its compensation must be able to skip what was never done
 * (restore a backup only if the backup was completed) or refuse to act when acting is unsafe.
 */
class CompensationConditionsIT {
  @TempDir Path dir;

  private static final String RUNBOOK =
      """
      schema: runbook/v1
      name: half-applied
      on_failure: rollback
      steps:
        - id: first
          run: touch first-done
          compensate:
            - id: guarded
              requires:
                - path: { at: guard, is: absent }
              run: rm first-done
        - id: backup
          run: exit 1
          compensate:
            - id: restore
              requires:
                - name: the backup was completed
                  path: manifest.json
                  on_unmet: skip
              run: touch restored
            - id: never
              when: "false"
              run: touch never-ran
            - id: always
              run: touch always-ran
      """;

  @Test
  void planShowsACompensationsConditions() throws Exception {
    Files.writeString(dir.resolve("half-applied.yaml"), RUNBOOK);

    CliProcess.Result result =
        CliProcess.run(dir, "plan", "half-applied.yaml", "--offline", "--state-dir", "state");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout())
        .contains(
            "     compensate (restore):\n"
                + "       requires: the backup was completed (else the step is skipped)\n"
                + "       run: touch restored\n")
        .contains("     compensate (never):\n" + "       when `false` is false\n");
  }
}
