package dev.runbook.engine.rehearsal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One trial of a rehearsal and how it ended.
 *
 * @param number 1-based, in the order the trials ran
 * @param kind what the trial does to the run
 * @param step the step it is about (injected after, or killed in); empty for the clean run and a
 *     kill between steps
 * @param injected what was done to the run, in words ("none", "failure after the action", "SIGKILL
 *     after event 7 (process_started of `append`) + 60ms")
 * @param expected the end it must reach, in words
 * @param got the end it reached, in words
 * @param differences what differs from the state it must end in (path or command named); empty when
 *     none
 * @param expectedDifferences differences an irreversible step explains: reported, not failed
 * @param notes what the trial had to decide or could not do (a resume with --rerun-inflight)
 * @param passed whether it ended as it must, in the state it must
 * @param elapsed how long it took, resets and comparisons included
 * @param runId the run in {@code stateDir}, for {@code runbook log}; empty if none started
 */
public record Trial(
    int number,
    Kind kind,
    Optional<String> step,
    String injected,
    String expected,
    String got,
    List<String> differences,
    List<String> expectedDifferences,
    List<String> notes,
    boolean passed,
    Duration elapsed,
    Optional<String> runId,
    String stateDir) {
  public Trial {
    differences = List.copyOf(differences);
    expectedDifferences = List.copyOf(expectedDifferences);
    notes = List.copyOf(notes);
  }

  /** The kinds of trials. */
  public enum Kind {
    /** Run to its end: its end state is what "done" means. */
    CLEAN,
    /** A failure injected right after a step's action: must roll back to the start. */
    FAILURE,
    /** SIGKILL at a moment, then resume until the run ends: must end as a run never killed. */
    KILL;

    public String text() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
