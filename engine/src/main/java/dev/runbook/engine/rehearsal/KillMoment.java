package dev.runbook.engine.rehearsal;

import java.util.Optional;

/**
 * When a kill trial kills the engine: once its journal holds {@code afterEvents} records, after
 * {@code delayMillis} more unless the next record comes first (then at once), so that a kill lands
 * inside a step's action as well as between records.
 *
 * @param afterEvents how many journal records must be on disk first
 * @param anchor the record that count ends on, as seen in an earlier trial ({@code step_started of
 *     `migrate`})
 * @param step the step that record is about; empty for a record of the run
 * @param failAfter the step the run fails after (a kill during its rollback); empty for a kill on
 *     the way forward
 * @param delayMillis how long after the anchor
 */
public record KillMoment(
    int afterEvents,
    String anchor,
    Optional<String> step,
    Optional<String> failAfter,
    long delayMillis) {

  /** The moment in words, for the report. */
  public String describe() {
    return "SIGKILL after event "
        + afterEvents
        + " ("
        + anchor
        + ")"
        + (delayMillis > 0 ? " +" + delayMillis + "ms" : "")
        + failAfter.map(s -> ", rolling back a failure injected after " + s).orElse("");
  }
}
