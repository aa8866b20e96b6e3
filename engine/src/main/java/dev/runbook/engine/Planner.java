package dev.runbook.engine;

import dev.runbook.dsl.CappedFile;
import dev.runbook.dsl.Durations;
import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.RunbookLoader;
import dev.runbook.dsl.expr.ExpressionException;
import dev.runbook.dsl.expr.ExpressionLanguage;
import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.Check;
import dev.runbook.dsl.model.DockerOperation;
import dev.runbook.dsl.model.Requirement;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.dsl.model.Step;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.internal.docker.BuiltInCompensation;
import dev.runbook.engine.internal.docker.DockerActionException;
import dev.runbook.engine.internal.exec.CheckRunner;
import dev.runbook.engine.internal.exec.RunState;
import dev.runbook.engine.internal.render.Bindings;
import dev.runbook.engine.internal.render.RenderedValue;
import dev.runbook.engine.internal.render.ValueTemplate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns a validated runbook and its parameters into a {@link Plan}: a pure function of runbook ×
 * parameters × live checks. Checks are read-only, so planning may evaluate the preconditions;
 * {@code offline} skips them.
 *
 * <p>What cannot be known before running (a step's output, a {@code when} that reads one) is named,
 * never guessed.
 */
public final class Planner {
  /** Stands for the run's directory before the run exists. */
  static final String PLANNED_RUN_ID = "<run id>";

  private final EngineContext context;

  public Planner(EngineContext context) {
    this.context = context;
  }

  public Plan plan(
      Runbook runbook, Map<Path, Runbook> called, Parameters.Resolution params, boolean offline) {
    RunState state = planningState(runbook, params.values());
    List<PlannedCheck> preconditions = new ArrayList<>();
    Bindings none = state.bindings(Map.of(), List.of());
    for (Check check : runbook.preconditions()) {
      Optional<CheckOutcome> live =
          offline
              ? Optional.empty()
              : Optional.of(
                  context
                      .checks()
                      .evaluate(check, state, Map.of(), baseDir(runbook), context.scratchDir()));
      String description;
      try {
        description = CheckRunner.describe(check, none);
      } catch (ExpressionException e) {
        description = CheckRunner.name(check, none); // names what cannot be resolved
      }
      preconditions.add(new PlannedCheck(CheckRunner.name(check, none), description, live));
    }
    Scope scope = Scope.of(runbook, state, "");
    List<PlannedStep> steps = planSteps(called, scope, runbook.steps());
    List<PlannedStep> finallySteps = planSteps(called, scope, runbook.finallySteps());
    return new Plan(
        runbook,
        lockName(runbook, none),
        called,
        params.values(),
        preconditions,
        steps,
        finallySteps,
        offline,
        digest(runbook, called, params.values()));
  }

  /**
   * The run lock's name: the runbook's {@code lock:} resolved against the parameters (all it may
   * read), else its name. A name that resolves to nothing, or to control characters that would
   * garble the refusal that shows it, is refused.
   */
  private static String lockName(Runbook runbook, Bindings params) {
    if (runbook.lock().isEmpty()) {
      return runbook.name();
    }
    Template lock = runbook.lock().get();
    String name;
    try {
      name = ValueTemplate.render(lock, params).textIfKnown().orElse("");
    } catch (ExpressionException e) {
      throw invalidLock(lock, e.getMessage());
    }
    if (name.isBlank()) {
      throw invalidLock(lock, "`" + lock.source() + "` resolves to an empty name");
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw invalidLock(lock, "`" + lock.source() + "` resolves to a name with control characters");
    }
    return name;
  }

  private static RunbookException invalidLock(Template lock, String why) {
    return new RunbookException(
        ErrorCode.INVALID_INPUT,
        List.of(lock.location() + ": error: lock: " + why),
        "the run lock has no name; nothing was run",
        "give the parameters the lock reads a value that names what the run changes",
        null);
  }

  private RunState planningState(Runbook runbook, Map<String, Parameters.Value> values) {
    RunState state =
        new RunState(
            values,
            context.environment(),
            PLANNED_RUN_ID,
            context.state().runs().resolve(PLANNED_RUN_ID));
    try {
      state.resolveRunbookEnv(runbook.env());
    } catch (ExpressionException e) {
      // shown where the env is used; the plan itself stays printable
    }
    return state;
  }

  static Path baseDir(Runbook runbook) {
    Path parent = runbook.file().getParent();
    return parent == null ? Path.of(".").toAbsolutePath() : parent;
  }

  /**
   * What every value of one runbook's steps is resolved against, built once per runbook planned
   * (the plan's own, and each one reached through {@code call}), never once per step.
   *
   * <p>Nothing has run when a plan is made: every value read from a step of this runbook is named,
   * not guessed, so every step without an {@code env} of its own sees the same bindings. Made per
   * step they made planning quadratic in the number of steps.
   *
   * @param pending the runbook's steps, whose outputs are not known yet
   * @param bindings the bindings of a step without an {@code env} of its own
   * @param prefix what a step's id is prefixed with: {@code call_id/} inside a called runbook
   */
  private record Scope(
      Runbook runbook, RunState state, List<String> pending, Bindings bindings, String prefix) {
    static Scope of(Runbook runbook, RunState state, String prefix) {
      List<String> pending = runbook.steps().stream().map(Step::id).toList();
      return new Scope(runbook, state, pending, state.bindings(Map.of(), pending), prefix);
    }
  }

  /** Plans {@code steps} in order. */
  private List<PlannedStep> planSteps(Map<Path, Runbook> called, Scope scope, List<Step> steps) {
    List<PlannedStep> planned = new ArrayList<>();
    for (Step step : steps) {
      planned.add(planStep(called, scope, step));
    }
    return planned;
  }

  private PlannedStep planStep(Map<Path, Runbook> called, Scope scope, Step step) {
    RunState state = scope.state();
    List<String> pending = scope.pending();
    String prefix = scope.prefix();
    StepEnv env = stepEnv(step, state, pending);
    Bindings before =
        step.env().isEmpty() ? scope.bindings() : state.bindings(env.shown(), pending);
    PlannedStep.Decision decision = PlannedStep.Decision.RUN;
    String reason = "";
    if (step.when().isPresent()) {
      var when = ExpressionLanguage.standard().compile(step.when().get());
      List<String> reads = pendingReads(when.references(), pending);
      if (!reads.isEmpty()) {
        decision = PlannedStep.Decision.DECIDED_AT_RUN;
        reason =
            "when `"
                + step.when().get().source()
                + "`: known after `"
                + String.join("`, `", reads)
                + "` "
                + (reads.size() == 1 ? "runs" : "run");
      } else {
        try {
          boolean yes = when.test(state.variables(env.known()));
          decision = yes ? PlannedStep.Decision.RUN : PlannedStep.Decision.SKIP;
          reason = "when `" + step.when().get().source() + "` is " + yes;
        } catch (ExpressionException e) {
          decision = PlannedStep.Decision.DECIDED_AT_RUN;
          reason = "when `" + step.when().get().source() + "`: " + e.getMessage();
        }
      }
    }
    List<String> requires = new ArrayList<>();
    for (Requirement r : step.requires()) {
      String line = CheckRunner.name(r.check(), before);
      requires.add(
          switch (r.onUnmet()) {
            case FAIL -> line + " (else the step fails)";
            case SKIP -> line + " (else the step is skipped)";
            case WAIT ->
                line + " (waits up to " + r.timeout().map(Durations::format).orElse("?") + ")";
          });
    }
    List<String> verify = new ArrayList<>();
    step.verify().forEach(c -> verify.add(CheckRunner.name(c, before)));
    List<PlannedStep> compensation = new ArrayList<>();
    for (Step c : step.compensate()) {
      // A compensation runs after its step: what the step (and those before it) produce is
      // still unknown at plan time.
      compensation.add(planStep(called, scope, c));
    }
    if (BuiltInCompensation.appliesTo(step)) {
      DockerOperation.Run run = (DockerOperation.Run) ((Action.Docker) step.action()).operation();
      compensation.add(
          new PlannedStep(
              prefix + BuiltInCompensation.ID,
              BuiltInCompensation.standIn(step),
              PlannedStep.Decision.RUN,
              "",
              run.name()
                  .map(t -> List.of(new PlannedField("name", PlanValues.of(t, before))))
                  .orElse(List.of()),
              Optional.empty(),
              BuiltInCompensation.describe(run.name().map(t -> show(t, before)).orElse("?")),
              Optional.empty(),
              List.of(),
              List.of(),
              List.of(),
              List.of(),
              List.of()));
    }
    List<PlannedStep> children = new ArrayList<>();
    if (step.action() instanceof Action.Call call && called.containsKey(call.target())) {
      Runbook callee = called.get(call.target());
      Map<String, String> given = new LinkedHashMap<>();
      for (Map.Entry<String, Template> p : call.params().entrySet()) {
        try {
          RenderedValue value = ValueTemplate.render(p.getValue(), before);
          given.put(p.getKey(), value.textIfKnown().orElse(value.display()));
        } catch (ExpressionException e) {
          // left out: the callee's plan shows what cannot be resolved
        }
      }
      Parameters.Resolution calleeParams =
          Parameters.resolve(callee, given, Optional.empty(), Map.of());
      RunState calleeState = planningState(callee, calleeParams.values());
      // A caller's secret given to a parameter the callee does not declare secret stays secret.
      calleeState.addSecretValues(state.secretValues());
      children.addAll(
          planSteps(
              called, Scope.of(callee, calleeState, prefix + step.id() + "/"), callee.steps()));
    }
    List<String> docker = new ArrayList<>();
    if (step.action() instanceof Action.Docker d) {
      docker.addAll(describeDockerOrWhyNot(d, before));
      docker.add("  engine: " + dockerEngine());
    }
    return new PlannedStep(
        prefix + step.id(),
        step,
        decision,
        reason,
        PlanValues.action(step.action(), before),
        step.action() instanceof Action.Wait w
            ? Optional.of(CheckRunner.name(w.until(), before))
            : Optional.empty(),
        docker,
        step.cwd().map(t -> PlanValues.of(t, before)),
        PlanValues.map("", step.env(), before),
        requires,
        verify,
        compensation,
        children);
  }

  /**
   * A step's own {@code env:} as far as a plan can know it.
   *
   * @param shown every entry that could be resolved: a value, or for one that reads a pending step,
   *     the name of what it awaits ({@code <known after `x` runs>}); for rendering the plan only
   * @param known the entries whose value is known, for evaluating a {@code when}
   */
  private record StepEnv(Map<String, String> shown, Map<String, String> known) {}

  private static StepEnv stepEnv(Step step, RunState state, List<String> pending) {
    Map<String, String> shown = new LinkedHashMap<>();
    Map<String, String> known = new LinkedHashMap<>();
    for (Map.Entry<String, Template> e : step.env().entrySet()) {
      try {
        RenderedValue value = ValueTemplate.render(e.getValue(), state.bindings(shown, pending));
        shown.put(e.getKey(), value.textIfKnown().orElse(value.display()));
        value.textIfKnown().ifPresent(text -> known.put(e.getKey(), text));
      } catch (ExpressionException ex) {
        // left out: what reads it shows the problem where it is used
      }
    }
    return new StepEnv(shown, known);
  }

  /**
   * The resolved docker action, or why it cannot be resolved before running (an {@code env} name
   * that only the run's machine has, say): a plan is printed whatever a value does.
   */
  private static List<String> describeDockerOrWhyNot(Action.Docker action, Bindings b) {
    try {
      return describeDocker(action.operation(), b);
    } catch (ExpressionException e) {
      return List.of(action.kind() + ": cannot be resolved now: " + e.getMessage());
    }
  }

  private static List<String> pendingReads(List<List<String>> references, List<String> pending) {
    List<String> reads = new ArrayList<>();
    for (List<String> ref : references) {
      if (ref.size() >= 2
          && ref.get(0).equals("steps")
          && pending.contains(ref.get(1))
          && !reads.contains(ref.get(1))) {
        reads.add(ref.get(1));
      }
    }
    return reads;
  }

  private static String show(Template t, Bindings b) {
    return ValueTemplate.render(t, b).display();
  }

  /** Which Docker Engine docker steps reach, as the environment names it. */
  private String dockerEngine() {
    try {
      return context.docker().endpoint().describe();
    } catch (DockerActionException e) {
      return "none usable: " + e.getMessage();
    }
  }

  /** A docker operation, resolved: one headline, then one indented line per setting. */
  static List<String> describeDocker(DockerOperation op, Bindings b) {
    List<String> lines = new ArrayList<>();
    if (op instanceof DockerOperation.Pull p) {
      lines.add("docker pull: " + show(p.image(), b));
    } else if (op instanceof DockerOperation.Inspect i) {
      lines.add("docker inspect: container " + show(i.container(), b));
    } else if (op instanceof DockerOperation.Run r) {
      StringBuilder head = new StringBuilder("docker run: ").append(show(r.image(), b));
      r.name().ifPresent(n -> head.append(" as container ").append(show(n, b)));
      if (r.replace()) {
        head.append(" (replaces a container of that name, recording it for rollback)");
      }
      if (r.oneOff()) {
        head.append(
            " (one-off: waits for it to exit, its output is the step's, a non-zero exit fails the"
                + " step; removed in every case)");
      }
      lines.add(head.toString());
      if (!r.command().isEmpty()) {
        List<String> args = new ArrayList<>();
        for (RenderedValue v : ValueTemplate.renderEach(r.command(), b)) {
          args.add(r.command().size() == 1 ? v.display() : quote(v.display()));
        }
        lines.add("  command: " + String.join(" ", args));
      }
      r.env().forEach((k, v) -> lines.add("  env: " + k + "=" + show(v, b)));
      r.mounts().forEach(m -> lines.add("  mount: " + show(m, b)));
      r.labels().forEach((k, v) -> lines.add("  label: " + k + "=" + show(v, b)));
      lines.add("  network: " + r.network().orElse("the engine's default"));
      r.restart().ifPresent(p -> lines.add("  restart: " + p));
      r.health()
          .ifPresent(
              h ->
                  lines.add(
                      "  health: `"
                          + show(h.cmd(), b)
                          + "` every "
                          + Durations.format(h.interval())
                          + ", unhealthy after "
                          + h.retries()
                          + " failures"
                          + h.timeout().map(t -> ", each within " + Durations.format(t)).orElse("")
                          + h.startPeriod()
                              .map(t -> ", after a start period of " + Durations.format(t))
                              .orElse("")));
    } else if (op instanceof DockerOperation.Stop s) {
      lines.add(
          "docker stop: "
              + target(s.target(), b)
              + s.grace()
                  .map(g -> " (given " + Durations.format(g) + " to stop, then killed)")
                  .orElse(" (the container's own stop timeout, then killed)"));
    } else if (op instanceof DockerOperation.Start s) {
      lines.add("docker start: " + target(s.target(), b));
    } else if (op instanceof DockerOperation.Remove r) {
      lines.add(
          "docker remove: "
              + target(r.target(), b)
              + (r.force() ? " (forced: running ones too)" : " (fails if running)"));
    } else if (op instanceof DockerOperation.Exec e) {
      List<String> args = new ArrayList<>();
      for (RenderedValue v : ValueTemplate.renderEach(e.command(), b)) {
        args.add(e.command().size() == 1 ? v.display() : quote(v.display()));
      }
      lines.add(
          "docker exec: in container " + show(e.container(), b) + ": " + String.join(" ", args));
    } else if (op instanceof DockerOperation.WaitHealthy w) {
      lines.add(
          "docker wait_healthy: container "
              + show(w.container(), b)
              + ", up to "
              + show(w.timeout(), b));
    } else if (op instanceof DockerOperation.Tag t) {
      lines.add("docker tag: " + show(t.image(), b) + " as " + show(t.as(), b));
    } else if (op instanceof DockerOperation.Logs l) {
      lines.add(
          "docker logs: container "
              + show(l.container(), b)
              + l.tail().map(n -> " (last " + n + " lines)").orElse(" (all of it)"));
    } else {
      throw new IllegalStateException("no description for the docker operation `" + op.key() + "`");
    }
    return lines;
  }

  private static String target(DockerOperation.Target t, Bindings b) {
    return t.name()
        .map(n -> "container " + show(n, b))
        .orElseGet(() -> "every container labelled " + show(t.label().orElseThrow(), b));
  }

  /** Quotes an argv entry for display only when it needs it. */
  static String quote(String arg) {
    if (!arg.isEmpty() && arg.matches("[A-Za-z0-9_./:=@%+,<>`*-]+")) {
      return arg;
    }
    return "'" + arg.replace("'", "'\\''") + "'";
  }

  private static PlanDigest digest(
      Runbook runbook, Map<Path, Runbook> called, Map<String, Parameters.Value> params) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(runbook.file().toString(), sha256(runbook.file()));
    for (Path p : called.keySet()) {
      files.put(p.toString(), sha256(p));
    }
    TreeMap<String, String> visible = new TreeMap<>();
    params.forEach(
        (k, v) -> {
          if (!v.secret()) {
            // display(): the password of a URL is no more hashed to disk than a secret is
            visible.put(k, v.display());
          }
        });
    StringBuilder text = new StringBuilder();
    visible.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return new PlanDigest(files, sha256(text.toString().getBytes(StandardCharsets.UTF_8)));
  }

  static String sha256(Path file) {
    try {
      // the loader read it with the same cap a moment ago
      return sha256(CappedFile.read(file, RunbookLoader.MAX_FILE_SIZE));
    } catch (IOException e) {
      throw new RunbookException(
          ErrorCode.INVALID_INPUT, "cannot read the runbook " + IoProblems.describe(file, e));
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
