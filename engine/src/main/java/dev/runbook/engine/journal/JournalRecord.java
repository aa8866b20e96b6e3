package dev.runbook.engine.journal;

import java.time.Instant;
import java.util.Objects;
import org.json.JSONObject;

/**
 * One line of the journal.
 *
 * @param seq 1-based, gapless sequence number
 * @param type e.g. {@code run_started}, {@code step_started}, {@code step_succeeded}
 * @param data the record's fields besides seq, ts and type; never contains a secret
 */
public record JournalRecord(long seq, Instant timestamp, String type, JSONObject data) {
  public JournalRecord {
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
  }

  /** What the line says, as a typed event. */
  public JournalEvent event() {
    return JournalCodec.decode(this);
  }

  /** A field of {@link #data} as text, or null. */
  public String field(String name) {
    Object v = data.opt(name);
    return v == null || v == JSONObject.NULL ? null : String.valueOf(v);
  }
}
