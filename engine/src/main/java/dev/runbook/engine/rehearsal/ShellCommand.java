package dev.runbook.engine.rehearsal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A shell command of a rehearsal (the reset, a state command), run with {@code /bin/sh -c}.
 *
 * @param display the command as an operator reads it (values shown, secrets masked)
 * @param script what the shell runs: a runbook's values reach it through {@code env}, never as
 *     syntax
 * @param env added to the engine's environment
 * @param dir where it runs
 */
public record ShellCommand(String display, String script, Map<String, String> env, Path dir) {
  public ShellCommand {
    env = Map.copyOf(env);
  }

  /** What a command printed on its standard output, and how it exited. */
  public record Result(int exitCode, String stdout, String stderr) {}

  /** Runs it to its end, or kills it after {@code timeout} (exit code -1). */
  Result run(Duration timeout) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", script).directory(dir.toFile());
    builder.environment().putAll(env);
    Path err = Files.createTempFile("runbook-test-", ".err");
    try {
      builder.redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(devNull()));
      Process process = builder.start();
      byte[] out;
      try (InputStream in = process.getInputStream()) {
        // Read while it runs: a full pipe would block a command that prints much (a pg_dump).
        out = in.readAllBytes();
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
        return new Result(-1, new String(out, StandardCharsets.UTF_8), "timed out");
      }
      return new Result(
          process.exitValue(),
          new String(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(err);
    }
  }

  private static java.io.File devNull() {
    return new java.io.File("/dev/null");
  }
}
