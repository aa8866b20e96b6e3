package dev.runbook.engine.internal.files;

import static dev.runbook.engine.internal.files.Trees.T1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.json.JSONObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a crash between a built-in action's last rename and the journaling of its result leaves, and
 * how the action's result is read back from disk (or the action run again) afterwards.
 */
class FileActionsFinishedTest {
  private static final BackupManifest.Origin ORIGIN =
      new BackupManifest.Origin("20261123-0712-app-3f9a", "save");

  @TempDir Path tmp;

  private final FileActions actions = new FileActions();
  private Path app;

  @BeforeEach
  void sampleApp() throws Exception {
    app = tmp.resolve("app");
    Trees.sampleApp(app);
  }

  private List<Path> paths() {
    return List.of(app.resolve("files/local.db"), app.resolve(".env"));
  }

  @Test
  void aBackupOfAStepNamesItsRunAndStepInItsManifest() throws Exception {
    Path to = tmp.resolve("backup");

    actions.backup(paths(), app, to, ORIGIN);

    JSONObject origin = new JSONObject(Files.readString(to.resolve("manifest.json")));
    assertThat(origin.getJSONObject("origin").toMap())
        .containsEntry("run", ORIGIN.run())
        .containsEntry("step", "save");
    assertThat(actions.existingBackup(to).manifest().origin()).contains(ORIGIN);
  }

  @Test
  void aBackupMadeOutsideARunNamesNoOrigin() throws Exception {
    Path to = tmp.resolve("backup");

    actions.backup(paths(), app, to);

    assertThat(new JSONObject(Files.readString(to.resolve("manifest.json"))).has("origin"))
        .isFalse();
    assertThat(actions.existingBackup(to).manifest().origin()).isEmpty();
  }

  @Test
  void theSameStepRunAgainReturnsItsOwnCompleteBackupAndWritesNothing() throws Exception {
    Path to = tmp.resolve("backups/b");
    BackupResult first = actions.backup(paths(), app, to, ORIGIN);
    String manifest = Files.readString(to.resolve("manifest.json"));
    Files.writeString(app.resolve(".env"), "SECRET=changed since\n");

    BackupResult again = actions.backup(paths(), app, to, ORIGIN);

    assertThat(again.outputs()).isEqualTo(first.outputs());
    assertThat(Files.readString(to.resolve("manifest.json"))).isEqualTo(manifest);
    assertThat(Files.readString(to.resolve(".env"))).isEqualTo("SECRET=hunter2\n");
    assertThat(Trees.names(tmp.resolve("backups")))
        .as("one backup, no partial")
        .containsExactly("b");
  }

  @Test
  void aBackupOfAnotherRunOrStepOrOfOtherPathsIsStillNeverOverwritten() throws Exception {
    Path to = tmp.resolve("b");
    actions.backup(paths(), app, to, ORIGIN);
    String refusal =
        "backup: "
            + to
            + " already holds a backup; refusing to overwrite it, choose another directory";

    assertThatThrownBy(
            () ->
                actions.backup(
                    paths(), app, to, new BackupManifest.Origin("20261124-0800-app-aaaa", "save")))
        .hasMessage(refusal);
    assertThatThrownBy(
            () ->
                actions.backup(paths(), app, to, new BackupManifest.Origin(ORIGIN.run(), "other")))
        .hasMessage(refusal);
    assertThatThrownBy(() -> actions.backup(List.of(app.resolve(".env")), app, to, ORIGIN))
        .hasMessage(refusal);
    assertThatThrownBy(() -> actions.backup(paths(), app, to)).hasMessage(refusal);
  }

  @Test
  void aFinishedBackupIsRecognisedWithTheOutputsItReported() {
    Path to = tmp.resolve("b");
    BackupResult made = actions.backup(paths(), app, to, ORIGIN);

    Optional<BackupResult> found = actions.finishedBackup(paths(), app, to, ORIGIN);

    assertThat(found).isPresent();
    assertThat(found.get().outputs()).isEqualTo(made.outputs());
  }

  @Test
  void onlyItsOwnBackupCountsAsFinished() throws Exception {
    Path ours = tmp.resolve("ours");
    actions.backup(paths(), app, ours, ORIGIN);
    Path anonymous = tmp.resolve("anonymous");
    actions.backup(paths(), app, anonymous);
    // what a crash before the publishing rename leaves: a partial sibling, no backup directory
    Trees.file(tmp.resolve(".partial.runbook-partial-0123456789ab/.env"), "half", 0600, T1);

    assertThat(actions.finishedBackup(paths(), app, ours, new BackupManifest.Origin("x", "save")))
        .isEmpty();
    assertThat(
            actions.finishedBackup(
                paths(), app, ours, new BackupManifest.Origin(ORIGIN.run(), "save2")))
        .isEmpty();
    assertThat(actions.finishedBackup(List.of(app.resolve(".env")), app, ours, ORIGIN)).isEmpty();
    assertThat(actions.finishedBackup(paths(), app, anonymous, ORIGIN)).isEmpty();
    assertThat(actions.finishedBackup(paths(), app, tmp.resolve("partial"), ORIGIN)).isEmpty();
    assertThat(actions.finishedBackup(paths(), app.resolve("files"), ours, ORIGIN))
        .as("an invalid request")
        .isEmpty();
  }

  @Test
  void aBackupWhoseManifestWasEditedIsNotFinished() throws Exception {
    Path to = tmp.resolve("b");
    actions.backup(paths(), app, to, ORIGIN);
    Path manifest = to.resolve("manifest.json");
    Files.writeString(manifest, Files.readString(manifest).replace("\"size\":", "\"size\":1"));

    assertThat(actions.finishedBackup(paths(), app, to, ORIGIN)).isEmpty();
  }

  @Test
  void aFinishedCopyIsRecognisedWithTheOutputsItReportedAndItsLeftoversRemoved() throws Exception {
    Path from = app.resolve("files");
    Path to = tmp.resolve("files.prev");
    CopyResult made = actions.copy(from, to);
    // the previous version a crash before its deletion leaves
    Path old = Trees.file(tmp.resolve(".files.prev.runbook-old-0123456789ab/x"), "o", 0600, T1);

    Optional<CopyResult> found = actions.finishedCopy(from, to);

    assertThat(found).isPresent();
    assertThat(found.get().outputs()).isEqualTo(made.outputs());
    assertThat(old.getParent()).doesNotExist();
  }

  @Test
  void aFileCopyIsFinishedWithItsSha256() {
    Path from = app.resolve(".env");
    Path to = tmp.resolve("env.prev");
    CopyResult made = actions.copy(from, to);

    assertThat(actions.finishedCopy(from, to).map(CopyResult::outputs))
        .contains(made.outputs())
        .hasValueSatisfying(o -> assertThat(o).containsKey("sha256"));
  }

  @Test
  void aCopyIsNotFinishedWhileItsDestinationIsMissingOrDiffers() throws Exception {
    Path from = app.resolve("files");
    Path to = tmp.resolve("files.prev");

    assertThat(actions.finishedCopy(from, to)).as("never copied").isEmpty();
    actions.copy(from, to);
    Files.writeString(to.resolve("local.db"), "another version");
    assertThat(actions.finishedCopy(from, to)).as("differs").isEmpty();
    assertThat(actions.finishedCopy(from, from)).as("the same path").isEmpty();
    assertThat(actions.finishedCopy(tmp.resolve("gone"), to)).as("no source").isEmpty();
  }

  @Test
  void aFinishedRestoreIsRecognisedWithTheOutputsItReported() throws Exception {
    Path backup = tmp.resolve("backup");
    actions.backup(List.of(app.resolve("files"), app.resolve(".env")), app, backup, ORIGIN);
    Files.writeString(app.resolve(".env"), "SECRET=new\n");
    Files.writeString(app.resolve("files/added.txt"), "after the backup");
    assertThat(actions.finishedRestore(backup, app)).as("before the restore").isEmpty();

    RestoreResult restored = actions.restore(backup, app);
    Optional<RestoreResult> found = actions.finishedRestore(backup, app);

    assertThat(found.map(RestoreResult::outputs)).contains(restored.outputs());
  }

  @Test
  void aRestoreIsNotFinishedWhileAnyRestoredPathDiffers() throws Exception {
    Path backup = tmp.resolve("backup");
    actions.backup(List.of(app.resolve("files"), app.resolve(".env")), app, backup, ORIGIN);
    actions.restore(backup, app);

    Files.writeString(app.resolve("files/added.txt"), "after the restore");
    assertThat(actions.finishedRestore(backup, app)).as("a file added").isEmpty();
    Files.delete(app.resolve("files/added.txt"));
    Files.delete(app.resolve(".env"));
    assertThat(actions.finishedRestore(backup, app)).as("a path missing").isEmpty();
    assertThat(actions.finishedRestore(tmp.resolve("nothing"), app)).as("no backup").isEmpty();
  }
}
