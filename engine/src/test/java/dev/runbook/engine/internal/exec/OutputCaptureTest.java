package dev.runbook.engine.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.model.OutputSpec;
import dev.runbook.dsl.model.SourceLocation;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputCaptureTest {
  @TempDir Path dir;

  private static OutputSpec regex(String regex) {
    return new OutputSpec(
        "version",
        Optional.empty(),
        Optional.of(regex),
        Optional.empty(),
        SourceLocation.ofFile("test.yaml"));
  }

  private Path stdout(String before, long fillerBytes, String after) throws IOException {
    Path file = dir.resolve("stdout");
    byte[] filler = new byte[64 * 1024];
    Arrays.fill(filler, (byte) 'x');
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(before.getBytes(StandardCharsets.UTF_8));
      for (long left = fillerBytes; left > 0; left -= filler.length) {
        out.write(filler, 0, (int) Math.min(left, filler.length));
      }
      out.write(after.getBytes(StandardCharsets.UTF_8));
    }
    return file;
  }

  @Test
  void aLargeOutputIsMatchedLineByLineWithCrLfAndCrEndingLines() throws IOException {
    Path file =
        stdout(
            "progress 1%\rprogress 2%\r\n",
            OutputCapture.WHOLE_TEXT_LIMIT, "\r\nversion=4.2.1\r\n");

    OutputCapture.Captured captured =
        OutputCapture.capture(regex("^version=(\\S+)$"), Optional.of(file), Optional.empty());

    assertThat(captured.value()).contains("4.2.1");
  }

  @Test
  void aLineLongerThanTheLimitIsMatchedOnItsFirstMebibyteOfCharacters() throws IOException {
    // 64 MiB without a newline: readLine held such a line whole (128 MiB of chars; 2 GiB for 1
    // GiB).
    Path file = stdout("id=abc", 64L << 20, "\nversion=4.2.1");

    assertThat(
            OutputCapture.capture(regex("^id=(\\w{3})"), Optional.of(file), Optional.empty())
                .value())
        .contains("abc");
    assertThat(
            OutputCapture.capture(regex("version=(\\S+)"), Optional.of(file), Optional.empty())
                .value())
        .contains("4.2.1");
    assertThat(
            OutputCapture.capture(regex("x{1048577}"), Optional.of(file), Optional.empty()).value())
        .as("nothing past the line's first %d characters is matched", OutputCapture.LINE_LIMIT)
        .isEmpty();
  }
}
