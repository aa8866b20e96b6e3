package dev.runbook.engine;

import dev.runbook.engine.internal.exec.ActionRunner;
import dev.runbook.engine.internal.exec.CheckRunner;
import dev.runbook.engine.internal.probe.HttpProbe;
import dev.runbook.engine.internal.process.ProcessRunner;
import dev.runbook.engine.journal.StateDir;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * What the engine needs from its surroundings: the state directory, the process environment and a
 * clock. One per command; not shared between threads that run steps.
 */
public final class EngineContext {
  private final StateDir state;
  private final Map<String, String> environment;
  private final Clock clock;
  private final ProcessRunner processes = new ProcessRunner();
  private final CheckRunner checks = new CheckRunner(processes, new HttpProbe());
  private final ActionRunner actions = new ActionRunner(processes, checks);

  public EngineContext(StateDir state, Map<String, String> environment, Clock clock) {
    this.state = state;
    this.environment = Map.copyOf(environment);
    this.clock = clock;
  }

  public StateDir state() {
    return state;
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

  /** Where checks run while planning (their output is thrown away). */
  Path scratchDir() {
    return state.root().resolve("tmp");
  }
}
