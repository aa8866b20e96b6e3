package dev.runbook.engine;

import dev.runbook.dsl.Durations;
import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.expr.ExpressionException;
import dev.runbook.dsl.expr.ExpressionLanguage;
import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.ActionVisitor;
import dev.runbook.dsl.model.Check;
import dev.runbook.dsl.model.DockerOperation;
import dev.runbook.dsl.model.Requirement;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.dsl.model.Step;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.internal.exec.CheckRunner;
import dev.runbook.engine.internal.exec.RunState;
import dev.runbook.engine.internal.render.Bindings;
import dev.runbook.engine.internal.render.RenderedValue;
import dev.runbook.engine.internal.render.ShellTemplate;
import dev.runbook.engine.internal.render.ValueTemplate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
      preconditions.add(
          new PlannedCheck(CheckRunner.name(check, none), CheckRunner.describe(check, none), live));
    }
    List<PlannedStep> steps = planSteps(runbook, called, state, runbook.steps(), "", List.of());
    List<PlannedStep> finallySteps =
        planSteps(runbook, called, state, runbook.finallySteps(), "", List.of());
    return new Plan(
        runbook,
        called,
        params.values(),
        preconditions,
        steps,
        finallySteps,
        offline,
        digest(runbook, called, params.values()));
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
   * Plans {@code steps} in order.
   *
   * @param finishedBefore steps already done (a resumed run's), whose values are known
   */
  private List<PlannedStep> planSteps(
      Runbook runbook,
      Map<Path, Runbook> called,
      RunState state,
      List<Step> steps,
      String prefix,
      List<String> finishedBefore) {
    List<PlannedStep> planned = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    runbook.steps().forEach(s -> pending.add(s.id()));
    pending.removeAll(finishedBefore);
    // Nothing has run when a plan is made: every value read from a step is named, not guessed.
    // So every step (and its verify and compensation) sees the same bindings: built once, not
    // once per step, which made planning quadratic in the number of steps.
    Bindings bindings = state.bindings(Map.of(), pending);
    for (Step step : steps) {
      planned.add(planStep(runbook, called, state, step, prefix, bindings));
    }
    return planned;
  }

  /**
   * Plans one step.
   *
   * @param bindings what the step's templates read; its pending steps are every step not finished
   *     before the plan, this one included
   */
  private PlannedStep planStep(
      Runbook runbook,
      Map<Path, Runbook> called,
      RunState state,
      Step step,
      String prefix,
      Bindings bindings) {
    PlannedStep.Decision decision = PlannedStep.Decision.RUN;
    String reason = "";
    if (step.when().isPresent()) {
      var when = ExpressionLanguage.standard().compile(step.when().get());
      List<String> reads = pendingReads(when.references(), bindings.pendingSteps());
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
          boolean yes = when.test(state.variables(Map.of()));
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
      String line = CheckRunner.name(r.check(), bindings);
      requires.add(
          switch (r.onUnmet()) {
            case FAIL -> line + " (else the step fails)";
            case SKIP -> line + " (else the step is skipped)";
            case WAIT ->
                line + " (waits up to " + r.timeout().map(Durations::format).orElse("?") + ")";
          });
    }
    List<String> verify = new ArrayList<>();
    step.verify().forEach(c -> verify.add(CheckRunner.name(c, bindings)));
    List<PlannedStep> compensation = new ArrayList<>();
    for (Step c : step.compensate()) {
      // A compensation runs after its step: what the step (and those before it) produce is
      // still unknown at plan time.
      compensation.add(planStep(runbook, called, state, c, prefix, bindings));
    }
    List<PlannedStep> children = new ArrayList<>();
    if (step.action() instanceof Action.Call call && called.containsKey(call.target())) {
      Runbook callee = called.get(call.target());
      Map<String, String> given = new LinkedHashMap<>();
      call.params().forEach((k, v) -> given.put(k, ValueTemplate.render(v, bindings).text()));
      Parameters.Resolution calleeParams =
          Parameters.resolve(callee, given, Optional.empty(), Map.of());
      RunState calleeState = planningState(callee, calleeParams.values());
      children.addAll(
          planSteps(
              callee, called, calleeState, callee.steps(), prefix + step.id() + "/", List.of()));
    }
    List<String> action = new ArrayList<>(describeAction(step.action(), bindings));
    step.cwd().ifPresent(t -> action.add("cwd: " + show(t, bindings)));
    step.env().forEach((k, v) -> action.add("env: " + k + "=" + show(v, bindings)));
    return new PlannedStep(
        prefix + step.id(),
        step,
        decision,
        reason,
        action,
        requires,
        verify,
        compensation,
        children);
  }

  private static List<String> pendingReads(List<List<String>> references, Set<String> pending) {
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

  /** The resolved action, one line per entry; scripts keep their lines. */
  static List<String> describeAction(Action action, Bindings b) {
    return action.accept(
        new ActionVisitor<List<String>>() {
          @Override
          public List<String> visitRun(Action.Run a) {
            String script = ShellTemplate.render(a.script(), b).display().stripTrailing();
            List<String> lines = new ArrayList<>();
            String head = a.shell().map(s -> "run (" + s + "):").orElse("run:");
            if (!script.contains("\n")) {
              lines.add(head + " " + script);
            } else {
              lines.add(head);
              script.lines().forEach(l -> lines.add("  " + l));
            }
            return lines;
          }

          @Override
          public List<String> visitExec(Action.Exec a) {
            List<String> args = new ArrayList<>();
            for (RenderedValue v : ValueTemplate.renderEach(a.argv(), b)) {
              args.add(quote(v.display()));
            }
            return List.of("exec: " + String.join(" ", args));
          }

          @Override
          public List<String> visitHttp(Action.Http a) {
            var s = a.request();
            StringBuilder line =
                new StringBuilder("http: ")
                    .append(s.method())
                    .append(' ')
                    .append(show(s.url(), b))
                    .append(", expect ")
                    .append(show(s.status(), b));
            s.contains()
                .ifPresent(t -> line.append(", body contains \"").append(show(t, b)).append('"'));
            s.json()
                .forEach((k, v) -> line.append(", ").append(k).append(" = ").append(show(v, b)));
            List<String> lines = new ArrayList<>(List.of(line.toString()));
            s.headers().forEach((k, v) -> lines.add("  header " + k + ": " + show(v, b)));
            s.body().ifPresent(t -> lines.add("  body: " + show(t, b)));
            return lines;
          }

          @Override
          public List<String> visitCopy(Action.Copy a) {
            return List.of(
                "copy: " + show(a.from(), b) + " -> " + show(a.to(), b) + " (replaces it)");
          }

          @Override
          public List<String> visitBackup(Action.Backup a) {
            List<String> paths = new ArrayList<>();
            a.paths().forEach(p -> paths.add(show(p, b)));
            return List.of(
                "backup: "
                    + String.join(", ", paths)
                    + " -> "
                    + show(a.to(), b)
                    + " (with a checksummed manifest)");
          }

          @Override
          public List<String> visitRestore(Action.Restore a) {
            return List.of(
                "restore: "
                    + show(a.from(), b)
                    + " -> "
                    + show(a.to(), b)
                    + " (after verifying the manifest)");
          }

          @Override
          public List<String> visitDocker(Action.Docker a) {
            DockerOperation op = a.operation();
            return List.of("docker " + op.key());
          }

          @Override
          public List<String> visitWait(Action.Wait a) {
            return List.of(
                "wait: until "
                    + CheckRunner.name(a.until(), b)
                    + ", up to "
                    + Durations.format(a.timeout())
                    + ", every "
                    + Durations.format(a.interval()));
          }

          @Override
          public List<String> visitConfirm(Action.Confirm a) {
            return List.of("confirm: " + show(a.message(), b));
          }

          @Override
          public List<String> visitCall(Action.Call a) {
            List<String> params = new ArrayList<>();
            a.params().forEach((k, v) -> params.add(k + "=" + show(v, b)));
            return List.of(
                "call: "
                    + a.runbook()
                    + (params.isEmpty() ? "" : " with " + String.join(", ", params)));
          }
        });
  }

  private static String show(Template t, Bindings b) {
    return ValueTemplate.render(t, b).display();
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
            visible.put(k, String.valueOf(v.value()));
          }
        });
    StringBuilder text = new StringBuilder();
    visible.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return new PlanDigest(files, sha256(text.toString().getBytes(StandardCharsets.UTF_8)));
  }

  static String sha256(Path file) {
    try {
      return sha256(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
