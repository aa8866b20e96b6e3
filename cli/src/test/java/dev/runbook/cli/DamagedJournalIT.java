package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose journal is damaged stays visible: {@code runs} and {@code resume} list it as damaged,
 * naming the line, with a command that works on it; {@code status} shows what precedes the damage
 * and {@code log} the lines as written. Only a torn write (no final newline) is dropped. A corrupt
 * journal used to make its run vanish from {@code runs} and {@code resume}, and a complete last
 * line with a bad checksum was cut as if it were torn.
 */
class DamagedJournalIT {
  @TempDir Path dir;
  private Path journal;
  private String runId;

  @BeforeEach
  void stoppedRun() throws Exception {
    Files.writeString(
        dir.resolve("r.yaml"),
        """
        schema: runbook/v1
        name: journaled
        on_failure: stop
        steps:
          - id: first
            run: echo one
          - id: second
            run: exit 3
        """);
    CliProcess.Result run = CliProcess.run(dir, "run", "r.yaml", "--state-dir", "state");
    assertThat(run.exitCode()).as(Workspace.describe(run)).isEqualTo(4);
    Path runDir = Workspace.runDir(run);
    journal = runDir.resolve("journal.jsonl");
    runId = runDir.getFileName().toString();
  }

  /** Changes one character of complete line {@code n} (1-based): its checksum no longer holds. */
  private void corruptLine(int n) throws Exception {
    List<String> lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
    lines.set(n - 1, lines.get(n - 1).replace("\"seq\"", "\"seQ\""));
    Files.write(journal, lines, StandardCharsets.UTF_8);
  }

  @Test
  void aCompleteLastLineWithABadChecksumIsDamageShownByEveryCommandAndNeverCut() throws Exception {
    int last = Files.readAllLines(journal).size();
    corruptLine(last);
    byte[] before = Files.readAllBytes(journal);

    CliProcess.Result runs = CliProcess.run(dir, "runs", "--state-dir", "state");
    assertThat(runs.exitCode()).as(Workspace.describe(runs)).isZero();
    assertThat(runs.stdout())
        .contains(runId)
        .contains("damaged")
        .contains(journal + ":" + last + ": the checksum does not match the line")
        .contains("see `runbook log " + runId + "`");

    CliProcess.Result json =
        CliProcess.run(dir, "runs", "--state-dir", "state", "--format", "json");
    JSONObject listed = new JSONArray(json.stdout()).getJSONObject(0);
    assertThat(listed.getString("status")).isEqualTo("damaged");
    assertThat(listed.getBoolean("resumable")).isFalse();
    assertThat(listed.getJSONObject("damage").getInt("line")).isEqualTo(last);

    CliProcess.Result resumeAny = CliProcess.run(dir, "resume", "--state-dir", "state");
    assertThat(resumeAny.exitCode()).as(Workspace.describe(resumeAny)).isEqualTo(2);
    assertThat(resumeAny.stderr())
        .contains(journal + ":" + last + ": error: damaged journal line")
        .contains("run " + runId + " cannot be continued: its journal is damaged at line " + last)
        .contains("`runbook status " + runId + "`")
        .contains("`runbook log " + runId + "`");

    CliProcess.Result resume = CliProcess.run(dir, "resume", runId, "--state-dir", "state");
    assertThat(resume.exitCode()).as(Workspace.describe(resume)).isEqualTo(2);
    assertThat(resume.stderr()).contains("damaged at line " + last);

    CliProcess.Result rollback = CliProcess.run(dir, "rollback", runId, "--state-dir", "state");
    assertThat(rollback.exitCode()).as(Workspace.describe(rollback)).isEqualTo(2);
    assertThat(rollback.stderr()).contains("damaged at line " + last);

    CliProcess.Result status = CliProcess.run(dir, "status", runId, "--state-dir", "state");
    assertThat(status.exitCode()).as(Workspace.describe(status)).isZero();
    assertThat(status.stdout())
        .contains("status: damaged at line " + last)
        .contains("first: succeeded")
        .doesNotContain("next: runbook resume");

    CliProcess.Result log = CliProcess.run(dir, "log", runId, "--state-dir", "state");
    assertThat(log.exitCode()).as(Workspace.describe(log)).isZero();
    assertThat(log.stdout())
        .contains("run_started")
        .contains("the journal is damaged from line " + last)
        .contains(last + ": {\"seQ\":" + last);

    assertThat(Files.readAllBytes(journal)).isEqualTo(before);
  }

  @Test
  void damageBeforeTheLastLineKeepsTheRunListedAndWarnsTheNextRunOfTheRunbook() throws Exception {
    corruptLine(2);

    CliProcess.Result runs = CliProcess.run(dir, "runs", "--state-dir", "state");
    assertThat(runs.stdout()).contains(runId).contains(journal + ":2: ");

    CliProcess.Result plan = CliProcess.run(dir, "plan", "r.yaml", "--state-dir", "state");
    assertThat(plan.stderr())
        .contains("runbook: warning: run " + runId + " of `journaled` has a damaged journal");
  }

  @Test
  void aDamagedFirstLineLeavesTheRunListedAndItsStatusReadable() throws Exception {
    corruptLine(1);

    CliProcess.Result runs = CliProcess.run(dir, "runs", "--state-dir", "state");
    assertThat(runs.stdout()).contains(runId).contains(journal + ":1: ");
    CliProcess.Result status = CliProcess.run(dir, "status", runId, "--state-dir", "state");
    assertThat(status.exitCode()).as(Workspace.describe(status)).isZero();
    assertThat(status.stdout()).contains("damaged at line 1").contains("runbook log " + runId);
    CliProcess.Result prune =
        CliProcess.run(dir, "prune", "--older-than", "0s", "--state-dir", "state");
    assertThat(prune.exitCode()).as(Workspace.describe(prune)).isZero();
    assertThat(prune.stdout()).contains("kept " + runId + ": its journal is damaged");
    assertThat(journal).exists();
  }

  @Test
  void aTornLastLineIsDroppedAndTheRunStaysResumable() throws Exception {
    Files.writeString(
        journal, "{\"seq\":99,\"ts\":\"2026-", java.nio.file.StandardOpenOption.APPEND);

    CliProcess.Result runs = CliProcess.run(dir, "runs", "--state-dir", "state");
    assertThat(runs.stdout()).contains(runId).contains("(resumable)").doesNotContain("damaged");
    CliProcess.Result resume = CliProcess.run(dir, "resume", runId, "--state-dir", "state");
    // the failing step fails again: the run went on from its journal
    assertThat(resume.exitCode()).as(Workspace.describe(resume)).isEqualTo(4);
    assertThat(Files.readString(journal)).doesNotContain("\"seq\":99");
  }
}
