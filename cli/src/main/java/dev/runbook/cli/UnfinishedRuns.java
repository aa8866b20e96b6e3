package dev.runbook.cli;

import dev.runbook.engine.Engine;
import dev.runbook.engine.journal.RunSummary;
import java.io.PrintWriter;

/**
 * Tells the operator, before a new run or plan, about earlier runs of the same runbook that were
 * left unfinished: a new run on top of a half-done upgrade or rollback is rarely what they want.
 */
final class UnfinishedRuns {
  private UnfinishedRuns() {}

  static void warn(Engine engine, String runbookName, PrintWriter err) {
    for (RunSummary r : engine.unfinishedRuns(runbookName)) {
      if (r.damaged()) {
        err.println(
            "runbook: warning: run "
                + r.runId()
                + " of `"
                + runbookName
                + "` has a damaged journal: "
                + r.damageText().orElseThrow()
                + RunsCommand.hint(r));
        continue;
      }
      err.println(
          "runbook: warning: run "
              + r.runId()
              + " of `"
              + runbookName
              + "` is "
              + r.statusText()
              + r.lastStep().map(s -> " at step `" + s + "`").orElse("")
              + ": finish it with `runbook resume "
              + r.runId()
              + "` or undo it with `runbook rollback "
              + r.runId()
              + "`");
    }
    err.flush();
  }
}
