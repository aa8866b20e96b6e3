package dev.runbook.runbooks.printstash;

import static dev.runbook.runbooks.printstash.PrintStashInstallation.NEW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.runbooks.Installation;
import dev.runbook.runbooks.KillAndResume;
import dev.runbook.runbooks.KillAndResume.Moment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine killed with SIGKILL at random moments, its step's processes with it (as when the
 * machine or its cgroup goes down), then {@code runbook resume} until done, ends in the same state
 * as a run that was never interrupted. Every step has a {@code verify} or is idempotent, so resume
 * decides about the step that was in flight by itself.
 *
 * <p>The moments are drawn from a seeded random generator ({@code -Dprintstash.seed=N} draws
 * others): a random delay into the migration, the copy of the new release and the backup, which are
 * always among them, and into two other steps drawn at random (never the last). A delay is cut
 * short when its step ends, so that every kill lands while the engine runs: a run that ends before
 * its moment fails the test. Rollbacks are interrupted too: a failing migration, killed while its
 * rollback runs, resumes as a rollback.
 */
class PrintStashResumeIT {
  private static final long SEED = Long.getLong("printstash.seed", 20261123L);
  private static final int OTHER_MOMENTS = 2;
  private static final List<String> STEPS =
      List.of(
          "config",
          "current",
          "install",
          "sync",
          "stop_hooks",
          "stop_jobs",
          "stop_api",
          "backup",
          "switch",
          "start",
          "healthy",
          "upload",
          "search",
          "cleanup",
          "start_jobs",
          "start_hooks");

  @TempDir static Path shared;
  private static Path template;
  private static ExecutorService pool;

  /** What an upgrade leaves behind, compared between runs. */
  record State(
      String version,
      String revision,
      String dump,
      String database,
      Map<String, String> files,
      String current,
      List<String> releases,
      int backups,
      List<String> backupDirEntries,
      boolean hooks,
      boolean jobs) {}

  @BeforeAll
  static void seed() throws Exception {
    template = PrintStashInstallation.template(shared);
    pool = Executors.newFixedThreadPool(3);
  }

  @AfterAll
  static void shutdown() {
    pool.shutdownNow();
  }

  static List<Moment> moments() {
    Random random = new Random(SEED);
    List<Moment> moments = new ArrayList<>();
    moments.add(new Moment("step_started", "migrate", random.nextInt(1500)));
    // The file actions run in the engine itself: a kill lands in the middle of a copy only soon
    // after it starts.
    moments.add(new Moment("step_started", "install", random.nextInt(20)));
    moments.add(new Moment("step_started", "backup", random.nextInt(20)));
    List<String> others = new ArrayList<>(STEPS);
    // Not the last step: a delay into it may outlast the run, and then there is nothing to kill.
    others.removeAll(List.of("install", "backup", STEPS.get(STEPS.size() - 1)));
    Collections.shuffle(others, random);
    for (String step : others.subList(0, OTHER_MOMENTS)) {
      moments.add(new Moment("step_started", step, random.nextInt(150)));
    }
    return moments;
  }

  private static KillAndResume<PrintStashInstallation, State> scenario() {
    return new KillAndResume<>(
        "printstash",
        name -> PrintStashInstallation.copyOf(template, shared.resolve(name)),
        PrintStashResumeIT::state,
        pool);
  }

  @TestFactory
  Stream<DynamicTest> killedAtRandomMomentsThenResumedEndsLikeAnUninterruptedRun() {
    return scenario()
        .endLikeAnUninterruptedRun(
            SEED,
            moments(),
            Installation.Invariant.none(),
            expected -> assertThat(expected.version()).isEqualTo(NEW),
            // The database's pages may lie differently; its dump may not.
            (actual, expected) ->
                assertThat(actual)
                    .usingRecursiveComparison()
                    .ignoringFields("database")
                    .isEqualTo(expected));
  }

  @TestFactory
  Stream<DynamicTest> aRollbackKilledHalfWayResumesAsARollback() {
    Moment moment = new Moment("compensation_started", "backup", new Random(SEED).nextInt(50));
    Future<State[]> outcome =
        pool.submit(
            () -> {
              try (PrintStashInstallation i =
                  PrintStashInstallation.copyOf(template, shared.resolve("rollback"))) {
                i.addFailingMigration();
                State before = state(i);
                KillAndResume.Result r = KillAndResume.killAndResumeIn("printstash", i, moment);
                assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
                return new State[] {before, state(i)};
              }
            });
    return Stream.of(
        DynamicTest.dynamicTest(
            "failing migration, killed " + moment,
            () -> {
              State[] states = outcome.get();
              assertThat(states[1])
                  .usingRecursiveComparison()
                  .ignoringFields("backups", "backupDirEntries")
                  .isEqualTo(states[0]);
            }));
  }

  static State state(PrintStashInstallation i) throws Exception {
    List<String> backups = i.backups();
    return new State(
        i.runningVersion(),
        i.revision(),
        i.dump(),
        PrintStashInstallation.sha256(Files.readAllBytes(i.database())),
        PrintStashInstallation.tree(i.dataDir().resolve("files")),
        i.currentLink(),
        i.releases(),
        (int)
            backups.stream()
                .filter(b -> Files.exists(i.backupDir().resolve(b).resolve("manifest.json")))
                .count(),
        backups.stream().filter(b -> b.startsWith(".")).toList(),
        i.hooksEnabled(),
        i.jobsEnabled());
  }
}
