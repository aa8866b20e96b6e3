package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, a read-only state directory, a path with a NUL byte, an absurd CLI value: each is a
 * one-line user error naming the path and the cause, with the documented exit code, never an
 * internal error (exit 70); a run that had started stays consistent and resumable. The disks are
 * real: small tmpfs mounts (the tests run as root), unmounted afterwards.
 */
class FileSystemFailuresIT {
  @TempDir Path dir;
  private final List<Path> mounts = new ArrayList<>();

  /** A tmpfs of {@code size} at {@code dir/name}; skips the test when this machine cannot mount. */
  private Path tmpfs(String name, String size) throws Exception {
    Path at = Files.createDirectories(dir.resolve(name));
    int exit = sh("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", at.toString());
    assumeTrue(exit == 0, "cannot mount a tmpfs here (not root, or no mount namespace)");
    mounts.add(at);
    return at;
  }

  private static int sh(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  @AfterEach
  void unmount() throws Exception {
    for (Path m : mounts) {
      sh("umount", "-l", m.toString());
    }
  }

  private static void noInternalError(CliProcess.Result result) {
    assertThat(result.exitCode()).as(Workspace.describe(result)).isNotEqualTo(70);
    assertThat(result.stderr())
        .doesNotContain("internal error")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void aDiskThatFillsUpMidRunStopsItResumableAndItsJournalStaysSound() throws Exception {
    Path disk = tmpfs("disk", "2m");
    StringBuilder steps = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      steps.append("  - id: s").append(i).append("\n    idempotent: true\n    run: \"true\"\n");
    }
    // fills the disk once (the marker lives elsewhere), then many small steps journal on it
    Files.writeString(
        dir.resolve("fill.yaml"),
        """
        schema: runbook/v1
        name: fills
        params:
          filler: { type: string }
        steps:
          - id: fill
            run: '[ -e marker ] || { head -c 3000000 /dev/zero > "${{ params.filler }}" 2>/dev/null || true; touch marker; }'
        """
            + steps);
    Path state = disk.resolve("state");

    CliProcess.Result run =
        CliProcess.run(
            dir,
            "run",
            "fill.yaml",
            "-p",
            "filler=" + disk.resolve("filler"),
            "--state-dir",
            state.toString());

    noInternalError(run);
    assertThat(run.exitCode()).as(Workspace.describe(run)).isEqualTo(4);
    String runId = Workspace.runDir(run).getFileName().toString();
    Path journal = state.resolve("runs").resolve(runId).resolve("journal.jsonl");
    assertThat(run.stderr())
        .contains(
            "runbook: error: cannot write the journal " + journal + ": No space left on device")
        .contains("`runbook resume " + runId + "`");
    // no partial line was left behind to turn into damage once space is back
    assertThat(Files.readString(journal)).endsWith("}\n");

    CliProcess.Result status =
        CliProcess.run(dir, "status", runId, "--state-dir", state.toString());
    assertThat(status.stdout()).containsPattern("status: (interrupted|errored).*\\(resumable\\)");

    Files.delete(disk.resolve("filler"));
    CliProcess.Result resume =
        CliProcess.run(dir, "resume", runId, "--state-dir", state.toString());
    assertThat(resume.exitCode()).as(Workspace.describe(resume)).isZero();
    assertThat(resume.stdout()).contains("step s59: succeeded");
  }

  @Test
  void aStepWhoseOutputFillsTheDiskDoesNotSucceedWithItsLogCutShort() throws Exception {
    Path disk = tmpfs("disk", "2m");
    Files.writeString(
        dir.resolve("loud.yaml"),
        """
        schema: runbook/v1
        name: loud
        steps:
          - id: loud
            run: head -c 4000000 /dev/zero | tr '\\0' x
        """);
    Path state = disk.resolve("state");

    CliProcess.Result run =
        CliProcess.run(dir, "run", "loud.yaml", "--state-dir", state.toString());

    noInternalError(run);
    assertThat(run.exitCode()).as(Workspace.describe(run)).isEqualTo(4);
    assertThat(run.stdout() + run.stderr()).doesNotContain("step loud: succeeded");
    Path log = Workspace.runDir(run).resolve("steps/loud.log");
    assertThat(run.stdout() + run.stderr())
        .contains("could not write the step log " + log + " (No space left on device)");
  }

  @Test
  void aReadOnlyStateDirectoryIsAUserErrorNamingThePathAndTheCause() throws Exception {
    Path disk = tmpfs("ro", "1m");
    Files.createDirectories(disk.resolve("state/runs"));
    Files.createDirectories(disk.resolve("state/locks"));
    assertThat(sh("mount", "-o", "remount,ro", disk.toString())).isZero();
    Files.writeString(
        dir.resolve("r.yaml"),
        """
        schema: runbook/v1
        name: ro
        steps:
          - id: hello
            run: echo hello
        """);

    CliProcess.Result existing =
        CliProcess.run(dir, "run", "r.yaml", "--state-dir", disk.resolve("state").toString());
    noInternalError(existing);
    assertThat(existing.exitCode()).isEqualTo(2);
    assertThat(existing.stderr())
        .contains(
            "runbook: error: cannot create the state directory " + disk.resolve("state/runs/"))
        .contains(": Read-only file system");

    // The host-wide lock directory on a read-only file system: named, with the cause.
    CliProcess.Result locks =
        CliProcess.run(
            dir,
            "run",
            "r.yaml",
            "--state-dir",
            dir.resolve("writable-state").toString(),
            "--lock-dir",
            disk.resolve("state/locks").toString());
    noInternalError(locks);
    assertThat(locks.exitCode()).isEqualTo(2);
    assertThat(locks.stderr())
        .contains(
            "runbook: error: cannot write the lock's holder record in the lock directory "
                + disk.resolve("state/locks")
                + ": Read-only file system");

    CliProcess.Result missing =
        CliProcess.run(dir, "run", "r.yaml", "--state-dir", disk.resolve("new").toString());
    noInternalError(missing);
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.stderr())
        .contains(
            "runbook: error: cannot create the state directory "
                + disk.resolve("new")
                + ": Read-only file system");
  }

  @Test
  void aParameterWithANulByteUsedAsAPathFailsTheStepNamingIt() throws Exception {
    Files.writeString(
        dir.resolve("copy.yaml"),
        """
        schema: runbook/v1
        name: nul
        params:
          target: { type: string }
        steps:
          - id: place
            copy: { from: copy.yaml, to: "${{ params.target }}" }
        """);
    Files.writeString(dir.resolve("params.yaml"), "target: \"out\\0put\"\n");

    CliProcess.Result run =
        CliProcess.run(dir, "run", "copy.yaml", "--params-file", "params.yaml", "--state-dir", "s");

    noInternalError(run);
    assertThat(run.exitCode()).as(Workspace.describe(run)).isIn(1, 2, 4);
    assertThat(run.stdout() + run.stderr()).contains("NUL byte");
  }

  @Test
  void anOlderThanBeyondTheEpochIsAUserError() throws Exception {
    CliProcess.Result prune =
        CliProcess.run(dir, "prune", "--older-than", "9999999999999d", "--state-dir", "s");
    noInternalError(prune);
    assertThat(prune.exitCode()).isEqualTo(2);
    assertThat(prune.stderr()).contains("--older-than 9999999999999d is longer than the time");
  }
}
