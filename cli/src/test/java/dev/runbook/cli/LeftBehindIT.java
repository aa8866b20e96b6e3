package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step whose command exits leaving a process running: the engine ends it, and says so on the
 * console and in {@code --format jsonl} (pid and command, masked), not only in the step log.
 */
class LeftBehindIT {
  private static final String SECRET = "left-behind-s3cr3t";

  @TempDir Path dir;

  @AfterEach
  void noStepOutlivesTheTest() throws Exception {
    RunFiles.killProcessesIn(dir);
  }

  private Path runbook() throws Exception {
    return Files.writeString(
        dir.resolve("left.yaml"),
        """
        schema: runbook/v1
        name: left
        params:
          token: { type: string, secret: true, description: a token }
        steps:
          - id: spawn
            env: { TOKEN: "${{ params.token }}" }
            run: sh -c 'sleep 37; :' leftover "$TOKEN" & echo spawned
        """);
  }

  @Test
  void theConsoleNamesTheProcessesAFinishedStepLeftAndTheEngineEnded() throws Exception {
    Path file = runbook();

    CliProcess.Result result =
        CliProcess.run(
            dir,
            Map.of("RUNBOOK_PARAM_TOKEN", SECRET),
            "run",
            file.toString(),
            "--state-dir",
            dir.resolve("state").toString());

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    assertThat(result.stdout())
        .containsPattern("step spawn: ended 2 processes its command left running: \\d+ \\(")
        .contains("(sh -c sleep 37; : leftover ***)")
        .contains("(sleep 37)")
        .doesNotContain(SECRET);
    assertThat(RunFiles.processesIn(dir)).isEmpty();
  }

  @Test
  void jsonlHasALeftBehindEventWithPidAndCommand() throws Exception {
    Path file = runbook();

    CliProcess.Result result =
        CliProcess.run(
            dir,
            Map.of("RUNBOOK_PARAM_TOKEN", SECRET),
            "run",
            file.toString(),
            "--format",
            "jsonl",
            "--state-dir",
            dir.resolve("state").toString());

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    List<JSONObject> events =
        result
            .stdout()
            .lines()
            .map(JSONObject::new)
            .filter(e -> e.getString("event").equals("left_behind"))
            .toList();
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getString("step")).isEqualTo("spawn");
              List<JSONObject> processes = new ArrayList<>();
              e.getJSONArray("processes").forEach(p -> processes.add((JSONObject) p));
              assertThat(processes.stream().map(p -> p.getString("command")))
                  .containsExactlyInAnyOrder("sh -c sleep 37; : leftover ***", "sleep 37");
              assertThat(processes).allSatisfy(p -> assertThat(p.getLong("pid")).isPositive());
            });
    assertThat(result.stdout()).doesNotContain(SECRET);
  }
}
