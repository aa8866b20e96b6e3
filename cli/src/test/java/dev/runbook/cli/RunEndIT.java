package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the real CLI: how a run ends is what {@code status} says, the operator is told about
 * unfinished and newer runs, and a run is continued only with the values it started with.
 */
class RunEndIT {
  @TempDir Path dir;
  private Workspace ws;

  @BeforeEach
  void workspace() {
    ws = new Workspace(dir);
  }

  private CliProcess.Result cli(String... args) throws Exception {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--state-dir";
    all[args.length + 1] = ws.stateDir.toString();
    return CliProcess.run(dir, Map.of(), all);
  }

  @Test
  void aRunWhoseEngineWasKilledIsInterruptedAndResumableNeverRunning() throws Exception {
    ws.write(
        "slow.yaml",
        """
        schema: runbook/v1
        name: slow
        steps:
          - id: a
            run: "touch started; sleep 30"
            idempotent: true
        """);
    CliProcess.Background run =
        CliProcess.start(dir, Map.of(), "run", "slow.yaml", "--state-dir", ws.stateDir.toString());
    awaitFile("started");
    run.kill();

    CliProcess.Result status = cli("status");
    assertThat(status.stdout()).contains("status: interrupted").contains("(resumable)");
    assertThat(status.stdout()).doesNotContain("status: running");
    JSONObject json = new JSONObject(cli("status", "--format", "json").stdout());
    assertThat(json.getString("status")).isEqualTo("interrupted");
    assertThat(json.getBoolean("resumable")).isTrue();
    assertThat(cli("runs").stdout()).contains("interrupted").contains("(resumable)");

    CliProcess.Result planned = cli("plan", "slow.yaml", "--offline");
    assertThat(planned.stderr())
        .contains("warning: run ")
        .contains("is interrupted")
        .contains("runbook resume ")
        .contains("runbook rollback ");
  }

  @Test
  void aRollbackGivenAnotherValueForAParameterIsRefusedNamingIt() throws Exception {
    ws.write(
        "dirs.yaml",
        """
        schema: runbook/v1
        name: dirs
        params:
          dir: { type: string }
        steps:
          - id: a
            run: echo "$DIR" >> marks
            env: { DIR: "${{ params.dir }}" }
            compensate:
              run: echo "undo $DIR" >> marks
              env: { DIR: "${{ params.dir }}" }
        """);
    assertThat(cli("run", "dirs.yaml", "-p", "dir=A").exitCode()).isZero();
    String runId = RunFiles.runIds(ws.stateDir).get(0);

    CliProcess.Result refused = cli("rollback", runId, "-p", "dir=B");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.stderr())
        .contains("parameter `dir` is `B`, but the run started with `A`")
        .doesNotContain("Exception");
    assertThat(ws.read("marks")).isEqualTo("A\n");

    CliProcess.Result undone = cli("rollback", runId);
    assertThat(undone.exitCode()).as(Workspace.describe(undone)).isZero();
    assertThat(ws.read("marks")).isEqualTo("A\nundo A\n");
  }

  @Test
  void statusAndJsonLinesCarryTheFailureAndTheOutputs() throws Exception {
    ws.write(
        "fails.yaml",
        """
        schema: runbook/v1
        name: fails
        on_failure: rollback
        steps:
          - id: version
            run: echo "version 2.5"
            outputs:
              number: { regex: "version ([0-9.]+)" }
          - id: boom
            run: "echo nope >&2; exit 7"
        """);
    CliProcess.Result run = cli("run", "fails.yaml", "--format", "jsonl");
    assertThat(run.exitCode()).isEqualTo(1);
    JSONObject succeeded = null;
    JSONObject finished = null;
    for (String line : run.stdout().split("\n")) {
      JSONObject event = new JSONObject(line);
      if (event.getString("event").equals("step_succeeded")
          && event.getString("step").equals("version")) {
        succeeded = event;
      }
      if (event.getString("event").equals("run_finished")) {
        finished = event;
      }
    }
    assertThat(succeeded).isNotNull();
    assertThat(succeeded.getJSONObject("outputs").getString("number")).isEqualTo("2.5");
    assertThat(finished.getString("failed_step")).isEqualTo("boom");
    assertThat(finished.getString("reason")).contains("exit 7");

    JSONObject status = new JSONObject(cli("status", "--format", "json").stdout());
    assertThat(status.getString("status")).isEqualTo("rolled_back");
    assertThat(status.getJSONObject("failure").getString("step")).isEqualTo("boom");
    assertThat(status.getJSONObject("failure").getString("reason")).contains("exit 7");
    assertThat(cli("status").stdout()).contains("failure: step `boom`: exit 7");
  }

  @Test
  void aRollbackOfARunThatALaterRunFollowedIsRefusedUnlessForced() throws Exception {
    ws.write(
        "twice.yaml",
        """
        schema: runbook/v1
        name: twice
        steps:
          - id: a
            run: echo run >> marks
            compensate: { run: echo undo >> marks }
        """);
    assertThat(cli("run", "twice.yaml").exitCode()).isZero();
    Thread.sleep(5); // the run ids' clock
    assertThat(cli("run", "twice.yaml").exitCode()).isZero();
    List<String> runs = RunFiles.runIds(ws.stateDir);
    String older = runs.stream().min((x, y) -> startedAt(x).compareTo(startedAt(y))).orElseThrow();

    CliProcess.Result refused = cli("rollback", older);
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.stderr()).contains("succeeded after run " + older).contains("--force");

    assertThat(cli("rollback", older, "--force").exitCode()).isZero();
    assertThat(ws.read("marks")).isEqualTo("run\nrun\nundo\n");
  }

  private String startedAt(String runId) {
    try {
      return new JSONObject(cli("status", runId, "--format", "json").stdout())
          .getString("started_at");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private void awaitFile(String name) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!ws.exists(name)) {
      assertThat(System.nanoTime()).as("%s appears within 60 s", name).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static final String SLOW_ROLLBACK =
      """
      schema: runbook/v1
      name: slow-rollback
      on_failure: rollback
      steps:
        - id: a
          run: echo a >> marks
          compensate: { run: echo undo-a >> marks }
        - id: b
          run: echo b >> marks
          compensate:
            run: "touch undoing-b; sleep 30; echo undo-b >> marks"
            verify: [{ command: "grep -qx undo-b marks" }]
        - id: c
          run: exit 1
      finally:
        - id: report
          run: echo report >> marks
      """;

  @Test
  void sigtermDuringACompensationInterruptsTheRunAndResumeFinishesTheRollbackAsTheFailure()
      throws Exception {
    ws.write("slow-rollback.yaml", SLOW_ROLLBACK);
    CliProcess.Background run =
        CliProcess.start(
            dir, Map.of(), "run", "slow-rollback.yaml", "--state-dir", ws.stateDir.toString());
    awaitFile("undoing-b");
    long sent = System.nanoTime();
    run.signal("TERM");
    CliProcess.Result interrupted = run.await(30);
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sent)).isLessThan(10);
    assertThat(interrupted.exitCode()).as(Workspace.describe(interrupted)).isEqualTo(130);
    assertThat(ws.read("marks")).isEqualTo("a\nb\n"); // no finally yet

    JSONObject status = new JSONObject(cli("status", "--format", "json").stdout());
    assertThat(status.getString("status")).isEqualTo("interrupted");
    assertThat(status.getBoolean("resumable")).isTrue();

    ws.write(
        "slow-rollback.yaml", SLOW_ROLLBACK.replace("touch undoing-b; sleep 30; ", "")); // fast now
    CliProcess.Result resumed = cli("resume", "--accept-changes");
    assertThat(resumed.exitCode()).as(Workspace.describe(resumed)).isEqualTo(1);
    assertThat(resumed.stdout())
        .contains("run failed and was rolled back: step `c` failed: exit 1");
    assertThat(ws.read("marks")).isEqualTo("a\nb\nundo-b\nundo-a\nreport\n");
  }

  @Test
  void aKilledRollbackIsInterruptedAndResumesAsARollback() throws Exception {
    ws.write("slow-rollback.yaml", SLOW_ROLLBACK);
    CliProcess.Background run =
        CliProcess.start(
            dir, Map.of(), "run", "slow-rollback.yaml", "--state-dir", ws.stateDir.toString());
    awaitFile("undoing-b");
    run.kill();
    // the compensation's process outlives the engine: end it, as a reboot would
    for (ProcessHandle p : RunFiles.processesIn(dir)) {
      p.destroyForcibly();
    }

    CliProcess.Result status = cli("status");
    assertThat(status.stdout()).contains("status: interrupted").contains("(resumable)");

    ws.write("slow-rollback.yaml", SLOW_ROLLBACK.replace("touch undoing-b; sleep 30; ", ""));
    CliProcess.Result resumed = cli("resume", "--accept-changes");
    assertThat(resumed.exitCode()).as(Workspace.describe(resumed)).isEqualTo(1);
    assertThat(ws.read("marks")).isEqualTo("a\nb\nundo-b\nundo-a\nreport\n");
    assertThat(new JSONObject(cli("status", "--format", "json").stdout()).getString("status"))
        .isEqualTo("rolled_back");
  }

  @Test
  void aRunLeftStoppedIsNamedWhenTheNextRunStarts() throws Exception {
    ws.write(
        "stops.yaml",
        """
        schema: runbook/v1
        name: stops
        on_failure: stop
        params:
          fail: { type: bool, default: true }
        steps:
          - id: a
            run: "[ \\"$FAIL\\" = false ]"
            env: { FAIL: "${{ params.fail }}" }
        """);
    assertThat(cli("run", "stops.yaml").exitCode()).isEqualTo(4);
    String stopped = RunFiles.runIds(ws.stateDir).get(0);

    CliProcess.Result next = cli("run", "stops.yaml", "-p", "fail=false");
    assertThat(next.exitCode()).as(Workspace.describe(next)).isZero();
    assertThat(next.stderr())
        .contains("warning: run " + stopped + " of `stops` is stopped at step `a`")
        .contains("runbook resume " + stopped);
    assertThat(Files.exists(dir.resolve("state"))).isTrue();
  }
}
