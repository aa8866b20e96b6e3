package dev.runbook.engine.journal;

import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.IoProblems;
import dev.runbook.engine.RunbookException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Reads the runs in a state directory from their journals. */
public final class RunHistory {
  private final StateDir state;
  private String lastRunId;
  private Journal.Contents lastRead;

  public RunHistory(StateDir state) {
    this.state = state;
  }

  /**
   * Every run, oldest first: a run whose journal is damaged or cannot be read is listed as such
   * ({@link RunSummary#damage()}), never left out.
   */
  public List<RunSummary> list() {
    return list(null);
  }

  /**
   * The runs of the runbook named {@code runbook}, oldest first; other runs' journals are read no
   * further than their first line. A run whose first line cannot be read is not known to be of any
   * runbook, and is left out.
   */
  public List<RunSummary> listOf(String runbook) {
    return list(java.util.Objects.requireNonNull(runbook));
  }

  /** The runs of the runbook {@code runbook} names, or all runs when it is null. */
  private List<RunSummary> list(String runbook) {
    List<RunSummary> runs = new ArrayList<>();
    if (!Files.isDirectory(state.runs())) {
      return runs;
    }
    try (Stream<Path> dirs = Files.list(state.runs())) {
      for (Path dir : dirs.sorted().toList()) {
        Path file = dir.resolve(Journal.FILE_NAME);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (runbook == null
            || Journal.readFirst(file)
                .map(r -> r.field("runbook"))
                .filter(runbook::equals)
                .isPresent()) {
          runs.add(summarizeAnyway(dir.getFileName().toString(), dir));
        }
      }
    } catch (IOException e) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "cannot list the runs in " + IoProblems.describe(state.runs(), e));
    }
    runs.sort(
        Comparator.comparing(
                RunSummary::startedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(RunSummary::runId));
    return runs;
  }

  /** The run in {@code dir}, as damaged when its journal cannot be read at all. */
  private static RunSummary summarizeAnyway(String runId, Path dir) {
    try {
      return summarize(runId, dir, Journal.read(dir.resolve(Journal.FILE_NAME)));
    } catch (RunbookException e) {
      return new RunSummary(
          runId,
          dir,
          RunFold.of(List.of()),
          false,
          Optional.of(new Journal.Damage(0, e.getMessage())));
    }
  }

  /** The run {@code runId}; exit 2 naming the known runs when there is none. */
  public RunSummary get(String runId) {
    Path dir = state.runDir(runId);
    if (runId.contains("/")
        || !Files.exists(dir.resolve(Journal.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "no run `" + runId + "` in " + state.runs(),
          "list them with `runbook runs`");
    }
    Journal.Contents contents = Journal.read(dir.resolve(Journal.FILE_NAME));
    RunSummary summary = summarize(runId, dir, contents);
    lastRunId = runId;
    lastRead = contents;
    return summary;
  }

  /**
   * The runbook file run {@code runId} started with, from its journal's first record alone; empty
   * when there is no such run or record ({@link #get} then says why).
   */
  public Optional<Path> startedFile(String runId) {
    if (runId.contains("/")) {
      return Optional.empty();
    }
    return Journal.readFirst(state.runDir(runId).resolve(Journal.FILE_NAME))
        .filter(r -> r.type().equals("run_started"))
        .map(r -> r.field("file"))
        .map(Path::of);
  }

  /** The journal of {@code runId}, read now. */
  public Journal.Contents journal(String runId) {
    return Journal.read(state.runDir(runId).resolve(Journal.FILE_NAME));
  }

  /**
   * The journal of {@code runId} as {@link #get} read it for its summary, so that a command that
   * looks at a run once reads a long journal once; read now if {@code get} did not read it. A
   * follower of a live run reads with {@link #journal} instead.
   */
  public Journal.Contents journalAsRead(String runId) {
    return runId.equals(lastRunId) ? lastRead : journal(runId);
  }

  static RunSummary summarize(String runId, Path dir, Journal.Contents contents) {
    RunFold fold = RunFold.of(contents.records());
    Optional<Journal.Damage> damage = contents.damage();
    if (damage.isEmpty()
        && (fold.started().isEmpty() || !contents.records().get(0).type().equals("run_started"))) {
      // an empty journal (the engine died between creating it and its first record), or one
      // that does not start with a run
      damage = Optional.of(new Journal.Damage(1, "no run_started record"));
    }
    return new RunSummary(
        runId,
        dir,
        fold,
        damage.isEmpty() && fold.status() == RunStatus.RUNNING && engineGone(fold),
        damage);
  }

  /**
   * Whether the engine that last took a run is gone: no process has its pid on this host, or the
   * one that has it started after the engine journaled (the pid was reused). A run taken on another
   * host is never declared gone from here.
   */
  private static boolean engineGone(RunFold fold) {
    Optional<JournalEvent.Invocation> by = fold.lastInvocation();
    if (by.isEmpty() || !by.get().host().equals(RunLock.hostName())) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(by.get().pid());
    if (process.isEmpty() || !process.get().isAlive()) {
      return true;
    }
    Optional<Instant> since = process.get().info().startInstant();
    return since.isPresent() && since.get().isAfter(fold.lastAt());
  }
}
