package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-line values (an http body, a precondition's command) keep the plan's indentation: they used
 * to start their second line in column 0, among the step list.
 */
class PlanMultilineValuesIT {
  @TempDir Path dir;

  @Test
  void multilineHttpBodyAndCheckCommandAreIndentedInThePlan() throws Exception {
    Files.writeString(
        dir.resolve("upload.yaml"),
        """
        schema: runbook/v1
        name: upload
        preconditions:
          - name: two lines
            command: |
              true
              test -d /
        steps:
          - id: post
            http:
              url: http://127.0.0.1:9/files
              method: POST
              body: |
                G28
                G1 X1
        """);

    CliProcess.Result result =
        CliProcess.run(dir, "plan", "upload.yaml", "--offline", "--state-dir", "state");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout())
        .contains(
            "  [ ? ] two lines: command `true\n" + "        test -d /` exits 0\n",
            "     http: POST http://127.0.0.1:9/files, expect 200\n"
                + "       body:\n"
                + "         G28\n"
                + "         G1 X1\n");
  }
}
