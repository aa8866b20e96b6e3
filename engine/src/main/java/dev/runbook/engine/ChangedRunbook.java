package dev.runbook.engine;

import dev.runbook.dsl.LoadResult;
import dev.runbook.dsl.RunbookLoader;
import dev.runbook.engine.journal.RunSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the runbook of a run changed since the run started: {@code resume} and {@code rollback} show
 * it and refuse to act on a changed runbook unless the operator accepts the changes.
 *
 * <p>The runbook files' digests, recorded when the run started, tell whether anything changed; the
 * copy of the runbook the run keeps tells what, step by step. A change of comments or layout only
 * is reported but not refused: the runbook still does exactly what it did.
 */
public final class ChangedRunbook {
  private final String runId;
  private final Path file;
  private final List<String> changes;
  private final boolean layoutOnly;

  private ChangedRunbook(String runId, Path file, List<String> changes, boolean layoutOnly) {
    this.runId = runId;
    this.file = file;
    this.changes = List.copyOf(changes);
    this.layoutOnly = layoutOnly;
  }

  /** Compares the runbook {@code run} started with and the one {@code plan} was made from. */
  public static ChangedRunbook since(RunSummary run, Plan plan) {
    Map<String, String> started = run.started().digests();
    Map<String, String> now = plan.digest().runbooks();
    if (started.equals(now)) {
      return new ChangedRunbook(run.runId(), run.file(), List.of(), false);
    }
    List<String> changes = new ArrayList<>();
    String main = plan.runbook().file().toString();
    boolean mainChanged = !now.get(main).equals(started.get(main));
    if (mainChanged) {
      changes.addAll(mainChanges(run, plan));
    }
    for (Map.Entry<String, String> entry : now.entrySet()) {
      String before = started.get(entry.getKey());
      // A call added or removed is a changed step of the caller, reported there.
      if (!entry.getKey().equals(main) && before != null && !before.equals(entry.getValue())) {
        changes.add("changed called runbook `" + shown(plan, entry.getKey()) + "`");
      }
    }
    return new ChangedRunbook(run.runId(), run.file(), changes, mainChanged && changes.isEmpty());
  }

  /** The differences of the main runbook, from the copy the run kept of it. */
  private static List<String> mainChanges(RunSummary run, Plan plan) {
    Path copy = run.dir().resolve(Engine.SNAPSHOT);
    if (!Files.isRegularFile(copy)) {
      return List.of("the runbook file changed");
    }
    LoadResult before = new RunbookLoader().loadCopy(copy, plan.runbook().file());
    if (before.runbook().isEmpty()) {
      // The copy loaded once; it no longer does, e.g. because a runbook it calls changed.
      return List.of("the runbook file changed");
    }
    return RunbookChanges.between(before.runbook().get(), plan.runbook());
  }

  private static String shown(Plan plan, String path) {
    Path dir = plan.runbook().file().getParent();
    Path called = Path.of(path);
    return dir != null && called.startsWith(dir) ? dir.relativize(called).toString() : path;
  }

  /** One line per change (what changed, not where it is written); empty when nothing did. */
  public List<String> changes() {
    return changes;
  }

  /**
   * What to tell the operator, one line each ({@code FILE: error: …}, or {@code warning:} when the
   * changes are accepted or are of comments and layout only); empty when nothing changed.
   */
  public List<String> report(boolean accepted) {
    if (layoutOnly) {
      return List.of(
          file + ": warning: the runbook file changed, but not what it does (comments or layout)");
    }
    String severity = accepted ? ": warning: " : ": error: ";
    return changes.stream().map(c -> file + severity + c).toList();
  }

  /**
   * Throws when the runbook changed and the changes are not accepted.
   *
   * @param command the command that was refused ({@code resume}, {@code rollback}), for the hint
   */
  public void refuseUnless(boolean accepted, String command) {
    if (!changes.isEmpty() && !accepted) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          report(false),
          "the runbook changed since run " + runId + " started; nothing was run",
          "review the changes, then `runbook " + command + " " + runId + " --accept-changes`",
          null);
    }
  }
}
