package dev.runbook.runbooks.seqdesk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.cli.CliProcess;
import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalRecord;
import dev.runbook.engine.journal.RunFold;
import dev.runbook.engine.journal.RunStatus;
import dev.runbook.runbooks.Journals;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

  /** A run's journal records, oldest first, without a line torn by a kill (as the engine). */
  static List<JournalRecord> journal(SeqDeskFixture fixture, String runId) {
    Path file = fixture.state.resolve("runs").resolve(runId).resolve(Journal.FILE_NAME);
    return Files.exists(file) ? Journals.records(file) : List.of();
  }

  /** A run's journal, folded as the engine folds it. */
  static RunFold fold(SeqDeskFixture fixture, String runId) {
    return RunFold.of(journal(fixture, runId));
  }

  /** Whether a run's journal ends with its success. */
  static boolean succeeded(SeqDeskFixture fixture, String runId) {
    return fold(fixture, runId).status() == RunStatus.SUCCEEDED;
  }

  /**
   * Whether a run got as far as recording that it started: killed before, it did nothing and there
   * is nothing to resume.
   */
  static boolean started(SeqDeskFixture fixture, String runId) {
    return fold(fixture, runId).started().isPresent();
  }

  /**
   * Resumes the fixture's run until it has succeeded, as an operator would after the engine was
   * killed: {@code resume} while the run is unfinished, a new {@code run} if the kill came before
   * the run was recorded. Fails if a resume needs the operator.
   *
   * @return how many commands it took
   */
  static int resumeUntilDone(SeqDeskFixture fixture, String runbook, Path log)
      throws IOException, InterruptedException {
    for (int attempt = 1; attempt <= 6; attempt++) {
      List<String> runs = new ArrayList<>();
      for (String id : runIds(fixture)) {
        if (started(fixture, id)) {
          runs.add(id);
        }
      }
      CliProcess.Result result;
      if (runs.isEmpty()) {
        result = run(fixture, runbook);
      } else if (succeeded(fixture, runs.get(runs.size() - 1))) {
        return attempt - 1;
      } else {
        result = cli(fixture, "resume", "--state-dir", fixture.state.toString());
      }
      Files.writeString(
          log,
          result.stdout() + result.stderr(),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      assertThat(result.exitCode())
          .as("resume needed the operator or failed:\n%s", Files.readString(log))
          .isZero();
    }
    throw new AssertionError("still not done after 6 resumes:\n" + Files.readString(log));
  }

  /** Waits for a killed process to be gone. */
  static void awaitGone(Process process) throws InterruptedException {
    if (!process.waitFor(
        Duration.ofSeconds(30).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the runbook process did not end");
    }
  }
}
