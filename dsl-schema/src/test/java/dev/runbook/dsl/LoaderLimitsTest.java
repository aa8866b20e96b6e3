package dev.runbook.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile or broken input is refused quickly, with bounded memory, and with a location. */
class LoaderLimitsTest {
  @TempDir Path dir;

  private LoadResult load(Path file) {
    return new RunbookLoader().load(file, file.getFileName().toString());
  }

  private static Problem only(LoadResult result) {
    assertThat(result.runbook()).isEmpty();
    assertThat(result.problems()).hasSize(1);
    return result.problems().get(0);
  }

  @Test
  void aliasBombFailsFastWithinBoundedMemory() throws IOException {
    StringBuilder yaml = new StringBuilder("schema: runbook/v1\nname: bomb\n");
    yaml.append("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 10; i++) {
      yaml.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      yaml.append("]\n");
    }
    yaml.append("steps: [{id: a, run: echo}]\n");
    Path file = dir.resolve("bomb.yaml");
    Files.writeString(file, yaml);

    long start = System.nanoTime();
    Problem problem = only(load(file));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertThat(problem.isError()).isTrue();
    assertThat(problem.message()).containsAnyOf("aliases", "expands to more than");
    assertThat(problem.headline()).containsPattern("^bomb\\.yaml:\\d+:\\d+: error: ");
    assertThat(problem.headline()).startsWith("bomb.yaml");
  }

  @Test
  void fileOverTenMebibytesIsRefusedBeforeReading() throws IOException {
    Path file = dir.resolve("huge.yaml");
    try (OutputStream out = Files.newOutputStream(file)) {
      byte[] line =
          "# padding padding padding padding padding padding padding\n"
              .getBytes(StandardCharsets.UTF_8);
      for (long written = 0; written < 50L * 1024 * 1024; written += line.length) {
        out.write(line);
      }
    }
    Problem problem = only(load(file));
    assertThat(problem.code()).isEqualTo("file.too-large");
    assertThat(problem.message()).contains("50 MiB").contains("10 MiB");
  }

  @Test
  void binaryFileIsRefusedAsNotText() throws IOException {
    Path file = dir.resolve("binary.yaml");
    Files.write(file, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, (byte) 0xff, (byte) 0xfe});
    Problem problem = only(load(file));
    assertThat(problem.code()).isEqualTo("file.binary");
    assertThat(problem.headline()).startsWith("binary.yaml:1:1: error: not a text file");
  }

  @Test
  void anEmptyFileIsAProblemAtItsFirstLine() throws IOException {
    Path file = dir.resolve("empty.yaml");
    Files.writeString(file, "\n\n");
    assertThat(only(load(file)).headline()).startsWith("empty.yaml:1:1: error: the file is empty");
  }

  @Test
  void invalidUtf8IsRefusedAsNotText() throws IOException {
    Path file = dir.resolve("latin1.yaml");
    Files.write(
        file, "schema: runbook/v1\nname: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(only(load(file)).code()).isEqualTo("file.binary");
  }

  @Test
  void deeplyNestedInputFailsWithoutStackOverflow() throws IOException {
    Path file = dir.resolve("deep.yaml");
    int depth = 100_000;
    Files.writeString(
        file, "schema: runbook/v1\nname: deep\nx: " + "[".repeat(depth) + "]".repeat(depth) + "\n");
    Problem problem = only(load(file));
    assertThat(problem.code()).isEqualTo("yaml.too-deep");
    assertThat(problem.location().line()).isEqualTo(3);
  }

  @Test
  void missingFileIsAProblemNotAnException() {
    Problem problem = only(load(dir.resolve("nope.yaml")));
    assertThat(problem.code()).isEqualTo("file.missing");
    assertThat(problem.headline()).isEqualTo("nope.yaml: error: no such file");
  }

  @Test
  void directoryIsAProblemNotAnException() throws IOException {
    Path sub = Files.createDirectory(dir.resolve("sub.yaml"));
    assertThat(only(load(sub)).code()).isEqualTo("file.directory");
  }

  @Test
  void secondYamlDocumentIsRefused() throws IOException {
    Path file = dir.resolve("two.yaml");
    Files.writeString(
        file, "schema: runbook/v1\nname: a\nsteps: [{id: a, run: x}]\n---\nname: b\n");
    Problem problem = only(load(file));
    assertThat(problem.code()).isEqualTo("yaml.multiple-documents");
    assertThat(problem.location().line()).isEqualTo(4);
  }

  @Test
  void irreversibleStepWithCompensationIsOnlyAWarning() throws IOException {
    Path file = dir.resolve("warn.yaml");
    Files.writeString(
        file,
        "schema: runbook/v1\nname: w\nsteps:\n  - id: migrate\n    run: echo migrate\n"
            + "    irreversible: forward-only\n    compensate: { run: echo undo }\n");
    LoadResult result = load(file);
    assertThat(result.runbook()).isPresent();
    assertThat(result.hasErrors()).isFalse();
    assertThat(result.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.severity()).isEqualTo(Severity.WARNING);
              assertThat(p.headline())
                  .startsWith("warn.yaml:4:5: warning: step `migrate` is `irreversible` and has a");
            });
  }
}
