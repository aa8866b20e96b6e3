package dev.runbook.cli;

import dev.runbook.dsl.Durations;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.IoProblems;
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
  public Integer call() {
    Duration age =
        Durations.parse(olderThan)
            .orElseThrow(
                () ->
                    new RunbookException(
                        ErrorCode.INVALID_INPUT,
                        "`" + olderThan + "` is not a duration",
                        "e.g. --older-than 30d"));
    PrintWriter out = spec.commandLine().getOut();
    Instant now = Instant.now();
    if (age.compareTo(Duration.between(Instant.EPOCH, now)) > 0) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "--older-than " + olderThan + " is longer than the time since 1970: no run is that old",
          "e.g. --older-than 30d");
    }
    Instant cutoff = now.minus(age);
    int deleted = 0;
    for (RunSummary run :
        new RunHistory(StateDir.resolve(Optional.ofNullable(stateDir), System.getenv())).list()) {
      if (run.damaged()) {
        // a damaged journal is evidence of what went wrong: an operator deletes it knowingly
        out.println(
            "kept "
                + run.runId()
                + ": its journal is damaged ("
                + run.damageText().orElseThrow()
                + "); delete "
                + run.dir()
                + " by hand once it is understood");
        continue;
      }
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
        delete(run.dir());
      }
      deleted++;
    }
    out.println(deleted + (deleted == 1 ? " run " : " runs ") + (dryRun ? "to delete" : "deleted"));
    out.flush();
    return 0;
  }

  /** Deletes a run's directory, deepest first; exit 2 naming the path that would not go. */
  private static void delete(Path dir) {
    Path current = dir;
    try (Stream<Path> tree = Files.walk(dir)) {
      for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
        current = p;
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT,
          "cannot delete " + IoProblems.describe(current, e),
          "the run is partly deleted; make " + dir + " writable and prune again");
    }
  }
}
