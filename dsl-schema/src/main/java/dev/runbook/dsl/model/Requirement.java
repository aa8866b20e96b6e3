package dev.runbook.dsl.model;

import java.time.Duration;
import java.util.Optional;

/**
 * A step precondition: a check and what to do when it is not met.
 *
 * @param timeout how long to wait; present exactly when {@code onUnmet} is {@link OnUnmet#WAIT}
 * @param interval how often to re-check while waiting
 */
public record Requirement(
    Check check,
    OnUnmet onUnmet,
    Optional<Duration> timeout,
    Optional<Duration> interval,
    SourceLocation location) {}
