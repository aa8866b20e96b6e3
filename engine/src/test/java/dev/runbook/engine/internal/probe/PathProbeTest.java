package dev.runbook.engine.internal.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.model.PathState;
import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.CheckOutcome.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathProbeTest {
  @TempDir Path dir;

  private final PathProbe probe = new PathProbe();
  private Path file;
  private Path subdir;
  private Path missing;

  @BeforeEach
  void createFixtures() throws IOException {
    file = Files.writeString(dir.resolve("file.txt"), "x");
    subdir = Files.createDirectory(dir.resolve("sub"));
    missing = dir.resolve("missing");
  }

  @Test
  void aRegularFileExistsAndIsAFileButNotADirectory() {
    assertThat(probe.check(file, PathState.EXISTS).status()).isEqualTo(Status.HOLDS);
    assertThat(probe.check(file, PathState.FILE))
        .isEqualTo(CheckOutcome.holds(file + " is a file"));
    assertThat(probe.check(file, PathState.DIR))
        .isEqualTo(CheckOutcome.failed(file + " is a file, expected a directory"));
    assertThat(probe.check(file, PathState.ABSENT))
        .isEqualTo(CheckOutcome.failed(file + " is a file, expected absent"));
  }

  @Test
  void aDirectoryIsADirectoryButNotAFile() {
    assertThat(probe.check(subdir, PathState.DIR).status()).isEqualTo(Status.HOLDS);
    assertThat(probe.check(subdir, PathState.EXISTS).status()).isEqualTo(Status.HOLDS);
    assertThat(probe.check(subdir, PathState.FILE))
        .isEqualTo(CheckOutcome.failed(subdir + " is a directory, expected a file"));
  }

  @Test
  void aMissingPathIsAbsentAndFailsEveryOtherState() {
    assertThat(probe.check(missing, PathState.ABSENT))
        .isEqualTo(CheckOutcome.holds(missing + " does not exist"));
    assertThat(probe.check(missing, PathState.EXISTS))
        .isEqualTo(CheckOutcome.failed(missing + " does not exist, expected it to exist"));
    assertThat(probe.check(missing, PathState.FILE).status()).isEqualTo(Status.FAILED);
    assertThat(probe.check(missing, PathState.DIR).status()).isEqualTo(Status.FAILED);
  }

  @Test
  void aPathUnderARegularFileIsAbsent() {
    Path underFile = file.resolve("child");

    assertThat(probe.check(underFile, PathState.ABSENT).status()).isEqualTo(Status.HOLDS);
    assertThat(probe.check(underFile, PathState.EXISTS).status()).isEqualTo(Status.FAILED);
  }

  @Test
  void symbolicLinksAreFollowedForFileAndDirectory() throws IOException {
    Path toFile = Files.createSymbolicLink(dir.resolve("to-file"), file);
    Path toDir = Files.createSymbolicLink(dir.resolve("to-dir"), subdir);

    assertThat(probe.check(toFile, PathState.FILE))
        .isEqualTo(
            CheckOutcome.holds(toFile + " is a file (through a symbolic link to " + file + ")"));
    assertThat(probe.check(toDir, PathState.DIR).status()).isEqualTo(Status.HOLDS);
    assertThat(probe.check(toDir, PathState.FILE).detail())
        .endsWith("is a directory (through a symbolic link to " + subdir + "), expected a file");
  }

  @Test
  void aLinkToAnExistingPathIsNotAbsent() throws IOException {
    Path toFile = Files.createSymbolicLink(dir.resolve("to-file"), file);

    assertThat(probe.check(toFile, PathState.ABSENT).status()).isEqualTo(Status.FAILED);
  }

  @Test
  void aDanglingLinkNeitherExistsNorIsAbsent() throws IOException {
    Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), missing);

    assertThat(probe.check(dangling, PathState.EXISTS))
        .isEqualTo(
            CheckOutcome.failed(
                dangling
                    + " is a dangling symbolic link to "
                    + missing
                    + ", expected it to exist"));
    assertThat(probe.check(dangling, PathState.ABSENT))
        .isEqualTo(
            CheckOutcome.failed(
                dangling + " is a dangling symbolic link to " + missing + ", expected absent"));
    assertThat(probe.check(dangling, PathState.FILE).status()).isEqualTo(Status.FAILED);
  }

  @Test
  void aSymbolicLinkLoopIsTreatedAsDangling() throws IOException {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Files.createSymbolicLink(a, b);
    Files.createSymbolicLink(b, a);

    assertThat(probe.check(a, PathState.EXISTS).detail())
        .isEqualTo(a + " is a dangling symbolic link to " + b + ", expected it to exist");
  }
}
