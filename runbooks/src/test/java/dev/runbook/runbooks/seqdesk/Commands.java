package dev.runbook.runbooks.seqdesk;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the fixture's own commands (tar, psql, runuser, ...) and fails loudly when they fail. */
final class Commands {
  private Commands() {}

  /** Runs {@code argv} in {@code dir} and returns its stdout; throws unless it exits 0. */
  static String run(Path dir, Map<String, String> env, Duration timeout, List<String> argv)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("fixture-out", ".txt");
    Path err = Files.createTempFile("fixture-err", ".txt");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(argv)
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException(String.join(" ", argv) + " did not finish in " + timeout);
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", argv)
                + " exited "
                + process.exitValue()
                + ": "
                + Files.readString(err, StandardCharsets.UTF_8)
                + stdout);
      }
      return stdout;
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  static String run(Path dir, String... argv) throws IOException, InterruptedException {
    return run(dir, Map.of(), Duration.ofSeconds(60), List.of(argv));
  }
}
