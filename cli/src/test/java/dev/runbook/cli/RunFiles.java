package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalEvent;
import dev.runbook.engine.journal.JournalRecord;
import dev.runbook.engine.journal.RunFold;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What a test reads of a state directory and of the processes it caused, without going through the
 * CLI: the journal as the engine folds it, and the processes that run in a test's directory.
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

  /** The only run whose journal has its first record, if there is one. */
  static Optional<String> startedRun(Path state) throws IOException {
    List<String> started = new ArrayList<>();
    for (String id : runIds(state)) {
      if (fold(state, id).started().isPresent()) {
        started.add(id);
      }
    }
    if (started.size() > 1) {
      throw new AssertionError("more than one run started: " + started);
    }
    return started.stream().findFirst();
  }

  static Path journalFile(Path state, String runId) {
    return state.resolve("runs").resolve(runId).resolve(Journal.FILE_NAME);
  }

  /**
   * The run's journal as the engine reads it (a torn last line left out), folded: what a test asks
   * of a journal, it asks of the one reading {@code status} and {@code resume} use too.
   */
  static RunFold fold(Path state, String runId) {
    Path file = journalFile(state, runId);
    return RunFold.of(Files.exists(file) ? Journal.read(file).records() : List.of());
  }

  /**
   * Cuts {@code journal} back to the record that starts {@code step}'s first try, as if the engine
   * had died just after it: what a crash in that step's window leaves. Fails when nothing follows.
   */
  static void cutAfterStartOf(Path journal, String step) throws IOException {
    List<JournalRecord> records = Journal.read(journal).records();
    long start =
        records.stream()
            .filter(r -> r.event() instanceof JournalEvent.StepStarted s && s.step().equals(step))
            .findFirst()
            .orElseThrow(() -> new AssertionError(step + " never started"))
            .seq();
    assertThat(start).as("the cut leaves records out").isLessThan(records.size());
    // one record a line, in seq order from 1 (JournalTest proves the format)
    Files.write(journal, Files.readAllLines(journal).subList(0, (int) start));
  }

  /** The journal of the only run under {@code state}. */
  static Path onlyJournal(Path state) throws IOException {
    List<String> ids = runIds(state);
    assertThat(ids).hasSize(1);
    return journalFile(state, ids.get(0));
  }

  /** Whether step {@code step} started, by the journal. */
  static boolean started(RunFold fold, String step) {
    return fold.steps().stream().anyMatch(s -> s.id().equals(step));
  }

  /** Whether an action of {@code step} (its own, or a compensation's) started a process. */
  static boolean processStarted(RunFold fold, String step) {
    return fold.processes().stream().anyMatch(p -> p.step().equals(step));
  }

  /**
   * Polls until {@code condition} holds of the journal of the only started run; fails when {@code
   * cli} exits first or after {@code timeout}.
   */
  static RunFold awaitJournal(
      Path state, CliProcess.Background cli, Duration timeout, Predicate<RunFold> condition)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<String> run = startedRun(state);
      if (run.isPresent()) {
        RunFold fold = fold(state, run.get());
        if (condition.test(fold)) {
          return fold;
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
