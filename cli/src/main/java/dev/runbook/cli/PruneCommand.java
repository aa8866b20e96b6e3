package dev.runbook.cli;

import dev.runbook.dsl.Durations;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.RunbookException;
import dev.runbook.engine.journal.RunHistory;
import dev.runbook.engine.journal.RunSummary;
import dev.runbook.engine.journal.StateDir;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code runbook prune --older-than D}: deletes finished runs, never resumable ones. */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    description = "Delete finished runs older than a duration; resumable runs are kept.",
    footer = {"", "Example:", "  runbook prune --older-than 30d"})
final class PruneCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--older-than",
      required = true,
      paramLabel = "DURATION",
      description = "e.g. 30d, 12h.")
  String olderThan;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "Where runs live.")
  Path stateDir;

  @Option(names = "--dry-run", description = "Only list what would be deleted.")
  boolean dryRun;

  @Override
  public Integer call() throws IOException {
    Duration age =
        Durations.parse(olderThan)
            .orElseThrow(
                () ->
                    new RunbookException(
                        ErrorCode.INVALID_INPUT,
                        "`" + olderThan + "` is not a duration",
                        "e.g. --older-than 30d"));
    PrintWriter out = spec.commandLine().getOut();
    Instant cutoff = Instant.now().minus(age);
    int deleted = 0;
    for (RunSummary run :
        new RunHistory(StateDir.resolve(Optional.ofNullable(stateDir), System.getenv())).list()) {
      if (run.resumable() || !run.lastAt().isBefore(cutoff)) {
        continue;
      }
      out.println(
          (dryRun ? "would delete " : "deleted ")
              + run.runId()
              + " ("
              + run.status().journalName()
              + ")");
      if (!dryRun) {
        try (Stream<Path> tree = Files.walk(run.dir())) {
          for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      deleted++;
    }
    out.println(deleted + (deleted == 1 ? " run " : " runs ") + (dryRun ? "to delete" : "deleted"));
    out.flush();
    return 0;
  }
}
