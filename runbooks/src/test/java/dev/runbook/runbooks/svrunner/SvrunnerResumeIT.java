package dev.runbook.runbooks.svrunner;

import static dev.runbook.runbooks.svrunner.SvrunnerInstallation.NEW;
import static dev.runbook.runbooks.svrunner.SvrunnerInstallation.OLD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.cli.CliProcess;
import dev.runbook.runbooks.KillMoments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

  /** Where a moment is: after this journal event for this step, plus a delay. */
  record Moment(String event, String step, int delayMillis) {
    @Override
    public String toString() {
      return delayMillis + " ms after " + event + " of " + step;
    }
  }

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

  @TestFactory
  Stream<DynamicTest> killedAtRandomMomentsThenResumedEndsLikeAnUninterruptedRun() {
    Future<State> reference =
        pool.submit(
            () -> {
              try (SvrunnerInstallation i =
                  SvrunnerInstallation.copyOf(template, shared.resolve("reference"))) {
                CliProcess.Result result = Runbook.upgrade(i);
                assertThat(result.exitCode()).as(Runbook.describe(result)).isZero();
                return state(i);
              }
            });
    Map<Moment, Future<State>> killed = new LinkedHashMap<>();
    int n = 0;
    for (Moment moment : moments()) {
      String name = "killed-" + n++;
      killed.put(moment, pool.submit(() -> killAndResume(name, moment)));
    }
    List<DynamicTest> tests = new ArrayList<>();
    killed.forEach(
        (moment, future) ->
            tests.add(
                DynamicTest.dynamicTest(
                    "killed " + moment + " (seed " + SEED + ")",
                    () -> {
                      State expected = reference.get();
                      assertThat(expected.version()).isEqualTo(NEW);
                      assertThat(future.get()).isEqualTo(expected);
                    })));
    return tests.stream();
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
                Map<String, String> logsBefore = i.logs();
                String envBefore = Files.readString(i.envFile());
                Result r = killAndResumeIn(i, moment);
                assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
                assertThat(r.output())
                    .contains("step docs: FAILED: status 404")
                    .contains("compensating start (restore_data)")
                    .endsWith(
                        "run failed and was rolled back: step `docs` failed: status 404, expected"
                            + " 200 (exit 1)\n");
                SvrunnerUpgradeIT.assertLogsKeptAndGrown(logsBefore, i.logs());
                assertThat(Files.readString(i.envFile())).isEqualTo(envBefore);
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

  private static State killAndResume(String name, Moment moment) throws Exception {
    try (SvrunnerInstallation i = SvrunnerInstallation.copyOf(template, shared.resolve(name))) {
      Map<String, String> logsBefore = i.logs();
      String envBefore = Files.readString(i.envFile());
      Result r = killAndResumeIn(i, moment);
      assertThat(r.exitCode()).as(r.output()).isZero();
      SvrunnerUpgradeIT.assertLogsKeptAndGrown(logsBefore, i.logs());
      assertThat(Files.readString(i.envFile())).isEqualTo(envBefore);
      return state(i);
    }
  }

  record Result(int exitCode, String output) {}

  /**
   * Starts the upgrade, kills it at {@code moment} with its step's processes, then resumes once;
   * returns how the resumed run ended and the whole story.
   */
  private static Result killAndResumeIn(SvrunnerInstallation i, Moment moment) throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.add("-XX:TieredStopAtLevel=1");
    argv.add("-jar");
    argv.add(CliProcess.JAR.toString());
    argv.addAll(Runbook.runArgs(i));
    Path log = i.root().resolve("killed-run.log");
    ProcessBuilder builder =
        new ProcessBuilder(argv)
            .directory(i.root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().keySet().removeIf(k -> k.startsWith("RUNBOOK_"));
    Process engine = builder.start();
    boolean reached = awaitEvent(i, engine, moment);
    if (reached) {
      KillMoments.awaitDelayOrEnd(
          i.stateDir().resolve("runs"),
          engine,
          moment.event(),
          moment.step(),
          moment.delayMillis());
    }
    boolean alive = KillMoments.killWithItsTree(engine);
    StringBuilder story = new StringBuilder();
    story.append("killed ").append(moment).append('\n');
    story.append(Files.readString(log));
    // A run that ends before its moment proves nothing about resume: it must not pass.
    assertThat(reached && alive)
        .as("the engine was still running at %s (exit %d):%n%s", moment, engine.exitValue(), story)
        .isTrue();
    assertThat(engine.exitValue()).as("killed by SIGKILL:%n%s", story).isEqualTo(137);
    String inFlight = inFlight(i);
    CliProcess.Result last;
    if (SvrunnerInstallation.list(i.stateDir().resolve("runs")).isEmpty()) {
      last = Runbook.upgrade(i); // killed before the run existed: start it again
    } else {
      last = Runbook.cli(i, "resume");
    }
    story.append("--- resume: ").append(Runbook.describe(last));
    System.out.println(
        "svrunner: killed " + moment + ", in " + inFlight + "; resume: exit " + last.exitCode());
    return new Result(last.exitCode(), story.toString());
  }

  /** What the journal says was in flight when the engine died: a step, a compensation or none. */
  private static String inFlight(SvrunnerInstallation i) throws IOException {
    Path runs = i.stateDir().resolve("runs");
    List<String> ids = SvrunnerInstallation.list(runs);
    if (ids.isEmpty()) {
      return "start-up (no run yet)";
    }
    String open = "between steps";
    for (String line : Files.readAllLines(runs.resolve(ids.get(0)).resolve("journal.jsonl"))) {
      if (line.contains("\"type\":\"step_started\"")
          || line.contains("\"type\":\"compensation_started\"")) {
        open =
            line.replaceAll(".*\"type\":\"([a-z_]+)_started\".*", "$1")
                + " "
                + line.replaceAll(".*\"step\":\"([a-z_]+)\".*", "$1");
      } else if (line.matches(
          ".*\"type\":\"(step_(succeeded|failed|skipped)|compensation_finished)\".*")) {
        open = "between steps";
      }
    }
    return open;
  }

  /** Waits until the run's journal has {@code moment}'s event, or the engine ends. */
  private static boolean awaitEvent(SvrunnerInstallation i, Process engine, Moment moment)
      throws IOException, InterruptedException {
    String event = "\"type\":\"" + moment.event() + "\"";
    String step = "\"step\":\"" + moment.step() + "\"";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      Path runs = i.stateDir().resolve("runs");
      for (String id : SvrunnerInstallation.list(runs)) {
        Path journal = runs.resolve(id).resolve("journal.jsonl");
        if (Files.exists(journal)
            && Files.readAllLines(journal).stream()
                .anyMatch(l -> l.contains(event) && l.contains(step))) {
          return true;
        }
      }
      if (!engine.isAlive()) {
        return false;
      }
      Thread.sleep(5);
    }
    return false;
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
