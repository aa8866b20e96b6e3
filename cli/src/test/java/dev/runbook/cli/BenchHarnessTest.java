package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The benchmark harness ({@code bench/run}) is there and runnable. It measures; this test does not:
 * timings belong in the benchmark's report, never in a test's verdict.
 */
class BenchHarnessTest {
  private static final Path BENCH = Path.of("..", "bench").toAbsolutePath().normalize();

  @Test
  void harnessIsAnExecutableScriptWithItsSources() {
    assertThat(BENCH.resolve("run")).isRegularFile();
    assertThat(Files.isExecutable(BENCH.resolve("run"))).isTrue();
    for (String source :
        new String[] {"Bench.java", "Floor.java", "Hello.java", "floor.c", "measure.c"}) {
      assertThat(BENCH.resolve("src").resolve(source)).isRegularFile();
    }
  }
}
