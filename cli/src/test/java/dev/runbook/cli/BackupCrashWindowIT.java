package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.RunFold;
import dev.runbook.engine.journal.RunStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, guarantee 6, through the real CLI: a {@code backup} whose engine died after the rename
 * that publishes the backup and before the step's result was journaled is, on resume, this run's
 * own complete backup, with its outputs read back from its manifest, whichever in-flight choice is
 * made; the backup is never made twice nor refused as someone else's.
 *
 * <p>The crash is made exact by cutting the journal of a finished run back to the backup step's
 * {@code step_started} (whole lines: what a kill in that window leaves on disk). The data changes
 * after the crash, so outputs that came from a new backup would show a different digest.
 */
class BackupCrashWindowIT {
  @TempDir Path dir;

  private static final String RUNBOOK =
      """
      schema: runbook/v1
      name: window
      on_failure: stop
      steps:
        - id: save
          backup: { paths: [data.txt, conf], to: backups/b }
          IDEMPOTENT
        - id: use
          run: |
            echo "dir=${{ steps.save.outputs.dir }}" > used.txt
            cat "${{ steps.save.outputs.dir }}/data.txt" >> used.txt
      """;

  /**
   * Runs the runbook to the end, cuts its journal back to the backup's start, changes the data, and
   * resumes with {@code flags}; returns the resume's result and what {@code use} saw in the first
   * run.
   */
  private Crash crashInTheBackupsWindowThenResume(boolean idempotent, String... flags)
      throws Exception {
    Files.writeString(
        dir.resolve("window.yaml"),
        RUNBOOK.replace("IDEMPOTENT", idempotent ? "idempotent: true" : ""));
    Files.writeString(dir.resolve("data.txt"), "orders: 42\n");
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(dir.resolve("conf/app.yml"), "port: 8080\n");
    CliProcess.Result first = CliProcess.run(dir, "run", "window.yaml", "--state-dir", "state");
    assertThat(first.exitCode()).as(first.stdout() + first.stderr()).isZero();
    String used = Files.readString(dir.resolve("used.txt"));
    assertThat(used).isEqualTo("dir=" + dir.resolve("backups/b") + "\norders: 42\n");
    Map<String, Object> outputs = journal().done("save").orElseThrow().outputs();

    RunFiles.cutAfterStartOf(RunFiles.onlyJournal(dir.resolve("state")), "save");
    Files.delete(dir.resolve("used.txt"));
    Files.writeString(dir.resolve("data.txt"), "orders: 43 and more since the crash\n");

    List<String> args = new ArrayList<>(List.of("resume", "--state-dir", "state"));
    args.addAll(List.of(flags));
    return new Crash(CliProcess.run(dir, Map.of(), args.toArray(String[]::new)), used, outputs);
  }

  /**
   * What resume did, what the later step saw in the uninterrupted run, and the backup's outputs
   * journaled then.
   */
  private record Crash(
      CliProcess.Result resumed, String usedBefore, Map<String, Object> outputsBefore) {}

  private RunFold journal() throws IOException {
    return RunFold.of(Journal.read(RunFiles.onlyJournal(dir.resolve("state"))).records());
  }

  private void assertRecoveredOnce(Crash crash) throws IOException {
    CliProcess.Result resumed = crash.resumed();
    assertThat(resumed.exitCode()).as(resumed.stdout() + resumed.stderr()).isZero();
    assertThat(resumed.stdout()).contains("step save: skipped, its result was on disk");
    assertThat(Files.readString(dir.resolve("used.txt"))).isEqualTo(crash.usedBefore());
    try (Stream<Path> backups = Files.list(dir.resolve("backups"))) {
      assertThat(backups.map(p -> p.getFileName().toString()))
          .as("exactly one backup, no partial one")
          .containsExactly("b");
    }
    assertThat(Files.readString(dir.resolve("backups/b/data.txt"))).isEqualTo("orders: 42\n");

    RunFold journal = journal();
    assertThat(journal.steps())
        .filteredOn(s -> s.id().equals("save"))
        .singleElement()
        .satisfies(s -> assertThat(s.detail()).isEqualTo("its result was on disk"));
    assertThat(journal.done("save").orElseThrow().outputs())
        .as("every output as the uninterrupted backup reported it")
        .isEqualTo(crash.outputsBefore());
    assertThat(journal.status()).isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void unattendedWithoutAFlagTheBackupIsRecognisedAsThisRunsOwn() throws Exception {
    assertRecoveredOnce(crashInTheBackupsWindowThenResume(false));
  }

  @Test
  void withRerunInflightTheBackupIsRecognisedNotMadeAgain() throws Exception {
    assertRecoveredOnce(crashInTheBackupsWindowThenResume(false, "--rerun-inflight"));
  }

  @Test
  void withSkipInflightTheBackupsOutputsAreStillKnown() throws Exception {
    assertRecoveredOnce(crashInTheBackupsWindowThenResume(false, "--skip-inflight"));
  }

  @Test
  void anIdempotentBackupStepIsRecognisedNotMadeAgain() throws Exception {
    assertRecoveredOnce(crashInTheBackupsWindowThenResume(true));
  }
}
