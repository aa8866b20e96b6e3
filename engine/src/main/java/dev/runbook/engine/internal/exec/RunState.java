package dev.runbook.engine.internal.exec;

import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.expr.ExpressionException;
import dev.runbook.dsl.expr.ExpressionLanguage;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.internal.render.Bindings;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What expressions can read during a run: parameters, environment, finished steps, the run.
 *
 * <p>Secret values live only here, in memory: they are handed to children through their environment
 * and are masked in captured output, never written anywhere.
 */
public final class RunState {
  private final Map<String, Object> params = new LinkedHashMap<>();
  private final Set<String> secretParams = new HashSet<>();
  private final Set<String> secretValues = new HashSet<>();
  private final Map<String, String> processEnv;
  private final Map<String, String> runbookEnv = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> steps = new LinkedHashMap<>();
  private final String runId;
  private final Path runDir;

  public RunState(
      Map<String, Parameters.Value> values,
      Map<String, String> processEnv,
      String runId,
      Path runDir) {
    for (Parameters.Value v : values.values()) {
      params.put(v.param().name(), v.value());
      if (v.secret()) {
        secretParams.add(v.param().name());
        String text = String.valueOf(v.value());
        if (!text.isEmpty()) {
          secretValues.add(text);
        }
      }
    }
    this.processEnv = Map.copyOf(processEnv);
    this.runId = runId;
    this.runDir = runDir;
  }

  /** Resolves the runbook's {@code env:} once, in order (a value may read an earlier one). */
  public void resolveRunbookEnv(Map<String, Template> env) {
    for (Map.Entry<String, Template> e : env.entrySet()) {
      runbookEnv.put(e.getKey(), resolve(e.getValue(), Map.of()));
    }
  }

  public String runId() {
    return runId;
  }

  public Set<String> secretValues() {
    return Set.copyOf(secretValues);
  }

  /** Adds values to mask in output (e.g. a secret that reached a child through env). */
  public void addSecretValues(Collection<String> values) {
    values.stream().filter(v -> !v.isEmpty()).forEach(secretValues::add);
  }

  public void recordStep(String id, String status, Map<String, Object> outputs) {
    Map<String, Object> step = new HashMap<>();
    step.put("status", status);
    step.put("outputs", new HashMap<>(outputs));
    steps.put(id, step);
  }

  /** The status last recorded for step {@code id} ({@code succeeded}, {@code failed}, ...). */
  public Optional<String> stepStatus(String id) {
    Map<String, Object> step = steps.get(id);
    return step == null ? Optional.empty() : Optional.ofNullable((String) step.get("status"));
  }

  public void recordStatus(String id, String status) {
    Map<String, Object> step = steps.computeIfAbsent(id, k -> new HashMap<>());
    step.put("status", status);
    step.putIfAbsent("outputs", new HashMap<String, Object>());
  }

  /** The expression variables, with the step's own {@code env:} over the runbook's. */
  public Map<String, Object> variables(Map<String, String> stepEnv) {
    Map<String, Object> env = new HashMap<>(processEnv);
    env.putAll(runbookEnv);
    env.putAll(stepEnv);
    Map<String, Object> vars = new HashMap<>();
    vars.put("params", params);
    vars.put("env", env);
    vars.put("steps", steps);
    vars.put("run", Map.of("id", runId, "dir", runDir.toString()));
    return vars;
  }

  /**
   * What templates are rendered against. Secret are the secret parameters, and every parameter or
   * {@code env} entry whose value holds a secret value: an {@code env:} entry built from a secret
   * ({@code TOKEN: "Bearer ${{ params.db_password }}"}), {@code RUNBOOK_PARAM_<NAME>} of a secret
   * parameter, a called runbook's parameter given a caller's secret. So {@code ${{ env.TOKEN }}}
   * shows as {@code ***} wherever {@code ${{ params.db_password }}} does.
   */
  public Bindings bindings(Map<String, String> stepEnv, Collection<String> pendingSteps) {
    Set<String> secretNames = new HashSet<>(secretParams);
    params.forEach(
        (name, value) -> {
          if (holdsSecret(String.valueOf(value))) {
            secretNames.add(name);
          }
        });
    Set<String> secretEnv = new HashSet<>();
    childEnvironment(stepEnv)
        .forEach(
            (name, value) -> {
              if (holdsSecret(value)) {
                secretEnv.add(name);
              }
            });
    return Bindings.of(variables(stepEnv))
        .withSecretParams(secretNames)
        .withSecretEnv(secretEnv)
        .withPendingSteps(pendingSteps);
  }

  /** True if {@code text} contains a secret value. */
  public boolean holdsSecret(String text) {
    for (String secret : secretValues) {
      if (text.contains(secret)) {
        return true;
      }
    }
    return false;
  }

  /** {@code text} with every secret value replaced by {@code ***}, longest first. */
  public String mask(String text) {
    String masked = text;
    List<String> longestFirst = new ArrayList<>(secretValues);
    longestFirst.sort(Comparator.comparingInt(String::length).reversed());
    for (String secret : longestFirst) {
      masked = masked.replace(secret, "***");
    }
    return masked;
  }

  /** A template's text now (every value known); throws ExpressionException otherwise. */
  public String resolve(Template template, Map<String, String> stepEnv) {
    return ExpressionLanguage.standard().resolve(template, variables(stepEnv));
  }

  /**
   * A template's text as a path against {@code base}, normalized; throws ExpressionException for
   * text no path can hold (a NUL byte from a parameter's value), never a bug's exception.
   */
  public Path resolvePath(Template template, Map<String, String> stepEnv, Path base) {
    String text = resolve(template, stepEnv);
    try {
      return base.resolve(text).normalize();
    } catch (InvalidPathException e) {
      throw new ExpressionException(
          ExpressionException.Reason.FAILED,
          template.location(),
          "`"
              + template.source()
              + "` is not a usable path: "
              + (text.indexOf('\0') >= 0 ? "its value holds a NUL byte" : e.getReason()));
    }
  }

  /** The environment a child process gets: the engine's, the runbook's, then the step's. */
  public Map<String, String> childEnvironment(Map<String, String> stepEnv) {
    Map<String, String> env = new HashMap<>(processEnv);
    env.putAll(runbookEnv);
    env.putAll(stepEnv);
    return env;
  }

  /** The secret parameters' values by name; only in memory, for a container record's references. */
  public Map<String, String> secretParamValues() {
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : secretParams) {
      values.put(name, String.valueOf(params.get(name)));
    }
    return values;
  }
}
