package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@code wait} whose timeout is a parameter: validated, planned and honoured at run time. */
class WaitTimeoutExpressionIT {
  @TempDir Path dir;

  private static final String RUNBOOK =
      """
      schema: runbook/v1
      name: wait-param
      params:
        start_timeout: { type: string, default: 1h }
      on_failure: rollback
      steps:
        - id: ready
          wait:
            until: { path: never-there }
            timeout: "${{ params.start_timeout }}"
            interval: 100ms
      """;

  private Path runbook() throws IOException {
    return Files.writeString(dir.resolve("wait.yaml"), RUNBOOK);
  }

  @Test
  void planShowsTheResolvedTimeout() throws Exception {
    runbook();
    CliProcess.Result result =
        CliProcess.run(
            dir,
            "plan",
            "wait.yaml",
            "--offline",
            "--state-dir",
            "state",
            "-p",
            "start_timeout=2m");
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).contains(", up to 2m, every 100ms");
  }

  @Test
  void anUnknownParameterInTheTimeoutIsAValidationError() throws Exception {
    Files.writeString(
        dir.resolve("bad.yaml"),
        RUNBOOK.replace("${{ params.start_timeout }}", "${{ params.nope }}"));
    CliProcess.Result result = CliProcess.run(dir, "validate", "bad.yaml");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("bad.yaml:10:").contains("nope");
  }

  @Test
  void aLiteralThatIsNeitherADurationNorAnExpressionIsAValidationError() throws Exception {
    Files.writeString(
        dir.resolve("bad.yaml"), RUNBOOK.replace("\"${{ params.start_timeout }}\"", "5 minutes"));
    CliProcess.Result result = CliProcess.run(dir, "validate", "bad.yaml");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("bad.yaml:10:").contains("`5 minutes` is not a duration");
  }
}
