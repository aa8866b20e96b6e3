package dev.runbook.engine;

import dev.runbook.engine.internal.docker.DockerActions;
import dev.runbook.engine.internal.docker.DockerConnection;
import dev.runbook.engine.internal.docker.DockerProbe;
import dev.runbook.engine.internal.exec.ActionRunner;
import dev.runbook.engine.internal.exec.CheckRunner;
import dev.runbook.engine.internal.probe.HttpProbe;
import dev.runbook.engine.internal.process.ProcessRunner;
import dev.runbook.engine.journal.LockDir;
import dev.runbook.engine.journal.StateDir;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * What the engine needs from its surroundings: the state directory, the host-wide lock directory,
 * the process environment and a clock. One per command; not shared between threads that run steps.
 */
public final class EngineContext {
  private final StateDir state;
  private final LockDir locks;
  private final Map<String, String> environment;
  private final Clock clock;
  private final ProcessRunner processes = new ProcessRunner();
  private final DockerConnection docker;
  private final CheckRunner checks;
  private final ActionRunner actions;

  /**
   * @param environment the engine's environment: what child processes inherit, what {@code env.X}
   *     reads, and where the Docker Engine is ({@code DOCKER_HOST}, ...)
   */
  public EngineContext(
      StateDir state, LockDir locks, Map<String, String> environment, Clock clock) {
    this.state = state;
    this.locks = locks;
    this.environment = Map.copyOf(environment);
    this.clock = clock;
    // Connects on first use only: a runbook without docker steps never touches an engine.
    this.docker = new DockerConnection(this.environment);
    this.checks = new CheckRunner(processes, new HttpProbe(), new DockerProbe(docker));
    this.actions = new ActionRunner(processes, checks, new DockerActions(docker));
  }

  public StateDir state() {
    return state;
  }

  /** Where run locks live: one directory for every user and state directory of the host. */
  public LockDir locks() {
    return locks;
  }

  public Map<String, String> environment() {
    return environment;
  }

  public Clock clock() {
    return clock;
  }

  CheckRunner checks() {
    return checks;
  }

  ActionRunner actions() {
    return actions;
  }

  /** The Docker Engine, as {@code DOCKER_HOST} names it, for plans. */
  DockerConnection docker() {
    return docker;
  }

  /** Where checks run while planning (their output is thrown away). */
  Path scratchDir() {
    return state.root().resolve("tmp");
  }
}
