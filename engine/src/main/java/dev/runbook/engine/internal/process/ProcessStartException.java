package dev.runbook.engine.internal.process;

/**
 * A process could not be started: its program is missing or not executable, its working directory
 * is missing, or its log cannot be created.
 *
 * <p>The message is written for the operator and is complete on its own, e.g. {@code cannot run
 * `pg_dump`: no such file (searched PATH /usr/bin:/bin)}; no stack trace is needed to act on it.
 * Secrets are masked in it.
 */
public final class ProcessStartException extends Exception {
  private static final long serialVersionUID = 1L;

  ProcessStartException(String message) {
    super(message);
  }

  ProcessStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
