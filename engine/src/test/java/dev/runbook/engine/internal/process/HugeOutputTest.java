package dev.runbook.engine.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory does not grow with output: about 200 MB of output, half of it in one line without a
 * newline, runs through the runner in a JVM whose whole heap is 32 MiB.
 *
 * <p>A JVM of its own makes the bound a fact rather than an estimate: holding the output, or even
 * the long line, would end that JVM with an OutOfMemoryError.
 */
@Timeout(120)
class HugeOutputTest {
  private static final String HEAP = "-Xmx32m";

  @TempDir Path dir;

  @Test
  void twoHundredMegabytesStreamToTheLogWhileTheHeapStaysWithin32MiB() throws Exception {
    Path report = dir.resolve("report");
    Process probe =
        ProbeJvm.start(
            HugeOutputProbe.class,
            List.of(HEAP, "-XX:+ExitOnOutOfMemoryError"),
            report,
            dir.toString());
    assertThat(probe.waitFor(100, TimeUnit.SECONDS)).as("probe finished").isTrue();
    String output = Files.readString(report, StandardCharsets.UTF_8);
    assertThat(probe.exitValue()).as(output).isZero();
    Map<String, String> measured = parse(output);

    long total = HugeOutputProbe.LINES_BYTES + HugeOutputProbe.LONG_LINE_BYTES;
    assertThat(measured)
        .containsEntry("exit", "0")
        .containsEntry("logBytes", Long.toString(total))
        .containsEntry("stdoutBytes", Long.toString(total))
        .containsEntry("tailLines", Integer.toString(ProcessRunner.TAIL_LINES))
        .containsEntry("firstLineChars", "999")
        .containsEntry(
            "lastLine",
            "b… [… "
                + (HugeOutputProbe.LONG_LINE_BYTES - LineAssembler.MAX_LINE_BYTES)
                + " more bytes in the log]");
    assertThat(Long.parseLong(measured.get("peakHeapBytes"))).isLessThan(32L << 20);
  }

  private static Map<String, String> parse(String output) {
    Map<String, String> values = new HashMap<>();
    for (String line : output.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        values.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return values;
  }
}
