package dev.runbook.engine.testkit;

import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.RunListener;
import dev.runbook.engine.RunResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Records every event of a run in order, checks the listener contract as they come (a started step
 * ends exactly once; nothing before {@code runStarted} or after {@code runFinished}), and can
 * interrupt the run or throw at a chosen event.
 */
public final class RecordingListener implements RunListener {
  /** The kinds of event, as {@link RunListener} names them. */
  public enum Kind {
    RUN_STARTED,
    PRECONDITION_CHECKED,
    STEP_STARTED,
    STEP_SKIPPED,
    STEP_DONE_BEFORE,
    STEP_RETRYING,
    OUTPUT,
    STEP_SUCCEEDED,
    STEP_FAILED,
    STEP_STOPPED,
    COMPENSATION_STARTED,
    COMPENSATION_FINISHED,
    IRREVERSIBLE,
    PAUSED,
    WAITING,
    RUN_FINISHED
  }

  /**
   * One event.
   *
   * @param step the step (or precondition) it concerns; empty for run events
   * @param detail what it says besides: a reason, a compensation id, a line of output
   * @param ok for a compensation's end: whether it succeeded or was skipped
   */
  public record Event(Kind kind, String step, String detail, boolean ok) {
    public boolean is(Kind k, String s) {
      return kind == k && step.equals(s);
    }
  }

  private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
  private final List<String> violations = new ArrayList<>();
  private final List<String> notices = new ArrayList<>();
  private final Map<String, Map<String, Object>> outputs = new HashMap<>();
  private final Map<String, List<Duration>> retryDelays = new HashMap<>();
  private final Map<String, Path> logs = new HashMap<>();
  private final List<String> continued = new ArrayList<>();
  private final Map<String, Integer> open = new HashMap<>();
  private final Predicate<Event> interruptAt;
  private final Runnable interrupt;
  private final Predicate<Event> throwAt;
  private final RuntimeException error;
  private final List<Map.Entry<Predicate<Event>, Runnable>> hooks = new ArrayList<>();
  private boolean interrupted;
  private boolean thrown;
  private boolean finished;
  private RunResult result;

  RecordingListener(
      Predicate<Event> interruptAt,
      Runnable interrupt,
      Predicate<Event> throwAt,
      RuntimeException error) {
    this.interruptAt = interruptAt;
    this.interrupt = interrupt;
    this.throwAt = throwAt;
    this.error = error;
  }

  private void record(Kind kind, String step, String detail, boolean ok) {
    Event e = new Event(kind, step, detail, ok);
    if (finished) {
      violations.add("after runFinished: " + e);
    }
    if (kind != Kind.RUN_STARTED && events.stream().noneMatch(x -> x.kind() == Kind.RUN_STARTED)) {
      violations.add("before runStarted: " + e);
    }
    events.add(e);
    switch (kind) {
      case STEP_STARTED -> {
        if (open.containsKey(step) && open.get(step) > 0 && !detail.startsWith("attempt ")) {
          violations.add("started twice: " + step);
        }
        open.put(step, 1);
      }
      case STEP_SUCCEEDED, STEP_FAILED, STEP_STOPPED -> {
        if (open.getOrDefault(step, 0) != 1) {
          violations.add("ended without being started, or twice: " + e);
        }
        open.put(step, 0);
      }
      case STEP_SKIPPED, STEP_DONE_BEFORE -> {
        if (open.getOrDefault(step, 0) == 1) {
          violations.add("skipped after it started: " + e);
        }
      }
      default -> {}
    }
    hooks.removeIf(
        hook -> {
          if (!hook.getKey().test(e)) {
            return false;
          }
          hook.getValue().run();
          return true;
        });
    if (!interrupted && interruptAt.test(e)) {
      interrupted = true;
      interrupt.run();
    }
    if (!thrown && error != null && throwAt.test(e)) {
      thrown = true;
      throw error;
    }
  }

  /** Runs {@code action} once, on the engine's thread, at the first event {@code when} matches. */
  void at(Predicate<Event> when, Runnable action) {
    hooks.add(Map.entry(when, action));
  }

  void notice(String line) {
    notices.add(line);
  }

  /** Every event, in order. */
  public List<Event> all() {
    return List.copyOf(events);
  }

  /** What broke the listener contract; empty when it held. */
  public List<String> violations() {
    List<String> all = new ArrayList<>(violations);
    open.forEach(
        (step, n) -> {
          if (n == 1 && finished) {
            all.add("started and never ended: " + step);
          }
        });
    return all;
  }

  /** The lines shown before the run went on (accepted changes). */
  public List<String> notices() {
    return List.copyOf(notices);
  }

  /** The steps that had an event of this kind, in order. */
  public List<String> steps(Kind kind) {
    return events.stream().filter(e -> e.kind() == kind).map(Event::step).toList();
  }

  /** The steps whose compensation ran and succeeded (not skipped), newest first as they ran. */
  public List<String> compensated() {
    return events.stream()
        .filter(e -> e.kind() == Kind.COMPENSATION_FINISHED && e.ok() && e.detail().isEmpty())
        .map(Event::step)
        .toList();
  }

  /** How many events of each kind there were (output lines included). */
  public Map<Kind, Long> counts() {
    Map<Kind, Long> counts = new java.util.EnumMap<>(Kind.class);
    for (Kind k : Kind.values()) {
      counts.put(k, events.stream().filter(e -> e.kind() == k).count());
    }
    return counts;
  }

  /** How many events of this kind there were. */
  public long count(Kind kind) {
    return counts().get(kind);
  }

  /** The outputs a step succeeded with, as the listener got them. */
  public Map<String, Object> outputs(String step) {
    return outputs.getOrDefault(step, Map.of());
  }

  /** The delays before each further try of {@code step}, in order. */
  public List<Duration> retryDelays(String step) {
    return List.copyOf(retryDelays.getOrDefault(step, List.of()));
  }

  /** The steps that failed and were gone past ({@code continue_on_error}), in order. */
  public List<String> continuedPast() {
    return List.copyOf(continued);
  }

  /** The log a failure of {@code step} pointed to; fails when it did not fail. */
  public Path failureLog(String step) {
    Path log = logs.get(step);
    if (log == null) {
      throw new AssertionError("no failure of " + step + " in " + events);
    }
    return log;
  }

  /** The result {@code runFinished} got. */
  public RunResult result() {
    return result;
  }

  /** The details of every event of this kind for this step, in order. */
  public List<String> details(Kind kind, String step) {
    return events.stream().filter(e -> e.is(kind, step)).map(Event::detail).toList();
  }

  /** The event of this kind for this step; fails when there is none. */
  public Event the(Kind kind, String step) {
    return events.stream()
        .filter(e -> e.is(kind, step))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " for " + step + " in " + events));
  }

  @Override
  public void runStarted(String runId, Path runDir, String runbookName) {
    record(Kind.RUN_STARTED, "", runId, true);
  }

  @Override
  public void preconditionChecked(String name, CheckOutcome outcome) {
    record(Kind.PRECONDITION_CHECKED, name, outcome.detail(), outcome.holds());
  }

  @Override
  public void stepStarted(String stepId, String title, int attempt) {
    record(Kind.STEP_STARTED, stepId, attempt > 1 ? "attempt " + attempt : title, true);
  }

  @Override
  public void stepSkipped(String stepId, String reason) {
    record(Kind.STEP_SKIPPED, stepId, reason, true);
  }

  @Override
  public void stepDoneBefore(String stepId) {
    record(Kind.STEP_DONE_BEFORE, stepId, "", true);
  }

  @Override
  public void stepRetrying(String stepId, int nextAttempt, Duration delay, String reason) {
    retryDelays.computeIfAbsent(stepId, k -> new ArrayList<>()).add(delay);
    record(Kind.STEP_RETRYING, stepId, reason, false);
  }

  @Override
  public void output(String stepId, String line) {
    events.add(new Event(Kind.OUTPUT, stepId, line, true));
  }

  @Override
  public void stepSucceeded(String stepId, Duration elapsed, Map<String, Object> outputs) {
    this.outputs.put(stepId, outputs);
    record(Kind.STEP_SUCCEEDED, stepId, "", true);
  }

  @Override
  public void stepFailed(String stepId, String reason, Path log, boolean continuing) {
    logs.put(stepId, log);
    if (continuing) {
      continued.add(stepId);
    }
    record(Kind.STEP_FAILED, stepId, reason, false);
  }

  @Override
  public void stepStopped(String stepId, String reason) {
    record(Kind.STEP_STOPPED, stepId, reason, false);
  }

  @Override
  public void compensationStarted(String stepId, String compensationId) {
    record(Kind.COMPENSATION_STARTED, stepId, compensationId, true);
  }

  @Override
  public void compensationFinished(
      String stepId, String compensationId, boolean succeeded, String detail) {
    record(Kind.COMPENSATION_FINISHED, stepId, detail, succeeded);
  }

  @Override
  public void irreversible(String stepId, String reason) {
    record(Kind.IRREVERSIBLE, stepId, reason, true);
  }

  @Override
  public void paused(String stepId, String reason) {
    record(Kind.PAUSED, stepId, reason, false);
  }

  @Override
  public void waiting(String stepId, String reason) {
    record(Kind.WAITING, stepId, reason, true);
  }

  @Override
  public void runFinished(RunResult result) {
    this.result = result;
    record(Kind.RUN_FINISHED, "", result.status().name(), true);
    finished = true;
  }
}
