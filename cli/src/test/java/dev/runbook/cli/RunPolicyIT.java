package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.json.JSONObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the CLI answers to bad input (exit 2 before anything runs), and the JSON-lines output of a
 * run that fails and rolls back. The failure policies, the saga and finally themselves are proven
 * on the engine test kit ({@code FailurePolicyTest}); their plain output in {@code
 * PlainOutputGoldenIT}.
 */
class RunPolicyIT {
  @TempDir Path dir;
  Workspace ws;

  @BeforeEach
  void setUp() {
    ws = new Workspace(dir);
  }

  /**
   * a (compensated), b (skipped by when), c (irreversible), d (a two-step compensation), e (fails,
   * compensated: it may have half-applied), f (never started).
   */
  private static final String SAGA =
      """
      schema: runbook/v1
      name: saga
      params:
        break_undo: { type: bool, default: false }
      on_failure: stop
      steps:
        - id: a
          run: echo a >> done.txt
          compensate: { run: echo a >> undo.txt }
        - id: b
          when: "false"
          run: echo b >> done.txt
          compensate: { run: echo b >> undo.txt }
        - id: c
          run: echo c >> done.txt
          irreversible: the e-mail to the customers cannot be unsent
        - id: d
          run: echo d >> done.txt
          compensate:
            - id: d_first
              run: echo d_first >> undo.txt
            - id: d_second
              run: |
                echo d_second >> undo.txt
                [ "${{ params.break_undo }}" = false ]
        - id: e
          run: |
            echo e >> done.txt
            exit 7
          compensate: { run: echo e >> undo.txt }
        - id: f
          run: echo f >> done.txt
          compensate: { run: echo f >> undo.txt }
      """;

  @Test
  void anInvalidRunbookExitsTwoForRunAndPlanAndRunsNothing() throws Exception {
    ws.write(
        "invalid.yaml",
        """
        schema: runbook/v1
        name: invalid
        params:
          name: { type: string, default: x }
        steps:
          - id: touch
            run: touch ran.txt
          - id: python
            shell: python3
            run: print("${{ params.name }}")
          - id: later
            run: echo "${{ steps.nowhere.outputs.value }}"
        """);

    CliProcess.Result run = ws.run("invalid.yaml");
    CliProcess.Result plan = ws.plan("invalid.yaml");

    for (CliProcess.Result result : List.of(run, plan)) {
      assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(2);
      assertThat(result.stderr())
          .contains("invalid.yaml:10:")
          .contains("invalid.yaml:12:")
          .doesNotContain("Exception");
      assertThat(result.stdout()).isEmpty();
    }
    assertThat(ws.exists("ran.txt")).isFalse();
    assertThat(ws.stateDir.resolve("runs")).doesNotExist();
  }

  @ParameterizedTest(name = "-p {0}")
  @CsvSource({
    "nope=1, unknown parameter `nope`",
    "count=many, `many` is not a whole number",
    "dry_run=maybe, `maybe` is not true or false",
    "env_name=qa, env_name",
  })
  void aBadParameterExitsTwoAndRunsNothing(String param, String message) throws Exception {
    ws.write(
        "params.yaml",
        """
        schema: runbook/v1
        name: params
        params:
          count: { type: int, default: 1 }
          dry_run: { type: bool, default: false }
          env_name: { type: string, enum: [staging, prod], default: staging }
        steps:
          - id: touch
            run: touch ran.txt
        """);

    CliProcess.Result result = ws.run("params.yaml", "-p", param);

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(2);
    assertThat(result.stderr()).contains(message).doesNotContain("Exception");
    assertThat(ws.exists("ran.txt")).isFalse();
  }

  @Test
  void aMissingRequiredParameterExitsTwo() throws Exception {
    ws.write(
        "required.yaml",
        """
        schema: runbook/v1
        name: required
        params:
          install_dir: { type: path }
        steps:
          - id: touch
            run: touch "${{ params.install_dir }}/ran.txt"
        """);

    CliProcess.Result result = ws.run("required.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(2);
    assertThat(result.stderr()).contains("install_dir");
  }

  @Test
  void jsonLinesFormatPrintsOnlyJsonObjectsOnStdout() throws Exception {
    ws.write(
        "saga.yaml",
        SAGA.replace(
            "  - id: a\n    run: echo a >> done.txt\n",
            "  - id: a\n    run: |\n      echo a >> done.txt\n      echo 'to stdout {'\n"
                + "      echo 'to stderr' >&2\n      printf 'no newline'\n"));

    CliProcess.Result result = ws.run("saga.yaml", "--on-failure", "rollback", "--format", "jsonl");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(1);
    List<JSONObject> events = new ArrayList<>();
    for (String line : result.stdout().split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      assertThat(line).startsWith("{").endsWith("}");
      events.add(new JSONObject(line));
    }
    assertThat(result.stdout()).endsWith("}\n");
    List<String> types = new ArrayList<>();
    events.forEach(e -> types.add(e.getString("event")));
    assertThat(types.get(0)).isEqualTo("run_started");
    assertThat(types.get(types.size() - 1)).isEqualTo("run_finished");
    assertThat(types).contains("output", "step_failed", "compensation_started", "irreversible");
    List<String> lines = new ArrayList<>();
    events.stream()
        .filter(e -> e.getString("event").equals("output"))
        .forEach(e -> lines.add(e.getString("line")));
    assertThat(lines).contains("to stdout {", "to stderr", "no newline");
    JSONObject finished = events.get(events.size() - 1);
    assertThat(finished.getInt("exit_code")).isEqualTo(1);
    assertThat(finished.getString("status")).isEqualTo("rolled_back");
    assertThat(finished.getJSONArray("irreversible").getString(0)).startsWith("c: ");
    assertThat(Files.readString(dir.resolve("undo.txt")).lines())
        .containsExactly("e", "d_first", "d_second", "a");
  }
}
