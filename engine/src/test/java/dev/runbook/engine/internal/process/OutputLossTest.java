package dev.runbook.engine.internal.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output that could not be written is never lost silently: the result says so, whatever the
 * command's exit status. The disk is a real, tiny tmpfs (the tests run as root).
 */
@Timeout(60)
class OutputLossTest {
  @TempDir Path dir;
  private Path disk;

  private static int run(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  @AfterEach
  void unmount() throws Exception {
    if (disk != null) {
      run("umount", "-l", disk.toString());
    }
  }

  private Path tinyDisk() throws Exception {
    Path at = Files.createDirectories(dir.resolve("disk"));
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", at.toString()) == 0,
        "cannot mount a tmpfs here");
    disk = at;
    return at;
  }

  @Test
  void aLogThatFillsTheDiskIsReportedAsLostOutputThoughTheCommandExitedZero() throws Exception {
    Path log = tinyDisk().resolve("step.log");
    ProcessResult result =
        new ProcessRunner()
            .start(
                ProcessSpec.builder(
                        List.of("/bin/sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x"),
                        dir,
                        log)
                    .environment(Children.ENV)
                    .build())
            .await();

    assertThat(result.exitCode()).isZero();
    assertThat(result.outputLost())
        .hasValueSatisfying(
            lost ->
                assertThat(lost)
                    .isEqualTo(
                        "could not write the step log "
                            + log
                            + " (No space left on device); output was lost"));
  }

  @Test
  void aStdoutFileThatFillsTheDiskIsReportedToo() throws Exception {
    Path out = tinyDisk().resolve("step.out");
    ProcessResult result =
        new ProcessRunner()
            .start(
                ProcessSpec.builder(
                        List.of("/bin/sh", "-c", "head -c 200000 /dev/zero | tr '\\0' x"),
                        dir,
                        dir.resolve("step.log"))
                    .environment(Children.ENV)
                    .stdoutFile(out)
                    .build())
            .await();

    // the log (elsewhere) took it all; the stdout file could not
    assertThat(result.outputLost()).hasValueSatisfying(l -> assertThat(l).contains(out.toString()));
  }

  @Test
  void outputThatFitsIsNotReportedLost() throws Exception {
    ProcessResult result =
        new ProcessRunner()
            .start(
                ProcessSpec.builder(
                        List.of("/bin/sh", "-c", "echo fine"), dir, tinyDisk().resolve("l"))
                    .environment(Children.ENV)
                    .build())
            .await();
    assertThat(result.outputLost()).isEmpty();
  }
}
