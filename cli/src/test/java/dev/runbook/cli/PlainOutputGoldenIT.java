package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden files for what `run` prints off a terminal (pipes, CI). Times, run ids, durations and
 * paths are normalised; {@code -Dgolden.update=true} rewrites the files.
 */
class PlainOutputGoldenIT {
  private static final Path GOLDEN = Path.of("src/test/resources/output");
  @TempDir Path dir;

  static String normalise(String text, Path stateDir) {
    return text.replace(stateDir.toString(), "<state>")
        .replaceAll("(?m)^\\d\\d:\\d\\d:\\d\\d ", "")
        .replaceAll("\\d{8}-\\d{4}-([a-z0-9_-]+)-[0-9a-f]{4}", "<run-id>")
        .replaceAll("in \\d+(\\.\\d+)?(ms|s)\\b", "in <t>")
        .replaceAll("-- \\d+(\\.\\d+)? \\w?i?B free on [^,]*, need", "-- <free>, need");
  }

  private void compare(String name, String actual) throws Exception {
    Path file = GOLDEN.resolve(name);
    if (Boolean.getBoolean("golden.update") || !Files.exists(file)) {
      Files.writeString(file, actual, StandardCharsets.UTF_8);
    }
    assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void demoThatFailsAndRollsBackPrintsOneLinePerTransition() throws Exception {
    Path state = dir.resolve("state");
    CliProcess.Result result =
        CliProcess.run(
            dir,
            "run",
            Path.of("../examples/demo-upgrade.yaml").toAbsolutePath().normalize().toString(),
            "-p",
            "fail_at=smoke",
            "--state-dir",
            state.toString());
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stdout()).doesNotContain("\u001b[");
    compare("demo-rollback.plain.golden", normalise(result.stdout(), state));
  }
}
