package dev.runbook.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Forwards every event to several listeners, in order. */
final class CompositeRunListener implements RunListener {
  private final List<RunListener> listeners;

  CompositeRunListener(List<RunListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  @Override
  public void runStarted(String runId, Path runDir, String runbookName) {
    listeners.forEach(l -> l.runStarted(runId, runDir, runbookName));
  }

  @Override
  public void preconditionChecked(String name, CheckOutcome outcome) {
    listeners.forEach(l -> l.preconditionChecked(name, outcome));
  }

  @Override
  public void stepStarted(String stepId, String title, int attempt) {
    listeners.forEach(l -> l.stepStarted(stepId, title, attempt));
  }

  @Override
  public void stepSkipped(String stepId, String reason) {
    listeners.forEach(l -> l.stepSkipped(stepId, reason));
  }

  @Override
  public void stepDoneBefore(String stepId) {
    listeners.forEach(l -> l.stepDoneBefore(stepId));
  }

  @Override
  public void stepRetrying(String stepId, int nextAttempt, Duration delay, String reason) {
    listeners.forEach(l -> l.stepRetrying(stepId, nextAttempt, delay, reason));
  }

  @Override
  public void output(String stepId, String line) {
    // Called for every line a step prints (millions for a chatty step): an indexed loop allocates
    // nothing, where forEach's lambda and iterator cost two objects a line (the CLI runs C1 only,
    // which does not elide them), and garbage is what makes G1 grow the heap.
    for (int i = 0; i < listeners.size(); i++) {
      listeners.get(i).output(stepId, line);
    }
  }

  @Override
  public void stepSucceeded(String stepId, Duration elapsed, Map<String, Object> outputs) {
    listeners.forEach(l -> l.stepSucceeded(stepId, elapsed, outputs));
  }

  @Override
  public void stepFailed(String stepId, String reason, Path log, boolean continuing) {
    listeners.forEach(l -> l.stepFailed(stepId, reason, log, continuing));
  }

  @Override
  public void stepStopped(String stepId, String reason) {
    listeners.forEach(l -> l.stepStopped(stepId, reason));
  }

  @Override
  public void compensationStarted(String stepId, String compensationId) {
    listeners.forEach(l -> l.compensationStarted(stepId, compensationId));
  }

  @Override
  public void compensationFinished(
      String stepId, String compensationId, boolean succeeded, String detail) {
    listeners.forEach(l -> l.compensationFinished(stepId, compensationId, succeeded, detail));
  }

  @Override
  public void irreversible(String stepId, String reason) {
    listeners.forEach(l -> l.irreversible(stepId, reason));
  }

  @Override
  public void paused(String stepId, String reason) {
    listeners.forEach(l -> l.paused(stepId, reason));
  }

  @Override
  public void waiting(String stepId, String reason) {
    listeners.forEach(l -> l.waiting(stepId, reason));
  }

  @Override
  public void leftBehind(String stepId, List<LeftProcess> processes) {
    listeners.forEach(l -> l.leftBehind(stepId, processes));
  }

  @Override
  public void runFinished(RunResult result) {
    listeners.forEach(l -> l.runFinished(result));
  }
}
