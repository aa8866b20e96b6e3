package dev.runbook.engine.rehearsal;

import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalEvent;
import dev.runbook.engine.journal.JournalRecord;
import dev.runbook.engine.journal.RunFold;
import dev.runbook.engine.journal.RunStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One trial's run of the real command line: {@code run}, killed at a {@link KillMoment} if asked,
 * then {@code resume} as an operator would until the run ends. Its output goes to {@code
 * output.log} in the trial's state directory.
 */
final class TrialRun {
  /** A run needs at most this many resumes: one per kill, one per in-flight decision. */
  private static final int MAX_RESUMES = 4;

  /**
   * How the run ended.
   *
   * @param exitCode the last command's exit code; -1 when one timed out
   * @param runId empty when no run started
   * @param records the run's journal at its end
   * @param killed whether the kill came while the engine ran (false: it ended first)
   * @param notes what the trial decided on the operator's behalf
   */
  record Ended(
      int exitCode,
      Optional<String> runId,
      List<JournalRecord> records,
      boolean killed,
      List<String> notes) {}

  private final Launcher launcher;
  private final Path stateDir;
  private final Path log;

  TrialRun(Launcher launcher, Path stateDir) {
    this.launcher = launcher;
    this.stateDir = stateDir;
    this.log = stateDir.resolve("output.log");
  }

  Ended run(Optional<String> failAfter, Optional<KillMoment> kill)
      throws IOException, InterruptedException {
    Files.createDirectories(stateDir);
    List<String> args = new ArrayList<>(List.of("run", launcher.runbook().toString()));
    args.addAll(launcher.paramArgs());
    args.addAll(List.of("--state-dir", stateDir.toString(), "--on-failure", "rollback", "--yes"));
    failAfter.ifPresent(s -> args.addAll(List.of("--inject-failure-after", s)));
    Process engine = start(args);
    List<String> notes = new ArrayList<>();
    boolean killed = false;
    int exit;
    if (kill.isPresent()) {
      killed = killAt(engine, kill.get());
      if (!killed) {
        notes.add("the run ended before the moment came: not killed");
      }
      exit = killed ? -2 : engine.exitValue();
    } else {
      exit = await(engine);
    }
    Optional<String> runId = runId();
    boolean rerun = false;
    if (killed && runId.isPresent()) {
      // The kill may come after the journal's last record, as the engine exits: then the run is
      // over, as an operator would find it with `runbook status`, and there is nothing to resume.
      RunStatus status = RunFold.of(records(runId)).status();
      if (!status.resumable()) {
        return new Ended(exitOf(status), runId, records(runId), true, notes);
      }
    }
    for (int i = 0; killed && i < MAX_RESUMES && runId.isPresent(); i++) {
      List<String> resume =
          new ArrayList<>(
              List.of("resume", runId.get(), "--state-dir", stateDir.toString(), "--yes"));
      if (rerun) {
        resume.add("--rerun-inflight");
      }
      exit = await(start(resume));
      if (exit != 4) {
        break;
      }
      Optional<String> undecided = inflightDecision(records(runId));
      if (undecided.isEmpty() || rerun) {
        break;
      }
      // The runbook says nothing that settles the step (not idempotent, no verify that passes):
      // an operator who sees that the step started and cannot know more runs it again.
      notes.add(
          "resumed with --rerun-inflight: `"
              + undecided.get()
              + "` was in flight, not idempotent and without a verify that passes");
      rerun = true;
    }
    return new Ended(exit, runId, records(runId), killed, notes);
  }

  /** The exit code the run's command gave, or would have given, for a run that is over. */
  private static int exitOf(RunStatus status) {
    return switch (status) {
      case SUCCEEDED, UNDONE -> 0;
      case ROLLED_BACK -> 1;
      case PRECONDITIONS_UNMET -> 3;
      default -> 4;
    };
  }

  private Process start(List<String> args) throws IOException {
    List<String> argv = new ArrayList<>(launcher.command());
    argv.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().putAll(launcher.env());
    Files.writeString(
        log,
        "$ runbook " + String.join(" ", args) + "\n",
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    return builder.start();
  }

  private int await(Process process) throws InterruptedException {
    if (!process.waitFor(launcher.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
      killTree(process);
      return -1;
    }
    return process.exitValue();
  }

  /**
   * Watches the run's journal and SIGKILLs the engine with every process below it once the moment
   * comes, as a power cut or the OOM killer would. False when the engine ended first.
   */
  private boolean killAt(Process engine, KillMoment moment) throws InterruptedException {
    long deadline = System.nanoTime() + launcher.timeout().toNanos();
    while (engine.isAlive() && System.nanoTime() < deadline) {
      int seen = events();
      if (seen >= moment.afterEvents()) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(moment.delayMillis());
        while (engine.isAlive() && System.nanoTime() < until && events() == seen) {
          Thread.sleep(1);
        }
        if (!engine.isAlive()) {
          return false;
        }
        killTree(engine);
        return true;
      }
      Thread.sleep(1);
    }
    if (engine.isAlive()) {
      killTree(engine); // timed out
      return true;
    }
    return false;
  }

  private static void killTree(Process engine) throws InterruptedException {
    List<ProcessHandle> below = engine.descendants().toList();
    engine.destroyForcibly();
    below.forEach(ProcessHandle::destroyForcibly);
    engine.waitFor(10, TimeUnit.SECONDS);
    for (ProcessHandle p : below) {
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // a process that will not die is found by the resume, which waits for it
      }
    }
  }

  /** How many records the run's journal holds now (a torn last line is not one). */
  private int events() {
    return records(runId()).size();
  }

  private List<JournalRecord> records(Optional<String> runId) {
    if (runId.isEmpty()) {
      return List.of();
    }
    Path journal = stateDir.resolve("runs").resolve(runId.get()).resolve(Journal.FILE_NAME);
    if (!Files.exists(journal)) {
      return List.of();
    }
    return Journal.read(journal).records();
  }

  private Optional<String> runId() {
    Path runs = stateDir.resolve("runs");
    if (!Files.isDirectory(runs)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(runs)) {
      return dirs.map(p -> p.getFileName().toString()).sorted().findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The in-flight step a resume stopped at for the operator's decision, if that is why. */
  private static Optional<String> inflightDecision(List<JournalRecord> records) {
    for (int i = records.size() - 1; i >= 0; i--) {
      if (records.get(i).event() instanceof JournalEvent.Paused paused) {
        return paused.reason().contains("--rerun-inflight")
            ? Optional.of(paused.step())
            : Optional.empty();
      }
    }
    return Optional.empty();
  }
}
