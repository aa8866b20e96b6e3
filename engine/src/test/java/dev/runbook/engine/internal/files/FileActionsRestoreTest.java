package dev.runbook.engine.internal.files;

import static dev.runbook.engine.internal.files.Trees.T1;
import static dev.runbook.engine.internal.files.Trees.T2;
import static dev.runbook.engine.internal.files.Trees.T3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.runbook.engine.internal.files.FileActionException.Code;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileActionsRestoreTest {
  @TempDir Path tmp;

  private final FileActions actions = new FileActions();
  private Path app;
  private Path backup;

  @BeforeEach
  void backUpSampleApp() throws Exception {
    app = tmp.resolve("app");
    Trees.sampleApp(app);
    backup = tmp.resolve("backup");
    actions.backup(
        List.of(
            app.resolve("files/local.db"),
            app.resolve("files/assets"),
            app.resolve(".env"),
            app.resolve("node_modules")),
        app,
        backup);
  }

  @Test
  void restoresAMutatedTreeByteForByteWithModesAndTimes() throws Exception {
    Map<String, String> before = Trees.snapshot(app);
    String digestBefore = TreeDigest.of(app);

    Files.writeString(app.resolve("files/local.db"), "corrupted by a failed migration");
    Files.delete(app.resolve("files/assets/a.png"));
    Files.setAttribute(app.resolve("files/assets/run.sh"), "unix:mode", 0777);
    Files.delete(app.resolve("files/assets/logo.png"));
    Trees.link(app.resolve("files/assets/logo.png"), "elsewhere.png", T3);
    Files.writeString(app.resolve(".env"), "SECRET=new\n");
    Files.setAttribute(app.resolve("node_modules/left-pad"), "unix:mode", 0755);
    Trees.file(app.resolve("node_modules/left-pad/extra.js"), "new", 0644, T1);
    Trees.file(app.resolve("node_modules/right-pad/index.js"), "new", 0644, T1);
    assertThat(TreeDigest.of(app)).isNotEqualTo(digestBefore);

    RestoreResult result = actions.restore(backup, app);

    assertThat(TreeDigest.of(app)).isEqualTo(digestBefore);
    Map<String, String> after = Trees.snapshot(app);
    // Parents of backed-up paths are not in the backup; renaming inside them updates their mtime.
    for (String parent : List.of(".", "files")) {
      before.remove(parent);
      after.remove(parent);
    }
    assertThat(after).as("content, modes and times").isEqualTo(before);
    assertThat(result.paths())
        .containsExactly("files/local.db", "files/assets", ".env", "node_modules");
    assertThat(result.outputs()).containsEntry("paths", "4").containsEntry("files", "6");
  }

  @Test
  void removesFilesThatAppearedAfterTheBackupInsideRestoredDirectories() throws Exception {
    Trees.file(app.resolve("node_modules/new-dep/index.js"), "x", 0644, T1);
    Trees.file(app.resolve("files/assets/brand/new.svg"), "x", 0644, T1);

    actions.restore(backup, app);

    assertThat(app.resolve("node_modules/new-dep")).doesNotExist();
    assertThat(app.resolve("files/assets/brand/new.svg")).doesNotExist();
    assertThat(Trees.names(app.resolve("node_modules"))).containsExactly("left-pad");
  }

  @Test
  void leavesPathsOutsideTheBackupAloneAndLeavesNoTemporarySiblings() throws Exception {
    Trees.file(app.resolve("files/uploads/u1.bin"), "upload", 0644, T1);
    Files.writeString(app.resolve("package.json"), "{\"name\":\"app\",\"version\":\"2\"}");

    actions.restore(backup, app);

    assertThat(Files.readString(app.resolve("files/uploads/u1.bin"))).isEqualTo("upload");
    assertThat(Files.readString(app.resolve("package.json"))).contains("\"version\":\"2\"");
    assertThat(Trees.names(app)).containsExactly(".env", "files", "node_modules", "package.json");
    assertThat(Trees.names(app.resolve("files"))).containsExactly("assets", "local.db", "uploads");
  }

  @Test
  void restoresIntoAnotherDirectoryCreatingMissingParents() throws Exception {
    Path fresh = Files.createDirectory(tmp.resolve("fresh"));

    actions.restore(backup, fresh);

    assertThat(Trees.snapshot(fresh.resolve("files/assets")))
        .isEqualTo(Trees.snapshot(app.resolve("files/assets")));
    assertThat(Trees.describe(fresh.resolve(".env")))
        .isEqualTo(Trees.describe(app.resolve(".env")));
  }

  @Test
  void replacesAPathWhoseKindChanged() throws Exception {
    TreeDeleter.delete(app.resolve("node_modules"));
    Trees.file(app.resolve("node_modules"), "now a file", 0644, T1);
    Files.delete(app.resolve(".env"));
    Files.createDirectory(app.resolve(".env"));

    actions.restore(backup, app);

    assertThat(Files.readString(app.resolve("node_modules/left-pad/index.js")))
        .isEqualTo("module.exports = 1;\n");
    assertThat(Files.readString(app.resolve(".env"))).isEqualTo("SECRET=hunter2\n");
  }

  @Test
  void refusesABackupWithAChangedByteAndChangesNothing() throws Exception {
    Files.writeString(app.resolve("files/local.db"), "live data");
    Map<String, String> live = Trees.snapshot(tmp.resolve("app"));
    Path copy = backup.resolve("files/assets/brand/b.png");
    Files.setAttribute(copy, "unix:mode", 0644);
    Files.writeString(copy, "PNG-C");

    assertThatThrownBy(() -> actions.restore(backup, app))
        .isInstanceOf(FileActionException.class)
        .hasMessage(
            "restore: backup "
                + backup
                + " does not match its manifest, nothing was changed:"
                + " files/assets/brand/b.png: content differs (SHA-256 mismatch)")
        .extracting(e -> ((FileActionException) e).code())
        .isEqualTo(Code.BACKUP_INVALID);
    assertThat(Trees.snapshot(app)).isEqualTo(live);
  }

  @Test
  void refusesABackupWithAMissingFileAndChangesNothing() throws Exception {
    Files.writeString(app.resolve(".env"), "SECRET=live\n");
    Map<String, String> live = Trees.snapshot(app);
    Files.delete(backup.resolve("files/local.db"));

    assertThatThrownBy(() -> actions.restore(backup, app))
        .hasMessageEndingWith("nothing was changed: files/local.db: missing");
    assertThat(Trees.snapshot(app)).isEqualTo(live);
  }

  @Test
  void refusesABackupWithoutManifestAsIncomplete() throws Exception {
    Map<String, String> live = Trees.snapshot(app);
    Files.delete(backup.resolve("manifest.json"));

    assertThatThrownBy(() -> actions.restore(backup, app))
        .isInstanceOf(FileActionException.class)
        .hasMessage(
            "restore: "
                + backup
                + " is not a complete backup: it has no manifest.json (an interrupted backup has"
                + " none); nothing was changed");
    assertThat(Trees.snapshot(app)).isEqualTo(live);
  }

  @Test
  void refusesAFileAddedToABackedUpDirectoryOfTheBackup() throws Exception {
    Trees.file(backup.resolve("node_modules/evil/index.js"), "x", 0644, T1);

    assertThatThrownBy(() -> actions.restore(backup, app))
        .hasMessageEndingWith("node_modules/evil: not in the manifest (added after the backup)");
    assertThat(app.resolve("node_modules/evil")).doesNotExist();
  }

  @Test
  void ignoresFilesOutsideTheBackedUpPathsOfTheBackup() throws Exception {
    Trees.file(backup.resolve("README.txt"), "taken before the 2.0 upgrade", 0644, T1);

    actions.restore(backup, app);

    assertThat(app.resolve("README.txt")).doesNotExist();
  }

  @Test
  void namesTheFirstFewBadPathsAndHowManyMore() throws Exception {
    Files.delete(backup.resolve(".env"));
    Files.delete(backup.resolve("files/local.db"));
    Files.delete(backup.resolve("files/assets/a.png"));
    Files.writeString(backup.resolve("files/assets/run.sh"), "tampered");
    Files.delete(backup.resolve("files/assets/logo.png"));

    assertThatThrownBy(() -> actions.restore(backup, app))
        .hasMessageEndingWith(
            "nothing was changed: .env: missing; files/assets/a.png: missing;"
                + " files/assets/logo.png: missing; and 2 more");
  }

  @Test
  void refusesAManifestEditedByHand() throws Exception {
    Path manifest = backup.resolve("manifest.json");
    Files.writeString(
        manifest, Files.readString(manifest).replace("\"mode\":\"0600\"", "\"mode\":\"0666\""));

    assertThatThrownBy(() -> actions.restore(backup, app))
        .hasMessage(
            "restore: backup manifest "
                + manifest
                + " is not valid: its entries do not match its digest (edited or corrupted);"
                + " nothing was changed");
  }

  @Test
  void refusesAManifestWhosePathsLeaveTheDestinationEvenWithAMatchingDigest() throws Exception {
    Path evil = tmp.resolve("evil");
    Files.createDirectories(evil);
    Trees.file(evil.resolve("x/passwd"), "root::0:0::/:/bin/sh\n", 0644, T1);
    FileEntry escaping =
        new FileEntry(
            "../passwd",
            FileType.FILE,
            21,
            0644,
            T1,
            Optional.empty(),
            Optional.of(Trees.sha256(evil.resolve("x/passwd"))),
            Optional.empty());
    String json = forgedManifestJson(escaping);
    Files.writeString(evil.resolve("manifest.json"), json);
    Path target = Files.createDirectories(tmp.resolve("target/inner"));

    assertThatThrownBy(() -> actions.restore(evil, target))
        .hasMessageContaining("is not valid")
        .hasMessageContaining("\"../passwd\" is not a relative path without . or ..");
    assertThat(tmp.resolve("target/passwd")).doesNotExist();
  }

  @Test
  void refusesAManifestOfANewerVersion() throws Exception {
    Path manifest = backup.resolve("manifest.json");
    Files.writeString(
        manifest, Files.readString(manifest).replace("\"version\":2,", "\"version\":3,"));

    assertThatThrownBy(() -> actions.restore(backup, app))
        .hasMessageContaining(
            "it has format version 3, this runbook reads version 2 (written by a newer runbook?)");
  }

  @Test
  void refusesAVersionOneManifestWhoseDigestLeftOwnersAndTimesOut() throws Exception {
    Path manifest = backup.resolve("manifest.json");
    Files.writeString(
        manifest, Files.readString(manifest).replace("\"version\":2,", "\"version\":1,"));

    assertThatThrownBy(() -> actions.restore(backup, app))
        .hasMessageContaining("it has format version 1, this runbook reads version 2")
        .hasMessageContaining("does not cover the owners and times a restore applies");
  }

  @Test
  void refusesAMissingDestination() {
    Path missing = tmp.resolve("nope");

    assertThatThrownBy(() -> actions.restore(backup, missing))
        .hasMessage(
            "restore: destination directory " + missing + " does not exist; nothing was changed");
  }

  @Test
  void refusesToReplaceADirectoryHoldingTheBackup() throws Exception {
    Path inside = app.resolve("node_modules/.backup");
    Files.move(backup, inside);

    assertThatThrownBy(() -> actions.restore(inside, app))
        .hasMessageStartingWith(
            "restore: the backup " + inside + " is inside " + app.resolve("node_modules"));
    assertThat(inside.resolve("manifest.json")).exists();
  }

  @Test
  void restoresTimesOfRestoredDirectories() throws Exception {
    Trees.file(app.resolve("files/assets/brand/c.png"), "c", 0644, T3);

    actions.restore(backup, app);

    assertThat(Trees.mtime(app.resolve("files/assets/brand"))).isEqualTo(T1);
    assertThat(Trees.mtime(app.resolve("files/assets"))).isEqualTo(T2);
    assertThat(Trees.mode(app.resolve("node_modules/left-pad"))).isEqualTo(0555);
  }

  @Test
  void restoresOwnersWhenRunningAsRoot() throws Exception {
    assumeThat(Trees.runningAsRoot()).as("only root may give files away").isTrue();
    Path data = app.resolve("files/local.db");
    Files.setAttribute(data, "unix:uid", 4242);
    Files.setAttribute(data, "unix:gid", 4343);
    Path second = tmp.resolve("backup2");
    actions.backup(List.of(data), app, second);
    Files.setAttribute(data, "unix:uid", 0);
    Files.setAttribute(data, "unix:gid", 0);

    actions.restore(second, app);

    assertThat(Files.getAttribute(data, "unix:uid")).isEqualTo(4242);
    assertThat(Files.getAttribute(data, "unix:gid")).isEqualTo(4343);
    assertThat(Trees.mode(data)).isEqualTo(0640);
  }

  /** A syntactically valid manifest, digest included, around a crafted entry. */
  private static String forgedManifestJson(FileEntry entry) throws Exception {
    // Built through the writer so that the digest matches; the constructor's checks are skipped
    // by assembling the JSON from a valid manifest and swapping the path.
    FileEntry valid = entry.withPath("x");
    BackupManifest manifest = new BackupManifest(T2, Path.of("/"), List.of("x"), List.of(valid));
    StringWriter out = new StringWriter();
    manifest.write(out);
    String digestOfForged = TreeDigest.of(List.of(entry));
    return out.toString()
        .replace("\"roots\":[\"x\"]", "\"roots\":[\"../passwd\"]")
        .replace("\"path\":\"x\"", "\"path\":\"../passwd\"")
        .replace(manifest.digest(), digestOfForged);
  }

  @Test
  void aRestoreRunAgainAfterACrashLeavesNoTemporarySiblings() throws Exception {
    Map<String, String> before = Trees.snapshot(app.resolve("files"));
    // What a restore killed half-way leaves: a staged copy, and a path renamed away but not back.
    Trees.file(app.resolve("files/.local.db.runbook-new-00112233aabb"), "staged", 0600, T1);
    Files.move(app.resolve("files/assets"), app.resolve("files/.assets.runbook-old-ffeeddccbbaa"));

    actions.restore(backup, app);

    assertThat(Trees.names(app.resolve("files"))).containsExactlyInAnyOrder("local.db", "assets");
    Map<String, String> after = Trees.snapshot(app.resolve("files"));
    before.remove(".");
    after.remove(".");
    assertThat(after).isEqualTo(before);
  }
}
