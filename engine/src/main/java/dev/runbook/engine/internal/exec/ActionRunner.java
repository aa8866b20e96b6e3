package dev.runbook.engine.internal.exec;

import dev.runbook.dsl.Durations;
import dev.runbook.dsl.expr.ExpressionException;
import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.ActionVisitor;
import dev.runbook.dsl.model.DockerOperation;
import dev.runbook.dsl.model.Step;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.Interaction;
import dev.runbook.engine.internal.docker.ContainerSettings;
import dev.runbook.engine.internal.docker.ContainerTarget;
import dev.runbook.engine.internal.docker.DockerActionException;
import dev.runbook.engine.internal.docker.DockerActions;
import dev.runbook.engine.internal.docker.DockerInterruptedException;
import dev.runbook.engine.internal.docker.ReplacedContainer;
import dev.runbook.engine.internal.files.BackupManifest;
import dev.runbook.engine.internal.files.BackupResult;
import dev.runbook.engine.internal.files.CopyResult;
import dev.runbook.engine.internal.files.FileActionException;
import dev.runbook.engine.internal.files.FileActions;
import dev.runbook.engine.internal.files.RestoreResult;
import dev.runbook.engine.internal.probe.HttpProbe;
import dev.runbook.engine.internal.process.Leftovers;
import dev.runbook.engine.internal.process.LineListener;
import dev.runbook.engine.internal.process.Pause;
import dev.runbook.engine.internal.process.ProcessResult;
import dev.runbook.engine.internal.process.ProcessRunner;
import dev.runbook.engine.internal.process.ProcessSpec;
import dev.runbook.engine.internal.process.ProcessStartException;
import dev.runbook.engine.internal.process.ProcessWatch;
import dev.runbook.engine.internal.process.RunningProcess;
import dev.runbook.engine.internal.process.ShellScript;
import dev.runbook.engine.internal.process.StartedProcess;
import dev.runbook.engine.internal.process.StreamedOutput;
import dev.runbook.engine.internal.render.RenderedScript;
import dev.runbook.engine.internal.render.ShellTemplate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs one try of a step's action (every kind but {@code call}, which the executor expands).
 *
 * <p>Process output streams to the step's log in the run directory; only the last lines are kept in
 * memory.
 */
public final class ActionRunner {
  private final ProcessRunner processes;
  private final CheckRunner checks;
  private final DockerActions docker;
  private final FileActions files = new FileActions();
  private final AtomicReference<RunningProcess> current = new AtomicReference<>();

  public ActionRunner(ProcessRunner processes, CheckRunner checks, DockerActions docker) {
    this.processes = processes;
    this.checks = checks;
    this.docker = docker;
  }

  /** Where a step's output lives, and what to tell the operator about it. */
  public record StepFiles(Path log, Path stdout) {}

  private volatile boolean stopRequested;

  /**
   * Ends the process tree of the action running now, if any, ends waits early, and cuts short the
   * check or HTTP request that blocks now, wherever it runs (a precondition, a requirement, a
   * verify, a wait), and every later one (from a signal handler). Later actions are refused.
   */
  public void terminateCurrent() {
    stopRequested = true;
    checks.stopAll();
    RunningProcess process = current.get();
    if (process != null) {
      process.terminate();
    }
  }

  private volatile boolean stepStopRequested;

  /** Whether an action runs now: a step stop cuts short only the checks an action makes. */
  private volatile boolean acting;

  /** Ends the action running now (not the run): the step fails, "stopped by the operator". */
  public void stopCurrentStep() {
    stepStopRequested = true;
    if (acting) {
      checks.abortInFlight();
    }
    RunningProcess process = current.get();
    if (process != null) {
      process.terminate();
    }
  }

  private boolean pause(Duration d) {
    return Pause.sleep(d, () -> stopRequested || stepStopRequested);
  }

  /** Forgets an earlier step stop request: each step starts afresh. */
  private void newStep() {
    stepStopRequested = false;
  }

  /**
   * Runs one try of {@code step}'s action.
   *
   * @param journalId the step's id in the journal ({@code call_id/step_id} in a called runbook)
   * @param onReplace told, before anything changes, about a container a docker {@code run} with
   *     {@code replace: true} is about to stop and remove
   * @param output each line of output, masked
   * @param started told the pid of each process the action starts, right after it starts and before
   *     the action waits for it (the executor journals it, so that {@code resume} knows what may
   *     outlive a killed engine)
   */
  public Attempt attempt(
      String journalId,
      Step step,
      RunState state,
      Map<String, String> stepEnv,
      Path cwd,
      StepFiles files,
      Optional<Duration> timeout,
      Interaction interaction,
      Consumer<ReplacedContainer> onReplace,
      Consumer<String> output,
      ProcessWatch started) {
    newStep();
    acting = true;
    try {
      Attempt attempt =
          step.action()
              .accept(
                  new Visitor(
                      journalId,
                      step,
                      state,
                      stepEnv,
                      cwd,
                      files,
                      timeout,
                      interaction,
                      onReplace,
                      output,
                      started));
      // A reason may quote what a check compared with or a path: it goes to the journal and the
      // operator's screen, so no secret value may be in it.
      String shown = state.mask(attempt.reason());
      return shown.equals(attempt.reason())
          ? attempt
          : new Attempt(
              attempt.outcome(), shown, attempt.builtInOutputs(), attempt.stdout(), attempt.text());
    } catch (ExpressionException e) {
      // A value that cannot be resolved now (an env name this machine lacks, a field an output
      // does not have) fails the attempt like any other failure: journaled, retried, compensated.
      return Attempt.notStarted(state.mask(e.getMessage()));
    } finally {
      acting = false;
    }
  }

  /**
   * The built-in compensation of a docker {@code run} step with {@code replace: true} and no {@code
   * compensate}: removes the container the step created and creates the one it replaced again from
   * {@code record}.
   *
   * @param record what the step replaced, from the journal; empty when it replaced nothing
   */
  public Attempt restoreReplaced(
      String journalId,
      Step step,
      RunState state,
      Map<String, String> stepEnv,
      Path cwd,
      StepFiles files,
      Optional<ReplacedContainer> record,
      Consumer<String> output) {
    Visitor v =
        new Visitor(
            journalId,
            step,
            state,
            stepEnv,
            cwd,
            files,
            Optional.empty(),
            Interaction.unattended(false),
            r -> {},
            output,
            process -> {});
    DockerOperation.Run run = (DockerOperation.Run) ((Action.Docker) step.action()).operation();
    return v.docker(
        io -> {
          Map<String, String> env = new LinkedHashMap<>();
          run.env().forEach((k, t) -> env.put(k, v.text(t)));
          return docker.restoreReplaced(
              run.name().map(v::text).orElse(""),
              record,
              state.runId(),
              journalId,
              state.secretParamValues(),
              env,
              io);
        });
  }

  /**
   * The built-in outputs of a step whose action finished before the engine stopped and whose result
   * was never journaled, as far as they can be known without running it again: a backup's from its
   * manifest; none for other actions. Never null; may be empty.
   */
  public Map<String, Object> recoveredOutputs(
      Step step, RunState state, Map<String, String> stepEnv, Path cwd) {
    if (step.action() instanceof Action.Backup backup) {
      try {
        Path dir = state.resolvePath(backup.to(), stepEnv, cwd);
        return new LinkedHashMap<>(files.existingBackup(dir).outputs());
      } catch (ExpressionException | FileActionException e) {
        return Map.of();
      }
    }
    return Map.of();
  }

  /**
   * The outputs of {@code step}, exactly as its action would have produced them, if what is on disk
   * shows that its action finished: for a step found in flight on resume, whose result a crash kept
   * out of the journal. Only built-in actions that can tell from disk answer:
   *
   * <ul>
   *   <li>{@code backup}: the backup directory holds a manifest naming this run, this step ({@code
   *       journalId}), the same base and the same paths; the manifest is written before the rename
   *       that publishes the backup, so it is this attempt's complete backup;
   *   <li>{@code copy}: the destination holds the same tree as the source;
   *   <li>{@code restore}: every backed-up path under the destination holds what the backup's
   *       manifest lists.
   * </ul>
   *
   * Empty for every other action, for a step that declares outputs of its own (they come from what
   * it printed or wrote, not from the action's result), and whenever a path cannot be resolved or
   * read.
   *
   * @param journalId the step's id in the journal ({@code call_id/step_id} in a called runbook)
   */
  public Optional<Map<String, Object>> finishedOnDisk(
      String journalId, Step step, RunState state, Map<String, String> stepEnv, Path cwd) {
    if (!step.outputs().isEmpty()) {
      return Optional.empty();
    }
    try {
      Function<Template, Path> path = t -> state.resolvePath(t, stepEnv, cwd);
      Optional<? extends Map<String, String>> outputs = Optional.empty();
      if (step.action() instanceof Action.Backup backup) {
        List<Path> paths = backup.paths().stream().map(path).toList();
        outputs =
            files
                .finishedBackup(
                    paths,
                    cwd,
                    path.apply(backup.to()),
                    new BackupManifest.Origin(state.runId(), journalId))
                .map(BackupResult::outputs);
      } else if (step.action() instanceof Action.Copy copy) {
        outputs =
            files
                .finishedCopy(path.apply(copy.from()), path.apply(copy.to()))
                .map(CopyResult::outputs);
      } else if (step.action() instanceof Action.Restore restore) {
        outputs =
            files
                .finishedRestore(
                    path.apply(restore.from()),
                    path.apply(restore.to()),
                    state.journaledBackupDigest(path.apply(restore.from())))
                .map(RestoreResult::outputs);
      }
      return outputs.map(LinkedHashMap<String, Object>::new);
    } catch (ExpressionException e) {
      return Optional.empty();
    }
  }

  /**
   * Where a process step's stdout is copied for its outputs, if any of them reads it: most steps
   * declare none, and a file created per step is a fair share of what a short step costs.
   */
  public static Optional<Path> stdoutCopy(Step step, StepFiles files) {
    return step.outputs().values().stream().anyMatch(o -> o.file().isEmpty())
        ? Optional.of(files.stdout())
        : Optional.empty();
  }

  /**
   * The try of {@code step} that a process an engine which died had started makes, now that a
   * resume knows how that process ended: as if this engine had waited for it.
   */
  public Attempt adopted(Step step, ProcessResult result, StepFiles files) {
    Optional<Path> stdout = stdoutCopy(step, files);
    Map<String, Object> outputs = Map.of("exit_code", (long) result.exitCode());
    if (result.succeeded() && result.outputLost().isEmpty()) {
      return new Attempt(Attempt.Outcome.SUCCEEDED, "", outputs, stdout, Optional.empty());
    }
    if (result.succeeded()) {
      // An incomplete log, or a stdout file the outputs would be read from, is no success.
      return new Attempt(
          Attempt.Outcome.FAILED,
          "the command exited 0, but " + result.outputLost().get(),
          outputs,
          Optional.empty(),
          Optional.empty());
    }
    String last = CheckRunner.lastLine(result.tail()).map(l -> ": " + l).orElse("");
    return new Attempt(
        Attempt.Outcome.FAILED,
        "exit "
            + result.exitCode()
            + last
            + result.outputLost().map(lost -> "; " + lost).orElse(""),
        outputs,
        stdout,
        Optional.empty());
  }

  private final class Visitor implements ActionVisitor<Attempt> {
    private final String journalId;
    private final Consumer<ReplacedContainer> onReplace;
    private final Step step;
    private final RunState state;
    private final Map<String, String> stepEnv;
    private final Path cwd;
    private final StepFiles stepFiles;
    private final Optional<Duration> timeout;
    private final Interaction interaction;
    private final Consumer<String> output;
    private final ProcessWatch started;

    Visitor(
        String journalId,
        Step step,
        RunState state,
        Map<String, String> stepEnv,
        Path cwd,
        StepFiles stepFiles,
        Optional<Duration> timeout,
        Interaction interaction,
        Consumer<ReplacedContainer> onReplace,
        Consumer<String> output,
        ProcessWatch started) {
      this.journalId = journalId;
      this.onReplace = onReplace;
      this.step = step;
      this.state = state;
      this.stepEnv = stepEnv;
      this.cwd = cwd;
      this.stepFiles = stepFiles;
      this.timeout = timeout;
      this.interaction = interaction;
      this.output = output;
      this.started = started;
    }

    String text(Template t) {
      return state.resolve(t, stepEnv);
    }

    private Path path(Template t) {
      return state.resolvePath(t, stepEnv, cwd);
    }

    private Attempt process(List<String> argv, Map<String, String> extraEnv) {
      Map<String, String> env = new LinkedHashMap<>(state.childEnvironment(stepEnv));
      env.putAll(extraEnv);
      // Marks the process and what it starts as this run's, for a resume after the engine died.
      env.put(Leftovers.RUN_ID_VARIABLE, state.runId());
      env.put(Leftovers.STEP_VARIABLE, journalId);
      Optional<Path> stdout = stdoutCopy(step, stepFiles);
      ProcessSpec.Builder spec =
          ProcessSpec.builder(argv, cwd, stepFiles.log())
              .environment(env)
              .stdoutFile(stdout.orElse(null))
              .secrets(state.secretValues())
              .lineListener((LineListener) (source, line) -> output.accept(line));
      timeout.ifPresent(spec::timeout);
      if (stopRequested) {
        return new Attempt(
            Attempt.Outcome.INTERRUPTED,
            "interrupted",
            Map.of(),
            Optional.empty(),
            Optional.empty());
      }
      RunningProcess running;
      try {
        running = processes.start(spec.build());
      } catch (ProcessStartException e) {
        return Attempt.notStarted(state.mask(e.getMessage()));
      }
      current.set(running);
      if (stopRequested) {
        // The stop came between the check above and `current` being set: terminateCurrent found
        // no process to end, so this one ends itself.
        running.terminate();
      }
      try {
        started.started(new StartedProcess(running.pid(), running.outputDir()));
      } catch (RuntimeException e) {
        // Not journaled, so not to run on: a resume could not tell it ran.
        running.terminate();
        current.set(null);
        throw e;
      }
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
      if (!result.leftBehind().isEmpty()) {
        started.leftBehind(result.leftBehind());
      }
      Map<String, Object> outputs = Map.of("exit_code", (long) result.exitCode());
      if (result.succeeded() && result.outputLost().isEmpty()) {
        return new Attempt(Attempt.Outcome.SUCCEEDED, "", outputs, stdout, Optional.empty());
      }
      if (result.succeeded()) {
        // An incomplete log, or a stdout file the outputs would be read from, is no success.
        return new Attempt(
            Attempt.Outcome.FAILED,
            "the command exited 0, but " + result.outputLost().get(),
            outputs,
            Optional.empty(),
            Optional.empty());
      }
      String last = CheckRunner.lastLine(result.tail()).map(l -> ": " + l).orElse("");
      String reason;
      if (result.terminated() && stepStopRequested && !stopRequested) {
        stepStopRequested = false;
        return Attempt.failed("stopped by the operator (Ctrl-C)");
      }
      if (result.terminated()) {
        return new Attempt(
            Attempt.Outcome.INTERRUPTED,
            "stopped by a signal",
            outputs,
            Optional.empty(),
            Optional.empty());
      } else if (result.timedOut()) {
        reason = "timed out after " + Durations.format(timeout.orElseThrow());
      } else {
        reason = "exit " + result.exitCode() + last;
      }
      if (result.outputLost().isPresent()) {
        reason += "; " + result.outputLost().get();
      }
      return new Attempt(Attempt.Outcome.FAILED, reason, outputs, stdout, Optional.empty());
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
      // Validation keeps secret parameters and the env entries built from them off an argv; this
      // catches what it cannot see (an engine variable that happens to hold a secret).
      if (argv.stream().anyMatch(state::holdsSecret)) {
        return Attempt.failed(
            "a secret value would appear on the command line of `"
                + state.mask(argv.get(0))
                + "`, which other users can read; pass it through `env:`");
      }
      return process(argv, Map.of());
    }

    private boolean stopAsked() {
      return stopRequested || stepStopRequested;
    }

    /** The end of an attempt a stop request cut short: a run interrupt, or an operator's stop. */
    private Attempt stopped() {
      if (stepStopRequested && !stopRequested) {
        stepStopRequested = false;
        return Attempt.failed("stopped by the operator (Ctrl-C)");
      }
      return new Attempt(
          Attempt.Outcome.INTERRUPTED, "interrupted", Map.of(), Optional.empty(), Optional.empty());
    }

    @Override
    public Attempt visitHttp(Action.Http a) {
      HttpProbe.Result result = checks.http(a.request(), state, stepEnv, cwd);
      if (result.status().isEmpty() && stopAsked()) {
        return stopped(); // no response because the stop cut the exchange short
      }
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
            new LinkedHashMap<>(
                files
                    .backup(
                        paths,
                        cwd,
                        path(a.to()),
                        new BackupManifest.Origin(state.runId(), journalId))
                    .outputs()));
      } catch (FileActionException e) {
        return Attempt.failed(e.getMessage());
      }
    }

    @Override
    public Attempt visitRestore(Action.Restore a) {
      try {
        return Attempt.succeeded(
            new LinkedHashMap<>(
                files
                    .restore(
                        path(a.from()), path(a.to()), state.journaledBackupDigest(path(a.from())))
                    .outputs()));
      } catch (FileActionException e) {
        return Attempt.failed(e.getMessage());
      }
    }

    @Override
    public Attempt visitDocker(Action.Docker a) {
      return docker(io -> operation(a.operation(), io));
    }

    /**
     * Runs a docker operation with the step's output open: its notes and the container's output go
     * to the step log, its result lines to the stdout file; failures become the step's reason.
     */
    Attempt docker(Function<DockerActions.Io, DockerActions.Result> body) {
      StreamedOutput out;
      try {
        out =
            StreamedOutput.open(
                stepFiles.log(),
                Optional.of(stepFiles.stdout()),
                state.secretValues(),
                (source, line) -> output.accept(line));
      } catch (IOException e) {
        return Attempt.failed(
            "cannot open the step log " + stepFiles.log() + ": " + e.getMessage());
      }
      try {
        DockerActions.Io io =
            new DockerActions.Io(out, () -> stopRequested, timeout.map(t -> Instant.now().plus(t)));
        DockerActions.Result result = body.apply(io);
        if (result.failure().isPresent()) {
          String reason = out.mask(result.failure().get());
          return new Attempt(
              Attempt.Outcome.FAILED,
              reason,
              result.outputs(),
              Optional.of(stepFiles.stdout()),
              Optional.empty());
        }
        return new Attempt(
            Attempt.Outcome.SUCCEEDED,
            "",
            result.outputs(),
            Optional.of(stepFiles.stdout()),
            Optional.empty());
      } catch (DockerInterruptedException e) {
        out.note("asked to stop: gave up waiting for the Docker Engine");
        return new Attempt(
            Attempt.Outcome.INTERRUPTED,
            "stopped by a signal",
            Map.of(),
            Optional.empty(),
            Optional.empty());
      } catch (DockerActionException | ExpressionException e) {
        String reason = out.mask(e.getMessage());
        out.note(reason);
        return Attempt.failed(reason);
      } finally {
        out.close();
      }
    }

    private DockerActions.Result operation(DockerOperation op, DockerActions.Io io) {
      if (op instanceof DockerOperation.Pull p) {
        return docker.pull(text(p.image()), io);
      }
      if (op instanceof DockerOperation.Inspect i) {
        return docker.inspect(text(i.container()), io);
      }
      if (op instanceof DockerOperation.Run r) {
        Set<String> secretKeys = new HashSet<>();
        ContainerSettings settings = containerSettings(r, secretKeys);
        if (r.oneOff()) {
          return docker.runOneOff(settings, state.runId(), journalId, io);
        }
        return docker.run(
            settings,
            r.replace(),
            state.secretParamValues(),
            secretKeys,
            state.runId(),
            journalId,
            onReplace,
            io);
      }
      if (op instanceof DockerOperation.Stop s) {
        return docker.stop(target(s.target()), s.grace(), io);
      }
      if (op instanceof DockerOperation.Start s) {
        return docker.start(target(s.target()), io);
      }
      if (op instanceof DockerOperation.Remove r) {
        return docker.remove(target(r.target()), r.force(), io);
      }
      if (op instanceof DockerOperation.Exec e) {
        return docker.exec(text(e.container()), commandLine(e.command()), io);
      }
      if (op instanceof DockerOperation.WaitHealthy w) {
        String written = text(w.timeout());
        Optional<String> problem = Durations.problem(written, false);
        if (problem.isPresent()) {
          throw new DockerActionException(
              resolvedDuration("wait_healthy: timeout", w.timeout(), written, problem.get()));
        }
        Duration healthyTimeout = Durations.parse(written).orElseThrow();
        return docker.waitHealthy(text(w.container()), healthyTimeout, io);
      }
      if (op instanceof DockerOperation.Tag t) {
        return docker.tag(text(t.image()), text(t.as()), io);
      }
      if (op instanceof DockerOperation.Logs l) {
        return docker.logs(text(l.container()), l.tail(), io);
      }
      throw new IllegalStateException("no handler for the docker operation `" + op.key() + "`");
    }

    private ContainerTarget target(DockerOperation.Target t) {
      return t.name().isPresent()
          ? ContainerTarget.named(text(t.name().get()))
          : ContainerTarget.labelled(text(t.label().orElseThrow()));
    }

    /** A list is an argv; a single string is split on whitespace (no shell). */
    private List<String> commandLine(List<Template> command) {
      List<String> argv = new ArrayList<>();
      if (command.size() == 1) {
        for (String word : text(command.get(0)).strip().split("\\s+")) {
          if (!word.isEmpty()) {
            argv.add(word);
          }
        }
        return argv;
      }
      command.forEach(t -> argv.add(text(t)));
      return argv;
    }

    /**
     * The container a run step describes, resolved.
     *
     * @param secretKeys receives the environment variables whose value holds a secret
     */
    private ContainerSettings containerSettings(DockerOperation.Run r, Set<String> secretKeys) {
      List<String> env = new ArrayList<>();
      Set<String> secrets = state.secretValues();
      r.env()
          .forEach(
              (k, t) -> {
                String value = text(t);
                if (secrets.stream().anyMatch(value::contains)) {
                  secretKeys.add(k);
                }
                env.add(k + "=" + value);
              });
      List<String> binds = new ArrayList<>();
      for (Template m : r.mounts()) {
        binds.add(bind(text(m)));
      }
      Map<String, String> labels = new LinkedHashMap<>();
      r.labels().forEach((k, t) -> labels.put(k, text(t)));
      Optional<ContainerSettings.Health> health =
          r.health()
              .map(
                  h ->
                      new ContainerSettings.Health(
                          List.of("CMD-SHELL", text(h.cmd())),
                          Optional.of(h.interval()),
                          h.timeout(),
                          Optional.of(h.retries()),
                          h.startPeriod()));
      return new ContainerSettings(
          r.name().map(this::text).orElse(""),
          text(r.image()),
          env,
          r.command().isEmpty() ? Optional.empty() : Optional.of(commandLine(r.command())),
          Optional.empty(),
          "",
          "",
          labels,
          binds,
          r.network(),
          r.restart(),
          health,
          List.of(),
          List.of());
    }

    /**
     * A mount as the engine takes it: a relative host path ({@code ./data:/data}) is resolved
     * against the step's directory; a bare name is a volume.
     */
    private String bind(String mount) {
      int colon = mount.indexOf(':');
      String source = colon < 0 ? mount : mount.substring(0, colon);
      String rest = colon < 0 ? "" : mount.substring(colon);
      if (!source.startsWith("/") && (source.startsWith(".") || source.contains("/"))) {
        source = cwd.resolve(source).normalize().toString();
      }
      return source + rest;
    }

    @Override
    public Attempt visitWait(Action.Wait a) {
      String written = text(a.timeout());
      Optional<String> problem = Durations.problem(written, false);
      if (problem.isPresent()) {
        return Attempt.failed(
            resolvedDuration("wait: timeout", a.timeout(), written, problem.get()));
      }
      Optional<Duration> waitTimeout = Durations.parse(written);
      // The step's own timeout, when shorter, is the limit: the message names the one that ended
      // it.
      Duration limit =
          timeout.filter(t -> t.compareTo(waitTimeout.get()) < 0).orElse(waitTimeout.get());
      Instant deadline = Instant.now().plus(limit);
      CheckOutcome last;
      while (true) {
        last = checks.evaluate(a.until(), state, stepEnv, cwd, stepFiles.log().getParent());
        if (last.holds()) {
          return Attempt.succeeded(Map.of());
        }
        if (stopAsked()) {
          return stopped(); // the stop may have cut the check short: its outcome says nothing
        }
        long remaining = Duration.between(Instant.now(), deadline).toMillis();
        if (remaining <= 0) {
          break;
        }
        // The last look is at the deadline itself, not one interval before it.
        if (!pause(Duration.ofMillis(Math.min(a.interval().toMillis(), remaining)))) {
          return stopped();
        }
      }
      return Attempt.failed(
          "still not true after "
              + Durations.format(limit)
              + ": "
              + CheckRunner.name(a.until(), state.bindings(stepEnv, List.of()))
              + " ("
              + last.detail()
              + ")");
    }

    @Override
    public Attempt visitConfirm(Action.Confirm a) {
      // Shown on the terminal and, when nobody answers, journaled as the reason for the pause.
      String message = state.mask(text(a.message()));
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

  /**
   * Why a duration given as an expression cannot be used once resolved: {@code wait: timeout `${{
   * params.t }}` is `0s`, which is zero: … (rb.yaml:7:12)}. The same bounds as a written one.
   */
  static String resolvedDuration(String what, Template written, String value, String problem) {
    return what
        + " `"
        + written.source()
        + "` is `"
        + value
        + "`"
        + (problem.startsWith("is not a duration")
            ? ", not a duration such as 30s or 2m"
            : ", which " + problem)
        + " ("
        + written.location()
        + ")";
  }
}
