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
 * @param engineGone the journal names no end and the engine that last took the run no longer runs
 *     (killed, or its machine restarted): the run is interrupted, not running
 */
public record RunSummary(String runId, Path dir, RunFold fold, boolean engineGone) {

  /** Where the run stands: {@link RunStatus#INTERRUPTED} for a running run whose engine is gone. */
  public RunStatus status() {
    return fold.status() == RunStatus.RUNNING && engineGone ? RunStatus.INTERRUPTED : fold.status();
  }

  /** The status in words: its journal name, and why a run shown as interrupted is. */
  public String statusText() {
    if (fold.status() == RunStatus.RUNNING && engineGone) {
      return "interrupted (its engine, pid "
          + fold.lastInvocation().map(Invocation::pid).orElse(0L)
          + ", stopped without a word)";
    }
    return status().journalName();
  }

  public boolean resumable() {
    return status().resumable();
  }

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
