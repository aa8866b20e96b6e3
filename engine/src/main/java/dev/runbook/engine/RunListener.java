package dev.runbook.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Observes a run. The terminal view, the JSON-lines output and test recorders are listeners.
 *
 * <p>Event contract: {@link #runStarted} comes first and {@link #runFinished} last, once each; a
 * skipped step is never started; each try of a step starts with {@link #stepStarted} (numbered),
 * tries are separated by {@link #stepRetrying}, and a started step ends exactly once: {@link
 * #stepSucceeded}, {@link #stepFailed}, or {@link #stepStopped} when it paused for a confirmation
 * or was interrupted. Compensations are bracketed by {@link #compensationStarted} and {@link
 * #compensationFinished}. Events arrive on the thread that runs the steps, except {@link #output},
 * which may come from a reader thread. Listeners must not throw and must not block for long. Every
 * method has an empty default.
 */
public interface RunListener {
  default void runStarted(String runId, Path runDir, String runbookName) {}

  default void preconditionChecked(String name, CheckOutcome outcome) {}

  default void stepStarted(String stepId, String title, int attempt) {}

  default void stepSkipped(String stepId, String reason) {}

  /**
   * The reason {@link #stepDoneBefore} gives {@link #stepSkipped} unless a listener overrides it.
   */
  String DONE_BEFORE = "done before the run stopped";

  /**
   * A resumed run skips a step that the run it continues finished: {@link #stepSkipped} with the
   * reason {@value #DONE_BEFORE}, unless the listener tells these apart (a resume of a long run
   * passes thousands of them, which a view may sum up in a line).
   */
  default void stepDoneBefore(String stepId) {
    stepSkipped(stepId, DONE_BEFORE);
  }

  default void stepRetrying(String stepId, int nextAttempt, Duration delay, String reason) {}

  default void output(String stepId, String line) {}

  /**
   * A step succeeded.
   *
   * @param outputs its outputs as journaled: masked, response bodies left out; may be empty
   */
  default void stepSucceeded(String stepId, Duration elapsed, Map<String, Object> outputs) {}

  default void stepFailed(String stepId, String reason, Path log, boolean continuing) {}

  /**
   * A started step neither succeeded nor failed: it paused for a confirmation nobody can give now,
   * or a signal interrupted it. {@link #paused} or the run's end says what follows.
   */
  default void stepStopped(String stepId, String reason) {}

  default void compensationStarted(String stepId, String compensationId) {}

  /**
   * A compensation ended.
   *
   * @param succeeded true when it did its work or was skipped by its {@code when} or {@code
   *     requires}
   * @param detail empty when it ran and succeeded; {@code skipped: REASON} when it was skipped; the
   *     failure otherwise
   */
  default void compensationFinished(
      String stepId, String compensationId, boolean succeeded, String detail) {}

  default void irreversible(String stepId, String reason) {}

  default void paused(String stepId, String reason) {}

  /**
   * The run waits before it goes on, e.g. for processes of a step that outlived the engine that
   * started them; {@code stepId} is the step concerned, or {@code -}.
   */
  default void waiting(String stepId, String reason) {}

  /** A process a step's command left running when it exited: its pid and command (masked). */
  record LeftProcess(long pid, String command) {}

  /**
   * A step's (or compensation's) command exited and left {@code processes} running in its session;
   * the engine ended them (TERM, then KILL after the grace period). A process meant to outlive its
   * step belongs to a service manager, or leaves the step's session itself.
   */
  default void leftBehind(String stepId, List<LeftProcess> processes) {}

  default void runFinished(RunResult result) {}

  /** A listener that forwards to several, in order. */
  static RunListener all(List<RunListener> listeners) {
    return new CompositeRunListener(listeners);
  }
}
