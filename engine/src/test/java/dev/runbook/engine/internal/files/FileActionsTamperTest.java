package dev.runbook.engine.internal.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore applies nothing the manifest's digest, or the digest a run journaled, does not vouch
 * for.
 */
class FileActionsTamperTest {
  @TempDir Path tmp;

  private final FileActions actions = new FileActions();
  private Path app;
  private Path backup;
  private BackupResult made;

  @BeforeEach
  void backUp() throws Exception {
    app = tmp.resolve("app");
    Trees.sampleApp(app);
    backup = tmp.resolve("backup");
    made = actions.backup(List.of(app.resolve("files"), app.resolve(".env")), app, backup);
  }

  @Test
  void anEditedUidIsRefusedBeforeAnythingChanges() throws Exception {
    edit("\"uid\":(\\d+)", "\"uid\":4242");
    Map<String, String> before = Trees.snapshot(app);

    assertThatThrownBy(() -> actions.restore(backup, app))
        .hasMessageContaining("its entries do not match its digest");
    assertThat(Trees.snapshot(app)).isEqualTo(before);
  }

  @Test
  void anEditedMtimeIsRefused() throws Exception {
    edit("\"mtime\":\"[^\"]+\"", "\"mtime\":\"2001-01-01T00:00:00Z\"");

    assertThatThrownBy(() -> actions.restore(backup, app))
        .hasMessageContaining("its entries do not match its digest");
  }

  @Test
  void aSwappedRootListIsRefused() throws Exception {
    edit("\"roots\":\\[\"files\",\"\\.env\"\\]", "\"roots\":[\".env\",\"files\"]");

    assertThatThrownBy(() -> actions.restore(backup, app))
        .hasMessageContaining("its entries do not match its digest");
  }

  @Test
  void aBackupSwappedAndReDigestedAfterItWasMadeIsRefusedAgainstTheJournaledDigest()
      throws Exception {
    // The attacker swaps a file's content and mode (setuid), then rewrites a self-consistent
    // manifest: only the digest the run journaled can tell.
    Path swapped = backup.resolve(".env");
    Files.setAttribute(swapped, "unix:mode", 0600);
    Files.writeString(swapped, "EVIL=1\n");
    BackupManifest manifest = BackupManifest.readFrom(backup, "test");
    List<FileEntry> entries = new ArrayList<>();
    for (FileEntry e : manifest.entries()) {
      entries.add(
          e.path().equals(".env")
              ? new FileEntry(
                  ".env",
                  FileType.FILE,
                  7,
                  04755,
                  e.mtime(),
                  Optional.of(new FileEntry.Owner(4242, 4242)),
                  Optional.of(Trees.sha256(swapped)),
                  Optional.empty())
              : e);
    }
    Files.delete(backup.resolve("manifest.json"));
    new BackupManifest(manifest.created(), manifest.base(), manifest.roots(), entries)
        .writeTo(backup);
    Map<String, String> before = Trees.snapshot(app);

    assertThatThrownBy(
            () -> actions.restore(backup, app, Optional.of(made.outputs().get("digest"))))
        .hasMessageContaining("is not the backup this run made there")
        .hasMessageContaining("the backup step journaled " + made.manifest().digest());
    assertThat(Trees.snapshot(app)).isEqualTo(before);
    assertThat(actions.finishedRestore(backup, app, Optional.of(made.manifest().digest())))
        .isEmpty();
  }

  @Test
  void theJournaledDigestOfAnIntactBackupLetsTheRestoreThrough() {
    RestoreResult result = actions.restore(backup, app, Optional.of(made.outputs().get("digest")));

    assertThat(result.digest()).isEqualTo(made.manifest().digest());
  }

  private void edit(String regex, String replacement) throws Exception {
    Path file = backup.resolve("manifest.json");
    String text = Files.readString(file);
    String edited = text.replaceFirst(regex, replacement);
    assertThat(edited).isNotEqualTo(text);
    Files.writeString(file, edited);
  }
}
