package dev.runbook.cli;

import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.RunbookException;
import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalRecord;
import dev.runbook.engine.journal.RunHistory;
import dev.runbook.engine.journal.RunSummary;
import dev.runbook.engine.journal.StateDir;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.json.JSONArray;
import org.json.JSONObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runbook status [RUN_ID]}: what a run did, step by step, and what to type next. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show a run (the latest when no RUN_ID): who ran it, each step, what is next.",
    footer = {"", "Exit codes: 0, 2 unknown run.", "", "Example:", "  runbook status"})
final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "RUN_ID", description = "The run.")
  String runId;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "Where runs live.")
  Path stateDir;

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  enum Format {
    text,
    json
  }

  /** One step as the journal tells it. */
  record StepState(
      String id, String status, int attempts, Instant started, Instant ended, String detail) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    RunHistory history =
        new RunHistory(StateDir.resolve(Optional.ofNullable(stateDir), System.getenv()));
    RunSummary run;
    if (runId != null) {
      run = history.get(runId);
    } else {
      List<RunSummary> all = history.list();
      if (all.isEmpty()) {
        throw new RunbookException(ErrorCode.INVALID_INPUT, "no runs yet");
      }
      run = all.get(all.size() - 1);
    }
    Journal.Contents journal = history.journalAsRead(run.runId());
    Map<String, StepState> steps = steps(journal.records());
    if (format == Format.json) {
      JSONArray array = new JSONArray();
      steps
          .values()
          .forEach(
              s ->
                  array.put(
                      new JSONObject()
                          .put("id", s.id())
                          .put("status", s.status())
                          .put("attempts", s.attempts())
                          .put("started", String.valueOf(s.started()))
                          .put("ended", s.ended() == null ? JSONObject.NULL : s.ended().toString())
                          .put("detail", s.detail())));
      out.println(
          summaryJson(run).put("steps", array).put("torn_tail", journal.tornTail()).toString(2));
    } else {
      out.println("run " + run.runId() + " of `" + run.runbook() + "` (" + run.file() + ")");
      out.println(
          "  started "
              + run.startedAt()
              + " by "
              + run.started().optString("user")
              + "@"
              + run.started().optString("host")
              + " (pid "
              + run.started().optLong("pid")
              + ")");
      out.println("  status: " + run.status() + (run.resumable() ? " (resumable)" : ""));
      out.println("  logs: " + run.dir().resolve("steps"));
      out.println();
      for (StepState s : steps.values()) {
        String took =
            s.ended() == null
                ? ""
                : " in " + Elapsed.human(Duration.between(s.started(), s.ended()));
        out.println(
            "  "
                + s.id()
                + ": "
                + s.status()
                + (s.attempts() > 1 ? " after " + s.attempts() + " attempts" : "")
                + took
                + (s.detail().isEmpty() ? "" : " -- " + s.detail()));
      }
      if (run.resumable()) {
        out.println();
        out.println(
            "  next: runbook resume " + run.runId() + "   or   runbook rollback " + run.runId());
      }
    }
    out.flush();
    return 0;
  }

  static Map<String, StepState> steps(List<JournalRecord> records) {
    Map<String, StepState> steps = new LinkedHashMap<>();
    for (JournalRecord r : records) {
      String id = r.field("step");
      if (id == null) {
        continue;
      }
      StepState was = steps.get(id);
      switch (r.type()) {
        case "step_started" ->
            steps.put(
                id,
                new StepState(
                    id,
                    "running",
                    r.data().optInt("attempt", 1),
                    was == null ? r.timestamp() : was.started(),
                    null,
                    ""));
        case "step_succeeded" ->
            steps.put(
                id,
                new StepState(
                    id,
                    "succeeded",
                    was == null ? 0 : was.attempts(),
                    was == null ? r.timestamp() : was.started(),
                    r.timestamp(),
                    r.data().optString("recovered", "")));
        case "step_failed" ->
            steps.put(
                id,
                new StepState(
                    id,
                    "failed",
                    was == null ? 0 : was.attempts(),
                    was == null ? r.timestamp() : was.started(),
                    r.timestamp(),
                    r.data().optString("reason", "")));
        case "step_skipped" ->
            steps.put(
                id,
                new StepState(
                    id,
                    "skipped",
                    0,
                    r.timestamp(),
                    r.timestamp(),
                    r.data().optString("reason", "")));
        case "compensation_finished" -> {
          if (was != null) {
            steps.put(
                id,
                new StepState(
                    id,
                    r.data().optBoolean("ok") ? "compensated" : "compensation failed",
                    was.attempts(),
                    was.started(),
                    r.timestamp(),
                    r.data().optString("reason", "")));
          }
        }
        case "paused" -> {
          if (was != null) {
            steps.put(
                id,
                new StepState(
                    id,
                    "paused",
                    was.attempts(),
                    was.started(),
                    null,
                    r.data().optString("reason", "")));
          }
        }
        default -> {}
      }
    }
    return steps;
  }

  static JSONObject summaryJson(RunSummary r) {
    return new JSONObject()
        .put("run_id", r.runId())
        .put("runbook", r.runbook())
        .put("file", r.file().toString())
        .put("status", r.status())
        .put("resumable", r.resumable())
        .put("started_at", r.startedAt().toString())
        .put("last_at", r.lastAt().toString())
        .put("user", r.started().optString("user"))
        .put("host", r.started().optString("host"))
        .put("last_step", r.lastStep().orElse(null))
        .put("dir", r.dir().toString());
  }
}
