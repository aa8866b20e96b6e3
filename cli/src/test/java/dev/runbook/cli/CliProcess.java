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
    return run(java.time.Duration.ofSeconds(60), workDir, env, args);
  }

  /** As {@link #run(Path, Map, String...)}, waiting up to {@code timeout} (a rehearsal). */
  public static Result run(
      java.time.Duration timeout, Path workDir, Map<String, String> env, String... args)
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
    // the CLI under test; a test gives what it means to through env. RUNBOOK_LOCK_DIR stays: the
    // build points it at target/, so that builds running at once never share the host's locks.
    builder
        .environment()
        .keySet()
        .removeIf(name -> name.startsWith("RUNBOOK_") && !name.equals("RUNBOOK_LOCK_DIR"));
    builder.environment().putAll(env);
    Path out = Files.createTempFile("runbook-out", ".txt");
    Path err = Files.createTempFile("runbook-err", ".txt");
    try {
      builder.redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            "runbook " + String.join(" ", args) + " did not finish in " + timeout);
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

  /**
   * Starts the CLI in the background, its output going to {@code <workDir>/<name>.out} and {@code
   * .err}, so that a test can signal it while it runs.
   */
  static Background start(Path workDir, Map<String, String> env, String... args)
      throws IOException {
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
    builder.environment().putAll(env);
    Path logs = Files.createDirectories(workDir.resolve("cli-output"));
    Path out = Files.createTempFile(logs, args.length == 0 ? "cli" : args[0], ".out");
    Path err = out.resolveSibling(out.getFileName().toString().replace(".out", ".err"));
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return new Background(builder.start(), out, err, String.join(" ", args));
  }

  /** A CLI started by {@link #start}: the JVM's process and where its output goes. */
  record Background(Process process, Path out, Path err, String args) {
    long pid() {
      return process.pid();
    }

    String stdout() throws IOException {
      return Files.readString(out, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
      return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** Waits until the CLI exits (at most {@code seconds}; fails the test after that). */
    Result await(long seconds) throws IOException, InterruptedException {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError(
            "runbook " + args + " did not finish in " + seconds + "s; output:\n" + stdout());
      }
      return new Result(process.exitValue(), stdout(), stderr());
    }

    /** Sends a signal ({@code TERM}, {@code HUP}, ...) to the CLI's JVM, by its pid. */
    void signal(String name) throws IOException, InterruptedException {
      Process kill =
          new ProcessBuilder("kill", "-s", name, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      if (kill.waitFor() != 0) {
        throw new AssertionError("kill -s " + name + " " + process.pid() + " failed");
      }
    }

    /** SIGKILL, as the OOM killer or a power cut would, and waits until the JVM is gone. */
    void kill() throws InterruptedException {
      process.destroyForcibly().waitFor();
    }
  }
}
