package dev.runbook.runbooks.seqdesk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.cli.CliProcess;
import dev.runbook.engine.journal.JournalRecord;
import dev.runbook.runbooks.FailAtEveryStep;
import dev.runbook.runbooks.Installation;
import dev.runbook.runbooks.Journals;
import dev.runbook.runbooks.KillAndResume;
import dev.runbook.runbooks.KillAndResume.Moment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * SeqDesk's runbooks in the generic scenarios: a failure at each step, and kill -9 then resume.
 *
 * <p>The kill moments are seeded (a failure can be replayed) and anchored on the journal, not on
 * the clock (on a busy machine a clock-based moment lands in the JVM's start-up or after the run's
 * end): a random delay after the {@code step_started} record of a step drawn from those that took
 * longest in an uninterrupted run, a different step for each kill. Every other kill is followed by
 * a second one, a random delay after the resume starts a step (unless the first kill came in the
 * last step: its resume may have no step left to start). The kills must land in at least three
 * different steps, and each must really kill a running engine.
 */
final class SeqDeskScenarios {
  /** The seed of the kill moments; change it to explore, keep it to replay. */
  static final long SEED = Long.getLong("seqdesk.kill.seed", 20261123L);

  /** How many interrupted runs each runbook gets. */
  static final int RUNS = Integer.getInteger("seqdesk.kill.runs", 4);

  /** How many installations run at once ({@code seqdesk.parallel}, default 2). */
  static final int PARALLEL = Integer.getInteger("seqdesk.parallel", 2);

  /** The distinct steps the kills must land in (fewer only if there are fewer kills). */
  static final int DISTINCT_STEPS = 3;

  /** How many of the uninterrupted run's longest steps the anchors are drawn from. */
  private static final int CANDIDATES = 6;

  private SeqDeskScenarios() {}

  /**
   * Each fault on a fresh installation: the run fails at its step, exits 1 having rolled back, and
   * leaves the files (with their times), the database and the running version ({@code version}) as
   * they were.
   */
  static Stream<DynamicTest> failAtEveryStep(
      String runbook,
      Installation.Factory<SeqDeskInstallation> factory,
      ExecutorService pool,
      List<Faults.Fault> faults,
      String version) {
    return new FailAtEveryStep<>(
            "seqdesk " + runbook, factory, SeqDeskInstallation.snapshot(true), pool)
        .each(
            runbook + "-fail",
            faults.stream().map(Faults.Fault::toInjection).toList(),
            (injection, o) -> {
              assertThat(o.result().exitCode()).as(o.describe()).isEqualTo(1);
              assertThat(o.result().stdout())
                  .contains(
                      "run failed and was rolled back: step `" + injection.step() + "` failed");
              assertThat(o.after().tree()).isEqualTo(o.before().tree());
              assertThat(o.after().dump()).isEqualTo(o.before().dump());
              assertThat(o.after().version()).contains(version);
            });
  }

  /**
   * Kill -9 at seeded moments, then resume: each installation ends with the files, the database and
   * the version ({@code version}) of a run that was never interrupted.
   */
  static Stream<DynamicTest> killAndResume(
      String runbook,
      Installation.Factory<SeqDeskInstallation> factory,
      ExecutorService pool,
      String version)
      throws Exception {
    SeqDeskInstallation.State expected;
    Map<String, Duration> durations;
    try (SeqDeskInstallation i = factory.fresh(runbook + "-reference")) {
      CliProcess.Result uninterrupted = i.upgrade(Map.of());
      assertThat(uninterrupted.exitCode()).as(Installation.describe(uninterrupted)).isZero();
      expected = SeqDeskInstallation.snapshot(false).of(i);
      durations = stepDurations(Journals.onlyRunRecords(i.stateDir()));
    }
    assertThat(expected.version()).contains(version);
    System.out.printf(
        "%s: steps of the uninterrupted run and their times: %s%n", runbook, durations);

    Random random = new Random(SEED ^ runbook.hashCode());
    List<String> anchors = anchors(durations, random);
    String last = new ArrayList<>(durations.keySet()).get(durations.size() - 1);
    List<List<Moment>> kills = new ArrayList<>();
    for (int k = 0; k < RUNS; k++) {
      String step = anchors.get(k % anchors.size());
      // Within the first half of the step as the uninterrupted run took it, so that it is still
      // running when the kill comes, however busy the machine.
      long half = Math.max(1, durations.get(step).toMillis() / 2);
      List<Moment> moments = new ArrayList<>();
      moments.add(new Moment("step_started", step, (int) random.nextLong(Math.min(half, 1000))));
      if (k % 2 == 1 && !step.equals(last)) {
        // Killed again while resuming, a moment after the resume starts a step.
        moments.add(new Moment("step_started", null, random.nextInt(100)));
      }
      kills.add(moments);
    }
    return new KillAndResume<>(
            "seqdesk " + runbook, factory, SeqDeskInstallation.snapshot(false), pool)
        .endLike(
            expected,
            SEED,
            kills,
            // .env names the installation's own database: it differs between installations, and
            // each must keep its own.
            i -> {
              String env = i.fixture.tree(false).get(ENV);
              return after -> assertThat(after.fixture.tree(false)).containsEntry(ENV, env);
            },
            (actual, uninterrupted) -> {
              assertThat(withoutEnv(actual.tree()))
                  .as("installation")
                  .isEqualTo(withoutEnv(uninterrupted.tree()));
              assertThat(actual.dump()).as("database").isEqualTo(uninterrupted.dump());
              assertThat(actual.version()).contains(version);
            },
            landed ->
                assertThat(
                        landed.stream()
                            .map(inFlight -> inFlight.get(0))
                            .filter(s -> s.startsWith("step "))
                            .distinct())
                    .as("the steps the first kills landed in (seed %d): %s", SEED, landed)
                    .hasSizeGreaterThanOrEqualTo(Math.min(DISTINCT_STEPS, RUNS)));
  }

  private static final String ENV = ".env";

  private static Map<String, String> withoutEnv(Map<String, String> tree) {
    Map<String, String> rest = new LinkedHashMap<>(tree);
    assertThat(rest.remove(ENV)).as(ENV).isNotNull();
    return rest;
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

  /** How long each step took in a run's journal, in the order they ended. */
  private static Map<String, Duration> stepDurations(List<JournalRecord> journal) {
    Map<String, Instant> started = new LinkedHashMap<>();
    Map<String, Duration> durations = new LinkedHashMap<>();
    for (JournalRecord r : journal) {
      String step = r.field("step");
      if (r.type().equals("step_started")) {
        started.put(step, r.timestamp());
      } else if (r.type().equals("step_succeeded") && started.containsKey(step)) {
        durations.put(step, Duration.between(started.get(step), r.timestamp()));
      }
    }
    return durations;
  }
}
