package dev.runbook.runbooks.printstash;

import static dev.runbook.runbooks.printstash.PrintStashInstallation.NEW;
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

  @TestFactory
  Stream<DynamicTest> killedAtRandomMomentsThenResumedEndsLikeAnUninterruptedRun() {
    Future<State> reference =
        pool.submit(
            () -> {
              try (PrintStashInstallation i =
                  PrintStashInstallation.copyOf(template, shared.resolve("reference"))) {
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
                      // The database's pages may lie differently; its dump may not.
                      assertThat(future.get())
                          .usingRecursiveComparison()
                          .ignoringFields("database")
                          .isEqualTo(expected);
                    })));
    return tests.stream();
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
                Result r = killAndResumeIn(i, moment);
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

  private static State killAndResume(String name, Moment moment) throws Exception {
    try (PrintStashInstallation i = PrintStashInstallation.copyOf(template, shared.resolve(name))) {
      Result r = killAndResumeIn(i, moment);
      assertThat(r.exitCode()).as(r.output()).isZero();
      return state(i);
    }
  }

  record Result(int exitCode, String output) {}

  /**
   * Starts the upgrade, kills it at {@code moment} with its step's processes, then resumes once;
   * returns how the resumed run ended and the whole story.
   */
  private static Result killAndResumeIn(PrintStashInstallation i, Moment moment) throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.add("-XX:TieredStopAtLevel=1");
    argv.add("-jar");
    argv.add(CliProcess.JAR.toString());
    argv.addAll(
        List.of(
            "run",
            PrintStashInstallation.RUNBOOK.toString(),
            "--params-file",
            i.paramsFile().toString(),
            "--state-dir",
            i.stateDir().toString()));
    Path log = i.root().resolve("killed-run.log");
    Process engine =
        new ProcessBuilder(argv)
            .directory(i.root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
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
    CliProcess.Result last;
    if (!Files.isDirectory(i.stateDir().resolve("runs"))
        || PrintStashInstallation.list(i.stateDir().resolve("runs")).isEmpty()) {
      last = Runbook.upgrade(i); // killed before the run existed: start it again
    } else {
      last = Runbook.cli(i, "resume");
    }
    story.append("--- resume: ").append(Runbook.describe(last));
    String summary = story.toString();
    System.out.println(
        "printstash: killed "
            + moment
            + "; then "
            + last.stdout()
                .lines()
                .filter(
                    l ->
                        l.contains(" " + moment.step() + ":")
                            || l.contains(" " + moment.step() + " (")
                            || l.contains("compensat"))
                .findFirst()
                .map(l -> l.substring(l.indexOf(' ') + 1))
                .orElse("(nothing about it)"));
    return new Result(last.exitCode(), summary);
  }

  /** Waits until the run's journal has {@code moment}'s event, or the engine ends. */
  private static boolean awaitEvent(PrintStashInstallation i, Process engine, Moment moment)
      throws IOException, InterruptedException {
    String event = "\"type\":\"" + moment.event() + "\"";
    String step = "\"step\":\"" + moment.step() + "\"";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      Path runs = i.stateDir().resolve("runs");
      if (Files.isDirectory(runs)) {
        for (String id : PrintStashInstallation.list(runs)) {
          Path journal = runs.resolve(id).resolve("journal.jsonl");
          if (Files.exists(journal)
              && Files.readAllLines(journal).stream()
                  .anyMatch(l -> l.contains(event) && l.contains(step))) {
            return true;
          }
        }
      }
      if (!engine.isAlive()) {
        return false;
      }
      Thread.sleep(5);
    }
    return false;
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
