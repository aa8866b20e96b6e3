package dev.runbook.engine.internal.render;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A {@code run} script rendered by {@link ShellTemplate}.
 *
 * <p>{@link #script()} and {@link #environment()} are what the process gets; {@link #display()} is
 * what an operator sees.
 */
public final class RenderedScript {
  private final String script;
  private final String display;
  private final List<Expansion> expansions;

  RenderedScript(String script, String display, List<Expansion> expansions) {
    this.script = Objects.requireNonNull(script, "script");
    this.display = Objects.requireNonNull(display, "display");
    this.expansions = List.copyOf(expansions);
  }

  /**
   * The script for the shell, each {@code ${{ }}} replaced by {@code ${RB_n}}; never null. It holds
   * no value, so it may be shown, logged and journaled as it is.
   */
  public String script() {
    return script;
  }

  /**
   * The variables the script reads, {@code RB_1} → first value, …, in order; empty if the script
   * has no {@code ${{ }}}. Secret values are among them: never print this map.
   *
   * @throws IllegalStateException if a value is not {@linkplain #known() known}: a script must
   *     never run with a value missing, which the shell would expand to nothing
   */
  public Map<String, String> environment() {
    Map<String, String> environment = new LinkedHashMap<>();
    for (int i = 0; i < expansions.size(); i++) {
      Expansion expansion = expansions.get(i);
      if (!expansion.known()) {
        throw new IllegalStateException(
            "not known before running: "
                + expansion.source()
                + " "
                + expansion.display()
                + "; render the script again when its steps have run");
      }
      environment.put(ShellTemplate.variable(i + 1), expansion.value().orElseThrow());
    }
    return Collections.unmodifiableMap(environment);
  }

  /**
   * The script as an operator reads it in a plan or in progress output: each {@code ${{ }}} shows
   * its value, {@value Expansion#MASK} for a secret, {@code <known after `STEP` runs>} for a value
   * not known yet; never null.
   *
   * <p>For reading only, never for running: a value is shown as is, so {@code echo ${{ params.x }}}
   * with {@code a; b} reads {@code echo a; b}, though the shell runs {@code echo} with the words
   * {@code a;} and {@code b}.
   */
  public String display() {
    return display;
  }

  /** The {@code ${{ }}} parts in order: the {@code n}th is {@code RB_n}; may be empty. */
  public List<Expansion> expansions() {
    return expansions;
  }

  /** True if every value is known, so the script can run. */
  public boolean known() {
    return expansions.stream().allMatch(Expansion::known);
  }

  /**
   * The values that derive from a secret, for masking the step's output; may be empty.
   *
   * @throws IllegalStateException like {@link #environment()}
   */
  public Set<String> secretValues() {
    if (!known()) {
      environment(); // throws, naming the first unknown value
    }
    Set<String> values = new LinkedHashSet<>();
    for (Expansion expansion : expansions) {
      if (expansion.secret()) {
        values.add(expansion.value().orElseThrow());
      }
    }
    return Collections.unmodifiableSet(values);
  }

  @Override
  public String toString() {
    return display;
  }
}
