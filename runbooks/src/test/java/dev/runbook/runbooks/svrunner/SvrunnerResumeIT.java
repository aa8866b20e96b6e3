package dev.runbook.runbooks.svrunner;

import static dev.runbook.runbooks.svrunner.SvrunnerInstallation.NEW;
import static dev.runbook.runbooks.svrunner.SvrunnerInstallation.OLD;
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
 * machine or its cgroup goes down), then {@code runbook resume}, ends in the same state as a run
 * that was never interrupted. Every step has a {@code verify} or is idempotent, so resume decides
 * about the step that was in flight by itself.
 *
 * <p>The moments are drawn from a seeded random generator ({@code -Dsvrunner.seed=N} draws others):
 * a random delay into the staging of the new build, the stop, the data backup, the replacement of
 * the build and the start (with its migration), which are always among them, and into two other
 * steps drawn at random (never the last). A delay is cut short when its step ends, so that every
 * kill lands while the engine runs: a run that ends before its moment fails the test. A rollback is
 * interrupted too: a failing validation, killed while the data is put back, resumes as a rollback.
 */
class SvrunnerResumeIT {
  private static final long SEED = Long.getLong("svrunner.seed", 20261123L);
  private static final int OTHER_MOMENTS = 2;
  private static final List<String> STEPS =
      List.of(
          "current",
          "asset",
          "stage",
          "stop",
          "backup_data",
          "backup_logs",
          "backup_build",
          "log_mark",
          "replace_build",
          "start",
          "answers",
          "main_app",
          "docs",
          "graphql",
          "assets",
          "logs");

  @TempDir static Path shared;
  private static Path template;
  private static ExecutorService pool;

  /** What an upgrade leaves behind, compared between runs. */
  record State(
      String version,
      String dump,
      Map<String, String> data,
      Map<String, String> build,
      List<String> backups) {}

  @BeforeAll
  static void seed() throws Exception {
    template = SvrunnerInstallation.template(shared);
    pool = Executors.newFixedThreadPool(3);
  }

  @AfterAll
  static void shutdown() {
    pool.shutdownNow();
  }

  static List<Moment> moments() {
    Random random = new Random(SEED);
    List<Moment> moments = new ArrayList<>();
    moments.add(new Moment("step_started", "stage", random.nextInt(40)));
    // The file actions run in the engine itself: a kill lands in the middle of one only soon
    // after it starts.
    moments.add(new Moment("step_started", "backup_data", random.nextInt(20)));
    moments.add(new Moment("step_started", "replace_build", random.nextInt(20)));
    moments.add(new Moment("step_started", "start", random.nextInt(100)));
    // Stopping takes a while: the kill may land while the old server shuts down.
    moments.add(new Moment("step_started", "stop", random.nextInt(400)));
    List<String> others = new ArrayList<>(STEPS);
    // Not the last step: a delay into it may outlast the run, and then there is nothing to kill.
    others.removeAll(
        List.of(
            "stage", "backup_data", "replace_build", "start", "stop", STEPS.get(STEPS.size() - 1)));
    Collections.shuffle(others, random);
    for (String step : others.subList(0, OTHER_MOMENTS)) {
      moments.add(new Moment("step_started", step, random.nextInt(150)));
    }
    return moments;
  }

  private static KillAndResume<SvrunnerInstallation, State> scenario() {
    return new KillAndResume<>(
        "svrunner",
        name -> SvrunnerInstallation.copyOf(template, shared.resolve(name)),
        SvrunnerResumeIT::state,
        pool);
  }

  /** The logs keep every line and grow; .env is kept byte for byte. */
  private static Installation.Check<SvrunnerInstallation> logsAndEnvKept(SvrunnerInstallation i)
      throws Exception {
    Map<String, String> logsBefore = i.logs();
    String envBefore = Files.readString(i.envFile());
    return after -> {
      SvrunnerUpgradeIT.assertLogsKeptAndGrown(logsBefore, after.logs());
      assertThat(Files.readString(after.envFile())).isEqualTo(envBefore);
    };
  }

  @TestFactory
  Stream<DynamicTest> killedAtRandomMomentsThenResumedEndsLikeAnUninterruptedRun() {
    return scenario()
        .endLikeAnUninterruptedRun(
            SEED,
            moments(),
            SvrunnerResumeIT::logsAndEnvKept,
            expected -> assertThat(expected.version()).isEqualTo(NEW),
            (actual, expected) -> assertThat(actual).isEqualTo(expected));
  }

  @TestFactory
  Stream<DynamicTest> aRollbackKilledWhileTheDataIsPutBackResumesAsARollback() {
    Moment moment = new Moment("compensation_started", "start", new Random(SEED).nextInt(60));
    Future<State[]> outcome =
        pool.submit(
            () -> {
              try (SvrunnerInstallation i =
                  SvrunnerInstallation.copyOf(template, shared.resolve("rollback"))) {
                SvrunnerInstallation.breakBuild(i.newBuild(), "docs");
                State before = state(i);
                Installation.Check<SvrunnerInstallation> kept = logsAndEnvKept(i);
                KillAndResume.Result r = KillAndResume.killAndResumeIn("svrunner", i, moment);
                assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
                assertThat(r.output())
                    .contains("step docs: FAILED: status 404")
                    .contains("compensating start (restore_data)")
                    .endsWith(
                        "run failed and was rolled back: step `docs` failed: status 404, expected"
                            + " 200 (exit 1)\n");
                kept.after(i);
                assertThat(i.dump()).isEqualTo(before.dump());
                return new State[] {before, state(i)};
              }
            });
    return Stream.of(
        DynamicTest.dynamicTest(
            "/docs fails, killed " + moment,
            () -> {
              State[] states = outcome.get();
              assertThat(states[1].version()).isEqualTo(OLD);
              assertThat(states[1])
                  .usingRecursiveComparison()
                  .ignoringFields("backups")
                  .isEqualTo(states[0]);
              assertThat(states[1].backups()).contains("data", "replaced");
            }));
  }

  static State state(SvrunnerInstallation i) throws Exception {
    Map<String, String> data = new java.util.TreeMap<>(i.dataTree());
    // The database's pages may lie differently after a migration killed and run again; its dump
    // may not.
    data.remove("files/local.db");
    // Each installation has a port of its own in .env; that it is kept is checked against the
    // same installation before the run.
    data.remove(".env");
    return new State(
        i.runningVersion(),
        i.dump(),
        data,
        i.buildTree(),
        i.backups().stream().map(b -> b.substring(b.indexOf('/') + 1)).toList());
  }
}
