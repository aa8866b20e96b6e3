package dev.runbook.engine.internal.probe;

/**
 * A probe cannot be made as specified; its message is the one-line detail of an ERRORED outcome.
 * Never leaves this package.
 */
final class ProbeSetupException extends Exception {
  private static final long serialVersionUID = 1L;

  ProbeSetupException(String detail) {
    super(detail, null, false, false);
  }
}
