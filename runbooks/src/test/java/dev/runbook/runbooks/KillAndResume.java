package dev.runbook.runbooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.cli.CliProcess;
import dev.runbook.engine.journal.JournalRecord;
import dev.runbook.engine.journal.RunFold;
import dev.runbook.engine.journal.RunStatus;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Collectors;
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
  /**
   * Where a moment is: after this journal event for this step (any step when {@code step} is null:
   * the first such event the killed process writes), plus a delay.
   */
  public record Moment(String event, String step, int delayMillis) {
    @Override
    public String toString() {
      return delayMillis + " ms after " + event + " of " + (step == null ? "a step" : step);
    }
  }

  /**
   * How the last command (resume, or the run started again) ended, the whole story, and what was in
   * flight at each kill.
   */
  public record Result(int exitCode, String output, List<String> inFlight) {}

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
    List<List<Moment>> kills = moments.stream().map(List::of).toList();
    return tests(seed, kills, invariant, uninterrupted, reference, same, null);
  }

  /**
   * Like {@link #endLikeAnUninterruptedRun}, for an application that drew its moments from an
   * uninterrupted run it made itself ({@code uninterrupted} its state): each entry of {@code kills}
   * on a fresh installation, its first moment killing the run and each next one the resume that
   * follows; then one more command finishes it. A last test gives {@code landedIn} what was in
   * flight at each kill, per entry of {@code kills}.
   */
  public Stream<DynamicTest> endLike(
      S uninterrupted,
      long seed,
      List<List<Moment>> kills,
      Installation.Invariant<I> invariant,
      BiConsumer<S, S> same,
      Consumer<List<List<String>>> landedIn) {
    return tests(
        seed,
        kills,
        invariant,
        CompletableFuture.completedFuture(uninterrupted),
        expected -> {},
        same,
        landedIn);
  }

  private Stream<DynamicTest> tests(
      long seed,
      List<List<Moment>> kills,
      Installation.Invariant<I> invariant,
      Future<S> uninterrupted,
      Consumer<S> reference,
      BiConsumer<S, S> same,
      Consumer<List<List<String>>> landedIn) {
    Map<List<Moment>, Future<Killed<S>>> killed = new LinkedHashMap<>();
    int n = 0;
    for (List<Moment> moments : kills) {
      String name = "killed-" + n++;
      killed.put(
          moments,
          pool.submit(
              () -> {
                try (I i = factory.fresh(name)) {
                  Installation.Check<I> check = invariant.before(i);
                  Result r = killAndResumeIn(app, i, moments);
                  assertThat(r.exitCode()).as(r.output()).isZero();
                  check.after(i);
                  return new Killed<>(snapshot.of(i), r.inFlight());
                }
              }));
    }
    List<DynamicTest> tests = new ArrayList<>();
    killed.forEach(
        (moments, future) ->
            tests.add(
                DynamicTest.dynamicTest(
                    "killed " + describe(moments) + " (seed " + seed + ")",
                    () -> {
                      S expected = uninterrupted.get();
                      reference.accept(expected);
                      same.accept(future.get().state(), expected);
                    })));
    if (landedIn != null) {
      tests.add(
          DynamicTest.dynamicTest(
              "where the kills landed (seed " + seed + ")",
              () -> {
                List<List<String>> all = new ArrayList<>();
                for (Future<Killed<S>> f : killed.values()) {
                  all.add(f.get().inFlight());
                }
                landedIn.accept(all);
              }));
    }
    return tests.stream();
  }

  private record Killed<S>(S state, List<String> inFlight) {}

  private static String describe(List<Moment> moments) {
    return moments.stream().map(Moment::toString).collect(Collectors.joining(", then its resume "));
  }

  /** {@link #killAndResumeIn(String, Installation, List)} with one kill. */
  public static Result killAndResumeIn(String app, Installation i, Moment moment) throws Exception {
    return killAndResumeIn(app, i, List.of(moment));
  }

  /**
   * Starts the upgrade, kills it at the first moment with its step's processes, then resumes and
   * kills the resume at the next moment, and so on; then resumes once more (or starts again, when
   * the last kill came before the run existed; or nothing, when it came after the run's success was
   * journaled). A process that ends before its moment proves nothing about resume: it fails the
   * test.
   */
  public static Result killAndResumeIn(String app, Installation i, List<Moment> moments)
      throws Exception {
    Path log = i.root().resolve("killed-run.log");
    Files.deleteIfExists(log);
    StringBuilder story = new StringBuilder();
    List<String> inFlight = new ArrayList<>();
    for (Moment moment : moments) {
      int seen = records(i.stateDir()).size();
      List<String> args = startedRun(i.stateDir()) ? resumeArgs(i) : i.runArgs();
      Process engine = start(i, args, log);
      Optional<String> reached = awaitEvent(i.stateDir(), engine, moment, seen);
      if (reached.isPresent()) {
        KillMoments.awaitDelayOrEnd(
            i.stateDir(), engine, moment.event(), reached.get(), moment.delayMillis());
      }
      boolean alive = KillMoments.killWithItsTree(engine);
      story.append("killed ").append(moment).append('\n');
      assertThat(reached.isPresent() && alive)
          .as(
              "the engine was still running at %s (exit %d):%n%s%s",
              moment, engine.exitValue(), story, Files.readString(log))
          .isTrue();
      assertThat(engine.exitValue())
          .as("killed by SIGKILL:%n%s%s", story, Files.readString(log))
          .isEqualTo(137);
      inFlight.add(inFlight(i.stateDir()));
    }
    story.append(Files.readString(log));
    Optional<RunFold> run = lastRun(i.stateDir());
    if (run.isPresent() && run.get().status() == RunStatus.SUCCEEDED) {
      // Killed as it ended, its success already journaled: there is nothing left to resume.
      story.append("--- resume: not needed, the run had succeeded\n");
      System.out.println(
          app + ": killed " + describe(moments) + ", after the run had succeeded; no resume");
      return new Result(0, story.toString(), inFlight);
    }
    CliProcess.Result last =
        run.isPresent()
            ? i.cli(Map.of(), "resume")
            : i.upgrade(Map.of()); // killed before the run existed: start it again
    story.append("--- resume: ").append(Installation.describe(last));
    System.out.println(
        app
            + ": killed "
            + describe(moments)
            + ", in "
            + String.join(", then ", inFlight)
            + "; resume: exit "
            + last.exitCode());
    return new Result(last.exitCode(), story.toString(), inFlight);
  }

  private static List<String> resumeArgs(Installation i) {
    return List.of("resume", "--state-dir", i.stateDir().toString());
  }

  /** Starts the CLI with {@code args} in the installation, its output appended to {@code log}. */
  private static Process start(Installation i, List<String> args, Path log) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.add("-XX:TieredStopAtLevel=1");
    argv.add("-jar");
    argv.add(CliProcess.JAR.toString());
    argv.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(argv)
            .directory(i.root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder
        .environment()
        .keySet()
        .removeIf(k -> k.startsWith("RUNBOOK_") && !k.equals("RUNBOOK_LOCK_DIR"));
    builder.environment().putAll(i.env());
    return builder.start();
  }

  /**
   * The newest run that got as far as journaling its start: one killed before that did nothing, and
   * there is nothing to resume.
   */
  private static Optional<RunFold> lastRun(Path stateDir) throws IOException {
    List<Path> files = Journals.files(stateDir);
    for (int k = files.size() - 1; k >= 0; k--) {
      RunFold run = RunFold.of(Journals.records(files.get(k)));
      if (run.started().isPresent()) {
        return Optional.of(run);
      }
    }
    return Optional.empty();
  }

  private static boolean startedRun(Path stateDir) throws IOException {
    return lastRun(stateDir).isPresent();
  }

  /** Every run's records, oldest run first. */
  private static List<JournalRecord> records(Path stateDir) throws IOException {
    List<JournalRecord> all = new ArrayList<>();
    for (Path journal : Journals.files(stateDir)) {
      all.addAll(Journals.records(journal));
    }
    return all;
  }

  /** What the journal says was in flight when the engine died: a step, a compensation or none. */
  private static String inFlight(Path stateDir) throws Exception {
    Optional<RunFold> last = lastRun(stateDir);
    if (last.isEmpty()) {
      return "start-up (no run yet)";
    }
    RunFold run = last.get();
    return run.compensationInFlight()
        .map(step -> "compensation " + step)
        .or(() -> run.inflight().map(step -> "step " + step))
        .orElse("between steps");
  }

  /**
   * Waits until the journals have {@code moment}'s event after their first {@code seen} records (as
   * the killed process writes it), or the engine ends; returns the event's step.
   */
  private static Optional<String> awaitEvent(Path stateDir, Process engine, Moment moment, int seen)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      List<JournalRecord> all = records(stateDir);
      for (JournalRecord r : all.subList(Math.min(seen, all.size()), all.size())) {
        String step = r.field("step");
        if (r.type().equals(moment.event())
            && step != null
            && (moment.step() == null || moment.step().equals(step))) {
          return Optional.of(step);
        }
      }
      if (!engine.isAlive()) {
        return Optional.empty();
      }
      Thread.sleep(5);
    }
    return Optional.empty();
  }
}
