package dev.runbook.cli;

import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.RunListener;
import dev.runbook.engine.RunResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * {@code run --format jsonl}: one JSON object per event on stdout and nothing else. Every event has
 * {@code event} and {@code ts}; the other fields are those of the listener method.
 */
final class JsonLinesRunListener implements RunListener {
  private final PrintWriter out;
  private final Clock clock;

  JsonLinesRunListener(PrintWriter out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  private void emit(String event, JSONObject fields) {
    fields.put("event", event).put("ts", clock.instant().toString());
    synchronized (out) {
      out.println(fields);
      out.flush();
    }
  }

  @Override
  public void runStarted(String runId, Path runDir, String runbookName) {
    emit(
        "run_started",
        new JSONObject()
            .put("run_id", runId)
            .put("run_dir", runDir.toString())
            .put("runbook", runbookName));
  }

  @Override
  public void preconditionChecked(String name, CheckOutcome outcome) {
    emit(
        "precondition",
        new JSONObject()
            .put("name", name)
            .put("result", outcome.status().name().toLowerCase(Locale.ROOT))
            .put("detail", outcome.detail()));
  }

  @Override
  public void stepStarted(String stepId, String title, int attempt) {
    emit(
        "step_started",
        new JSONObject().put("step", stepId).put("title", title).put("attempt", attempt));
  }

  @Override
  public void stepSkipped(String stepId, String reason) {
    emit("step_skipped", new JSONObject().put("step", stepId).put("reason", reason));
  }

  @Override
  public void stepRetrying(String stepId, int nextAttempt, Duration delay, String reason) {
    emit(
        "step_retrying",
        new JSONObject()
            .put("step", stepId)
            .put("next_attempt", nextAttempt)
            .put("delay_ms", delay.toMillis())
            .put("reason", reason));
  }

  @Override
  public void output(String stepId, String line) {
    emit("output", new JSONObject().put("step", stepId).put("line", line));
  }

  @Override
  public void stepSucceeded(String stepId, Duration elapsed, Map<String, Object> outputs) {
    emit(
        "step_succeeded",
        new JSONObject()
            .put("step", stepId)
            .put("elapsed_ms", elapsed.toMillis())
            .put("outputs", new JSONObject(outputs)));
  }

  @Override
  public void stepStopped(String stepId, String reason) {
    emit("step_stopped", new JSONObject().put("step", stepId).put("reason", reason));
  }

  @Override
  public void stepFailed(String stepId, String reason, Path log, boolean continuing) {
    emit(
        "step_failed",
        new JSONObject()
            .put("step", stepId)
            .put("reason", reason)
            .put("log", log == null ? null : log.toString())
            .put("continuing", continuing));
  }

  @Override
  public void compensationStarted(String stepId, String compensationId) {
    emit(
        "compensation_started",
        new JSONObject().put("step", stepId).put("compensation", compensationId));
  }

  @Override
  public void compensationFinished(
      String stepId, String compensationId, boolean succeeded, String detail) {
    emit(
        "compensation_finished",
        new JSONObject()
            .put("step", stepId)
            .put("compensation", compensationId)
            .put("ok", succeeded)
            .put("detail", detail));
  }

  @Override
  public void irreversible(String stepId, String reason) {
    emit("irreversible", new JSONObject().put("step", stepId).put("reason", reason));
  }

  @Override
  public void paused(String stepId, String reason) {
    emit("paused", new JSONObject().put("step", stepId).put("reason", reason));
  }

  @Override
  public void waiting(String stepId, String reason) {
    emit("waiting", new JSONObject().put("step", stepId).put("reason", reason));
  }

  @Override
  public void leftBehind(String stepId, List<LeftProcess> processes) {
    JSONArray list = new JSONArray();
    for (LeftProcess p : processes) {
      list.put(new JSONObject().put("pid", p.pid()).put("command", p.command()));
    }
    emit("left_behind", new JSONObject().put("step", stepId).put("processes", list));
  }

  @Override
  public void runFinished(RunResult result) {
    emit(
        "run_finished",
        new JSONObject()
            .put("run_id", result.runId())
            .put("status", result.status().name().toLowerCase(Locale.ROOT))
            .put("exit_code", result.status().exitCode())
            .put("failed_step", result.failedStep())
            .put("reason", result.reason())
            .put("continued_failures", new JSONArray(result.continuedFailures()))
            .put("irreversible", new JSONArray(result.irreversible())));
  }
}
