package dev.runbook.engine.internal.files;

import static dev.runbook.engine.internal.files.Trees.T1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupManifestTest {
  private static final String SHA = "a".repeat(64);

  @TempDir Path tmp;

  private static FileEntry file(String path) {
    return new FileEntry(
        path, FileType.FILE, 1, 0644, T1, Optional.empty(), Optional.of(SHA), Optional.empty());
  }

  private static FileEntry dir(String path) {
    return new FileEntry(
        path,
        FileType.DIRECTORY,
        0,
        0755,
        T1,
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  private static FileEntry link(String path, String target) {
    return new FileEntry(
        path,
        FileType.SYMLINK,
        0,
        0777,
        T1,
        Optional.of(new FileEntry.Owner(1000, 1000)),
        Optional.empty(),
        Optional.of(target));
  }

  @Test
  void readsBackWhatItWrote() throws Exception {
    BackupManifest manifest =
        new BackupManifest(
            T1,
            Path.of("/opt/app"),
            List.of("files", ".env"),
            List.of(
                file(".env"), dir("files"), file("files/a b\n\"c\".txt"), link("files/l", "../x")));
    manifest.writeTo(tmp);

    assertThat(BackupManifest.readFrom(tmp, "restore")).isEqualTo(manifest);
    assertThat(Trees.mode(tmp.resolve("manifest.json"))).isEqualTo(0600);
    assertThat(Trees.names(tmp)).containsExactly("manifest.json");
  }

  @Test
  void keepsEntriesInPreOrderWhateverOrderTheyCameIn() {
    BackupManifest manifest =
        new BackupManifest(
            T1,
            Path.of("/"),
            List.of("d"),
            List.of(file("d/z"), dir("d/a"), file("d/a/1"), dir("d")));

    assertThat(manifest.entries())
        .extracting(FileEntry::path)
        .containsExactly("d", "d/a", "d/a/1", "d/z");
    assertThat(manifest.entriesOf("d").get(0).path()).isEqualTo("d");
  }

  @Test
  void rejectsManifestsThatCouldNotBeRestoredSafely() {
    assertInvalid(List.of("../x"), List.of(file("../x")), "root \"../x\" is not a relative path");
    assertInvalid(List.of("/etc"), List.of(file("/etc")), "root \"/etc\" is not a relative path");
    assertInvalid(List.of("a//b"), List.of(file("a//b")), "is not a relative path");
    assertInvalid(List.of("./a"), List.of(file("./a")), "is not a relative path");
    assertInvalid(
        List.of("a", "a/b"), List.of(dir("a"), file("a/b")), "root \"a/b\" is inside root \"a\"");
    assertInvalid(List.of("a"), List.of(file("a"), file("b")), "entry \"b\" is not under any root");
    assertInvalid(
        List.of("a"),
        List.of(dir("a"), file("a/x/y")),
        "entry \"a/x/y\" has no directory entry as its parent");
    assertInvalid(
        List.of("a"),
        List.of(link("a", "/etc"), file("a/passwd")),
        "entry \"a/passwd\" has no directory entry");
    assertInvalid(List.of("a"), List.of(), "root \"a\" has no entry");
    assertInvalid(
        List.of("manifest.json"), List.of(file("manifest.json")), "reserved for the manifest");
    assertInvalid(List.of(), List.of(), "no roots");
  }

  private static void assertInvalid(List<String> roots, List<FileEntry> entries, String problem) {
    assertThatThrownBy(() -> new BackupManifest(T1, Path.of("/"), roots, entries))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(problem);
  }

  @Test
  void refusesAManifestThatIsNotJson() throws Exception {
    Files.writeString(tmp.resolve("manifest.json"), "{\"format\":\"runbook-backup\",");

    assertThatThrownBy(() -> BackupManifest.readFrom(tmp, "restore"))
        .isInstanceOf(FileActionException.class)
        .hasMessageStartingWith(
            "restore: backup manifest "
                + tmp.resolve("manifest.json")
                + " is not valid: it is not valid JSON")
        .hasMessageEndingWith("; nothing was changed");
  }

  @Test
  void refusesAManifestOfAnotherFormat() throws Exception {
    Files.writeString(tmp.resolve("manifest.json"), "{\"format\":\"npm\",\"version\":1}");

    assertThatThrownBy(() -> BackupManifest.readFrom(tmp, "restore"))
        .hasMessageContaining("is not valid: its format is \"npm\", not \"runbook-backup\"");
  }

  @Test
  void refusesAnEntryWithAMalformedField() throws Exception {
    BackupManifest manifest =
        new BackupManifest(T1, Path.of("/"), List.of("a"), List.of(file("a")));
    manifest.writeTo(tmp);
    Path json = tmp.resolve("manifest.json");
    Files.writeString(
        json, Files.readString(json).replace("\"mode\":\"0644\"", "\"mode\":\"rw-r--r--\""));

    assertThatThrownBy(() -> BackupManifest.readFrom(tmp, "restore"))
        .hasMessageContaining("entry 0 (\"a\"): mode \"rw-r--r--\" is not octal");
  }
}
