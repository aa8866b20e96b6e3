package dev.runbook.engine.journal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.json.JSONObject;

/**
 * What the journal of one run says about it, for {@code runs}, {@code status} and {@code resume}.
 *
 * @param status {@code running} (no end recorded: in progress, or crashed), {@code paused}, {@code
 *     interrupted}, or the {@code finished} record's status ({@code succeeded}, {@code stopped},
 *     {@code rolled_back}, ...)
 * @param lastStep the last step the journal mentions; empty before the first step
 * @param started the {@code run_started} record's fields
 */
public record RunSummary(
    String runId,
    Path dir,
    String runbook,
    Path file,
    Instant startedAt,
    Instant lastAt,
    String status,
    Optional<String> lastStep,
    JSONObject started,
    boolean resumable) {

  /** Statuses from which {@code resume} continues. */
  static boolean resumable(String status) {
    return switch (status) {
      case "running", "paused", "interrupted", "stopped", "rollback_incomplete" -> true;
      default -> false;
    };
  }
}
