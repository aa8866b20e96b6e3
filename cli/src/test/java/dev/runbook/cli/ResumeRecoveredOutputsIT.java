package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step whose action finished just before the engine died (its result never journaled) and whose
 * verify passes on resume: skipping it used to leave its outputs empty, so a later step or
 * compensation that read them failed (the demo's restore from {@code steps.backup.outputs.dir}).
 * Now a backup's outputs are read back from its manifest, and a step with declared outputs is run
 * again if it is idempotent (else the operator decides) instead of being skipped.
 *
 * <p>The crash is made exact by cutting the journal of a finished run right after the step's {@code
 * step_started}: what a crash between the action's end and the journaling of its result leaves.
 */
class ResumeRecoveredOutputsIT {
  @TempDir Path dir;

  private static final String RUNBOOK =
      """
      schema: runbook/v1
      name: recovered
      on_failure: stop
      steps:
        - id: save
          backup: { paths: [data.txt], to: backup }
          verify:
            - path: backup/manifest.json
        - id: probe
          run: |
            touch probed
            echo value=42
          outputs:
            value: { regex: "value=([0-9]+)" }
          verify:
            - path: probed
          IDEMPOTENT
        - id: use
          run: |
            test -f "${{ steps.save.outputs.dir }}/manifest.json"
            echo "dir=${{ steps.save.outputs.dir }} value=${{ steps.probe.outputs.value }}"
      """;

  private CliProcess.Result crashAfterStartOf(String step, boolean idempotent) throws Exception {
    Files.writeString(
        dir.resolve("recovered.yaml"),
        RUNBOOK.replace("IDEMPOTENT", idempotent ? "idempotent: true" : ""));
    Files.writeString(dir.resolve("data.txt"), "orders: 42\n");
    CliProcess.Result first = CliProcess.run(dir, "run", "recovered.yaml", "--state-dir", "state");
    assertThat(first.exitCode()).as(first.stdout() + first.stderr()).isZero();
    RunFiles.cutAfterStartOf(RunFiles.onlyJournal(dir.resolve("state")), step);
    return CliProcess.run(dir, "resume", "--state-dir", "state");
  }

  @Test
  void aBackupRecoveredByItsVerifyHasItsOutputsFromItsManifest() throws Exception {
    CliProcess.Result resumed = crashAfterStartOf("save", true);

    assertThat(resumed.exitCode()).as(resumed.stdout() + resumed.stderr()).isZero();
    // its manifest names this run and step: recognised as done before its verify is consulted
    assertThat(resumed.stdout()).contains("step save: skipped, its result was on disk");
    assertThat(Files.readString(logOf("use"))).contains("/backup value=42");
  }

  @Test
  void aStepWithDeclaredOutputsIsRunAgainWhenIdempotentRatherThanSkipped() throws Exception {
    CliProcess.Result resumed = crashAfterStartOf("probe", true);

    assertThat(resumed.exitCode()).as(resumed.stdout() + resumed.stderr()).isZero();
    assertThat(resumed.stdout()).contains("step probe: started");
    assertThat(Files.readString(logOf("use"))).contains("value=42");
  }

  @Test
  void aStepWithDeclaredOutputsThatIsNotIdempotentIsTheOperatorsCall() throws Exception {
    CliProcess.Result resumed = crashAfterStartOf("probe", false);

    assertThat(resumed.exitCode()).as(resumed.stdout() + resumed.stderr()).isEqualTo(4);
    assertThat(resumed.stdout())
        .contains("its verify passes, but its outputs were not recorded before the run stopped");
  }

  private Path logOf(String step) throws IOException {
    try (Stream<Path> runs = Files.list(dir.resolve("state/runs"))) {
      return runs.findFirst().orElseThrow().resolve("steps/" + step + ".log");
    }
  }
}
