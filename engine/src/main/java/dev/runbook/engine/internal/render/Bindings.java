package dev.runbook.engine.internal.render;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a template is rendered against: the expression variables, which of them are secret, and
 * which steps have not run yet.
 *
 * <p>An expression that reads {@code params.<name>} of a {@linkplain #secretParams secret
 * parameter}, or {@code env.<name>} of a {@linkplain #secretEnv secret environment entry} (one
 * whose value the caller built from a secret), gives a secret value. One that reads {@code
 * steps.<id>} of a {@linkplain #pendingSteps pending step} is not evaluated at all: its value is
 * not known before that step runs. An expression that reads a whole root ({@code size(params)})
 * counts as reading every entry of it.
 *
 * @param variables the roots ({@code params}, {@code env}, {@code steps}, {@code run}) as {@link
 *     dev.runbook.dsl.expr.CompiledExpression} reads them; copied shallowly, so nested maps may
 *     still change between renderings
 * @param secretParams names of secret parameters; may be empty
 * @param secretEnv names of {@code env} entries whose value derives from a secret; may be empty
 * @param pendingSteps ids of the steps that have not run yet, in run order (used to name them); may
 *     be empty
 */
public record Bindings(
    Map<String, ?> variables,
    Set<String> secretParams,
    Set<String> secretEnv,
    Set<String> pendingSteps) {

  public Bindings {
    // Not Map.copyOf: a parameter may legitimately be null, and the expression language reports
    // reading it with a message that names it.
    variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    secretParams = ordered(secretParams);
    secretEnv = ordered(secretEnv);
    pendingSteps = ordered(pendingSteps);
  }

  /** Bindings in which nothing is secret and every step has run. */
  public static Bindings of(Map<String, ?> variables) {
    return new Bindings(variables, Set.of(), Set.of(), Set.of());
  }

  /** A copy in which these parameters are secret. */
  public Bindings withSecretParams(Collection<String> names) {
    return new Bindings(variables, new LinkedHashSet<>(names), secretEnv, pendingSteps);
  }

  /** A copy in which these {@code env} entries are secret. */
  public Bindings withSecretEnv(Collection<String> names) {
    return new Bindings(variables, secretParams, new LinkedHashSet<>(names), pendingSteps);
  }

  /** A copy in which these steps, in run order, have not run yet. */
  public Bindings withPendingSteps(Collection<String> ids) {
    return new Bindings(variables, secretParams, secretEnv, new LinkedHashSet<>(ids));
  }

  /** Names the roots and the secret and pending names, never a value (a value may be a secret). */
  @Override
  public String toString() {
    return "Bindings[roots="
        + variables.keySet()
        + ", secretParams="
        + secretParams
        + ", secretEnv="
        + secretEnv
        + ", pendingSteps="
        + pendingSteps
        + "]";
  }

  private static Set<String> ordered(Set<String> names) {
    Set<String> copy = new LinkedHashSet<>();
    for (String name : names) {
      copy.add(Objects.requireNonNull(name, "name"));
    }
    return Collections.unmodifiableSet(copy);
  }
}
