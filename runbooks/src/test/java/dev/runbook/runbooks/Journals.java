package dev.runbook.runbooks;

import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalRecord;
import dev.runbook.engine.journal.RunFold;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A state directory's journals, read as the engine reads them ({@link Journal#read}, {@link
 * RunFold}): a test that judged a run by matching text in {@code journal.jsonl} would pass or fail
 * with the file's spelling, not with what the run did.
 */
public final class Journals {
  private Journals() {}

  /** Every run's journal file under {@code stateDir/runs}, oldest run first; none yet: empty. */
  public static List<Path> files(Path stateDir) throws IOException {
    Path runs = stateDir.resolve("runs");
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(runs)) {
      return s.sorted().map(dir -> dir.resolve(Journal.FILE_NAME)).filter(Files::exists).toList();
    }
  }

  /** A journal's records, without a line torn by a kill (as the engine reads it). */
  public static List<JournalRecord> records(Path journal) {
    return Journal.read(journal).records();
  }

  /** The only run's journal, folded. */
  public static RunFold onlyRun(Path stateDir) throws IOException {
    return RunFold.of(records(onlyJournal(stateDir)));
  }

  /** The only run's records. */
  public static List<JournalRecord> onlyRunRecords(Path stateDir) throws IOException {
    return records(onlyJournal(stateDir));
  }

  private static Path onlyJournal(Path stateDir) throws IOException {
    List<Path> all = files(stateDir);
    if (all.size() != 1) {
      throw new IllegalStateException("expected one run in " + stateDir + ", found " + all);
    }
    return all.get(0);
  }

  /** Whether any run's journal has a record of {@code type} about {@code step}. */
  public static boolean has(Path stateDir, String type, String step) throws IOException {
    for (Path journal : files(stateDir)) {
      for (JournalRecord r : records(journal)) {
        if (r.type().equals(type) && step.equals(r.field("step"))) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether the only run's journal has a record of {@code type}. */
  public static boolean onlyRunHas(Path stateDir, String type) throws IOException {
    return onlyRunRecords(stateDir).stream().anyMatch(r -> r.type().equals(type));
  }
}
