package dev.runbook.engine.internal.exec;

import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.ActionVisitor;
import dev.runbook.dsl.model.Step;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.Interaction;
import dev.runbook.engine.internal.files.FileActionException;
import dev.runbook.engine.internal.files.FileActions;
import dev.runbook.engine.internal.probe.HttpProbe;
import dev.runbook.engine.internal.process.LineListener;
import dev.runbook.engine.internal.process.ProcessResult;
import dev.runbook.engine.internal.process.ProcessRunner;
import dev.runbook.engine.internal.process.ProcessSpec;
import dev.runbook.engine.internal.process.ProcessStartException;
import dev.runbook.engine.internal.process.RunningProcess;
import dev.runbook.engine.internal.process.ShellScript;
import dev.runbook.engine.internal.render.RenderedScript;
import dev.runbook.engine.internal.render.ShellTemplate;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Runs one try of a step's action (every kind but {@code call}, which the executor expands).
 *
 * <p>Process output streams to the step's log in the run directory; only the last lines are kept in
 * memory.
 */
public final class ActionRunner {
  private final ProcessRunner processes;
  private final CheckRunner checks;
  private final FileActions files = new FileActions();
  private final AtomicReference<RunningProcess> current = new AtomicReference<>();

  public ActionRunner(ProcessRunner processes, CheckRunner checks) {
    this.processes = processes;
    this.checks = checks;
  }

  /** Where a step's output lives, and what to tell the operator about it. */
  public record StepFiles(Path log, Path stdout) {}

  private volatile boolean stopRequested;

  /**
   * Ends the process tree of the action running now, if any, and ends waits early (from a signal
   * handler). Later actions are refused.
   */
  public void terminateCurrent() {
    stopRequested = true;
    RunningProcess process = current.get();
    if (process != null) {
      process.terminate();
    }
  }

  private boolean pause(Duration d) {
    return Pause.sleep(d, () -> stopRequested);
  }

  public Attempt attempt(
      Step step,
      RunState state,
      Map<String, String> stepEnv,
      Path cwd,
      StepFiles files,
      Optional<Duration> timeout,
      Interaction interaction,
      Consumer<String> output) {
    return step.action()
        .accept(new Visitor(step, state, stepEnv, cwd, files, timeout, interaction, output));
  }

  private final class Visitor implements ActionVisitor<Attempt> {
    private final Step step;
    private final RunState state;
    private final Map<String, String> stepEnv;
    private final Path cwd;
    private final StepFiles stepFiles;
    private final Optional<Duration> timeout;
    private final Interaction interaction;
    private final Consumer<String> output;

    Visitor(
        Step step,
        RunState state,
        Map<String, String> stepEnv,
        Path cwd,
        StepFiles stepFiles,
        Optional<Duration> timeout,
        Interaction interaction,
        Consumer<String> output) {
      this.step = step;
      this.state = state;
      this.stepEnv = stepEnv;
      this.cwd = cwd;
      this.stepFiles = stepFiles;
      this.timeout = timeout;
      this.interaction = interaction;
      this.output = output;
    }

    private String text(Template t) {
      return state.resolve(t, stepEnv);
    }

    private Path path(Template t) {
      return cwd.resolve(text(t)).normalize();
    }

    private Attempt process(List<String> argv, Map<String, String> extraEnv) {
      Map<String, String> env = new LinkedHashMap<>(state.childEnvironment(stepEnv));
      env.putAll(extraEnv);
      ProcessSpec.Builder spec =
          ProcessSpec.builder(argv, cwd, stepFiles.log())
              .environment(env)
              .stdoutFile(stepFiles.stdout())
              .secrets(state.secretValues())
              .lineListener((LineListener) (source, line) -> output.accept(line));
      timeout.ifPresent(spec::timeout);
      RunningProcess running;
      try {
        running = processes.start(spec.build());
      } catch (ProcessStartException e) {
        return Attempt.failed(e.getMessage());
      }
      current.set(running);
      ProcessResult result;
      try {
        result = running.await();
      } catch (InterruptedException e) {
        running.terminate();
        Thread.currentThread().interrupt();
        return new Attempt(
            Attempt.Outcome.INTERRUPTED,
            "interrupted",
            Map.of(),
            Optional.empty(),
            Optional.empty());
      } finally {
        current.set(null);
      }
      Map<String, Object> outputs = Map.of("exit_code", (long) result.exitCode());
      if (result.succeeded()) {
        return new Attempt(
            Attempt.Outcome.SUCCEEDED,
            "",
            outputs,
            Optional.of(stepFiles.stdout()),
            Optional.empty());
      }
      String last = CheckRunner.lastLine(result.tail()).map(l -> ": " + l).orElse("");
      String reason;
      if (result.terminated()) {
        return new Attempt(
            Attempt.Outcome.INTERRUPTED,
            "stopped by a signal",
            outputs,
            Optional.empty(),
            Optional.empty());
      } else if (result.timedOut()) {
        reason = "timed out after " + dev.runbook.dsl.Durations.format(timeout.orElseThrow());
      } else {
        reason = "exit " + result.exitCode() + last;
      }
      return new Attempt(
          Attempt.Outcome.FAILED,
          reason,
          outputs,
          Optional.of(stepFiles.stdout()),
          Optional.empty());
    }

    @Override
    public Attempt visitRun(Action.Run a) {
      RenderedScript script = ShellTemplate.render(a.script(), state.bindings(stepEnv, List.of()));
      return process(ShellScript.argv(a.shell(), script.script()), script.environment());
    }

    @Override
    public Attempt visitExec(Action.Exec a) {
      List<String> argv = new ArrayList<>();
      for (Template t : a.argv()) {
        argv.add(text(t));
      }
      return process(argv, Map.of());
    }

    @Override
    public Attempt visitHttp(Action.Http a) {
      HttpProbe.Result result = checks.http(a.request(), state, stepEnv, cwd);
      Map<String, Object> outputs = new LinkedHashMap<>();
      result.status().ifPresent(s -> outputs.put("status", (long) s));
      outputs.put("body", result.body());
      if (result.outcome().holds()) {
        return new Attempt(
            Attempt.Outcome.SUCCEEDED, "", outputs, Optional.empty(), Optional.of(result.body()));
      }
      return new Attempt(
          Attempt.Outcome.FAILED,
          result.outcome().detail(),
          outputs,
          Optional.empty(),
          Optional.of(result.body()));
    }

    @Override
    public Attempt visitCopy(Action.Copy a) {
      try {
        return Attempt.succeeded(
            new LinkedHashMap<>(files.copy(path(a.from()), path(a.to())).outputs()));
      } catch (FileActionException e) {
        return Attempt.failed(e.getMessage());
      }
    }

    @Override
    public Attempt visitBackup(Action.Backup a) {
      try {
        List<Path> paths = new ArrayList<>();
        for (Template t : a.paths()) {
          paths.add(path(t));
        }
        return Attempt.succeeded(
            new LinkedHashMap<>(files.backup(paths, cwd, path(a.to())).outputs()));
      } catch (FileActionException e) {
        return Attempt.failed(e.getMessage());
      }
    }

    @Override
    public Attempt visitRestore(Action.Restore a) {
      try {
        return Attempt.succeeded(
            new LinkedHashMap<>(files.restore(path(a.from()), path(a.to())).outputs()));
      } catch (FileActionException e) {
        return Attempt.failed(e.getMessage());
      }
    }

    @Override
    public Attempt visitDocker(Action.Docker a) {
      return Attempt.failed(
          "docker steps need the Docker Engine support, which this build does not include yet");
    }

    @Override
    public Attempt visitWait(Action.Wait a) {
      String written = text(a.timeout());
      Optional<Duration> limit = dev.runbook.dsl.Durations.parse(written);
      if (limit.isEmpty()) {
        return Attempt.failed(
            "wait: timeout `"
                + a.timeout().source()
                + "` is `"
                + written
                + "`, not a duration such as 30s or 2m");
      }
      Duration waitTimeout = limit.get();
      Instant deadline =
          Instant.now().plus(timeout.filter(t -> t.compareTo(waitTimeout) < 0).orElse(waitTimeout));
      CheckOutcome last;
      while (true) {
        last = checks.evaluate(a.until(), state, stepEnv, cwd, stepFiles.log().getParent());
        if (last.holds()) {
          return Attempt.succeeded(Map.of());
        }
        if (Instant.now().plus(a.interval()).isAfter(deadline)) {
          break;
        }
        if (!pause(a.interval())) {
          return new Attempt(
              Attempt.Outcome.INTERRUPTED,
              "interrupted",
              Map.of(),
              Optional.empty(),
              Optional.empty());
        }
      }
      return Attempt.failed(
          "still not true after "
              + dev.runbook.dsl.Durations.format(waitTimeout)
              + ": "
              + CheckRunner.name(a.until(), state.bindings(stepEnv, List.of()))
              + " ("
              + last.detail()
              + ")");
    }

    @Override
    public Attempt visitConfirm(Action.Confirm a) {
      String message = text(a.message());
      return switch (interaction.confirm(step.id(), message)) {
        case YES -> Attempt.succeeded(Map.of());
        case NO ->
            new Attempt(
                Attempt.Outcome.DECLINED,
                "the operator said no",
                Map.of(),
                Optional.empty(),
                Optional.empty());
        case NOBODY ->
            new Attempt(
                Attempt.Outcome.PAUSED,
                "waiting for a confirmation: " + message,
                Map.of(),
                Optional.empty(),
                Optional.empty());
      };
    }

    @Override
    public Attempt visitCall(Action.Call a) {
      throw new IllegalStateException("call steps are expanded by the executor");
    }
  }
}
