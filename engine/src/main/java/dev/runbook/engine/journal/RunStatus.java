package dev.runbook.engine.journal;

import java.util.Locale;

/** Where a run stands, as its journal tells it. */
public enum RunStatus {
  /** No end recorded: an engine is running it, or one died (see {@link RunFold#engineGone}). */
  RUNNING,
  /** Waiting for an operator: a confirmation, or a decision about an in-flight step. */
  PAUSED,
  /** A signal stopped it. */
  INTERRUPTED,
  /** The engine met an error it did not expect and stopped. */
  ERRORED,
  SUCCEEDED,
  /** {@code rollback RUN_ID} compensated every step. */
  UNDONE,
  ROLLED_BACK,
  PRECONDITIONS_UNMET,
  /** A step failed and the policy said stop. */
  STOPPED,
  ROLLBACK_INCOMPLETE,
  FINALLY_FAILED;

  /** The name the journal and JSON output use ({@code rolled_back}). */
  public String journalName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The status a {@code finished} record names; {@link #STOPPED} for a name it does not know. */
  public static RunStatus ofJournalName(String name) {
    for (RunStatus s : values()) {
      if (s.journalName().equals(name)) {
        return s;
      }
    }
    return STOPPED;
  }

  /** Whether {@code resume} can continue a run in this state. */
  public boolean resumable() {
    return switch (this) {
      case RUNNING, PAUSED, INTERRUPTED, ERRORED, STOPPED, ROLLBACK_INCOMPLETE -> true;
      case SUCCEEDED, UNDONE, ROLLED_BACK, PRECONDITIONS_UNMET, FINALLY_FAILED -> false;
    };
  }

  /** Whether a run in this state left something for an operator to finish. */
  public boolean unfinished() {
    return resumable();
  }
}
