package dev.runbook.engine.internal.docker;

/** A Docker operation given up because the run was asked to stop (a signal). */
public final class DockerInterruptedException extends DockerActionException {
  private static final long serialVersionUID = 1L;

  public DockerInterruptedException() {
    super("interrupted");
  }
}
