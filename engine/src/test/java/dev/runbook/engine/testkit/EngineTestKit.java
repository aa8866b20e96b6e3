package dev.runbook.engine.testkit;

import dev.runbook.dsl.LoadResult;
import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.RunbookLoader;
import dev.runbook.dsl.model.OnFailure;
import dev.runbook.engine.Engine;
import dev.runbook.engine.EngineContext;
import dev.runbook.engine.Interaction;
import dev.runbook.engine.Plan;
import dev.runbook.engine.ResumeOptions;
import dev.runbook.engine.RunOptions;
import dev.runbook.engine.RunResult;
import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.LockDir;
import dev.runbook.engine.journal.RunFold;
import dev.runbook.engine.journal.RunHistory;
import dev.runbook.engine.journal.RunSummary;
import dev.runbook.engine.journal.StateDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Runs runbooks in this JVM, as the CLI would but without a process per call: a runbook (YAML text
 * or a file) with parameters and a scripted operator, then the recorded listener events, the
 * journal's {@link RunFold} and counts, in milliseconds. For the engine's semantics; signals,
 * terminals and packaging are proven through the real CLI.
 *
 * <pre>{@code
 * EngineTestKit kit = EngineTestKit.in(tempDir);
 * KitResult r = kit.runbook(yaml).param("dir", "a").onFailure(OnFailure.ROLLBACK).run();
 * assertThat(r.status()).isEqualTo(RunResult.Status.ROLLED_BACK);
 * assertThat(r.events().compensated()).containsExactly("deploy", "stop");
 * }</pre>
 */
public final class EngineTestKit {
  private final Path dir;
  private final StateDir state;
  private int files;

  private EngineTestKit(Path dir) {
    this.dir = dir;
    this.state = new StateDir(dir.resolve("state"));
  }

  /** A kit whose runbooks, state directory and steps' files all live under {@code dir}. */
  public static EngineTestKit in(Path dir) {
    return new EngineTestKit(dir);
  }

  /** The directory runbooks are written to (and their relative paths resolve against). */
  public Path dir() {
    return dir;
  }

  /** The runs, as {@code runbook runs} sees them. */
  public RunHistory history() {
    return new RunHistory(state);
  }

  /** A run of {@code yaml}, written to a file of its own in {@link #dir()}. */
  public Launch runbook(String yaml) {
    return file(write("runbook-" + (++files) + ".yaml", yaml));
  }

  /** A run of the runbook in {@code file}. */
  public Launch file(Path file) {
    return new Launch(this, file, Optional.empty());
  }

  /** Writes {@code text} to {@code name} under {@link #dir()} and returns its path. */
  public Path write(String name, String text) {
    try {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A resume of run {@code runId}, with the runbook file it started with. */
  public Launch resume(String runId) {
    RunSummary run = history().get(runId);
    return new Launch(this, run.file(), Optional.of(run));
  }

  /** The journal of run {@code runId}, folded. */
  public RunFold journal(String runId) {
    return RunFold.of(history().journal(runId).records());
  }

  Engine engine(Map<String, String> env) {
    // A lock directory of the kit's own: kits of parallel builds never meet in the host's.
    return new Engine(
        new EngineContext(
            state, new LockDir(state.root().resolveSibling("locks")), env, Clock.systemUTC()));
  }

  /** One call of the engine being set up: parameters, policy, operator, then run it. */
  public static final class Launch {
    private final EngineTestKit kit;
    private final Path file;
    private final Optional<RunSummary> continued;
    private final Map<String, String> params = new LinkedHashMap<>();
    private final Map<String, String> env = new HashMap<>(System.getenv());
    private Optional<OnFailure> onFailure = Optional.empty();
    private Optional<String> failAfterAction = Optional.empty();
    private final ScriptedOperator operator = new ScriptedOperator();
    private boolean rerunInflight;
    private boolean skipInflight;
    private Optional<String> confirm = Optional.empty();
    private boolean acceptChanges;
    private boolean force;
    private final Set<String> skipCompensation = new LinkedHashSet<>();
    private Predicate<RecordingListener.Event> interruptAt = e -> false;
    private RuntimeException failAt;
    private Predicate<RecordingListener.Event> failWhen = e -> false;
    private final List<Map.Entry<Predicate<RecordingListener.Event>, Runnable>> hooks =
        new java.util.ArrayList<>();

    Launch(EngineTestKit kit, Path file, Optional<RunSummary> continued) {
      this.kit = kit;
      this.file = file;
      this.continued = continued;
    }

    public Launch param(String name, String value) {
      params.put(name, value);
      return this;
    }

    public Launch env(String name, String value) {
      env.put(name, value);
      return this;
    }

    public Launch onFailure(OnFailure policy) {
      onFailure = Optional.of(policy);
      return this;
    }

    /** The operator's answers, in the order the engine asks. */
    /** Makes step {@code stepId} fail right after its action succeeded (the run's fault point). */
    public Launch failAfterAction(String stepId) {
      failAfterAction = Optional.of(stepId);
      return this;
    }

    public Launch operator(Interaction.FailureChoice... choices) {
      operator.failures.addAll(List.of(choices));
      return this;
    }

    public Launch confirmations(Interaction.Confirmation... answers) {
      operator.confirmations.addAll(List.of(answers));
      return this;
    }

    public Launch inflightAnswers(Interaction.InflightChoice... answers) {
      operator.inflight.addAll(List.of(answers));
      return this;
    }

    public Launch rerunInflight() {
      rerunInflight = true;
      return this;
    }

    public Launch skipInflight() {
      skipInflight = true;
      return this;
    }

    public Launch confirm(String step) {
      confirm = Optional.of(step);
      return this;
    }

    public Launch acceptChanges() {
      acceptChanges = true;
      return this;
    }

    public Launch force() {
      force = true;
      return this;
    }

    public Launch skipCompensation(String step) {
      skipCompensation.add(step);
      return this;
    }

    /**
     * Interrupts the run, as SIGTERM does, at the first event {@code when} matches (from the
     * listener, so on the engine's own thread, before the event's work goes on).
     */
    public Launch interruptAt(Predicate<RecordingListener.Event> when) {
      interruptAt = when;
      return this;
    }

    /**
     * Runs {@code action} at the first event {@code when} matches, on the engine's thread before
     * the event's work goes on: to change the world at a chosen moment of the run.
     */
    public Launch at(Predicate<RecordingListener.Event> when, Runnable action) {
      hooks.add(Map.entry(when, action));
      return this;
    }

    /** Throws {@code error} from the listener at the first event {@code when} matches: a bug. */
    public Launch throwAt(Predicate<RecordingListener.Event> when, RuntimeException error) {
      failWhen = when;
      failAt = error;
      return this;
    }

    /** Runs, resumes or rolls back, and returns what happened. */
    public KitResult run() {
      return execute(false);
    }

    /** Rolls back the run this launch continues ({@link EngineTestKit#resume} of it). */
    public KitResult rollback() {
      return execute(true);
    }

    /** The offline plan {@link #run()} would execute, as {@code plan} makes it. */
    public Plan plan() {
      return plan(kit.engine(env));
    }

    private Plan plan(Engine engine) {
      LoadResult load = new RunbookLoader().load(file, file.toString());
      if (load.hasErrors()) {
        throw new IllegalArgumentException("not a valid runbook: " + load.problems());
      }
      Map<String, String> given = new LinkedHashMap<>();
      continued.ifPresent(r -> r.params().forEach((k, v) -> given.put(k, String.valueOf(v))));
      given.putAll(params);
      Parameters.Resolution resolution =
          Parameters.resolve(load.runbook().orElseThrow(), given, Optional.empty(), env);
      if (!resolution.problems().isEmpty()) {
        throw new IllegalArgumentException("parameters: " + resolution.problems());
      }
      return engine.plan(load.runbook().get(), load.called(), resolution, true);
    }

    private KitResult execute(boolean rollback) {
      Engine engine = kit.engine(env);
      RecordingListener listener =
          new RecordingListener(interruptAt, engine::interrupt, failWhen, failAt);
      hooks.forEach(h -> listener.at(h.getKey(), h.getValue()));
      Plan plan = plan(engine);
      RunOptions options = new RunOptions(onFailure, "test-kit", failAfterAction);
      RunResult result;
      if (continued.isEmpty()) {
        result = engine.run(plan, options, listener, operator);
      } else {
        RunSummary run = kit.history().get(continued.get().runId());
        Journal.Contents asRead = kit.history().journal(run.runId());
        Engine.Continuation continuation =
            new Engine.Continuation(
                run, asRead, acceptChanges, skipCompensation, force, listener::notice);
        result =
            rollback
                ? engine.rollback(plan, continuation, options, listener, operator)
                : engine.resume(
                    plan,
                    continuation,
                    options,
                    new ResumeOptions(rerunInflight, skipInflight, confirm),
                    listener,
                    operator);
      }
      return new KitResult(
          result, listener, kit.journal(result.runId()), kit.history().get(result.runId()));
    }
  }

  /** An operator who answers from queues; one who runs out answers as nobody at a terminal. */
  static final class ScriptedOperator implements Interaction {
    final Deque<FailureChoice> failures = new ArrayDeque<>();
    final Deque<Confirmation> confirmations = new ArrayDeque<>();
    final Deque<InflightChoice> inflight = new ArrayDeque<>();

    @Override
    public Confirmation confirm(String stepId, String message) {
      return confirmations.isEmpty() ? Confirmation.NOBODY : confirmations.poll();
    }

    @Override
    public FailureChoice onFailure(String stepId, String reason) {
      return failures.isEmpty() ? FailureChoice.STOP : failures.poll();
    }

    @Override
    public InflightChoice inflight(String stepId) {
      return inflight.isEmpty() ? InflightChoice.NOBODY : inflight.poll();
    }
  }

  /** What one call of the engine did. */
  public record KitResult(
      RunResult result, RecordingListener events, RunFold journal, RunSummary summary) {
    public RunResult.Status status() {
      return result.status();
    }

    public String runId() {
      return result.runId();
    }

    public int exitCode() {
      return result.status().exitCode();
    }

    /** The log of {@code step} (its output, the failure's last lines), as the run wrote it. */
    public String stepLog(String step) {
      try {
        return Files.readString(
            result.runDir().resolve("steps").resolve(step.replace('/', '.') + ".log"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Steps by the state the journal's fold gives them, e.g. {@code {a=succeeded, b=failed}}. */
    public Map<String, String> stepStates() {
      return journal.steps().stream()
          .collect(
              Collectors.toMap(
                  RunFold.StepView::id, s -> s.state().text(), (x, y) -> y, LinkedHashMap::new));
    }
  }
}
