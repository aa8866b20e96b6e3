package dev.runbook.dsl.model;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One operation of a {@code docker} step: the single operation key of {@code docker:}. */
public sealed interface DockerOperation {
  /** The DSL key of this operation ({@code pull}, {@code run}, ...). */
  String key();

  /**
   * Which containers an operation addresses: one by name, or every one with a label.
   *
   * @param name a container name; empty when a label selects
   * @param label {@code key=value}; empty when a name selects
   */
  record Target(Optional<Template> name, Optional<Template> label) {}

  /** Pulls an image from its registry. */
  record Pull(Template image) implements DockerOperation {
    @Override
    public String key() {
      return "pull";
    }
  }

  /** Reads a container's id, image and state. */
  record Inspect(Template container) implements DockerOperation {
    @Override
    public String key() {
      return "inspect";
    }
  }

  /**
   * Creates and starts a container.
   *
   * @param mounts {@code volume:/path} or {@code /host/path:/path}, optionally {@code :ro}
   * @param network {@code none} or {@code host}; empty means the engine's default
   * @param restart restart policy: {@code no}, {@code always}, {@code unless-stopped}, {@code
   *     on-failure}
   * @param replace stop and remove a container of the same name first, and remember it
   * @param oneOff run the container to its end, like {@code docker compose run --rm}: the step
   *     waits for it to exit, its output is the step's, a non-zero exit fails the step, and the
   *     container is removed whatever happens; never with {@code replace}, {@code restart} or
   *     {@code health}
   */
  record Run(
      Template image,
      Optional<Template> name,
      Map<String, Template> env,
      List<Template> command,
      List<Template> mounts,
      Map<String, Template> labels,
      Optional<String> network,
      Optional<Health> health,
      Optional<String> restart,
      boolean replace,
      boolean oneOff)
      implements DockerOperation {
    public Run {
      env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
      command = List.copyOf(command);
      mounts = List.copyOf(mounts);
      labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    @Override
    public String key() {
      return "run";
    }
  }

  /** A container health check. */
  record Health(
      Template cmd,
      Duration interval,
      int retries,
      Optional<Duration> timeout,
      Optional<Duration> startPeriod) {}

  /**
   * Stops containers.
   *
   * @param grace time given to stop before the engine kills
   */
  record Stop(Target target, Optional<Duration> grace) implements DockerOperation {
    @Override
    public String key() {
      return "stop";
    }
  }

  /** Starts stopped containers. */
  record Start(Target target) implements DockerOperation {
    @Override
    public String key() {
      return "start";
    }
  }

  /** Removes containers; {@code force} removes running ones too. */
  record Remove(Target target, boolean force) implements DockerOperation {
    @Override
    public String key() {
      return "remove";
    }
  }

  /** Runs a command in a running container; its output is captured like a {@code run} step's. */
  record Exec(Template container, List<Template> command) implements DockerOperation {
    public Exec {
      command = List.copyOf(command);
    }

    @Override
    public String key() {
      return "exec";
    }
  }

  /**
   * Polls until the container's health check reports healthy.
   *
   * @param timeout a duration as written ({@code 2m}), or a {@code ${{ }}} expression that resolves
   *     to one; parsed when the step starts
   */
  record WaitHealthy(Template container, Template timeout) implements DockerOperation {
    @Override
    public String key() {
      return "wait_healthy";
    }
  }

  /** Gives an image a further tag ({@code as}). */
  record Tag(Template image, Template as) implements DockerOperation {
    @Override
    public String key() {
      return "tag";
    }
  }

  /** Copies a container's log into the step's output. */
  record Logs(Template container, Optional<Integer> tail) implements DockerOperation {
    @Override
    public String key() {
      return "logs";
    }
  }
}
