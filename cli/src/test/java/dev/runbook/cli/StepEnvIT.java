package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ${{ env.X }}} of a step's own {@code env:}, and of a name the machine lacks. */
class StepEnvIT {
  @TempDir Path dir;

  @BeforeEach
  void writeRunbook() throws Exception {
    Files.writeString(
        dir.resolve("env.yaml"),
        """
        schema: runbook/v1
        name: env
        steps:
          - id: version
            run: echo 1.4
            outputs: { v: { regex: "([0-9.]+)" } }
          - id: greet
            env: { WHO: world, VERSION: "${{ steps.version.outputs.v }}" }
            when: env.WHO == 'world'
            requires:
              - command: test "${{ env.WHO }}" = world
            run: printf '%s %s' "${{ env.WHO }}" "${{ env.VERSION }}" > greeted
          - id: lacking
            exec: [touch, "${{ env.RUNBOOK_TEST_NOT_SET }}"]
        """);
  }

  @Test
  void planResolvesAStepsOwnEnvAndNamesWhatItCannotResolve() throws Exception {
    CliProcess.Result plan = CliProcess.run(dir, "plan", "env.yaml", "--state-dir", "state");

    assertThat(plan.exitCode()).as(plan.stderr()).isZero();
    assertThat(plan.stdout())
        .contains("when `env.WHO == 'world'` is true")
        .contains("requires: command `test \"world\" = world` exits 0")
        .contains("run: printf '%s %s' \"world\" \"<known after `version` runs>\" > greeted")
        .contains("exec: cannot be resolved now: `env` has no `RUNBOOK_TEST_NOT_SET`");
  }
}
