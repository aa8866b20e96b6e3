package dev.runbook.engine.internal.docker;

import dev.runbook.dsl.model.Action;
import dev.runbook.dsl.model.DockerOperation;
import dev.runbook.dsl.model.Step;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one compensation the engine supplies itself: a docker {@code run} with {@code replace: true}
 * and no {@code compensate} is undone by removing the container it created and creating the one it
 * replaced again, from the journal's record, started if it was running.
 */
public final class BuiltInCompensation {
  /** Its id in the journal and in plans. */
  public static final String ID = "restore_replaced";

  private BuiltInCompensation() {}

  /** Whether {@code step} gets the built-in compensation. */
  public static boolean appliesTo(Step step) {
    return step.compensate().isEmpty()
        && step.action() instanceof Action.Docker docker
        && docker.operation() instanceof DockerOperation.Run run
        && run.replace();
  }

  /**
   * A step that stands for the built-in compensation of {@code step} in a plan: a forced remove of
   * the step's container (the restore is in its description, {@link #describe}).
   */
  public static Step standIn(Step step) {
    DockerOperation.Run run = (DockerOperation.Run) ((Action.Docker) step.action()).operation();
    return new Step(
        ID,
        Optional.of("built in: remove the new container, restore the one it replaced"),
        Optional.empty(),
        List.of(),
        new Action.Docker(
            new DockerOperation.Remove(
                new DockerOperation.Target(run.name(), Optional.empty()), true),
            step.action().location()),
        Optional.empty(),
        Map.of(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        Map.of(),
        List.of(),
        Optional.empty(),
        true,
        true,
        false,
        step.location());
  }

  /** What it does, for plans, with the container's name as shown there. */
  public static List<String> describe(String name) {
    return List.of(
        "docker (built in): remove container "
            + name
            + " if this step created it; then create again the container it replaced, from the"
            + " journal's record (same image by id, env, command, mounts, labels, network, ports,"
            + " restart policy, health check), and start it if it was running");
  }
}
