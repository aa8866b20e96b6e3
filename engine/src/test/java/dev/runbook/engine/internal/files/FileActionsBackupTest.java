package dev.runbook.engine.internal.files;

import static dev.runbook.engine.internal.files.Trees.T1;
import static dev.runbook.engine.internal.files.Trees.T2;
import static dev.runbook.engine.internal.files.Trees.T3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileActionsBackupTest {
  private static final Instant NOW = Instant.parse("2026-11-23T07:12:03.5Z");

  @TempDir Path tmp;

  private final FileActions actions = new FileActions(Clock.fixed(NOW, ZoneOffset.UTC));
  private Path app;

  @BeforeEach
  void sampleApp() throws Exception {
    app = tmp.resolve("app");
    Trees.sampleApp(app);
  }

  @Test
  void copiesEachPathToItsRelativePlaceKeepingModesAndTimes() throws Exception {
    Path to = tmp.resolve("backups/b1");

    BackupResult result =
        actions.backup(
            List.of(
                app.resolve("files/local.db"), app.resolve("files/assets"), app.resolve(".env")),
            app,
            to);

    assertThat(result.dir()).isEqualTo(to);
    assertThat(Trees.describe(to.resolve("files/local.db")))
        .isEqualTo(Trees.describe(app.resolve("files/local.db")));
    assertThat(Trees.snapshot(to.resolve("files/assets")))
        .isEqualTo(Trees.snapshot(app.resolve("files/assets")));
    assertThat(Trees.describe(to.resolve(".env"))).isEqualTo(Trees.describe(app.resolve(".env")));
    assertThat(Trees.names(to)).containsExactly(".env", "files", "manifest.json");
    assertThat(Trees.names(to.resolve("files"))).containsExactly("assets", "local.db");
    assertThat(Trees.names(tmp.resolve("backups"))).as("no partial left").containsExactly("b1");
    assertThat(result.outputs())
        .containsEntry("dir", to.toString())
        .containsEntry("paths", "3")
        .containsEntry("files", "5")
        .containsEntry("symlinks", "2");
  }

  @Test
  void writesTheDocumentedManifestFormat() throws Exception {
    Path to = tmp.resolve("b");
    actions.backup(List.of(app.resolve("files/assets"), app.resolve(".env")), app, to);

    JSONObject manifest = new JSONObject(Files.readString(to.resolve("manifest.json")));

    assertThat(manifest.getString("format")).isEqualTo("runbook-backup");
    assertThat(manifest.getInt("version")).isEqualTo(2);
    assertThat(manifest.getString("created")).isEqualTo("2026-11-23T07:12:03.500Z");
    assertThat(manifest.getString("base")).isEqualTo(app.toString());
    assertThat(manifest.getJSONArray("roots").toList()).containsExactly("files/assets", ".env");
    JSONArray entries = manifest.getJSONArray("entries");
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < entries.length(); i++) {
      paths.add(entries.getJSONObject(i).getString("path"));
    }
    assertThat(paths)
        .as("pre-order: a directory before its contents")
        .containsExactly(
            ".env",
            "files/assets",
            "files/assets/a.png",
            "files/assets/brand",
            "files/assets/brand/b.png",
            "files/assets/logo.png",
            "files/assets/run.sh",
            "files/assets/shared");

    JSONObject env = entries.getJSONObject(0);
    assertThat(env.keySet())
        .containsExactlyInAnyOrder("path", "type", "size", "mode", "mtime", "uid", "gid", "sha256");
    assertThat(env.getString("type")).isEqualTo("file");
    assertThat(env.getLong("size")).isEqualTo(15);
    assertThat(env.getString("mode")).isEqualTo("0600");
    assertThat(env.getString("mtime")).isEqualTo(T1.toString());
    assertThat(env.getString("sha256")).isEqualTo(Trees.sha256("SECRET=hunter2\n".getBytes()));
    assertThat(env.getInt("uid"))
        .isEqualTo(Files.getAttribute(app.resolve(".env"), "unix:uid", LinkOption.NOFOLLOW_LINKS));

    JSONObject assets = entries.getJSONObject(1);
    assertThat(assets.getString("type")).isEqualTo("dir");
    assertThat(assets.getString("mode")).isEqualTo("1775");
    assertThat(assets.getString("mtime")).isEqualTo(T2.toString());
    assertThat(assets.has("sha256")).isFalse();

    JSONObject logo = entries.getJSONObject(5);
    assertThat(logo.getString("type")).isEqualTo("symlink");
    assertThat(logo.getString("target")).isEqualTo("brand/b.png");
    assertThat(logo.getLong("size")).isZero();
    assertThat(entries.getJSONObject(6).getString("mode")).isEqualTo("4755");
    assertThat(entries.getJSONObject(2).getString("mtime")).isEqualTo(T1.toString());
    assertThat(entries.getJSONObject(6).getString("mtime")).isEqualTo(T3.toString());

    BackupManifest read = BackupManifest.readFrom(to, "test");
    assertThat(manifest.getString("digest")).isEqualTo(read.digest());
    assertThat(read.created()).isEqualTo(NOW);
    assertThat(read.entries()).hasSize(8);
  }

  @Test
  void writesTheManifestOneEntryPerLine() throws Exception {
    Path to = tmp.resolve("b");
    actions.backup(List.of(app.resolve("files/assets/brand")), app, to);

    List<String> lines = Files.readAllLines(to.resolve("manifest.json"));

    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).startsWith("{\"format\":\"runbook-backup\",\"version\":2,");
    assertThat(lines.get(1)).startsWith("{\"path\":\"files/assets/brand\",\"type\":\"dir\",");
    assertThat(lines.get(2))
        .startsWith("{\"path\":\"files/assets/brand/b.png\",\"type\":\"file\",");
    assertThat(lines.get(3)).isEqualTo("]}");
  }

  @Test
  void keepsPrivateFilesPrivate() throws Exception {
    Path to = tmp.resolve("b");

    actions.backup(List.of(app.resolve(".env"), app.resolve("files")), app, to);

    assertThat(Trees.mode(to.resolve(".env"))).isEqualTo(0600);
    assertThat(Trees.mode(to.resolve("files/local.db"))).isEqualTo(0640);
    assertThat(Trees.mode(to)).as("the backup directory is owner-only").isEqualTo(0700);
    assertThat(Trees.mode(to.resolve("manifest.json"))).isEqualTo(0600);
    try (Stream<Path> written = Files.walk(to)) {
      for (Path copy : written.filter(p -> !Files.isSymbolicLink(p)).toList()) {
        Path source = app.resolve(to.relativize(copy).toString());
        if (Files.exists(source, LinkOption.NOFOLLOW_LINKS) && !copy.equals(to)) {
          assertThat(Trees.mode(copy)).as("mode of %s", copy).isEqualTo(Trees.mode(source));
        }
      }
    }
  }

  @Test
  void storesPathsBetweenTheBackupAndAPathOwnerOnly() throws Exception {
    Path to = tmp.resolve("b");

    actions.backup(List.of(app.resolve("files/assets/brand/b.png")), app, to);

    assertThat(Trees.mode(to.resolve("files"))).isEqualTo(0700);
    assertThat(Trees.mode(to.resolve("files/assets/brand"))).isEqualTo(0700);
    assertThat(Trees.mode(to.resolve("files/assets/brand/b.png"))).isEqualTo(0444);
  }

  @Test
  void failsNamingAMissingPathAndWritesNothing() {
    Path to = tmp.resolve("backups/b");

    assertThatThrownBy(
            () -> actions.backup(List.of(app.resolve(".env"), app.resolve(".env.local")), app, to))
        .isInstanceOf(FileActionException.class)
        .hasMessage(
            "backup: " + app.resolve(".env.local") + " does not exist; nothing was backed up")
        .extracting(e -> ((FileActionException) e).code())
        .isEqualTo(FileActionException.Code.SOURCE_MISSING);
    assertThat(tmp.resolve("backups")).doesNotExist();
  }

  @Test
  void namesEveryMissingPath() {
    assertThatThrownBy(
            () ->
                actions.backup(
                    List.of(Path.of("a"), Path.of(".env"), Path.of("b")), app, tmp.resolve("b")))
        .hasMessage(
            "backup: 2 paths do not exist: "
                + app.resolve("a")
                + ", "
                + app.resolve("b")
                + "; nothing was backed up");
  }

  @Test
  void refusesAPathOutsideTheBaseDirectory() throws Exception {
    Path outside = Trees.file(tmp.resolve("etc/app.conf"), "x", 0644, T1);

    assertThatThrownBy(() -> actions.backup(List.of(outside), app, tmp.resolve("b")))
        .isInstanceOf(FileActionException.class)
        .hasMessageStartingWith(
            "backup: " + outside + " is outside the base directory " + app + ";");
    assertThatThrownBy(
            () -> actions.backup(List.of(Path.of("../etc/app.conf")), app, tmp.resolve("b")))
        .hasMessageContaining("is outside the base directory");
    assertThat(tmp.resolve("b")).doesNotExist();
  }

  @Test
  void refusesTheBaseItselfDuplicatesAndNestedPaths() {
    Path to = tmp.resolve("b");

    assertThatThrownBy(() -> actions.backup(List.of(app), app, to))
        .hasMessageContaining("is the base directory itself");
    assertThatThrownBy(() -> actions.backup(List.of(Path.of(".env"), app.resolve(".env")), app, to))
        .hasMessage("backup: .env is listed twice");
    assertThatThrownBy(
            () -> actions.backup(List.of(Path.of("files"), Path.of("files/local.db")), app, to))
        .hasMessage(
            "backup: files/local.db is inside files, which is backed up as a whole; list it once");
    assertThat(to).doesNotExist();
  }

  @Test
  void refusesToOverwriteAnExistingBackup() throws Exception {
    Path to = tmp.resolve("b");
    actions.backup(List.of(app.resolve(".env")), app, to);
    Files.writeString(app.resolve(".env"), "SECRET=changed\n");

    assertThatThrownBy(() -> actions.backup(List.of(app.resolve(".env")), app, to))
        .hasMessage(
            "backup: "
                + to
                + " already holds a backup; refusing to overwrite it, choose another directory");
    assertThat(Files.readString(to.resolve(".env"))).isEqualTo("SECRET=hunter2\n");
  }

  @Test
  void refusesANonEmptyDirectoryButFillsAnEmptyOne() throws Exception {
    Path busy = Trees.file(tmp.resolve("busy/notes.txt"), "x", 0644, T1).getParent();
    Path empty = Files.createDirectory(tmp.resolve("empty"));

    assertThatThrownBy(() -> actions.backup(List.of(app.resolve(".env")), app, busy))
        .hasMessage(
            "backup: " + busy + " is not empty; a backup goes into a new or empty directory");
    actions.backup(List.of(app.resolve(".env")), app, empty);

    assertThat(Trees.names(empty)).containsExactly(".env", "manifest.json");
  }

  @Test
  void refusesABackupDirectoryInsideABackedUpPath() {
    Path to = app.resolve("files/.backup");

    assertThatThrownBy(() -> actions.backup(List.of(app.resolve("files")), app, to))
        .hasMessage(
            "backup: the backup directory "
                + to
                + " is inside "
                + app.resolve("files")
                + ", which it backs up");
    assertThat(to).doesNotExist();
  }

  @Test
  void refusesSpecialFilesInsideABackedUpDirectoryAndLeavesNoPartialBackup() throws Exception {
    Path socket = Trees.socket(app.resolve("files/assets/app.sock"));
    Path to = tmp.resolve("b");

    assertThatThrownBy(() -> actions.backup(List.of(app.resolve("files")), app, to))
        .hasMessageStartingWith("backup: refusing " + socket + ": it is a socket;");
    assertThat(Trees.names(tmp)).containsExactly("app");
  }

  @Test
  void removesAPartialBackupAnInterruptedRunLeftBehind() throws Exception {
    Path stale =
        Trees.file(tmp.resolve(".b.runbook-partial-0123456789ab/files/local.db"), "half", 0600, T1);
    Path to = tmp.resolve("b");

    actions.backup(List.of(app.resolve(".env")), app, to);

    assertThat(stale).doesNotExist();
    assertThat(Trees.names(tmp)).containsExactly("app", "b");
  }

  @Test
  void backsUpASymbolicLinkAsTheLink() throws Exception {
    Path to = tmp.resolve("b");

    actions.backup(List.of(app.resolve("files/assets/logo.png")), app, to);

    assertThat(Files.readSymbolicLink(to.resolve("files/assets/logo.png")))
        .isEqualTo(Path.of("brand/b.png"));
    assertThat(Trees.mtime(to.resolve("files/assets/logo.png"))).isEqualTo(T2);
  }
}
