package dev.runbook.engine.rehearsal;

import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.Step;
import dev.runbook.engine.Plan;
import dev.runbook.engine.PlannedStep;
import dev.runbook.engine.journal.JournalEvent;
import dev.runbook.engine.journal.JournalRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rehearses a runbook on a staging copy of the system: a clean run (its end state is what "done"
 * means), a failure injected after every step that changes something (each must end rolled back,
 * exit 1, in the starting state), and kills at seeded journal-anchored moments, each resumed until
 * the run ends (each must end as the clean run did, or, killed while rolling back, as it started).
 * Before every trial the reset command brings the copy back to its start.
 */
public final class Rehearsal {
  /**
   * What to rehearse and how.
   *
   * @param reset brings the staging copy back to its start before every trial
   * @param kills how many kill trials
   * @param seed chooses the kill moments: the same seed, the same moments
   * @param only the steps whose trials run; empty for every step
   * @param workDir where each trial's state directory (runs, output) goes
   */
  public record Options(
      Launcher launcher,
      ShellCommand reset,
      SystemState state,
      int kills,
      long seed,
      Set<String> only,
      Path workDir) {
    public Options {
      only = Set.copyOf(only);
    }
  }

  /**
   * The trials and how they ended.
   *
   * @param seed replays the same kill moments
   */
  public record Report(long seed, List<Trial> trials, Path workDir) {
    public Report {
      trials = List.copyOf(trials);
    }

    public boolean passed() {
      return !trials.isEmpty() && trials.stream().allMatch(Trial::passed);
    }
  }

  private final Plan plan;
  private final Options options;
  private final RehearsalListener listener;
  private final List<Trial> trials = new ArrayList<>();
  private final Map<String, Step> steps = new LinkedHashMap<>();
  private int total;

  /** Where the clean run started: where every later trial must start too. */
  private StateSnapshot firstStart;

  public Rehearsal(Plan plan, Options options, RehearsalListener listener) {
    this.plan = plan;
    this.options = options;
    this.listener = listener;
    index(plan.steps());
  }

  private void index(List<PlannedStep> planned) {
    for (PlannedStep p : planned) {
      steps.put(p.id(), p.step());
      index(p.children());
    }
  }

  /** Runs every trial, one after the other; never throws for a trial that failed. */
  public Report rehearse() throws IOException, InterruptedException {
    total =
        1
            + (int)
                steps.entrySet().stream().filter(e -> injectable(e.getKey(), e.getValue())).count()
            + options.kills();
    Outcome clean = trial(Trial.Kind.CLEAN, Optional.empty(), Optional.empty(), Optional.empty());
    if (!clean.trial.passed()) {
      return report(); // nothing else means anything if the runbook does not even run
    }
    StateSnapshot start = clean.start;
    StateSnapshot done = clean.end;
    List<String> ran = startedSteps(clean.records);
    List<String> injected = ran.stream().filter(id -> injectable(id, steps.get(id))).toList();
    total = 1 + injected.size() + options.kills();
    Map<String, List<JournalRecord>> rollbacks = new LinkedHashMap<>();
    for (String step : injected) {
      Outcome o =
          trial(Trial.Kind.FAILURE, Optional.of(step), Optional.empty(), Optional.of(start));
      rollbacks.put(step, o.records);
    }
    List<KillMoment> moments =
        KillMoments.choose(
            clean.records, rollbacks, options.only(), options.kills(), options.seed());
    total = 1 + injected.size() + moments.size();
    for (KillMoment moment : moments) {
      trial(
          Trial.Kind.KILL,
          moment.step().or(moment::failAfter),
          Optional.of(moment),
          Optional.of(moment.failAfter().isPresent() ? start : done));
    }
    return report();
  }

  private Report report() {
    return new Report(options.seed(), trials, options.workDir());
  }

  /** A trial's result, with what later trials compare against. */
  private record Outcome(
      Trial trial, StateSnapshot start, StateSnapshot end, List<JournalRecord> records) {}

  /**
   * One trial: reset, the state at the start, the run (with its fault or its kill), the state at
   * the end, compared with {@code mustEnd} (for a clean run: nothing).
   */
  private Outcome trial(
      Trial.Kind kind,
      Optional<String> step,
      Optional<KillMoment> kill,
      Optional<StateSnapshot> reference)
      throws IOException, InterruptedException {
    int number = trials.size() + 1;
    long began = System.nanoTime();
    Optional<String> failAfter =
        kind == Trial.Kind.FAILURE ? step : kill.flatMap(KillMoment::failAfter);
    boolean mustRollBack = failAfter.isPresent();
    String injected =
        kill.map(KillMoment::describe)
            .orElse(failAfter.map(s -> "failure after the action of " + s).orElse("none"));
    listener.trialStarted(
        number, total, kind.text() + step.map(s -> " " + s).orElse("") + ": " + injected);
    Path stateDir = options.workDir().resolve("trial-" + number);
    List<String> notes = new ArrayList<>();
    List<String> differences = new ArrayList<>();
    ShellCommand.Result reset = options.reset().run(Duration.ofMinutes(30));
    String expected =
        mustRollBack ? "rolled back (exit 1), state as at the start" : "succeeded (exit 0)";
    if (reset.exitCode() != 0) {
      String why = lastLine(reset.stderr().isBlank() ? reset.stdout() : reset.stderr());
      return finish(
          new Trial(
              number,
              kind,
              step,
              injected,
              expected,
              "reset failed (exit " + reset.exitCode() + (why.isEmpty() ? "" : ": " + why) + ")",
              List.of(),
              List.of(),
              List.of(),
              false,
              elapsed(began),
              Optional.empty(),
              stateDir.toString()),
          null,
          null,
          List.of());
    }
    StateSnapshot start = options.state().snapshot();
    if (kind != Trial.Kind.CLEAN && !trials.isEmpty()) {
      // Every trial must start where the clean run started, or its comparison says nothing.
      StateSnapshot first = firstStart;
      for (String d : start.differencesFrom(first)) {
        differences.add("reset did not restore the start: " + d);
      }
    } else {
      firstStart = start;
    }
    TrialRun.Ended ended = new TrialRun(options.launcher(), stateDir).run(failAfter, kill);
    notes.addAll(ended.notes());
    StateSnapshot end = options.state().snapshot();
    int wantExit = mustRollBack ? 1 : 0;
    String got = got(ended);
    List<String> expectedDifferences = new ArrayList<>();
    if (reference.isPresent()) {
      List<String> diff = end.differencesFrom(mustRollBack ? start : reference.get());
      List<String> irreversible = mustRollBack ? irreversibleUpTo(ended.records()) : List.of();
      if (!irreversible.isEmpty() && !diff.isEmpty()) {
        expectedDifferences.addAll(diff);
        irreversible.forEach(i -> notes.add("irreversible: " + i));
      } else {
        differences.addAll(diff);
      }
      if (!mustRollBack) {
        expected = "succeeded (exit 0), state as after the clean run";
      }
    }
    boolean passed = ended.exitCode() == wantExit && differences.isEmpty();
    Trial trial =
        new Trial(
            number,
            kind,
            step,
            injected,
            expected,
            got,
            differences,
            expectedDifferences,
            notes,
            passed,
            elapsed(began),
            ended.runId(),
            stateDir.toString());
    return finish(trial, start, end, ended.records());
  }

  private Outcome finish(
      Trial trial, StateSnapshot start, StateSnapshot end, List<JournalRecord> records) {
    trials.add(trial);
    listener.trialFinished(trial);
    return new Outcome(trial, start, end, records);
  }

  private static String got(TrialRun.Ended ended) {
    String how =
        switch (ended.exitCode()) {
          case 0 -> "succeeded";
          case 1 -> "rolled back";
          case 3 -> "preconditions unmet";
          case 4 -> "needs the operator";
          case 5 -> "locked";
          case 130 -> "interrupted";
          case -1 -> "timed out";
          default -> "ended";
        };
    String resumed =
        ended.killed()
            ? ", after "
                + ended.records().stream().filter(r -> r.type().equals("resumed")).count()
                + " resume(s)"
            : "";
    return how + " (exit " + ended.exitCode() + ")" + resumed;
  }

  /** The irreversible steps that started in the run, with their reason. */
  private List<String> irreversibleUpTo(List<JournalRecord> records) {
    Set<String> out = new LinkedHashSet<>();
    for (String id : startedSteps(records)) {
      Step s = steps.get(id);
      if (s != null && s.irreversible().isPresent()) {
        out.add("`" + id + "`: " + s.irreversible().get());
      }
    }
    return List.copyOf(out);
  }

  /** The steps whose action started in a run, in the order they first started. */
  static List<String> startedSteps(List<JournalRecord> records) {
    Set<String> ids = new LinkedHashSet<>();
    for (JournalRecord r : records) {
      if (r.event() instanceof JournalEvent.StepStarted started) {
        ids.add(started.step());
      }
    }
    return List.copyOf(ids);
  }

  /**
   * Whether a failure after this step's action says anything: it changes something (not a wait, an
   * http GET or HEAD, or a confirmation), it is not a call (its own steps are injected), and the
   * operator did not leave it out with {@code --only}.
   */
  private boolean injectable(String id, Step step) {
    if (step == null || (!options.only().isEmpty() && !options.only().contains(id))) {
      return false;
    }
    Action a = step.action();
    boolean readOnly =
        a instanceof Action.Wait
            || a instanceof Action.Confirm
            || a instanceof Action.Call
            || (a instanceof Action.Http http
                && (http.request().method().equals("GET")
                    || http.request().method().equals("HEAD")));
    return !readOnly;
  }

  private static Duration elapsed(long began) {
    return Duration.ofNanos(System.nanoTime() - began);
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1];
  }
}
