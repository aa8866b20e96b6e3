package dev.runbook.engine.internal.docker;

import com.github.dockerjava.api.command.HealthState;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.runbook.dsl.model.ContainerState;
import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.internal.probe.StopSignal;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code docker} check: a container in a state, or an image present. Read-only: it only
 * inspects.
 *
 * <p>An engine that cannot be reached, or a {@code healthy} check of a container without a health
 * check, is ERRORED (waiting does not fix it); a container or image that is not as expected is
 * FAILED.
 */
public final class DockerProbe {
  static final Duration LIMIT = Duration.ofSeconds(15);

  private final DockerConnection docker;

  public DockerProbe(DockerConnection docker) {
    this.docker = docker;
  }

  public CheckOutcome container(String name, ContainerState is) {
    return container(name, is, StopSignal.NEVER);
  }

  /**
   * The container is in state {@code is}, unless {@code stop} ends the inspection first: then the
   * outcome is ERRORED "interrupted", at once.
   */
  public CheckOutcome container(String name, ContainerState is, StopSignal stop) {
    Optional<InspectContainerResponse> found;
    AtomicBoolean stopped = new AtomicBoolean(stop.raised());
    StopSignal.Registration registration = stop.whileBlocked(() -> stopped.set(true));
    try {
      found =
          docker.call(
              "inspect container " + name,
              Optional.of(LIMIT),
              stopped::get,
              (client, cancel) -> {
                try {
                  return Optional.of(client.inspectContainerCmd(name).exec());
                } catch (NotFoundException e) {
                  return Optional.empty();
                }
              });
    } catch (DockerActionException e) {
      return CheckOutcome.errored(e.getMessage());
    } finally {
      registration.close();
    }
    if (found.isEmpty()) {
      String none = "no container named `" + name + "`";
      return is == ContainerState.ABSENT ? CheckOutcome.holds(none) : CheckOutcome.failed(none);
    }
    InspectContainerResponse c = found.get();
    String state = "container `" + name + "` is " + DockerActions.describe(c);
    boolean running = DockerActions.isRunning(c);
    return switch (is) {
      case EXISTS -> CheckOutcome.holds(state);
      case ABSENT -> CheckOutcome.failed(state);
      case RUNNING -> running ? CheckOutcome.holds(state) : CheckOutcome.failed(state);
      case STOPPED -> running ? CheckOutcome.failed(state) : CheckOutcome.holds(state);
      case HEALTHY -> {
        HealthState health = c.getState() == null ? null : c.getState().getHealth();
        if (health == null || health.getStatus() == null) {
          yield CheckOutcome.errored(
              "container `" + name + "` has no health check, so it is never healthy");
        }
        yield running && health.getStatus().equals("healthy")
            ? CheckOutcome.holds(state)
            : CheckOutcome.failed(state);
      }
    };
  }

  /** The image, by tag ({@code app:1.4}), id or digest ({@code app@sha256:...}), is present. */
  public CheckOutcome image(String image) {
    return image(image, StopSignal.NEVER);
  }

  /**
   * The image is present, unless {@code stop} ends the inspection first: then the outcome is
   * ERRORED "interrupted", at once.
   */
  public CheckOutcome image(String image, StopSignal stop) {
    Optional<InspectImageResponse> found;
    AtomicBoolean stopped = new AtomicBoolean(stop.raised());
    StopSignal.Registration registration = stop.whileBlocked(() -> stopped.set(true));
    try {
      found =
          docker.call(
              "inspect image " + image,
              Optional.of(LIMIT),
              stopped::get,
              (client, cancel) -> {
                try {
                  return Optional.of(client.inspectImageCmd(image).exec());
                } catch (NotFoundException e) {
                  return Optional.empty();
                }
              });
    } catch (DockerActionException e) {
      return CheckOutcome.errored(e.getMessage());
    } finally {
      registration.close();
    }
    return found
        .map(i -> CheckOutcome.holds("image " + image + " is present (" + i.getId() + ")"))
        .orElseGet(
            () ->
                CheckOutcome.failed(
                    "image "
                        + image
                        + " is not on the Docker Engine at "
                        + docker.endpoint().host()));
  }
}
