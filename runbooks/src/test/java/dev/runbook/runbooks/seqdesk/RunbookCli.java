package dev.runbook.runbooks.seqdesk;

import dev.runbook.cli.CliProcess;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The packaged {@code runbook} CLI, run against a {@link SeqDeskFixture}. */
final class RunbookCli {
  private RunbookCli() {}

  /** {@code runbook run} of a SeqDesk runbook with the fixture's parameters and {@code changes}. */
  static CliProcess.Result run(
      SeqDeskFixture fixture, String runbook, Map<String, String> changes, Map<String, String> env)
      throws IOException, InterruptedException {
    Map<String, String> environment = new HashMap<>(fixture.env());
    environment.putAll(env);
    return CliProcess.run(
        fixture.root, environment, runArgs(fixture, runbook, changes).toArray(String[]::new));
  }

  static CliProcess.Result run(SeqDeskFixture fixture, String runbook)
      throws IOException, InterruptedException {
    return run(fixture, runbook, Map.of(), Map.of());
  }

  static List<String> runArgs(SeqDeskFixture fixture, String runbook, Map<String, String> changes) {
    Map<String, String> params = new LinkedHashMap<>(fixture.params(runbook));
    params.putAll(changes);
    List<String> args = new ArrayList<>();
    args.add("run");
    args.add(SeqDeskFixture.runbook(runbook).toString());
    args.add("--state-dir");
    args.add(fixture.state.toString());
    params.forEach(
        (k, v) -> {
          args.add("-p");
          args.add(k + "=" + v);
        });
    return args;
  }

  /** Any command, in the fixture's directory with its environment. */
  static CliProcess.Result cli(SeqDeskFixture fixture, String... args)
      throws IOException, InterruptedException {
    return CliProcess.run(fixture.root, fixture.env(), args);
  }

  /** Starts the CLI without waiting for it, its output to {@code log}: for a test that kills it. */
  static Process start(SeqDeskFixture fixture, Path log, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-jar");
    command.add(CliProcess.JAR.toString());
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(fixture.root.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(fixture.env());
    return builder.start();
  }

  /** The ids of the runs in the fixture's state directory, oldest first. */
  static List<String> runIds(SeqDeskFixture fixture) throws IOException {
    Path runs = fixture.state.resolve("runs");
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(runs)) {
      return dirs.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Waits for a killed process to be gone. */
  static void awaitGone(Process process) throws InterruptedException {
    if (!process.waitFor(
        Duration.ofSeconds(30).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the runbook process did not end");
    }
  }
}
