package dev.runbook.cli;

import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.RunbookException;
import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalRecord;
import dev.runbook.engine.journal.RunHistory;
import dev.runbook.engine.journal.RunStatus;
import dev.runbook.engine.journal.RunSummary;
import dev.runbook.engine.journal.StateDir;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runbook log RUN_ID [STEP] [--follow]}: a run's journal, or one step's output. */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description = "Show a run's journal, or the output of one of its steps.",
    footer = {
      "",
      "Exit codes: 0, 2 unknown run or step.",
      "",
      "Examples:",
      "  runbook log 20261123-0712-seqdesk-rollback-3f9a",
      "  runbook log 20261123-0712-seqdesk-rollback-3f9a migrate --follow"
    })
final class LogCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run.")
  String runId;

  @Parameters(index = "1", arity = "0..1", paramLabel = "STEP", description = "A step's id.")
  String step;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing output as the step writes it.")
  boolean follow;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "Where runs live.")
  Path stateDir;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    RunHistory history =
        new RunHistory(StateDir.resolve(Optional.ofNullable(stateDir), System.getenv()));
    RunSummary run = history.get(runId);
    if (step == null) {
      Journal.Contents journal = history.journalAsRead(runId);
      for (JournalRecord r : journal.records()) {
        out.println(r.timestamp() + " " + r.type() + (r.data().isEmpty() ? "" : " " + r.data()));
      }
      if (journal.damage().isPresent()) {
        printDamaged(out, run, journal);
      }
      out.flush();
      return 0;
    }
    Path log = run.dir().resolve("steps").resolve(step.replace('/', '.') + ".log");
    if (!Files.exists(log)) {
      if (!follow) {
        throw new RunbookException(
            ErrorCode.INVALID_INPUT,
            "run " + runId + " has no output for step `" + step + "`",
            "steps that wrote output: see `runbook status " + runId + "`");
      }
    }
    long position = 0;
    byte[] buffer = new byte[8192];
    while (true) {
      if (Files.exists(log)) {
        try (InputStream in = Files.newInputStream(log)) {
          in.skipNBytes(Math.min(position, Files.size(log)));
          int n;
          while ((n = in.read(buffer)) > 0) {
            out.print(new String(buffer, 0, n, StandardCharsets.UTF_8));
            position += n;
          }
        }
        out.flush();
      }
      if (!follow || stepEnded(history)) {
        return 0;
      }
      Thread.sleep(200);
    }
  }

  /** The lines from the damage on, as written, each with its line number. */
  private static void printDamaged(PrintWriter out, RunSummary run, Journal.Contents journal) {
    Journal.Damage damage = journal.damage().orElseThrow();
    out.println(
        "-- the journal is damaged from line "
            + damage.line()
            + " ("
            + damage.problem()
            + "); the lines as written:");
    long line = damage.line();
    for (String raw : Journal.rawLinesFrom(run.journalFile(), journal.validLength())) {
      out.println(line + ": " + raw);
      line++;
    }
  }

  /** The step has a result in the journal, or the run has ended. */
  private boolean stepEnded(RunHistory history) {
    RunSummary now = history.get(runId);
    if (now.status() != RunStatus.RUNNING) {
      return true;
    }
    return now.fold().steps().stream().anyMatch(s -> s.id().equals(step) && s.ended().isPresent());
  }
}
