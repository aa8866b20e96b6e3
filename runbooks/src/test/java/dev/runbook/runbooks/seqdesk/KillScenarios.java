package dev.runbook.runbooks.seqdesk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.cli.CliProcess;
import dev.runbook.engine.journal.JournalRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * kill -9 of the runbook process at random moments (seeded, so a failure can be replayed), then
 * {@code resume} until done: the installation and the database must end exactly as after a run that
 * was never interrupted.
 *
 * <p>The moments are anchored on the journal, not on the clock (on a busy machine a clock-based
 * moment lands in the JVM's start-up or after the run's end): a random delay after the {@code
 * step_started} record of a step drawn from those that took longest in the uninterrupted run, a
 * different step for each kill. Every other kill is followed by a second one, a random delay after
 * the resume starts its first step (unless the first kill came in the last step: its resume may
 * have no step left to start). The test proves the kills land in at least three different steps,
 * and that each really killed a running engine.
 */
final class KillScenarios {
  /** The seed of the kill moments; change it to explore, keep it to replay. */
  static final long SEED = Long.getLong("seqdesk.kill.seed", 20261123L);

  /** How many interrupted runs each runbook gets. */
  static final int RUNS = Integer.getInteger("seqdesk.kill.runs", 4);

  /** The distinct steps the kills must land in (fewer only if there are fewer kills). */
  static final int DISTINCT_STEPS = 3;

  /** How many of the uninterrupted run's longest steps the anchors are drawn from. */
  private static final int CANDIDATES = 6;

  private KillScenarios() {}

  /** Puts the fixture in its starting state. */
  interface Install {
    void apply(SeqDeskFixture fixture) throws Exception;
  }

  /** Where a kill lands: a delay after the {@code step_started} record of a step. */
  record Moment(String step, long delayMillis) {
    @Override
    public String toString() {
      return delayMillis + " ms after " + (step == null ? "the first step" : step) + " started";
    }
  }

  static void run(SeqDeskFixture f, String runbook, Install install, String expectedVersion)
      throws Exception {
    install.apply(f);
    CliProcess.Result uninterrupted = RunbookCli.run(f, runbook);
    assertThat(uninterrupted.exitCode())
        .as(uninterrupted.stdout() + uninterrupted.stderr())
        .isZero();
    Map<String, String> expectedTree = f.tree(false);
    String expectedDump = f.dump();
    assertThat(f.runningVersion()).contains(expectedVersion);
    Map<String, Duration> durations = stepDurations(f);

    Random random = new Random(SEED ^ runbook.hashCode());
    List<String> anchors = anchors(durations, random);
    Set<String> landedIn = new LinkedHashSet<>();
    for (int i = 0; i < RUNS; i++) {
      install.apply(f);
      Path log = f.root.resolve("kill-" + i + ".log");
      Files.deleteIfExists(log);
      String step = anchors.get(i % anchors.size());
      // Within the first half of the step as the uninterrupted run took it, so that it is still
      // running when the kill comes, however busy the machine.
      long half = Math.max(1, durations.get(step).toMillis() / 2);
      Moment first = new Moment(step, random.nextLong(Math.min(half, 1000)));
      String firstInflight =
          killAt(f, log, RunbookCli.runArgs(f, runbook, Map.of()), first, 0, runbook);
      landedIn.add(firstInflight);
      String secondInflight = "";
      if (i % 2 == 1 && !firstInflight.equals(last(durations))) {
        // Killed again while resuming, a moment after the resume starts its first step.
        int recordsBefore = RunbookCli.journal(f, onlyRun(f)).size();
        Moment second = new Moment(null, random.nextInt(100));
        secondInflight =
            "; then its resume, "
                + second
                + ", in "
                + killAt(
                    f,
                    log,
                    List.of("resume", "--state-dir", f.state.toString()),
                    second,
                    recordsBefore,
                    runbook);
      }
      int resumes = RunbookCli.resumeUntilDone(f, runbook, log);
      System.out.printf(
          "%s kill %d: %s, in %s%s; %d more command(s) to finish%n",
          runbook, i, first, firstInflight, secondInflight, resumes);

      assertThat(f.tree(false)).as("installation after kill %d", i).isEqualTo(expectedTree);
      assertThat(f.dump()).as("database after kill %d", i).isEqualTo(expectedDump);
      assertThat(f.runningVersion()).contains(expectedVersion);
    }
    System.out.printf(
        "%s: steps of the uninterrupted run and their times: %s%n", runbook, durations);
    assertThat(landedIn.stream().filter(s -> !s.equals("between steps")))
        .as("the steps the kills landed in (seed %d): %s", SEED, landedIn)
        .hasSizeGreaterThanOrEqualTo(Math.min(DISTINCT_STEPS, RUNS));
  }

  /** The step that started last; a resume after a kill in it may have no step left to start. */
  private static String last(Map<String, Duration> durations) {
    return new ArrayList<>(durations.keySet()).get(durations.size() - 1);
  }

  /**
   * The steps to kill in, in a seeded random order: drawn from the uninterrupted run's longest
   * steps (a short one may be over before the kill comes), each once before any comes again.
   */
  private static List<String> anchors(Map<String, Duration> durations, Random random) {
    List<String> longest = new ArrayList<>(durations.keySet());
    longest.sort(Comparator.comparing(durations::get).reversed());
    List<String> anchors =
        new ArrayList<>(longest.subList(0, Math.min(Math.max(CANDIDATES, RUNS), longest.size())));
    Collections.shuffle(anchors, random);
    return anchors;
  }

  /** How long each step took in the only run, from its journal, in the order they started. */
  private static Map<String, Duration> stepDurations(SeqDeskFixture f) throws IOException {
    Map<String, Instant> started = new LinkedHashMap<>();
    Map<String, Duration> durations = new LinkedHashMap<>();
    for (JournalRecord r : RunbookCli.journal(f, onlyRun(f))) {
      String step = r.field("step");
      if (r.type().equals("step_started")) {
        started.put(step, r.timestamp());
      } else if (r.type().equals("step_succeeded") && started.containsKey(step)) {
        durations.put(step, Duration.between(started.get(step), r.timestamp()));
      }
    }
    return durations;
  }

  private static String onlyRun(SeqDeskFixture f) throws IOException {
    List<String> ids = RunbookCli.runIds(f);
    assertThat(ids).as("runs in %s", f.state).hasSize(1);
    return ids.get(0);
  }

  /**
   * Starts the CLI and kills it with SIGKILL at {@code moment}, counting only the journal's records
   * after the first {@code skip}; returns the step that was in flight. Fails if the engine ended
   * before the moment came or was not killed by it.
   */
  private static String killAt(
      SeqDeskFixture f, Path log, List<String> args, Moment moment, int skip, String runbook)
      throws Exception {
    Process process = RunbookCli.start(f, log, args);
    boolean reached = awaitStarted(f, process, moment.step(), skip);
    if (reached) {
      Thread.sleep(moment.delayMillis());
    }
    boolean alive = process.isAlive();
    process.destroyForcibly(); // SIGKILL
    RunbookCli.awaitGone(process);
    assertThat(reached && alive)
        .as(
            "%s: the engine was running at %s (exit %d):%n%s",
            runbook, moment, process.exitValue(), Files.readString(log))
        .isTrue();
    assertThat(process.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    return inFlight(f);
  }

  /**
   * Waits until the only run's journal has a {@code step_started} record of {@code step} (any step
   * when null) after its first {@code skip} records; false if the engine ended first.
   */
  private static boolean awaitStarted(SeqDeskFixture f, Process process, String step, int skip)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      List<String> ids = RunbookCli.runIds(f);
      if (ids.size() == 1) {
        List<JournalRecord> records = RunbookCli.journal(f, ids.get(0));
        for (JournalRecord r : records.subList(Math.min(skip, records.size()), records.size())) {
          if (r.type().equals("step_started") && (step == null || step.equals(r.field("step")))) {
            return true;
          }
        }
      }
      if (!process.isAlive()) {
        return false;
      }
      Thread.sleep(5);
    }
    return false;
  }

  /** The step the only run's journal has started and not finished, or "between steps". */
  private static String inFlight(SeqDeskFixture f) throws IOException {
    return RunbookCli.fold(f, onlyRun(f)).inflight().orElse("between steps");
  }
}
