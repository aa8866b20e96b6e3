package dev.runbook.engine.journal;

import dev.runbook.engine.journal.JournalEvent.Invocation;
import dev.runbook.engine.journal.JournalEvent.RunStarted;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One run as {@code runs}, {@code status} and {@code resume} show it: its journal's {@link
 * RunFold}, and whether the engine that last took it is gone.
 *
 * <p>A run whose journal is damaged is still a run: it is listed, and {@link #fold} holds what
 * precedes the damage (which may be nothing, when the first line is damaged or the file cannot be
 * read at all: then {@link #hasStart()} is false). It is never resumable: nothing may be appended
 * after corruption.
 *
 * @param engineGone the journal names no end and the engine that last took the run no longer runs
 *     (killed, or its machine restarted): the run is interrupted, not running
 * @param damage where the journal is damaged; line 0 when the file as a whole cannot be read
 */
public record RunSummary(
    String runId, Path dir, RunFold fold, boolean engineGone, Optional<Journal.Damage> damage) {

  public RunSummary {
    java.util.Objects.requireNonNull(damage, "damage");
  }

  /** A sound journal's run. */
  public RunSummary(String runId, Path dir, RunFold fold, boolean engineGone) {
    this(runId, dir, fold, engineGone, Optional.empty());
  }

  public boolean damaged() {
    return damage.isPresent();
  }

  /** Whether the journal's first record, the run's start, could be read. */
  public boolean hasStart() {
    return fold.started().isPresent();
  }

  /** The journal file. */
  public Path journalFile() {
    return dir.resolve(Journal.FILE_NAME);
  }

  /**
   * Where the damage is and what it is, on one line ({@code journal.jsonl:7: the checksum does not
   * match the line}); empty for a sound journal.
   */
  public Optional<String> damageText() {
    return damage.map(
        d -> d.line() == 0 ? d.problem() : journalFile() + ":" + d.line() + ": " + d.problem());
  }

  /** Where the run stands: {@link RunStatus#INTERRUPTED} for a running run whose engine is gone. */
  public RunStatus status() {
    return fold.status() == RunStatus.RUNNING && engineGone ? RunStatus.INTERRUPTED : fold.status();
  }

  /** The status in words: its journal name, and why a run shown as interrupted is. */
  public String statusText() {
    if (damage.isPresent()) {
      Journal.Damage d = damage.get();
      return d.line() == 0
          ? "damaged (" + d.problem() + ")"
          : "damaged at line " + d.line() + " of its journal (" + d.problem() + ")";
    }
    if (fold.status() == RunStatus.RUNNING && engineGone) {
      return "interrupted (its engine, pid "
          + fold.lastInvocation().map(Invocation::pid).orElse(0L)
          + ", stopped without a word)";
    }
    return status().journalName();
  }

  /** Whether {@code resume} can continue it: never when its journal is damaged. */
  public boolean resumable() {
    return damage.isEmpty() && status().resumable();
  }

  /**
   * Whether an operator has something to finish or look at: a resumable run that is not running, or
   * a damaged one.
   */
  public boolean unfinished() {
    return damage.isPresent() || (status() != RunStatus.RUNNING && status().unfinished());
  }

  /** The run's start; only for a run that {@link #hasStart()}. */
  public RunStarted started() {
    return fold.started().orElseThrow();
  }

  public String runbook() {
    return started().runbook();
  }

  public Path file() {
    return Path.of(started().file());
  }

  public Instant startedAt() {
    return fold.startedAt();
  }

  public Instant lastAt() {
    return fold.lastAt();
  }

  public Optional<String> lastStep() {
    return fold.lastStep();
  }

  /** The non-secret parameters the run started with. */
  public Map<String, Object> params() {
    return started().params();
  }
}
