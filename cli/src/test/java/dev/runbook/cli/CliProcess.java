package dev.runbook.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real, packaged CLI ({@code target/runbook.jar}) in a child JVM. */
public final class CliProcess {
  /** The packaged CLI; other modules' tests name it with {@code -Drunbook.jar=...}. */
  public static final Path JAR =
      Path.of(System.getProperty("runbook.jar", "target/runbook.jar")).toAbsolutePath();

  /** What one run printed and how it ended. */
  public record Result(int exitCode, String stdout, String stderr) {}

  private CliProcess() {}

  /**
   * Runs {@code runbook args…} in {@code workDir} with the test's environment plus {@code env}
   * (without any inherited {@code RUNBOOK_*} variable); waits up to 60 seconds.
   */
  public static Result run(Path workDir, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run the tests with `mvn verify`");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    // Hermetic: a RUNBOOK_PARAM_* or RUNBOOK_STATE_DIR of the developer's shell must not reach
    // the CLI under test; a test gives what it means to through env.
    builder.environment().keySet().removeIf(name -> name.startsWith("RUNBOOK_"));
    builder.environment().putAll(env);
    Path out = Files.createTempFile("runbook-out", ".txt");
    Path err = Files.createTempFile("runbook-err", ".txt");
    try {
      builder.redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Process process = builder.start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("runbook " + String.join(" ", args) + " did not finish in 60s");
      }
      return new Result(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  public static Result run(Path workDir, String... args) throws IOException, InterruptedException {
    return run(workDir, Map.of(), args);
  }
}
