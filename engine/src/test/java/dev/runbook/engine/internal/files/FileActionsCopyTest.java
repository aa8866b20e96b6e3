package dev.runbook.engine.internal.files;

import static dev.runbook.engine.internal.files.Trees.T1;
import static dev.runbook.engine.internal.files.Trees.T2;
import static dev.runbook.engine.internal.files.Trees.T3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileActionsCopyTest {
  @TempDir Path tmp;

  private final FileActions actions = new FileActions();

  @Test
  void copiesAFileKeepingItsModeAndModificationTime() throws Exception {
    Path from = Trees.file(tmp.resolve("config.yml"), "port: 8080\n", 0640, T1);

    CopyResult result = actions.copy(from, tmp.resolve("config.yml.prev"));

    Path to = tmp.resolve("config.yml.prev");
    assertThat(Files.readString(to)).isEqualTo("port: 8080\n");
    assertThat(Trees.mode(to)).isEqualTo(0640);
    assertThat(Trees.mtime(to)).isEqualTo(T1);
    assertThat(result.outputs())
        .containsEntry("files", "1")
        .containsEntry("bytes", "11")
        .containsEntry("sha256", Trees.sha256(from));
  }

  @Test
  void copiesATreeKeepingModesAndTimesOfFilesAndDirectories() throws Exception {
    Path from = tmp.resolve("app");
    Trees.sampleApp(from);

    actions.copy(from, tmp.resolve("copy"));

    assertThat(Trees.snapshot(tmp.resolve("copy"))).isEqualTo(Trees.snapshot(from));
    assertThat(Trees.mode(tmp.resolve("copy/node_modules/left-pad"))).isEqualTo(0555);
    assertThat(Trees.mtime(tmp.resolve("copy/node_modules/left-pad"))).isEqualTo(T3);
    assertThat(Trees.mode(tmp.resolve("copy/files/assets"))).isEqualTo(01775);
    assertThat(Trees.mode(tmp.resolve("copy/files/assets/run.sh"))).isEqualTo(04755);
  }

  @Test
  void copiesSymbolicLinksAsLinksWithoutFollowingThemOutOfTheTree() throws Exception {
    Path outside = Trees.file(tmp.resolve("outside/secret.txt"), "do not copy", 0600, T1);
    Path from = tmp.resolve("tree");
    Trees.link(from.resolve("escape"), outside.getParent().toString(), T2);
    Trees.link(from.resolve("relative"), "../outside/secret.txt", T3);
    Trees.link(from.resolve("dangling"), "no/such/file", T1);

    CopyResult result = actions.copy(from, tmp.resolve("copy"));

    Path copy = tmp.resolve("copy");
    assertThat(Files.isSymbolicLink(copy.resolve("escape"))).isTrue();
    assertThat(Files.readSymbolicLink(copy.resolve("escape"))).isEqualTo(outside.getParent());
    assertThat(Files.readSymbolicLink(copy.resolve("relative")))
        .isEqualTo(Path.of("../outside/secret.txt"));
    assertThat(Files.readSymbolicLink(copy.resolve("dangling"))).isEqualTo(Path.of("no/such/file"));
    assertThat(Trees.mtime(copy.resolve("relative"))).isEqualTo(T3);
    assertThat(result.summary()).isEqualTo(new TreeSummary(0, 1, 3, 0));
  }

  @Test
  void copiesASymbolicLinkGivenAsTheSourceAsTheLinkItself() throws Exception {
    Path release = Trees.file(tmp.resolve("releases/1.2/app.js"), "v1.2", 0644, T1).getParent();
    Path current = Trees.link(tmp.resolve("current"), release.toString(), T2);

    actions.copy(current, tmp.resolve("current.prev"));

    assertThat(Files.readSymbolicLink(tmp.resolve("current.prev"))).isEqualTo(release);
    assertThat(Trees.mtime(tmp.resolve("current.prev"))).isEqualTo(T2);
  }

  @Test
  void copyingADirectoryOntoAnExistingOneReplacesItsContentsInsteadOfMerging() throws Exception {
    Path backup = tmp.resolve(".update-backup/.next");
    Trees.file(backup.resolve("BUILD_ID"), "old-build", 0644, T1);
    Trees.file(backup.resolve("static/chunk-old.js"), "old", 0644, T1);
    Path next = tmp.resolve(".next");
    Trees.file(next.resolve("BUILD_ID"), "new-build", 0644, T2);
    Trees.file(next.resolve("static/chunk-new.js"), "new", 0644, T2);

    actions.copy(backup, next);

    assertThat(Trees.snapshot(next)).isEqualTo(Trees.snapshot(backup));
    assertThat(next.resolve("static/chunk-new.js")).doesNotExist();
    assertThat(next.resolve(".next"))
        .as("not copied into the directory, as cp -r would")
        .doesNotExist();
    assertThat(Trees.names(tmp)).containsExactly(".next", ".update-backup");
  }

  @Test
  void copyingAFileOntoAnExistingFileReplacesIt() throws Exception {
    Path from = Trees.file(tmp.resolve("a"), "new content", 0600, T1);
    Path to = Trees.file(tmp.resolve("b"), "old", 0666, T2);

    actions.copy(from, to);

    assertThat(Trees.describe(to)).isEqualTo(Trees.describe(from));
    assertThat(Trees.names(tmp)).containsExactly("a", "b");
  }

  @Test
  void refusesToReplaceADirectoryWithAFileAndTheReverse() throws Exception {
    Path file = Trees.file(tmp.resolve("file"), "x", 0644, T1);
    Path dir = Trees.file(tmp.resolve("dir/inside"), "y", 0644, T1).getParent();
    Map<String, String> before = Trees.snapshot(tmp);

    assertThatThrownBy(() -> actions.copy(file, dir))
        .isInstanceOf(FileActionException.class)
        .hasMessage(
            "copy: refusing to replace a directory ("
                + dir
                + ") with a file ("
                + file
                + "); remove it first if that is meant");
    assertThatThrownBy(() -> actions.copy(dir, file))
        .isInstanceOf(FileActionException.class)
        .hasMessageStartingWith(
            "copy: refusing to replace a regular file (" + file + ") with a directory");
    assertThat(Trees.snapshot(tmp)).isEqualTo(before);
  }

  @Test
  void refusesSpecialFilesAndLeavesTheDestinationUntouched() throws Exception {
    Path from = tmp.resolve("app");
    Trees.file(from.resolve("a.txt"), "a", 0644, T1);
    Path socket = Trees.socket(from.resolve("run/app.sock"));
    Path to = Trees.file(tmp.resolve("to/keep.txt"), "keep", 0644, T2).getParent();
    Map<String, String> before = Trees.snapshot(to);

    assertThatThrownBy(() -> actions.copy(from, to))
        .isInstanceOf(FileActionException.class)
        .hasMessage(
            "copy: refusing "
                + socket
                + ": it is a socket; only regular files, directories and symbolic links are"
                + " copied")
        .extracting(e -> ((FileActionException) e).code())
        .isEqualTo(FileActionException.Code.UNSUPPORTED_FILE);
    assertThat(Trees.snapshot(to)).isEqualTo(before);
    assertThat(Trees.names(tmp)).as("no temporary sibling left").containsExactly("app", "to");
  }

  @Test
  void refusesToCopyADirectoryIntoItselfOrOntoItself() throws Exception {
    Path from = Trees.file(tmp.resolve("app/a"), "a", 0644, T1).getParent();

    assertThatThrownBy(() -> actions.copy(from, from.resolve("backup")))
        .hasMessage(
            "copy: destination " + from.resolve("backup") + " is inside the source " + from);
    assertThatThrownBy(() -> actions.copy(from, from))
        .hasMessage("copy: source and destination are the same path " + from);
    assertThatThrownBy(() -> actions.copy(from.resolve("a"), from.getParent()))
        .hasMessageContaining("is inside the destination");
  }

  @Test
  void failsNamingAMissingSource() {
    Path missing = tmp.resolve("nope");

    assertThatThrownBy(() -> actions.copy(missing, tmp.resolve("to")))
        .isInstanceOf(FileActionException.class)
        .hasMessage("copy: source " + missing + " does not exist")
        .extracting(e -> ((FileActionException) e).code())
        .isEqualTo(FileActionException.Code.SOURCE_MISSING);
  }

  @Test
  void failsWhenTheDestinationsDirectoryIsMissing() throws Exception {
    Path from = Trees.file(tmp.resolve("a"), "a", 0644, T1);
    Path to = tmp.resolve("no/such/dir/a");

    assertThatThrownBy(() -> actions.copy(from, to))
        .hasMessage(
            "copy: cannot create " + to + ": its directory " + to.getParent() + " does not exist");
  }

  @Test
  void reportsATreeDigestEqualToTheDigestOfSourceAndCopy() throws Exception {
    Path from = tmp.resolve("app");
    Trees.sampleApp(from);

    CopyResult result = actions.copy(from, tmp.resolve("copy"));

    assertThat(result.digest())
        .startsWith("sha256:")
        .isEqualTo(TreeDigest.of(from))
        .isEqualTo(TreeDigest.of(tmp.resolve("copy")));
    assertThat(result.outputs())
        .containsEntry("digest", result.digest())
        .doesNotContainKey("sha256");
    assertThat(result.entries().get(0).path()).isEqualTo(".");
    assertThat(result.entries())
        .filteredOn(e -> e.path().equals("files/local.db"))
        .singleElement()
        .satisfies(
            e -> assertThat(e.sha256()).contains(Trees.sha256(from.resolve("files/local.db"))));
  }

  @Test
  void keepsOwnerAndGroupWhenRunningAsRoot() throws Exception {
    assumeThat(Trees.runningAsRoot()).as("only root may give files away").isTrue();
    Path from = Trees.file(tmp.resolve("app/data.db"), "x", 0640, T1).getParent();
    Files.setAttribute(from.resolve("data.db"), "unix:uid", 4242);
    Files.setAttribute(from.resolve("data.db"), "unix:gid", 4343);
    Files.setAttribute(from, "unix:gid", 4343);

    actions.copy(from, tmp.resolve("copy"));

    Path copied = tmp.resolve("copy/data.db");
    assertThat(Files.getAttribute(copied, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(4242);
    assertThat(Files.getAttribute(copied, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(4343);
    assertThat(Files.getAttribute(tmp.resolve("copy"), "unix:gid")).isEqualTo(4343);
    assertThat(Trees.mode(copied)).as("chown must not undo the mode").isEqualTo(0640);
  }

  @Test
  void aCopyRunAgainAfterItWasKilledLeavesNoTraceOfTheInterruption() throws Exception {
    Path from = tmp.resolve("backup/node_modules");
    Trees.file(from.resolve("left-pad/index.js"), "v1", 0644, T1);
    Path install = Files.createDirectories(tmp.resolve("install"));
    // Killed between its two renames: the target is gone, both complete versions beside it.
    Trees.file(
        install.resolve(".node_modules.runbook-old-0123456789ab/left-pad/index.js"),
        "v2",
        0644,
        T2);
    // An earlier attempt killed while it staged its copy.
    Trees.file(
        install.resolve(".node_modules.runbook-new-ba9876543210/left-pad/ind"), "v", 0644, T2);
    // Not this target's, or not a copy's: kept.
    Trees.file(install.resolve(".public.runbook-new-0123456789ab/logo.svg"), "svg", 0644, T2);
    Trees.file(install.resolve(".node_modules.runbook-partial-0123456789ab/x"), "x", 0644, T2);
    Trees.file(install.resolve(".node_modules.runbook-new.txt"), "notes", 0644, T2);

    actions.copy(from, install.resolve("node_modules"));

    assertThat(Trees.snapshot(install.resolve("node_modules"))).isEqualTo(Trees.snapshot(from));
    assertThat(Trees.names(install))
        .containsExactly(
            ".node_modules.runbook-new.txt",
            ".node_modules.runbook-partial-0123456789ab",
            ".public.runbook-new-0123456789ab",
            "node_modules");
  }

  @Test
  void aCopyOntoAnExistingTargetAlsoRemovesAnEarlierAttemptsLeftovers() throws Exception {
    Path from = Trees.file(tmp.resolve("backup/package.json"), "{\"version\":\"1\"}", 0644, T1);
    Path install = Files.createDirectories(tmp.resolve("install"));
    Trees.file(install.resolve("package.json"), "{\"version\":\"2\"}", 0644, T2);
    Trees.file(install.resolve(".package.json.runbook-new-0123456789ab"), "{\"ver", 0600, T2);

    actions.copy(from, install.resolve("package.json"));

    assertThat(Files.readString(install.resolve("package.json"))).isEqualTo("{\"version\":\"1\"}");
    assertThat(Trees.names(install)).containsExactly("package.json");
  }
}
