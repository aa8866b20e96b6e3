package dev.runbook.engine.internal.docker;

/**
 * A Docker operation that could not be done; the message is the whole story for the operator (what,
 * on which engine, and what to do), never a stack trace.
 */
public class DockerActionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DockerActionException(String message) {
    super(message);
  }

  public DockerActionException(String message, Throwable cause) {
    super(message, cause);
  }
}
