package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution archive installs with its one command and runs from where it landed. */
class DistributionIT {
  @TempDir Path dir;

  private String sh(String command) throws Exception {
    Process p =
        new ProcessBuilder("bash", "-c", command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void archiveInstallsIntoAPrefixAndRuns() throws Exception {
    List<Path> archives;
    try (var files = Files.list(Path.of("target"))) {
      archives = files.filter(f -> f.toString().endsWith(".tar.gz")).toList();
    }
    assertThat(archives).hasSize(1);
    sh("tar -xzf " + archives.get(0).toAbsolutePath());
    String installed = sh("PREFIX=" + dir.resolve("prefix") + " ./runbook-*/install.sh");
    assertThat(installed).contains("installed runbook 0.1.0");

    Path launcher = dir.resolve("prefix/bin/runbook");
    assertThat(sh(launcher + " --version")).startsWith("runbook 0.1.0");
    assertThat(
            sh(
                launcher
                    + " validate "
                    + dir.resolve("prefix/lib/runbook/share/examples/demo-upgrade.yaml")))
        .contains("valid (runbook `demo-upgrade`");
    assertThat(dir.resolve("prefix/lib/runbook/lib/runbook.jsa")).isRegularFile();
    assertThat(dir.resolve("prefix/share/bash-completion/completions/runbook"))
        .content()
        .contains("runbook");
  }
}
