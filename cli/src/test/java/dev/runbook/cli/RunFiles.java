package dev.runbook.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * What a test reads of a state directory and of the processes it caused, without going through the
 * CLI: the journal as it is on disk, and the processes that run in a test's directory.
 */
final class RunFiles {
  private RunFiles() {}

  /** The run ids in {@code state}, oldest first. */
  static List<String> runIds(Path state) throws IOException {
    Path runs = state.resolve("runs");
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(runs)) {
      return dirs.map(d -> d.getFileName().toString()).sorted().toList();
    }
  }

  /** The only run with a readable {@code run_started} record, if there is one. */
  static Optional<String> startedRun(Path state) throws IOException {
    List<String> started = new ArrayList<>();
    for (String id : runIds(state)) {
      List<JSONObject> records = journal(state, id);
      if (!records.isEmpty() && records.get(0).getString("type").equals("run_started")) {
        started.add(id);
      }
    }
    if (started.size() > 1) {
      throw new AssertionError("more than one run started: " + started);
    }
    return started.stream().findFirst();
  }

  static Path journalFile(Path state, String runId) {
    return state.resolve("runs").resolve(runId).resolve("journal.jsonl");
  }

  /** The journal's complete, parseable lines (a torn last line is left out). */
  static List<JSONObject> journal(Path state, String runId) throws IOException {
    Path file = journalFile(state, runId);
    if (!Files.exists(file)) {
      return List.of();
    }
    List<JSONObject> records = new ArrayList<>();
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n');
    for (String line : text.substring(0, end + 1).split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      try {
        records.add(new JSONObject(line));
      } catch (JSONException e) {
        throw new AssertionError("journal line is not JSON: " + line, e);
      }
    }
    return records;
  }

  /** Whether a record of {@code type} (for {@code step}, when not null) is in the journal. */
  static boolean has(List<JSONObject> records, String type, String step) {
    return records.stream()
        .anyMatch(
            r ->
                r.getString("type").equals(type)
                    && (step == null || step.equals(r.optString("step", null))));
  }

  static long count(List<JSONObject> records, String type) {
    return records.stream().filter(r -> r.getString("type").equals(type)).count();
  }

  /**
   * Polls until {@code condition} holds of the journal of the only started run; fails when {@code
   * cli} exits first or after {@code timeout}.
   */
  static List<JSONObject> awaitJournal(
      Path state,
      CliProcess.Background cli,
      Duration timeout,
      Predicate<List<JSONObject>> condition)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<String> run = startedRun(state);
      if (run.isPresent()) {
        List<JSONObject> records = journal(state, run.get());
        if (condition.test(records)) {
          return records;
        }
      }
      if (!cli.process().isAlive()) {
        throw new AssertionError(
            "runbook "
                + cli.args()
                + " exited "
                + cli.process().exitValue()
                + " first:\n"
                + cli.stdout()
                + cli.stderr());
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the journal did not get there in " + timeout);
  }

  /** Polls until {@code file} exists and holds {@code line}; fails after {@code timeout}. */
  static void awaitLine(Path file, String line, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && Files.readAllLines(file).contains(line)) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError(file + " did not get the line " + line + " in " + timeout);
  }

  /**
   * The live processes whose working directory is {@code dir}: in these tests, the CLI and the
   * steps it started there, which no other process shares (the directory is the test's own).
   */
  static List<ProcessHandle> processesIn(Path dir) throws IOException {
    Path real = dir.toRealPath();
    long self = ProcessHandle.current().pid();
    List<ProcessHandle> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
          continue;
        }
        try {
          if (Files.readSymbolicLink(p.resolve("cwd")).equals(real)
              && !isZombie(p.resolve("stat"))) {
            ProcessHandle.of(Long.parseLong(name)).ifPresent(found::add);
          }
        } catch (IOException | SecurityException e) {
          // gone meanwhile, or not ours
        }
      }
    }
    return found;
  }

  /**
   * Whether {@code pid} runs: exists and is not a zombie (on hosts whose init does not reap
   * orphans, an ended grandchild stays one, and {@link ProcessHandle#isAlive} says true).
   */
  static boolean isRunning(long pid) {
    try {
      return !isZombie(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isZombie(Path stat) throws IOException {
    String text = Files.readString(stat);
    char state = text.charAt(text.lastIndexOf(')') + 2);
    return state == 'Z' || state == 'X';
  }

  /** SIGKILLs every process {@link #processesIn} finds; returns how many there were. */
  static int killProcessesIn(Path dir) throws IOException, InterruptedException {
    List<ProcessHandle> found = processesIn(dir);
    for (ProcessHandle h : found) {
      h.destroyForcibly();
    }
    // Not onExit(): where init does not reap orphans, a killed one stays a zombie for good.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    for (ProcessHandle h : found) {
      while (isRunning(h.pid()) && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
    }
    return found.size();
  }

  /** Waits until no process runs in {@code dir} any more; returns those left after timeout. */
  static List<ProcessHandle> awaitNoProcessesIn(Path dir, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ProcessHandle> left = processesIn(dir);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      left = processesIn(dir);
    }
    return left;
  }
}
