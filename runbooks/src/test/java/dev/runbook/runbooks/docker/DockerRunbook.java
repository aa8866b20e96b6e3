package dev.runbook.runbooks.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.cli.CliProcess;
import dev.runbook.engine.internal.docker.PrivateDockerd;
import dev.runbook.engine.journal.JournalRecord;
import dev.runbook.runbooks.Journals;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged CLI pointed at a {@link PrivateDockerd} ({@code DOCKER_HOST}), with its state in
 * {@code <dir>/state}, run in {@code dir}.
 */
final class DockerRunbook {
  private final PrivateDockerd dockerd;
  private final Path dir;

  DockerRunbook(PrivateDockerd dockerd, Path dir) {
    this.dockerd = dockerd;
    this.dir = dir;
  }

  Path stateDir() {
    return dir.resolve("state");
  }

  /** {@code runbook ARGS --state-dir DIR/state}, waiting for it to end. */
  CliProcess.Result cli(String... args) throws IOException, InterruptedException {
    return cli(Map.of(), args);
  }

  /** {@code runbook ARGS --state-dir DIR/state} with {@code env} too, waiting for it to end. */
  CliProcess.Result cli(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    Map<String, String> all = new java.util.HashMap<>(environment());
    all.putAll(env);
    return CliProcess.run(dir, all, withStateDir(args));
  }

  /** {@code runbook ARGS --state-dir DIR/state} in the background, its output in files. */
  Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-jar");
    command.add(CliProcess.JAR.toString());
    command.addAll(List.of(withStateDir(args)));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder
        .environment()
        .keySet()
        .removeIf(name -> name.startsWith("RUNBOOK_") && !name.equals("RUNBOOK_LOCK_DIR"));
    builder.environment().putAll(environment());
    builder.redirectOutput(dir.resolve("background.out").toFile());
    builder.redirectErrorStream(true);
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    return builder.start();
  }

  /** What the background run printed so far. */
  String backgroundOutput() throws IOException {
    return Files.readString(dir.resolve("background.out"), StandardCharsets.UTF_8);
  }

  /** The journal of the only run, as the engine reads it; empty until it exists. */
  List<JournalRecord> journal() throws IOException {
    List<Path> all = Journals.files(stateDir());
    return all.size() == 1 ? Journals.records(all.get(0)) : List.of();
  }

  /**
   * Waits until the background run's journal has a record of {@code type}, about {@code step}
   * unless that is null.
   */
  void awaitJournal(Process run, long seconds, String type, String step)
      throws IOException, InterruptedException {
    String what = type + (step == null ? "" : " of " + step);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      for (JournalRecord r : journal()) {
        if (r.type().equals(type) && (step == null || step.equals(r.field("step")))) {
          return;
        }
      }
      if (!run.isAlive()) {
        throw new AssertionError("the run ended before " + what + ":\n" + backgroundOutput());
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no " + what + " in the journal:\n" + backgroundOutput());
  }

  private Map<String, String> environment() {
    return dockerd.environment();
  }

  private String[] withStateDir(String... args) {
    List<String> argv = new ArrayList<>(List.of(args));
    argv.add("--state-dir");
    argv.add(stateDir().toString());
    return argv.toArray(String[]::new);
  }

  static String runId(String stdout) {
    Matcher m = Pattern.compile("run (\\S+) of `").matcher(stdout);
    if (!m.find()) {
      throw new AssertionError("no run id in:\n" + stdout);
    }
    return m.group(1);
  }

  /**
   * Asserts that a run with a failure injected at {@code step} failed there and was rolled back
   * (exit 1), and prints how long it took, under {@code label}.
   */
  static void assertFailedAndRolledBack(
      String label, String step, CliProcess.Result result, long millis) {
    String output = describe(result);
    System.out.println(
        label
            + ": failure at "
            + step
            + ": exit "
            + result.exitCode()
            + " after "
            + millis
            + " ms");
    assertThat(result.exitCode()).as(output).isEqualTo(1);
    assertThat(result.stdout())
        .as(output)
        .contains("step " + step + ": FAILED")
        .contains("run failed and was rolled back: step `" + step + "` failed");
  }

  static String describe(CliProcess.Result result) {
    return "exit " + result.exitCode() + "\n" + result.stdout() + result.stderr();
  }
}
