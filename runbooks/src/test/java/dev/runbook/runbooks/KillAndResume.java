package dev.runbook.runbooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.cli.CliProcess;
import dev.runbook.engine.journal.RunFold;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * The engine killed with SIGKILL at a moment, its step's processes with it (as when the machine or
 * its cgroup goes down), then {@code runbook resume}: each moment on a fresh installation of its
 * own, in parallel, compared with a run that was never interrupted.
 *
 * @param <I> the application's installation
 * @param <S> the state compared with the uninterrupted run
 */
public final class KillAndResume<I extends Installation, S> {
  /** Where a moment is: after this journal event for this step, plus a delay. */
  public record Moment(String event, String step, int delayMillis) {
    @Override
    public String toString() {
      return delayMillis + " ms after " + event + " of " + step;
    }
  }

  /** How the resumed run ended, and the whole story. */
  public record Result(int exitCode, String output) {}

  private final String app;
  private final Installation.Factory<I> factory;
  private final Installation.Snapshot<I, S> snapshot;
  private final ExecutorService pool;

  public KillAndResume(
      String app,
      Installation.Factory<I> factory,
      Installation.Snapshot<I, S> snapshot,
      ExecutorService pool) {
    this.app = app;
    this.factory = factory;
    this.snapshot = snapshot;
    this.pool = pool;
  }

  /**
   * One dynamic test per moment: killed there then resumed, the run succeeds, {@code invariant}
   * holds, and {@code same} finds its state like the uninterrupted run's (which {@code reference}
   * checks first).
   */
  public Stream<DynamicTest> endLikeAnUninterruptedRun(
      long seed,
      List<Moment> moments,
      Installation.Invariant<I> invariant,
      Consumer<S> reference,
      BiConsumer<S, S> same) {
    Future<S> uninterrupted =
        pool.submit(
            () -> {
              try (I i = factory.fresh("reference")) {
                CliProcess.Result result = i.upgrade(Map.of());
                assertThat(result.exitCode()).as(Installation.describe(result)).isZero();
                return snapshot.of(i);
              }
            });
    Map<Moment, Future<S>> killed = new LinkedHashMap<>();
    int n = 0;
    for (Moment moment : moments) {
      String name = "killed-" + n++;
      killed.put(
          moment,
          pool.submit(
              () -> {
                try (I i = factory.fresh(name)) {
                  Installation.Check<I> check = invariant.before(i);
                  Result r = killAndResumeIn(app, i, moment);
                  assertThat(r.exitCode()).as(r.output()).isZero();
                  check.after(i);
                  return snapshot.of(i);
                }
              }));
    }
    List<DynamicTest> tests = new ArrayList<>();
    killed.forEach(
        (moment, future) ->
            tests.add(
                DynamicTest.dynamicTest(
                    "killed " + moment + " (seed " + seed + ")",
                    () -> {
                      S expected = uninterrupted.get();
                      reference.accept(expected);
                      same.accept(future.get(), expected);
                    })));
    return tests.stream();
  }

  /**
   * Starts the upgrade, kills it at {@code moment} with its step's processes, then resumes once (or
   * starts again, when the kill came before the run existed). A run that ends before its moment
   * proves nothing about resume: it fails the test.
   */
  public static Result killAndResumeIn(String app, Installation i, Moment moment) throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.add("-XX:TieredStopAtLevel=1");
    argv.add("-jar");
    argv.add(CliProcess.JAR.toString());
    argv.addAll(i.runArgs());
    Path log = i.root().resolve("killed-run.log");
    ProcessBuilder builder =
        new ProcessBuilder(argv)
            .directory(i.root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder
        .environment()
        .keySet()
        .removeIf(k -> k.startsWith("RUNBOOK_") && !k.equals("RUNBOOK_LOCK_DIR"));
    Process engine = builder.start();
    boolean reached = awaitEvent(i.stateDir(), engine, moment);
    if (reached) {
      KillMoments.awaitDelayOrEnd(
          i.stateDir(), engine, moment.event(), moment.step(), moment.delayMillis());
    }
    boolean alive = KillMoments.killWithItsTree(engine);
    StringBuilder story = new StringBuilder();
    story.append("killed ").append(moment).append('\n');
    story.append(Files.readString(log));
    assertThat(reached && alive)
        .as("the engine was still running at %s (exit %d):%n%s", moment, engine.exitValue(), story)
        .isTrue();
    assertThat(engine.exitValue()).as("killed by SIGKILL:%n%s", story).isEqualTo(137);
    String inFlight = inFlight(i.stateDir());
    CliProcess.Result last =
        Journals.files(i.stateDir()).isEmpty()
            ? i.upgrade(Map.of()) // killed before the run existed: start it again
            : i.cli(Map.of(), "resume");
    story.append("--- resume: ").append(Installation.describe(last));
    System.out.println(
        app + ": killed " + moment + ", in " + inFlight + "; resume: exit " + last.exitCode());
    return new Result(last.exitCode(), story.toString());
  }

  /** What the journal says was in flight when the engine died: a step, a compensation or none. */
  private static String inFlight(Path stateDir) throws Exception {
    if (Journals.files(stateDir).isEmpty()) {
      return "start-up (no run yet)";
    }
    RunFold run = Journals.onlyRun(stateDir);
    return run.compensationInFlight()
        .map(step -> "compensation " + step)
        .or(() -> run.inflight().map(step -> "step " + step))
        .orElse("between steps");
  }

  /** Waits until a run's journal has {@code moment}'s event, or the engine ends. */
  private static boolean awaitEvent(Path stateDir, Process engine, Moment moment) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (Journals.has(stateDir, moment.event(), moment.step())) {
        return true;
      }
      if (!engine.isAlive()) {
        return false;
      }
      Thread.sleep(5);
    }
    return false;
  }
}
