package dev.runbook.engine.internal.exec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The result of one try of an action.
 *
 * @param outcome how it ended
 * @param reason one line for the operator when it did not succeed; empty otherwise
 * @param builtInOutputs outputs every action of the kind has ({@code exit_code}, {@code dir}, ...)
 * @param stdout the captured standard output, for declared outputs; empty for non-process actions
 * @param text the text declared outputs read when there is no stdout (an http body)
 */
public record Attempt(
    Outcome outcome,
    String reason,
    Map<String, Object> builtInOutputs,
    Optional<Path> stdout,
    Optional<String> text) {
  public Attempt {
    builtInOutputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(builtInOutputs));
  }

  /** How an attempt ended. */
  public enum Outcome {
    SUCCEEDED,
    FAILED,
    /** Waiting for an operator (a confirmation nobody can give now). */
    PAUSED,
    /** The operator said no: fails without retries. */
    DECLINED,
    /** Stopped by a signal. */
    INTERRUPTED,
    /**
     * Failed before it acted: a value could not be resolved, or the program could not be started.
     * Nothing changed, so there is nothing to compensate.
     */
    NOT_STARTED
  }

  public static Attempt succeeded(Map<String, Object> outputs) {
    return new Attempt(Outcome.SUCCEEDED, "", outputs, Optional.empty(), Optional.empty());
  }

  public static Attempt failed(String reason) {
    return new Attempt(Outcome.FAILED, reason, Map.of(), Optional.empty(), Optional.empty());
  }

  /** A failure before the action changed anything. */
  public static Attempt notStarted(String reason) {
    return new Attempt(Outcome.NOT_STARTED, reason, Map.of(), Optional.empty(), Optional.empty());
  }

  public boolean succeeded() {
    return outcome == Outcome.SUCCEEDED;
  }
}
