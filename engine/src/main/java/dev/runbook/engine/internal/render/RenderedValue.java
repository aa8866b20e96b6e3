package dev.runbook.engine.internal.render;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A template rendered to one string.
 *
 * <p>{@link #text()} is what the engine uses; {@link #display()} is what an operator sees. They
 * differ where a value is secret (masked) or not known yet (named by the step that produces it).
 */
public final class RenderedValue {
  private final String text;
  private final String display;
  private final List<Expansion> expansions;

  RenderedValue(String text, String display, List<Expansion> expansions) {
    this.text = text;
    this.display = Objects.requireNonNull(display, "display");
    this.expansions = List.copyOf(expansions);
  }

  /**
   * The text, for use.
   *
   * @throws IllegalStateException if a value is not {@linkplain #known() known}: using a partial
   *     text (a path with a hole in it) is never right
   */
  public String text() {
    if (text == null) {
      throw new IllegalStateException(
          "not known before running: " + display + "; render it again when its steps have run");
    }
    return text;
  }

  /** The text if every value is known; empty otherwise. */
  public Optional<String> textIfKnown() {
    return Optional.ofNullable(text);
  }

  /** The text for a plan or progress output: secrets masked, unknown values named; never null. */
  public String display() {
    return display;
  }

  /** The {@code ${{ }}} parts, in order; may be empty. */
  public List<Expansion> expansions() {
    return expansions;
  }

  /** True if every value is known. */
  public boolean known() {
    return text != null;
  }

  /** True if a value derives from a secret. */
  public boolean secret() {
    return expansions.stream().anyMatch(Expansion::secret);
  }

  @Override
  public String toString() {
    return display;
  }
}
