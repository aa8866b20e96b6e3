package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step that reads an output its producer never made (the producer was skipped by its {@code
 * when}) fails like any step, and the failure policy applies. It used to end the engine with an
 * internal error (exit 70) after the step was journaled as started: no failure recorded, no
 * rollback.
 */
class MissingOutputIT {
  @TempDir Path dir;

  @Test
  void readingAnOutputOfASkippedStepFailsTheStepAndRollsBack() throws Exception {
    Files.writeString(
        dir.resolve("skipped.yaml"),
        """
        schema: runbook/v1
        name: skipped-output
        on_failure: rollback
        steps:
          - id: prepare
            run: touch prepared
            compensate: { run: rm prepared }
          - id: probe
            when: "false"
            run: echo value=42
            outputs:
              value: { regex: "value=([0-9]+)" }
          - id: use
            run: echo "got ${{ steps.probe.outputs.value }}"
        """);

    CliProcess.Result result = CliProcess.run(dir, "run", "skipped.yaml", "--state-dir", "state");

    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isEqualTo(1);
    assertThat(result.stdout())
        .contains("step use: FAILED: `steps.probe.outputs` has no `value`")
        .contains("compensation of prepare: done");
    assertThat(result.stderr()).doesNotContain("internal error");
    assertThat(dir.resolve("prepared")).doesNotExist();
  }
}
