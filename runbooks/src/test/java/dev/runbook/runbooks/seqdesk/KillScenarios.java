package dev.runbook.runbooks.seqdesk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.cli.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * kill -9 of the runbook process at random moments (seeded, so a failure can be replayed), then
 * {@code resume} until done: the installation and the database must end exactly as after a run that
 * was never interrupted.
 */
final class KillScenarios {
  /** The seed of the kill moments; change it to explore, keep it to replay. */
  static final long SEED = Long.getLong("seqdesk.kill.seed", 20261123L);

  /** How many interrupted runs each runbook gets. */
  static final int RUNS = Integer.getInteger("seqdesk.kill.runs", 4);

  private KillScenarios() {}

  /** Puts the fixture in its starting state. */
  interface Install {
    void apply(SeqDeskFixture fixture) throws Exception;
  }

  static void run(SeqDeskFixture f, String runbook, Install install, String expectedVersion)
      throws Exception {
    install.apply(f);
    long start = System.nanoTime();
    CliProcess.Result uninterrupted = RunbookCli.run(f, runbook);
    Duration took = Faults.elapsedSince(start);
    assertThat(uninterrupted.exitCode())
        .as(uninterrupted.stdout() + uninterrupted.stderr())
        .isZero();
    Map<String, String> expectedTree = f.tree(false);
    String expectedDump = f.dump();
    assertThat(f.runningVersion()).contains(expectedVersion);

    Random random = new Random(SEED ^ runbook.hashCode());
    for (int i = 0; i < RUNS; i++) {
      install.apply(f);
      Path log = f.root.resolve("kill-" + i + ".log");
      Files.deleteIfExists(log);
      long firstKill = 300 + random.nextInt((int) Math.max(1, took.toMillis() - 300));
      String firstInflight = killAfter(f, log, RunbookCli.runArgs(f, runbook, Map.of()), firstKill);
      String secondInflight = "";
      if (i % 2 == 1 && RunbookCli.runIds(f).stream().anyMatch(id -> started(f, id))) {
        // Killed again while resuming.
        long secondKill = 300 + random.nextInt((int) Math.max(1, took.toMillis() / 2));
        secondInflight =
            "; then its resume, after "
                + secondKill
                + "ms, at "
                + killAfter(
                    f, log, List.of("resume", "--state-dir", f.state.toString()), secondKill);
      }
      int resumes = RunbookCli.resumeUntilDone(f, runbook, log);
      System.out.printf(
          "%s kill %d: after %dms, at %s%s; %d more command(s) to finish%n",
          runbook, i, firstKill, firstInflight, secondInflight, resumes);

      assertThat(f.tree(false)).as("installation after kill %d", i).isEqualTo(expectedTree);
      assertThat(f.dump()).as("database after kill %d", i).isEqualTo(expectedDump);
      assertThat(f.runningVersion()).contains(expectedVersion);
    }
  }

  private static boolean started(SeqDeskFixture f, String runId) {
    try {
      return RunbookCli.started(f, runId);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Starts the CLI, kills it with SIGKILL after {@code millis}; returns what it was doing. */
  private static String killAfter(SeqDeskFixture f, Path log, List<String> args, long millis)
      throws Exception {
    int linesBefore = Files.exists(log) ? Files.readAllLines(log).size() : 0;
    Process process = RunbookCli.start(f, log, args);
    if (process.waitFor(millis, TimeUnit.MILLISECONDS)) {
      return "nothing (it had finished)";
    }
    process.destroyForcibly(); // SIGKILL
    RunbookCli.awaitGone(process);
    List<String> lines = Files.readAllLines(log);
    return lines.size() <= linesBefore ? "start-up" : "`" + lines.get(lines.size() - 1) + "`";
  }
}
