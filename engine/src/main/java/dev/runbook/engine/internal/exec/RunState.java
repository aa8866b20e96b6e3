package dev.runbook.engine.internal.exec;

import dev.runbook.dsl.Parameters;
import dev.runbook.dsl.UrlCredentials;
import dev.runbook.dsl.expr.ExpressionException;
import dev.runbook.dsl.expr.ExpressionLanguage;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.internal.files.FileActions;
import dev.runbook.engine.internal.render.Bindings;
import dev.runbook.engine.internal.secret.Masking;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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

  /** The secret parameters' values and what was added since: they make a value secret. */
  private Masking secrets = Masking.NONE;

  /** {@link #secrets} and the passwords of URLs in other parameters: what output never shows. */
  private Masking masking = Masking.NONE;

  private final Map<String, String> processEnv;
  private final Map<String, String> runbookEnv = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> steps = new LinkedHashMap<>();
  private final Set<String> backupSteps = new HashSet<>();
  private final String runId;
  private final Path runDir;

  public RunState(
      Map<String, Parameters.Value> values,
      Map<String, String> processEnv,
      String runId,
      Path runDir) {
    Set<String> secretValues = new HashSet<>();
    Set<String> passwords = new HashSet<>();
    for (Parameters.Value v : values.values()) {
      params.put(v.param().name(), v.value());
      String text = String.valueOf(v.value());
      if (v.secret()) {
        secretParams.add(v.param().name());
        secretValues.add(text);
      } else {
        passwords.addAll(UrlCredentials.passwords(text));
      }
    }
    secrets = Masking.of(secretValues);
    masking = secrets.plus(passwords);
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

  /**
   * The values masked in output: the secrets, and the passwords of URLs in other parameters. Only
   * in memory; a masker derives their other forms ({@link Masking}).
   */
  public Set<String> secretValues() {
    return masking.secrets();
  }

  /** What output and messages of this run are masked with. */
  public Masking masking() {
    return masking;
  }

  /** Adds secret values (e.g. a caller's secrets, for the runbook it calls). */
  public void addSecretValues(Collection<String> values) {
    secrets = secrets.plus(values);
    masking = masking.plus(values);
  }

  public void recordStep(String id, String status, Map<String, Object> outputs) {
    Map<String, Object> step = new HashMap<>();
    step.put("status", status);
    step.put("outputs", new HashMap<>(outputs));
    steps.put(id, step);
  }

  /**
   * Names the steps whose action is a {@code backup}: their recorded outputs ({@code dir}, {@code
   * digest}) are what the run journaled about the backups it made, which a restore checks.
   */
  public void markBackupSteps(Collection<String> ids) {
    backupSteps.addAll(ids);
  }

  /**
   * The manifest digest a backup step of this run journaled for the backup in {@code dir}, if one
   * made it (the last one, if several wrote there); empty for a backup the run did not make.
   */
  public Optional<String> journaledBackupDigest(Path dir) {
    Optional<String> found = Optional.empty();
    for (String id : backupSteps) {
      Map<String, Object> step = steps.get(id);
      if (step == null || !"succeeded".equals(step.get("status"))) {
        continue;
      }
      Object outputs = step.get("outputs");
      if (outputs instanceof Map<?, ?> map
          && map.get("dir") instanceof String made
          && map.get("digest") instanceof String digest
          && FileActions.samePath(FileActions.path(made), dir)) {
        found = Optional.of(digest);
      }
    }
    return found;
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

  /** True if {@code text} contains a secret value, in any of its forms. */
  public boolean holdsSecret(String text) {
    return secrets.reveals(text);
  }

  /**
   * {@code text} with every form of every secret value, and the password of every URL, replaced by
   * {@code ***}.
   */
  public String mask(String text) {
    return masking.mask(text);
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
      // as UTF-8 bytes whatever the locale (FileActions.resolve): runbooks are UTF-8 text
      return FileActions.resolve(base, text);
    } catch (IllegalArgumentException e) { // InvalidPathException, or a URI the bytes cannot form
      throw new ExpressionException(
          ExpressionException.Reason.FAILED,
          template.location(),
          "`"
              + template.source()
              + "` is not a usable path: "
              + (text.indexOf('\0') >= 0
                  ? "its value holds a NUL byte"
                  : e instanceof InvalidPathException ipe ? ipe.getReason() : e.getMessage()));
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
