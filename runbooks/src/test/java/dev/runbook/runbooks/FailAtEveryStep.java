package dev.runbook.runbooks;

import dev.runbook.cli.CliProcess;
import dev.runbook.engine.journal.JournalRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * A failure injected at each step in turn, each on a fresh installation of its own and all of them
 * in parallel: the installation's state before and after the run, and the run's journal, go to the
 * application's assertions.
 *
 * @param <I> the application's installation
 * @param <S> the state its assertions compare
 */
public final class FailAtEveryStep<I extends Installation, S> {
  /**
   * One way to make {@code step} fail; {@code preconditions} when the preconditions see the fault
   * first and the run stops before any step.
   */
  public record Injection<I extends Installation>(
      String step, String how, boolean preconditions, Installation.Breakage<I> breakage) {
    public Injection(String step, String how, Installation.Breakage<I> breakage) {
      this(step, how, false, breakage);
    }

    public String name() {
      return step + ": " + how;
    }
  }

  /** How one injected failure ended. */
  public record Outcome<S>(
      CliProcess.Result result, S before, S after, List<JournalRecord> journal, long millis) {
    public String describe() {
      return Installation.describe(result);
    }

    /** Whether the run's journal has a record of {@code type}. */
    public boolean journaled(String type) {
      return journal.stream().anyMatch(r -> r.type().equals(type));
    }
  }

  /** The application's assertions about one outcome. */
  @FunctionalInterface
  public interface Assertion<I extends Installation, S> {
    void check(Injection<I> injection, Outcome<S> outcome) throws Exception;
  }

  private final String app;
  private final Installation.Factory<I> factory;
  private final Installation.Snapshot<I, S> snapshot;
  private final ExecutorService pool;

  public FailAtEveryStep(
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
   * One dynamic test per injection, named {@code STEP: HOW}; the installations are named {@code
   * PREFIX-N-STEP}.
   */
  public Stream<DynamicTest> each(
      String prefix, List<Injection<I>> injections, Assertion<I, S> assertion) {
    Map<Injection<I>, Future<Outcome<S>>> running = new LinkedHashMap<>();
    int n = 0;
    for (Injection<I> injection : injections) {
      String name = prefix + "-" + n++ + "-" + injection.step();
      running.put(injection, pool.submit(() -> run(name, injection.breakage())));
    }
    List<DynamicTest> tests = new ArrayList<>();
    running.forEach(
        (injection, future) ->
            tests.add(
                DynamicTest.dynamicTest(
                    injection.name(),
                    () -> {
                      Outcome<S> o = future.get();
                      System.out.println(
                          app
                              + ": failure at "
                              + injection.step()
                              + ": exit "
                              + o.result().exitCode()
                              + " after "
                              + o.millis()
                              + " ms");
                      assertion.check(injection, o);
                    })));
    return tests.stream();
  }

  private Outcome<S> run(String name, Installation.Breakage<I> breakage) throws Exception {
    try (I i = factory.fresh(name)) {
      Map<String, String> env = breakage.apply(i);
      S before = snapshot.of(i);
      long start = System.nanoTime();
      CliProcess.Result result = i.upgrade(env);
      long millis = (System.nanoTime() - start) / 1_000_000;
      S after = snapshot.of(i);
      List<JournalRecord> journal =
          Journals.files(i.stateDir()).isEmpty()
              ? List.of()
              : Journals.onlyRunRecords(i.stateDir());
      return new Outcome<>(result, before, after, journal, millis);
    }
  }
}
