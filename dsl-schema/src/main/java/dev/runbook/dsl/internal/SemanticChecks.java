package dev.runbook.dsl.internal;

import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.Problem;
import dev.runbook.dsl.Shells;
import dev.runbook.dsl.UrlCredentials;
import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.Check;
import dev.runbook.dsl.model.DockerOperation;
import dev.runbook.dsl.model.Expression;
import dev.runbook.dsl.model.Param;
import dev.runbook.dsl.model.Requirement;
import dev.runbook.dsl.model.Runbook;
import dev.runbook.dsl.model.SourceLocation;
import dev.runbook.dsl.model.Step;
import dev.runbook.dsl.model.Template;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Stage four: what the schema cannot say. Unique ids, references that resolve, the rules that keep
 * resume safe ({@code checkpoint: false} needs {@code idempotent} or {@code verify}), and the rules
 * that keep secrets off argv.
 */
final class SemanticChecks {
  /** Outputs every action of a kind has without declaring them. */
  static final Map<String, List<String>> BUILT_IN_OUTPUTS =
      Map.of(
          "run", List.of("exit_code"),
          "exec", List.of("exit_code"),
          "http", List.of("status", "body"),
          "backup", List.of("dir"),
          "copy", List.of("files", "bytes"),
          "restore", List.of("files", "bytes"));

  private static final List<String> ROOTS = List.of("params", "env", "steps", "run");

  private final Runbook runbook;
  private final Function<Expression, List<List<String>>> references;
  private final List<Problem> problems;
  private final Map<String, Step> stepsById = new LinkedHashMap<>();

  private SemanticChecks(
      Runbook runbook,
      Function<Expression, List<List<String>>> references,
      List<Problem> problems) {
    this.runbook = runbook;
    this.references = references;
    this.problems = problems;
  }

  static void check(
      Runbook runbook,
      Function<Expression, List<List<String>>> references,
      List<Problem> problems) {
    new SemanticChecks(runbook, references, problems).run();
  }

  private void run() {
    uniqueIds();
    for (Param param : runbook.params().values()) {
      checkParamDefault(param);
    }
    runbook.lock().ifPresent(this::checkLock);
    Scope top = new Scope(id -> false, "the runbook's env");
    runbook.env().values().forEach(t -> checkTemplate(t, top));
    Scope state = new Scope(id -> false, "the runbook's state");
    runbook
        .state()
        .ifPresent(
            spec -> {
              spec.reset().ifPresent(t -> checkTemplate(t, state));
              spec.paths().forEach(t -> checkTemplate(t, state));
              spec.commands().forEach(t -> checkTemplate(t, state));
            });
    commandChecks(runbook.preconditions());
    Scope precondition = new Scope(id -> false, "a precondition");
    for (Check check : runbook.preconditions()) {
      ModelWalker.expressions(check).forEach(e -> checkReferences(e, precondition));
    }
    // A step sees the steps before it; a finally step, every step and the finally steps before
    // it. Asking where an id first appears, rather than copying the ids before each step, keeps
    // the checks linear in the number of steps.
    List<Step> ordered = new ArrayList<>(runbook.steps());
    ordered.addAll(runbook.finallySteps());
    Map<String, Integer> firstAt = new HashMap<>();
    for (int i = 0; i < ordered.size(); i++) {
      firstAt.putIfAbsent(ordered.get(i).id(), i);
    }
    int topLevel = runbook.steps().size();
    for (int i = 0; i < ordered.size(); i++) {
      Step step = ordered.get(i);
      int position = i;
      String where = (i < topLevel ? "step `" : "finally step `") + step.id() + "`";
      checkStep(
          step, new Scope(id -> firstAt.getOrDefault(id, Integer.MAX_VALUE) < position, where));
    }
  }

  /** The steps an expression may read, and how to name the place in messages. */
  private record Scope(Predicate<String> visibleSteps, String where) {
    /** This scope with step {@code id} visible too, named {@code where}. */
    Scope withStep(String id, String where) {
      Predicate<String> visible = visibleSteps;
      return new Scope(s -> s.equals(id) || visible.test(s), where);
    }
  }

  private void uniqueIds() {
    Map<String, SourceLocation> seen = new HashMap<>();
    List<Step> all = new ArrayList<>();
    collect(runbook.steps(), all);
    collect(runbook.finallySteps(), all);
    for (Step step : all) {
      SourceLocation first = seen.putIfAbsent(step.id(), step.location());
      if (first != null) {
        problems.add(
            Problem.error(
                "step.duplicate-id",
                step.location(),
                "duplicate step id `" + step.id() + "` (first at line " + first.line() + ")",
                "ids are the journal's keys: give each step its own"));
      } else {
        stepsById.put(step.id(), step);
      }
    }
  }

  private static void collect(List<Step> steps, List<Step> out) {
    for (Step step : steps) {
      out.add(step);
      collect(step.compensate(), out);
    }
  }

  private void checkStep(Step step, Scope scope) {
    step.when().ifPresent(e -> checkReferences(e, scope));
    for (Requirement requirement : step.requires()) {
      ModelWalker.expressions(requirement.check()).forEach(e -> checkReferences(e, scope));
    }
    ModelWalker.expressions(step.action()).forEach(e -> checkReferences(e, scope));
    step.cwd().ifPresent(t -> checkTemplate(t, scope));
    step.env().values().forEach(t -> checkTemplate(t, scope));
    step.outputs().values().forEach(o -> o.file().ifPresent(t -> checkTemplate(t, scope)));
    Scope after = scope.withStep(step.id(), scope.where());
    for (Check check : step.verify()) {
      ModelWalker.expressions(check).forEach(e -> checkReferences(e, after));
    }
    for (Step compensation : step.compensate()) {
      checkStep(compensation, scope.withStep(step.id(), "the compensation of `" + step.id() + "`"));
      if (compensation.action() instanceof Action.Call) {
        problems.add(
            Problem.error(
                "compensation.call",
                compensation.location(),
                "the compensation of `" + step.id() + "` is a `call`, which a rollback cannot run",
                "write the steps that undo it as the compensation's list of steps"));
      }
    }
    if (!step.checkpoint() && !step.idempotent() && step.verify().isEmpty()) {
      problems.add(
          Problem.error(
              "step.checkpoint",
              step.location(),
              "step `"
                  + step.id()
                  + "` says `checkpoint: false` but is neither `idempotent` nor"
                  + " has a `verify`",
              "resume redoes a step that is not a checkpoint: mark it `idempotent: true` or add a"
                  + " `verify` that tells whether it already ran"));
    }
    if (step.irreversible().isPresent() && !step.compensate().isEmpty()) {
      problems.add(
          Problem.warning(
              "step.irreversible-compensated",
              step.location(),
              "step `"
                  + step.id()
                  + "` is `irreversible` and has a `compensate`: a rollback runs the"
                  + " compensation and reports the irreversible note too",
              "keep both only when the compensation undoes part of the step and the note says"
                  + " what it cannot undo; otherwise remove one"));
    }
    secretsOffArgv(step);
    scripts(step);
  }

  private void secretsOffArgv(Step step) {
    List<Template> argv = ModelWalker.argvTemplates(step.action());
    Map<String, String> secretEnv =
        argv.isEmpty() ? Map.of() : secretEnv(step.env(), runbookSecretEnv());
    for (Template argument : argv) {
      for (Expression e : ModelWalker.expressions(argument)) {
        for (List<String> ref : safeReferences(e)) {
          if (ref.size() >= 2 && ref.get(0).equals("env") && secretEnv.containsKey(ref.get(1))) {
            problems.add(
                Problem.error(
                    "secret.argv",
                    e.location(),
                    "`env."
                        + ref.get(1)
                        + "` holds secret parameter `"
                        + secretEnv.get(ref.get(1))
                        + "` and would appear on a command line"
                        + " (other users can read a process's argv)",
                    "the program gets `"
                        + ref.get(1)
                        + "` in its environment already: read it there instead of passing it"
                        + " as an argument"));
          }
          if (ref.size() >= 2 && ref.get(0).equals("params")) {
            Param param = runbook.params().get(ref.get(1));
            if (param != null && param.secret()) {
              problems.add(
                  Problem.error(
                      "secret.argv",
                      e.location(),
                      "secret parameter `"
                          + param.name()
                          + "` would appear on a command line"
                          + " (other users can read a process's argv)",
                      "pass it through `env:` (e.g. `env: { DB_PASSWORD: \"${{ params."
                          + param.name()
                          + " }}\" }`) and read the variable in the program"));
            }
          }
        }
      }
    }
  }

  /**
   * The env entries that hold a secret, with the secret parameter each holds: {@code
   * RUNBOOK_PARAM_<NAME>} of each secret parameter, then the runbook's {@code env:} entries built
   * from a secret (directly or through an earlier such entry).
   */
  private Map<String, String> runbookSecretEnv() {
    Map<String, String> fromEngine = new LinkedHashMap<>();
    for (Param param : runbook.params().values()) {
      if (param.secret()) {
        fromEngine.put(
            "RUNBOOK_PARAM_" + param.name().toUpperCase(Locale.ROOT).replace('-', '_'),
            param.name());
      }
    }
    return secretEnv(runbook.env(), fromEngine);
  }

  /**
   * {@code inherited} with the entries of {@code env} applied in order: one built from a secret is
   * added, any other replaces (and so clears) an inherited one of its name.
   */
  private Map<String, String> secretEnv(Map<String, Template> env, Map<String, String> inherited) {
    Map<String, String> secret = new LinkedHashMap<>(inherited);
    for (Map.Entry<String, Template> entry : env.entrySet()) {
      Optional<String> from = secretRead(entry.getValue(), secret);
      if (from.isPresent()) {
        secret.put(entry.getKey(), from.get());
      } else {
        secret.remove(entry.getKey());
      }
    }
    return secret;
  }

  /** The secret parameter {@code template} reads, directly or through a secret env entry. */
  private Optional<String> secretRead(Template template, Map<String, String> secretEnv) {
    for (Expression e : ModelWalker.expressions(template)) {
      for (List<String> ref : safeReferences(e)) {
        if (ref.size() < 2) {
          continue;
        }
        if (ref.get(0).equals("params")) {
          Param param = runbook.params().get(ref.get(1));
          if (param != null && param.secret()) {
            return Optional.of(param.name());
          }
        } else if (ref.get(0).equals("env") && secretEnv.containsKey(ref.get(1))) {
          return Optional.of(secretEnv.get(ref.get(1)));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Where each {@code ${{ }}} stands in the step's shell scripts ({@link ScriptRules}): its {@code
   * run} script, for its shell, and its command checks, which {@code /bin/sh} runs. A script for a
   * shell that is not POSIX may not use {@code ${{ }}} at all.
   */
  private void scripts(Step step) {
    if (step.action() instanceof Action.Run run) {
      // a shell that is not one program name is reported by the binder, where `shell:` stands
      if (run.shell().map(sh -> Shells.problem(sh).isEmpty()).orElse(true)) {
        Shells.Kind kind = Shells.kind(run.shell());
        if (kind.posix()) {
          problems.addAll(ScriptRules.problems(run.script(), kind));
        } else if (!ModelWalker.expressions(run.script()).isEmpty()) {
          problems.add(
              Problem.error(
                  "run.interpolation",
                  run.script().location(),
                  "`${{ }}` in a `"
                      + run.shell().get()
                      + "` script: values can only be passed"
                      + " safely to POSIX shells",
                  "put the value in the step's `env:` and read it from the environment (e.g."
                      + " `os.environ[\"NAME\"]` in Python)"));
        }
      }
    }
    List<Check> checks = new ArrayList<>(step.verify());
    step.requires().forEach(r -> checks.add(r.check()));
    if (step.action() instanceof Action.Wait wait) {
      checks.add(wait.until());
    }
    commandChecks(checks);
  }

  private void commandChecks(List<Check> checks) {
    Shells.Kind sh = Shells.kind(Optional.empty());
    for (Check check : checks) {
      if (check instanceof Check.Command command) {
        problems.addAll(ScriptRules.problems(command.command(), sh));
      }
    }
  }

  private void checkParamDefault(Param param) {
    if (param.defaultValue().isEmpty()) {
      return;
    }
    String value = param.defaultValue().get();
    ParamTypes.check(param, value)
        .ifPresent(
            message ->
                problems.add(
                    Problem.error(
                        "param.default",
                        param.location(),
                        "default of `" + param.name() + "`: " + message,
                        null)));
    if (!param.secret() && UrlCredentials.holdsPassword(value)) {
      problems.add(Parameters.credentialWarning(param, "its default"));
    }
  }

  /**
   * A lock is named before the run starts and must name the same thing for the run, its resume and
   * its rollback, on every machine's journal and in every refusal: so it reads only the run's
   * pinned, non-secret parameters, never the environment, a step or the run itself.
   */
  private void checkLock(Template lock) {
    for (Expression e : ModelWalker.expressions(lock)) {
      for (List<String> ref : safeReferences(e)) {
        if (ref.isEmpty()) {
          continue;
        }
        String root = ref.get(0);
        if (!root.equals("params")) {
          problems.add(
              Problem.error(
                  "lock.reads",
                  e.location(),
                  "`lock` reads `" + root + "`: a lock may read only `params`",
                  "the lock must name the same thing for a run, its resume and its rollback;"
                      + " name what the run changes with its parameters, e.g. `lock:"
                      + " \"app:${{ params.install_dir }}\"`"));
          continue;
        }
        Param param = ref.size() < 2 ? null : runbook.params().get(ref.get(1));
        if (param == null) {
          checkReferences(e, new Scope(id -> false, "the lock"));
        } else if (param.secret()) {
          problems.add(
              Problem.error(
                  "lock.secret",
                  e.location(),
                  "`lock` reads secret parameter `"
                      + param.name()
                      + "`: the lock's name is shown in plans, journals and to other users",
                  "name the lock with non-secret parameters only"));
        }
      }
    }
  }

  private void checkTemplate(Template template, Scope scope) {
    ModelWalker.expressions(template).forEach(e -> checkReferences(e, scope));
  }

  private List<List<String>> safeReferences(Expression e) {
    return references.apply(e);
  }

  private void checkReferences(Expression expression, Scope scope) {
    for (List<String> ref : safeReferences(expression)) {
      if (ref.isEmpty()) {
        continue;
      }
      String root = ref.get(0);
      SourceLocation at = expression.location();
      switch (root) {
        case "params" -> {
          if (ref.size() < 2) {
            continue;
          }
          String name = ref.get(1);
          if (!runbook.params().containsKey(name)) {
            unknown("param", name, runbook.params().keySet(), at, "params");
          }
        }
        case "env" -> {
          // any name: the engine's environment is only known at run time
        }
        case "run" -> {
          if (ref.size() >= 2 && !List.of("id", "dir").contains(ref.get(1))) {
            unknown("run value", ref.get(1), List.of("id", "dir"), at, "run");
          }
        }
        case "steps" -> checkStepReference(ref, scope, at);
        default -> {
          List<String> close = DidYouMean.suggest(root, ROOTS);
          problems.add(
              Problem.error(
                  "expr.unknown-variable",
                  at,
                  "unknown name `" + root + "` in `${{ " + expression.source() + " }}`",
                  close.isEmpty()
                      ? "expressions read `params`, `env`, `steps` and `run`"
                      : "did you mean " + DidYouMean.quoteAll(close) + "?"));
        }
      }
    }
  }

  private void checkStepReference(List<String> ref, Scope scope, SourceLocation at) {
    if (ref.size() < 2) {
      return;
    }
    String id = ref.get(1);
    Step target = stepsById.get(id);
    if (target == null) {
      unknown("step", id, stepsById.keySet(), at, "steps");
      return;
    }
    if (!scope.visibleSteps().test(id)) {
      problems.add(
          Problem.error(
              "expr.later-step",
              at,
              scope.where() + " reads `steps." + id + "`, which has not run at that point",
              "a step can read only the steps before it"));
      return;
    }
    if (ref.size() < 3) {
      return;
    }
    String field = ref.get(2);
    if (field.equals("status")) {
      return;
    }
    if (!field.equals("outputs")) {
      unknown("step field", field, List.of("outputs", "status"), at, "steps." + id);
      return;
    }
    if (ref.size() < 4) {
      return;
    }
    String output = ref.get(3);
    List<String> known = new ArrayList<>(target.outputs().keySet());
    known.addAll(builtInOutputs(target.action()));
    if (!known.contains(output)) {
      List<String> close = DidYouMean.suggest(output, known);
      problems.add(
          Problem.error(
              "expr.unknown-output",
              at,
              "step `" + id + "` has no output `" + output + "`",
              close.isEmpty()
                  ? (known.isEmpty()
                      ? "declare it under the step's `outputs:`"
                      : "its outputs: " + String.join(", ", known))
                  : "did you mean " + DidYouMean.quoteAll(close) + "?"));
    }
  }

  static List<String> builtInOutputs(Action action) {
    if (action instanceof Action.Docker docker) {
      DockerOperation op = docker.operation();
      if (op instanceof DockerOperation.Run) {
        return List.of("container_id", "image_id", "image_digest", "replaced_image");
      }
      if (op instanceof DockerOperation.Exec) {
        return List.of("exit_code");
      }
      if (op instanceof DockerOperation.Inspect) {
        return List.of("container_id", "image_id", "image", "image_digest", "state", "health");
      }
      if (op instanceof DockerOperation.Pull) {
        return List.of("image_id", "image_digest");
      }
      if (op instanceof DockerOperation.Tag) {
        return List.of("image_id");
      }
      return List.of();
    }
    return BUILT_IN_OUTPUTS.getOrDefault(action.kind(), List.of());
  }

  private void unknown(
      String what,
      String name,
      java.util.Collection<String> known,
      SourceLocation at,
      String prefix) {
    List<String> close = DidYouMean.suggest(name, known);
    String hint;
    if (!close.isEmpty()) {
      hint =
          "did you mean "
              + DidYouMean.quoteAll(close.stream().map(c -> prefix + "." + c).toList())
              + "?";
    } else if (what.equals("param")) {
      hint = "declare it under `params:`";
    } else {
      hint = null;
    }
    problems.add(
        Problem.error(
            "expr.unknown-" + what.replace(' ', '-'),
            at,
            "unknown " + what + " `" + name + "`",
            hint));
  }
}
