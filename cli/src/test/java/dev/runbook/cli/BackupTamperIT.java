package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore applies nothing its manifest's digest does not cover, and within the run that made a
 * backup, nothing but that backup; a state directory others can write is refused. Runs as root
 * here, so a uid in a manifest really would chown.
 */
class BackupTamperIT {
  @TempDir Path dir;
  Workspace ws;
  String before;

  @BeforeEach
  void setUp() throws Exception {
    ws = new Workspace(dir);
    RawNames.make(dir.resolve("app/data"));
    before = RawNames.describe(dir.resolve("app/data"));
  }

  @Test
  void aUidEditedInTheManifestIsRefusedAndNothingIsChowned() throws Exception {
    CliProcess.Result result =
        runTampering("sed -i 's/\"uid\":1234/\"uid\":4242/' saved/manifest.json");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(4);
    assertThat(result.stdout())
        .contains("step put_back: FAILED: ")
        .contains("its entries do not match its digest");
    assertThat(RawNames.describe(dir.resolve("app/data"))).isEqualTo(before).doesNotContain("4242");
  }

  @Test
  void anMtimeEditedInTheManifestIsRefused() throws Exception {
    CliProcess.Result result =
        runTampering(
            "sed -i 's/\"mtime\":\"2001-09-09T01:46:40Z\"/\"mtime\":\"2030-01-01T00:00:00Z\"/' saved/manifest.json");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(4);
    assertThat(result.stdout()).contains("its entries do not match its digest");
    assertThat(RawNames.describe(dir.resolve("app/data"))).isEqualTo(before);
  }

  @Test
  void contentSwappedInTheBackupIsRefused() throws Exception {
    CliProcess.Result result = runTampering("printf evil > \"saved/data/$(printf 'caf\\351')\"");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(4);
    assertThat(result.stdout()).contains("does not match its manifest");
    assertThat(RawNames.describe(dir.resolve("app/data"))).isEqualTo(before);
  }

  @Test
  void aBackupSwappedForAnotherSelfConsistentOneIsRefusedAgainstTheJournaledDigest()
      throws Exception {
    // The second backup is complete and its manifest digests right: it holds a setuid file the
    // first never had. Put in the first one's place, only the run's journal can tell.
    ws.write(
        "swap.yaml",
        """
        schema: runbook/v1
        name: swap
        on_failure: stop
        steps:
          - id: save
            cwd: app
            backup: { paths: [data], to: ../saved }
          - id: plant
            cwd: app
            run: printf '#!/bin/sh\\n' > data/suid && chmod 4755 data/suid
          - id: evil
            cwd: app
            backup: { paths: [data], to: ../evil }
          - id: swap
            run: rm -rf saved && mv evil saved && rm -f app/data/suid
          - id: put_back
            restore: { from: "${{ steps.save.outputs.dir }}", to: app }
        """);

    CliProcess.Result result = ws.run("swap.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(4);
    assertThat(result.stdout())
        .contains("step put_back: FAILED: ")
        .contains("is not the backup this run made there");
    assertThat(dir.resolve("app/data/suid")).doesNotExist();
    assertThat(RawNames.describe(dir.resolve("app/data"))).isEqualTo(before);
  }

  @Test
  void aStateDirectoryItsGroupCanWriteIsRefusedNamingItAndItsMode() throws Exception {
    Files.createDirectories(ws.stateDir);
    Files.setPosixFilePermissions(ws.stateDir, PosixFilePermissions.fromString("rwxrwxr-x"));
    ws.write(
        "hello.yaml", "schema: runbook/v1\nname: hello\nsteps:\n  - id: a\n    run: \"true\"\n");

    CliProcess.Result result = ws.run("hello.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(2);
    assertThat(result.stderr())
        .contains(
            "runbook: error: the state directory "
                + ws.stateDir
                + " is writable by its group (mode 0775)")
        .contains("chmod go-w " + ws.stateDir)
        .doesNotContain("Exception");
    assertThat(ws.stateDir.resolve("runs")).doesNotExist();
  }

  @Test
  void aRunsDirectoryOthersCanWriteIsRefusedToo() throws Exception {
    Files.createDirectories(ws.stateDir.resolve("runs"));
    Files.setPosixFilePermissions(
        ws.stateDir.resolve("runs"), PosixFilePermissions.fromString("rwxr-xrwx"));
    ws.write(
        "hello.yaml", "schema: runbook/v1\nname: hello\nsteps:\n  - id: a\n    run: \"true\"\n");

    CliProcess.Result result = CliProcess.run(dir, "runs", "--state-dir", ws.stateDir.toString());

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(2);
    assertThat(result.stderr())
        .contains(ws.stateDir.resolve("runs") + " is writable by others (mode 0757)");
  }

  /** Backs {@code app/data} up, runs {@code tamper} in the workspace, then restores. */
  private CliProcess.Result runTampering(String tamper) throws Exception {
    ws.write(
        "tamper.yaml",
        """
        schema: runbook/v1
        name: tamper
        on_failure: stop
        steps:
          - id: save
            cwd: app
            backup: { paths: [data], to: ../saved }
          - id: tamper
            run: %s
          - id: put_back
            restore: { from: "${{ steps.save.outputs.dir }}", to: app }
        """
            .formatted(yamlQuoted(tamper)));
    return ws.run("tamper.yaml");
  }

  private static String yamlQuoted(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
