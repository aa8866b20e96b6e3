package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/runbook} and the build's class-data sharing archive: whatever state the archive is in
 * (current, stale, from another jar, garbage), the launcher runs the command and stdout holds only
 * what the command printed, so {@code --format json} stays parseable.
 */
class LauncherClassArchiveIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path ARCHIVE = CliProcess.JAR.resolveSibling("runbook.jsa");

  @TempDir Path dir;

  /** A copy of the launcher's layout (bin/runbook, cli/target/runbook.jar) under {@code dir}. */
  private Path layout() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.copy(ROOT.resolve("bin/runbook"), bin.resolve("runbook"));
    Path target = Files.createDirectories(dir.resolve("cli/target"));
    Files.copy(CliProcess.JAR, target.resolve("runbook.jar"));
    return target;
  }

  private record Output(int exitCode, String stdout, String stderr) {}

  private Output validateJson(Path launcher) throws IOException, InterruptedException {
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process p =
        new ProcessBuilder(
                launcher.toString(),
                "validate",
                "--format",
                "json",
                ROOT.resolve("examples/demo-upgrade.yaml").toString())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Output(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static void assertCleanJson(Output output) {
    assertThat(output.exitCode()).isZero();
    assertThat(new JSONObject(output.stdout()).getBoolean("valid")).isTrue();
    assertThat(output.stdout()).doesNotContain("warning").doesNotContain("cds");
  }

  @Test
  void theBuildMakesAnArchiveNewerThanTheJar() throws IOException {
    assertThat(ARCHIVE).exists();
    assertThat(Files.getLastModifiedTime(ARCHIVE))
        .isGreaterThan(Files.getLastModifiedTime(CliProcess.JAR));
  }

  @Test
  void theCurrentArchiveIsUsedWithoutAWord() throws Exception {
    Output output = validateJson(ROOT.resolve("bin/runbook"));
    assertCleanJson(output);
    assertThat(output.stderr()).isEmpty();
  }

  @Test
  void anArchiveOlderThanTheJarIsIgnored() throws Exception {
    Path target = layout();
    Path archive = Files.copy(ARCHIVE, target.resolve("runbook.jsa"));
    Files.setLastModifiedTime(archive, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
    Output output = validateJson(dir.resolve("bin/runbook"));
    assertCleanJson(output);
    assertThat(output.stderr()).isEmpty();
  }

  @Test
  void anArchiveOfAnotherJarKeepsStdoutClean() throws Exception {
    // The archive names the jar it was made from (path, size, time): this copy is another jar.
    Path target = layout();
    Path archive = Files.copy(ARCHIVE, target.resolve("runbook.jsa"));
    Files.setLastModifiedTime(archive, FileTime.from(Instant.now().plusSeconds(60)));
    assertCleanJson(validateJson(dir.resolve("bin/runbook")));
  }

  @Test
  void aCorruptArchiveKeepsStdoutClean() throws Exception {
    Path target = layout();
    Path archive = Files.writeString(target.resolve("runbook.jsa"), "not an archive\n");
    Files.setLastModifiedTime(archive, FileTime.from(Instant.now().plusSeconds(60)));
    assertCleanJson(validateJson(dir.resolve("bin/runbook")));
  }
}
