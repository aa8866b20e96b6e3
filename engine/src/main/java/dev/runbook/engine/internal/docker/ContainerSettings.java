package dev.runbook.engine.internal.docker;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything runbook sets when it creates a container: from a {@code run} step, or recorded from a
 * container it replaced. Values are resolved, secrets included: never journaled or printed as is.
 *
 * @param env {@code NAME=value}, in order
 * @param command replaces the image's command; empty keeps the image's
 * @param entrypoint replaces the image's entrypoint; empty keeps the image's
 * @param workingDir empty keeps the image's
 * @param user empty keeps the image's
 * @param binds {@code source:/path} or {@code source:/path:ro}, a host path or a volume name
 * @param network a network mode ({@code none}, {@code host}, ...); empty is the engine's default
 * @param restart a restart policy as the engine names it, with {@code :N} for at most N retries
 * @param ports port bindings, {@code [hostIp:]hostPort:containerPort/protocol}
 * @param exposedPorts {@code containerPort/protocol}
 */
public record ContainerSettings(
    String name,
    String image,
    List<String> env,
    Optional<List<String>> command,
    Optional<List<String>> entrypoint,
    String workingDir,
    String user,
    Map<String, String> labels,
    List<String> binds,
    Optional<String> network,
    Optional<String> restart,
    Optional<Health> health,
    List<String> ports,
    List<String> exposedPorts) {
  public ContainerSettings {
    env = List.copyOf(env);
    command = command.map(List::copyOf);
    entrypoint = entrypoint.map(List::copyOf);
    labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    binds = List.copyOf(binds);
    ports = List.copyOf(ports);
    exposedPorts = List.copyOf(exposedPorts);
  }

  /**
   * A health check as the engine keeps it.
   *
   * @param test {@code ["CMD-SHELL", "cmd"]}, {@code ["CMD", argv...]} or {@code ["NONE"]}
   * @param interval empty is the engine's default
   */
  public record Health(
      List<String> test,
      Optional<Duration> interval,
      Optional<Duration> timeout,
      Optional<Integer> retries,
      Optional<Duration> startPeriod) {
    public Health {
      test = List.copyOf(test);
    }
  }
}
