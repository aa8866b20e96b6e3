package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `runbook log RUN_ID STEP --follow` shows a running step's output as it comes, then ends. */
class LogFollowIT {
  @TempDir Path dir;

  @Test
  void followPrintsARunningStepsOutputUntilTheStepEnds() throws Exception {
    Files.writeString(
        dir.resolve("f.yaml"),
        """
        schema: runbook/v1
        name: follow
        steps:
          - id: counting
            run: for i in 1 2 3 4; do echo "line $i"; sleep 0.5; done
        """);
    Path state = dir.resolve("state");
    Process run =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                CliProcess.JAR.toString(),
                "run",
                "f.yaml",
                "--state-dir",
                state.toString())
            .directory(dir.toFile())
            .redirectOutput(dir.resolve("run.out").toFile())
            .redirectErrorStream(true)
            .start();
    try {
      Path runs = state.resolve("runs");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.isDirectory(runs) || Files.list(runs).findAny().isEmpty()) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.sleep(50);
      }
      String runId = Files.list(runs).findFirst().orElseThrow().getFileName().toString();
      CliProcess.Result follow =
          CliProcess.run(
              dir, "log", runId, "counting", "--follow", "--state-dir", state.toString());
      assertThat(follow.exitCode()).isZero();
      assertThat(follow.stdout()).isEqualTo("line 1\nline 2\nline 3\nline 4\n");
      assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(run.exitValue()).isZero();
    } finally {
      run.destroyForcibly();
    }
  }
}
