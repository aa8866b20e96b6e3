package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.json.JSONObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a step does around its action: outputs, when, retry, timeout, continue_on_error. */
class RunStepFeaturesIT {
  @TempDir Path dir;
  Workspace ws;

  @BeforeEach
  void setUp() {
    ws = new Workspace(dir);
  }

  @Test
  void outputsAreCapturedByRegexJsonPointerAndFromAFileAndReadByLaterSteps() throws Exception {
    ws.write(
        "outputs.yaml",
        """
        schema: runbook/v1
        name: outputs
        steps:
          - id: version
            run: echo "app version 2.4.1 (build 77)"
            outputs:
              number: { regex: "version ([0-9.]+)" }
              build: { regex: "build [0-9]+" }
          - id: inspect
            run: |
              echo '{"image": {"tag": "v2"}, "ports": [8080, 9090]}'
            outputs:
              tag: { json: /image/tag }
              port: { json: /ports/1 }
          - id: files
            run: |
              echo '{"digest": "sha256:abc"}' > image.json
              printf '42\\n' > rows.txt
            outputs:
              digest: { file: image.json, json: /digest }
              rows: { file: rows.txt, regex: "([0-9]+)" }
              whole: { file: rows.txt }
          - id: report
            run: >-
              echo "${{ steps.version.outputs.number }}|${{ steps.version.outputs.build }}|${{
              steps.inspect.outputs.tag }}|${{ steps.inspect.outputs.port }}|${{
              steps.files.outputs.digest }}|${{ steps.files.outputs.rows }}|[${{
              steps.files.outputs.whole }}]|${{ steps.version.outputs.exit_code }}" > report.txt
          - id: compare
            when: steps.files.outputs.rows > 40 && steps.inspect.outputs.port == 9090
            run: touch compared.txt
        """);

    CliProcess.Result result = ws.run("outputs.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    assertThat(ws.read("report.txt")).isEqualTo("2.4.1|build 77|v2|9090|sha256:abc|42|[42]|0\n");
    assertThat(ws.exists("compared.txt")).isTrue();
    JSONObject recorded =
        Workspace.journal(result, "step_succeeded").get(1).getJSONObject("outputs");
    assertThat(recorded.getString("tag")).isEqualTo("v2");
  }

  @Test
  void whenDecidesWhetherAStepRunsAndPlanShowsTheDecision() throws Exception {
    ws.write(
        "when.yaml",
        """
        schema: runbook/v1
        name: when
        params:
          env_name: { type: string, default: staging }
          migrate: { type: bool, default: false }
        steps:
          - id: always_staging
            when: params.env_name == 'staging'
            run: touch staging.txt
          - id: only_if_migrating
            when: "${{ params.migrate }}"
            run: touch migrated.txt
          - id: probe
            run: echo ready
            outputs:
              state: { regex: "(ready|busy)" }
          - id: after_probe
            when: steps.probe.outputs.state == 'ready'
            run: touch probed.txt
        """);

    CliProcess.Result plan = ws.plan("when.yaml");
    assertThat(plan.stdout())
        .contains("when `params.env_name == 'staging'` is true")
        .contains("SKIPPED: when `params.migrate` is false")
        .contains("decided at run time: when `steps.probe.outputs.state == 'ready'`");

    CliProcess.Result result = ws.run("when.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    assertThat(ws.exists("staging.txt")).isTrue();
    assertThat(ws.exists("migrated.txt")).isFalse();
    assertThat(ws.exists("probed.txt")).isTrue();
    assertThat(Workspace.journal(result, "step_skipped"))
        .extracting(r -> r.getString("step"))
        .containsExactly("only_if_migrating");

    CliProcess.Result migrating = ws.run("when.yaml", "-p", "migrate=true", "-p", "env_name=prod");
    assertThat(migrating.exitCode()).isZero();
    assertThat(ws.exists("migrated.txt")).isTrue();
    assertThat(Workspace.journal(migrating, "step_skipped"))
        .extracting(r -> r.getString("step"))
        .containsExactly("always_staging");
  }

  @Test
  void retryCountsEveryAttemptAndSucceedsOnTheThird() throws Exception {
    ws.write(
        "retry.yaml",
        """
        schema: runbook/v1
        name: retry
        on_failure: stop
        steps:
          - id: flaky
            run: |
              n=$(( $(cat attempts.txt 2>/dev/null || echo 0) + 1 ))
              echo $n > attempts.txt
              [ $n -ge 3 ] || { echo "attempt $n failed" >&2; exit 1; }
            retry: { attempts: 3, delay: 50ms, backoff: 2 }
          - id: hopeless
            run: |
              echo x >> hopeless.txt
              exit 9
            retry: { attempts: 2, delay: 10ms }
        """);

    CliProcess.Result result = ws.run("retry.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(4);
    assertThat(ws.read("attempts.txt")).isEqualTo("3\n");
    assertThat(result.stdout())
        .contains("step flaky: failed (exit 1: attempt 1 failed), retrying in 50ms")
        .contains("step flaky: failed (exit 1: attempt 2 failed), retrying in 100ms")
        .contains("step flaky: attempt 3")
        .contains("step hopeless: FAILED: exit 9");
    assertThat(ws.read("hopeless.txt")).isEqualTo("x\nx\n");
    List<JSONObject> started = Workspace.journal(result, "step_started");
    assertThat(started)
        .extracting(r -> r.getString("step") + "#" + r.getInt("attempt"))
        .containsExactly("flaky#1", "flaky#2", "flaky#3", "hopeless#1", "hopeless#2");
  }

  @Test
  void timeoutEndsTheWholeProcessTreeOfTheStep() throws Exception {
    ws.write(
        "timeout.yaml",
        """
        schema: runbook/v1
        name: timeout
        on_failure: stop
        steps:
          - id: hangs
            timeout: 1s
            run: |
              sh -c 'sleep 300 & echo $! > grandchild.pid; wait' &
              echo $! > child.pid
              wait
          - id: after
            run: touch after.txt
        """);

    long start = System.nanoTime();
    CliProcess.Result result = ws.run("timeout.yaml");
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(4);
    assertThat(result.stdout()).contains("step hangs: FAILED: timed out after 1s");
    assertThat(seconds).isLessThan(20);
    assertThat(ws.exists("after.txt")).isFalse();
    for (String pidFile : List.of("child.pid", "grandchild.pid")) {
      long pid = Long.parseLong(ws.read(pidFile).strip());
      assertThat(goneOrZombie(pid)).as(pidFile + " " + pid).isTrue();
    }
  }

  /** True when the process has exited: no /proc entry, or only a zombie's waiting for a reaper. */
  private static boolean goneOrZombie(long pid) throws Exception {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    for (int i = 0; i < 50; i++) {
      if (!Files.exists(stat)) {
        return true;
      }
      try {
        String text = Files.readString(stat);
        // The state follows the parenthesised command name: "1234 (sleep) Z ..."
        char state = text.substring(text.lastIndexOf(')') + 2).charAt(0);
        if (state == 'Z' || state == 'X') {
          return true;
        }
      } catch (java.nio.file.NoSuchFileException e) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  @Test
  void continueOnErrorKeepsGoingExitsZeroAndListsTheFailure() throws Exception {
    ws.write(
        "continue.yaml",
        """
        schema: runbook/v1
        name: continue
        on_failure: rollback
        steps:
          - id: cache_warmup
            run: exit 3
            continue_on_error: true
            compensate: { run: touch undone.txt }
          - id: after
            run: touch after.txt
        """);

    CliProcess.Result result = ws.run("continue.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    assertThat(ws.exists("after.txt")).isTrue();
    assertThat(ws.exists("undone.txt")).isFalse();
    assertThat(result.stdout())
        .contains("step cache_warmup: FAILED: exit 3 (continuing: continue_on_error)")
        .contains("run succeeded (exit 0)")
        .contains("  failed, continued: cache_warmup: exit 3");
  }
}
