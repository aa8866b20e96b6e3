package dev.runbook.dsl.model;

import java.time.Duration;

/**
 * How often an action is tried.
 *
 * @param attempts every try, the first included; at least 1
 * @param delay wait before the second try
 * @param backoff factor applied to the delay after each further try; at least 1
 */
public record Retry(int attempts, Duration delay, double backoff, SourceLocation location) {}
