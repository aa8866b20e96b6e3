package dev.runbook.cli;

import dev.runbook.engine.journal.RunHistory;
import dev.runbook.engine.journal.RunSummary;
import dev.runbook.engine.journal.StateDir;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.json.JSONArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code runbook runs}: every run in the state directory, oldest first. */
@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description = "List the runs in the state directory, oldest first.",
    footer = {"", "Example:", "  runbook runs --format json"})
final class RunsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "Where runs live.")
  Path stateDir;

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  StatusCommand.Format format;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<RunSummary> runs =
        new RunHistory(StateDir.resolve(Optional.ofNullable(stateDir), System.getenv())).list();
    if (format == StatusCommand.Format.json) {
      JSONArray array = new JSONArray();
      runs.forEach(r -> array.put(StatusCommand.summaryJson(r)));
      out.println(array.toString(2));
    } else if (runs.isEmpty()) {
      out.println("no runs yet");
    } else {
      for (RunSummary r : runs) {
        if (r.damaged()) {
          out.printf(
              "%-44s %-20s %s%n", r.runId(), "damaged", r.damageText().orElseThrow() + hint(r));
          continue;
        }
        out.printf(
            "%-44s %-20s %-20s %s%s%n",
            r.runId(),
            r.status().journalName(),
            r.startedAt().toString().substring(0, 19).replace('T', ' '),
            r.started().by().user() + "@" + r.started().by().host(),
            r.resumable() ? "  (resumable)" : "");
      }
    }
    out.flush();
    return 0;
  }

  /** The command that shows what a damaged run's journal holds. */
  static String hint(RunSummary damaged) {
    return damaged.damage().orElseThrow().line() == 0
        ? "; inspect " + damaged.dir() + " by hand"
        : "; see `runbook log " + damaged.runId() + "`";
  }
}
