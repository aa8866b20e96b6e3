package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(file, actual, StandardCharsets.UTF_8);
    }
    // A missing golden fails: one written on the spot would pass whatever the output.
    assertThat(file)
        .as(
            "golden file %s is missing: run the test with -Dgolden.update=true, then review it",
            file)
        .exists();
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

  /**
   * One run per way a failure ends, printed as an operator reads it: a retry, a failure gone past,
   * an irreversible step, compensations skipped by their conditions, a called runbook's steps, and
   * the summary of a rollback, of an incomplete one, of a stop, of a failing finally and of an
   * unmet precondition. What the engine did is proven on the test kit; this is how the CLI says it.
   */
  @Test
  void everyWayARunEndsPrintsItsOwnSummary() throws Exception {
    Path state = dir.resolve("state");
    Files.createDirectories(dir.resolve("lib"));
    Files.writeString(
        dir.resolve("lib/child.yaml"),
        """
        schema: runbook/v1
        name: child
        steps:
          - id: one
            run: "true"
        """);
    Files.writeString(
        dir.resolve("saga.yaml"),
        """
        schema: runbook/v1
        name: saga
        params:
          break_undo: { type: bool, default: false }
        preconditions:
          - name: a shell is available
            command: "true"
        steps:
          - id: flaky
            run: |
              n=$(( $(cat attempts.txt 2>/dev/null || echo 0) + 1 ))
              echo $n > attempts.txt
              [ $n -ge 2 ] || { echo "attempt $n failed" >&2; exit 1; }
            retry: { attempts: 2, delay: 10ms }
          - id: cache_warmup
            run: exit 3
            continue_on_error: true
          - id: sub
            call: { runbook: lib/child.yaml }
          - id: c
            run: "true"
            irreversible: the e-mail to the customers cannot be unsent
          - id: d
            run: "true"
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
              - id: d_second
                run: '[ "${{ params.break_undo }}" = false ]'
          - id: e
            run: exit 7
        """);
    Files.writeString(
        dir.resolve("finally.yaml"),
        """
        schema: runbook/v1
        name: finally-fails
        steps:
          - id: work
            run: "true"
        finally:
          - id: notify
            run: exit 1
        """);
    Files.writeString(
        dir.resolve("unmet.yaml"),
        """
        schema: runbook/v1
        name: unmet
        preconditions:
          - name: the release is downloaded
            path: release.tar.gz
        steps:
          - id: work
            run: "true"
        """);
    StringBuilder out = new StringBuilder();
    for (List<String> args :
        List.of(
            List.of("saga.yaml", "--on-failure", "rollback"),
            List.of("saga.yaml", "--on-failure", "rollback", "-p", "break_undo=true"),
            List.of("saga.yaml", "--on-failure", "stop"),
            List.of("finally.yaml"),
            List.of("unmet.yaml"))) {
      Files.deleteIfExists(dir.resolve("attempts.txt"));
      List<String> argv = new ArrayList<>(List.of("run"));
      argv.addAll(args);
      argv.addAll(List.of("--state-dir", state.toString()));
      CliProcess.Result result = CliProcess.run(dir, argv.toArray(String[]::new));
      out.append("$ runbook ").append(String.join(" ", args)).append('\n');
      out.append(result.stdout()).append("exit ").append(result.exitCode()).append("\n\n");
    }
    compare(
        "run-endings.plain.golden",
        normalise(out.toString(), state).replace(dir.toString(), "<dir>"));
  }
}
