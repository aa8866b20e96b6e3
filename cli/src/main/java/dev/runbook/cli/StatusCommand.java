package dev.runbook.cli;

import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.RunbookException;
import dev.runbook.engine.journal.JournalEvent;
import dev.runbook.engine.journal.RunFold;
import dev.runbook.engine.journal.RunHistory;
import dev.runbook.engine.journal.RunSummary;
import dev.runbook.engine.journal.StateDir;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    boolean tornTail = !run.damaged() && history.journalAsRead(run.runId()).tornTail();
    List<RunFold.StepView> steps = run.fold().steps();
    if (format == Format.json) {
      JSONArray array = new JSONArray();
      steps.forEach(
          s ->
              array.put(
                  new JSONObject()
                      .put("id", s.id())
                      .put("status", s.state().text())
                      .put("attempts", s.attempts())
                      .put("started", String.valueOf(s.started()))
                      .put(
                          "ended",
                          s.ended()
                              .map(Object::toString)
                              .map(Object.class::cast)
                              .orElse(JSONObject.NULL))
                      .put("detail", s.detail())));
      out.println(summaryJson(run).put("steps", array).put("torn_tail", tornTail).toString(2));
    } else if (!run.hasStart()) {
      out.println("run " + run.runId() + " (" + run.dir() + ")");
      out.println("  status: " + run.statusText());
      out.println("  damaged: " + run.damageText().orElseThrow());
      out.println("  nothing before the damage can be read" + RunsCommand.hint(run));
    } else {
      JournalEvent.Invocation by = run.started().by();
      out.println("run " + run.runId() + " of `" + run.runbook() + "` (" + run.file() + ")");
      out.println(
          "  started "
              + run.startedAt()
              + " by "
              + by.user()
              + "@"
              + by.host()
              + " (pid "
              + by.pid()
              + ")");
      out.println("  status: " + run.statusText() + (run.resumable() ? " (resumable)" : ""));
      run.fold()
          .failure()
          .ifPresent(
              f ->
                  out.println(
                      "  failure: "
                          + (f.step().isEmpty() ? "" : "step `" + f.step() + "`: ")
                          + f.reason()));
      if (!run.fold().skippedCompensations().isEmpty()) {
        out.println(
            "  compensations skipped by the operator (undo by hand): "
                + String.join(", ", run.fold().skippedCompensations()));
      }
      if (run.damaged()) {
        out.println(
            "  damaged: "
                + run.damageText().orElseThrow()
                + "; below is what precedes it"
                + RunsCommand.hint(run));
      }
      out.println("  logs: " + run.dir().resolve("steps"));
      out.println();
      for (RunFold.StepView s : steps) {
        String took =
            s.ended()
                .map(end -> " in " + Elapsed.human(Duration.between(s.started(), end)))
                .orElse("");
        out.println(
            "  "
                + s.id()
                + ": "
                + s.state().text()
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

  static JSONObject summaryJson(RunSummary r) {
    JSONObject json = new JSONObject().put("run_id", r.runId());
    r.damage()
        .ifPresent(
            d ->
                json.put("status", "damaged")
                    .put("resumable", false)
                    .put(
                        "damage",
                        new JSONObject()
                            .put("file", r.journalFile().toString())
                            .put("line", d.line())
                            .put("problem", d.problem())));
    if (!r.hasStart()) {
      return json.put("dir", r.dir().toString());
    }
    json.put("runbook", r.runbook())
        .put("file", r.file().toString())
        .put("status", r.damaged() ? "damaged" : r.status().journalName())
        .put("resumable", r.resumable())
        .put("started_at", r.startedAt().toString())
        .put("last_at", r.lastAt().toString())
        .put("user", r.started().by().user())
        .put("host", r.started().by().host())
        .put("last_step", r.lastStep().orElse(null))
        .put("dir", r.dir().toString());
    if (r.engineGone()) {
      json.put("engine_gone", true);
    }
    r.fold()
        .failure()
        .ifPresent(
            f ->
                json.put(
                    "failure", new JSONObject().put("step", f.step()).put("reason", f.reason())));
    if (!r.fold().skippedCompensations().isEmpty()) {
      json.put("skipped_compensations", new JSONArray(r.fold().skippedCompensations()));
    }
    return json;
  }
}
