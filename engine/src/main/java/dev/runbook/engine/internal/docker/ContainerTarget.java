package dev.runbook.engine.internal.docker;

import java.util.Optional;

/**
 * The containers an operation addresses, resolved: one by name, or every one with a label.
 *
 * @param name a container name (or id); empty when a label selects
 * @param label {@code key=value}; empty when a name selects
 */
public record ContainerTarget(Optional<String> name, Optional<String> label) {
  public static ContainerTarget named(String name) {
    return new ContainerTarget(Optional.of(name), Optional.empty());
  }

  public static ContainerTarget labelled(String label) {
    return new ContainerTarget(Optional.empty(), Optional.of(label));
  }

  /** {@code container `app`} or {@code every container labelled `k=v`}. */
  public String describe() {
    return name.map(n -> "container `" + n + "`")
        .orElseGet(() -> "every container labelled `" + label.orElse("") + "`");
  }

  String labelKey() {
    String l = label.orElseThrow();
    int eq = l.indexOf('=');
    return eq < 0 ? l : l.substring(0, eq);
  }

  String labelValue() {
    String l = label.orElseThrow();
    int eq = l.indexOf('=');
    return eq < 0 ? "" : l.substring(eq + 1);
  }
}
