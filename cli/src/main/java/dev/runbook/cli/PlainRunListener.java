package dev.runbook.cli;

import dev.runbook.dsl.Durations;
import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.RunListener;
import dev.runbook.engine.RunResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * One timestamped line per step transition, no control codes: for pipes, CI and logs. Output lines
 * of steps are not repeated here (they are in the step logs), except a failed step's log location.
 * A series of steps a resume skips because they were done before is one line: a resume late in a
 * long runbook would otherwise print one for each. Events come from one thread (the run's).
 */
final class PlainRunListener implements RunListener {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private final PrintWriter out;
  private final Clock clock;

  private final DoneBeforeSeries doneBefore = new DoneBeforeSeries();

  PlainRunListener(PrintWriter out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  private void line(String text) {
    printDoneBefore();
    print(text);
  }

  private void print(String text) {
    out.println(TIME.format(clock.instant()) + " " + text);
    out.flush();
  }

  private void printDoneBefore() {
    doneBefore
        .take()
        .ifPresent(
            s ->
                print(
                    (s.count() == 1
                            ? "step " + s.first()
                            : "steps " + s.range() + " (" + s.count() + ")")
                        + ": skipped, "
                        + DONE_BEFORE));
  }

  @Override
  public void stepDoneBefore(String stepId) {
    doneBefore.add(stepId);
  }

  @Override
  public void runStarted(String runId, Path runDir, String runbookName) {
    line("run " + runId + " of `" + runbookName + "` started (logs in " + runDir + ")");
  }

  @Override
  public void preconditionChecked(String name, CheckOutcome outcome) {
    line(
        (outcome.holds() ? "precondition ok: " : "precondition UNMET: ")
            + name
            + " -- "
            + outcome.detail());
  }

  @Override
  public void stepStarted(String stepId, String title, int attempt) {
    line(
        "step "
            + stepId
            + (title.isEmpty() ? "" : " (" + title + ")")
            + (attempt > 1 ? ": attempt " + attempt : ": started"));
  }

  @Override
  public void stepSkipped(String stepId, String reason) {
    line("step " + stepId + ": skipped, " + reason);
  }

  @Override
  public void stepRetrying(String stepId, int nextAttempt, Duration delay, String reason) {
    line("step " + stepId + ": failed (" + reason + "), retrying in " + Durations.format(delay));
  }

  @Override
  public void stepSucceeded(String stepId, Duration elapsed, Map<String, Object> outputs) {
    line("step " + stepId + ": succeeded in " + Elapsed.human(elapsed));
  }

  @Override
  public void stepFailed(String stepId, String reason, Path log, boolean continuing) {
    line(
        "step "
            + stepId
            + ": FAILED: "
            + reason
            + (continuing ? " (continuing: continue_on_error)" : ""));
    if (log != null && java.nio.file.Files.exists(log)) {
      line("  log: " + log);
    }
  }

  @Override
  public void compensationStarted(String stepId, String compensationId) {
    line("compensating " + stepId + " (" + compensationId + ")");
  }

  @Override
  public void compensationFinished(
      String stepId, String compensationId, boolean succeeded, String detail) {
    // A skipped compensation (its `when` or `requires` said so) succeeded with a detail.
    String outcome = succeeded ? (detail.isEmpty() ? "done" : detail) : "FAILED: " + detail;
    line("compensation of " + stepId + ": " + outcome);
  }

  @Override
  public void irreversible(String stepId, String reason) {
    line("step " + stepId + " is irreversible and was not undone: " + reason);
  }

  @Override
  public void paused(String stepId, String reason) {
    line("paused at " + stepId + ": " + reason);
  }

  @Override
  public void waiting(String stepId, String reason) {
    line((stepId.equals("-") ? "" : "step " + stepId + ": ") + "waiting: " + reason);
  }

  @Override
  public void leftBehind(String stepId, List<LeftProcess> processes) {
    StringBuilder list = new StringBuilder();
    for (LeftProcess p : processes) {
      list.append(list.length() == 0 ? "" : ", ")
          .append(p.pid())
          .append(" (")
          .append(p.command())
          .append(')');
    }
    line(
        "step "
            + stepId
            + ": ended "
            + (processes.size() == 1 ? "a process" : processes.size() + " processes")
            + " its command left running: "
            + list);
  }

  @Override
  public void runFinished(RunResult result) {
    String summary =
        switch (result.status()) {
          case SUCCEEDED -> "run succeeded";
          case UNDONE -> "run undone: every step it started is compensated";
          case NEEDS_DECISION -> "resume needs a decision: " + result.reason();
          case ROLLED_BACK -> "run failed and was rolled back: " + result.reason();
          case PRECONDITIONS_UNMET -> "nothing was changed: " + result.reason();
          case STOPPED -> "run stopped: " + result.reason();
          case ROLLBACK_INCOMPLETE ->
              "run failed and the rollback is INCOMPLETE: " + result.reason();
          case PAUSED -> "run paused: " + result.reason();
          case FINALLY_FAILED -> "run succeeded but a finally step failed";
          case INTERRUPTED -> "run interrupted";
        };
    line(summary + " (exit " + result.status().exitCode() + ")");
    result.continuedFailures().forEach(f -> line("  failed, continued: " + f));
    result.irreversible().forEach(f -> line("  not undone (irreversible): " + f));
    switch (result.status()) {
      case PAUSED ->
          line(
              "  continue with: runbook resume "
                  + result.runId()
                  + " --confirm "
                  + result.failedStep());
      case STOPPED, INTERRUPTED -> {
        line("  continue with: runbook resume " + result.runId());
        line("  or undo it:    runbook rollback " + result.runId());
      }
      case ROLLBACK_INCOMPLETE -> line("  fix the cause, then: runbook resume " + result.runId());
      case NEEDS_DECISION ->
          line(
              "  continue with: runbook resume "
                  + result.runId()
                  + " --rerun-inflight (or --skip-inflight)");
      default -> {}
    }
  }
}
