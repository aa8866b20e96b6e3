package dev.runbook.engine.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.model.ContainerState;
import dev.runbook.engine.CheckOutcome;
import dev.runbook.engine.internal.probe.StopSignal;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code docker} check against a real engine: every container state, images, no engine. */
class DockerProbeTest {
  static PrivateDockerd dockerd;
  static String v1;
  static DockerConnection connection;
  static DockerProbe probe;

  @BeforeAll
  static void startEngine(@TempDir Path tmp) throws Exception {
    dockerd = PrivateDockerd.start();
    v1 = dockerd.importImage("rb-test", "1", Map.of("VERSION", "1\n"));
    connection = new DockerConnection(dockerd.environment());
    probe = new DockerProbe(connection);
    DockerActions actions = new DockerActions(connection);
    actions.run(
        settings("running", DockerRunTest.SLEEP, Optional.empty()),
        false,
        Map.of(),
        Set.of(),
        "r",
        "s",
        r -> {},
        new StepOutput(tmp, "1", List.of()).io());
    actions.run(
        settings("stopped", "exit 0", Optional.empty()),
        false,
        Map.of(),
        Set.of(),
        "r",
        "s",
        r -> {},
        new StepOutput(tmp, "2", List.of()).io());
    actions.run(
        settings("healthy", DockerRunTest.SLEEP, Optional.of("true")),
        false,
        Map.of(),
        Set.of(),
        "r",
        "s",
        r -> {},
        new StepOutput(tmp, "3", List.of()).io());
    actions.run(
        settings("sick", DockerRunTest.SLEEP, Optional.of("exit 1")),
        false,
        Map.of(),
        Set.of(),
        "r",
        "s",
        r -> {},
        new StepOutput(tmp, "4", List.of()).io());
    actions.waitHealthy(
        "healthy", Duration.ofSeconds(20), new StepOutput(tmp, "5", List.of()).io());
    DockerRunTest.waitFor(
        () ->
            !Boolean.TRUE.equals(
                dockerd.client().inspectContainerCmd("stopped").exec().getState().getRunning()));
  }

  @AfterAll
  static void stopEngine() {
    if (connection != null) {
      connection.close();
    }
    if (dockerd != null) {
      dockerd.close();
    }
  }

  private static ContainerSettings settings(String name, String script, Optional<String> health) {
    return new ContainerSettings(
        name,
        "rb-test:1",
        List.of(),
        Optional.of(List.of("sh", "-c", script)),
        Optional.empty(),
        "",
        "",
        Map.of(),
        List.of(),
        Optional.of("none"),
        Optional.empty(),
        health.map(
            h ->
                new ContainerSettings.Health(
                    List.of("CMD-SHELL", h),
                    Optional.of(Duration.ofMillis(300)),
                    Optional.empty(),
                    Optional.of(1),
                    Optional.empty())),
        List.of(),
        List.of());
  }

  @Test
  void aRunningContainerExistsAndRunsAndIsNeitherStoppedNorAbsent() {
    assertThat(probe.container("running", ContainerState.EXISTS).holds()).isTrue();
    assertThat(probe.container("running", ContainerState.RUNNING).holds()).isTrue();
    CheckOutcome stopped = probe.container("running", ContainerState.STOPPED);
    assertThat(stopped.status()).isEqualTo(CheckOutcome.Status.FAILED);
    assertThat(stopped.detail()).startsWith("container `running` is running, image rb-test:1, id ");
    assertThat(probe.container("running", ContainerState.ABSENT).status())
        .isEqualTo(CheckOutcome.Status.FAILED);
  }

  @Test
  void aStoppedContainerExistsAndIsStoppedButDoesNotRun() {
    assertThat(probe.container("stopped", ContainerState.EXISTS).holds()).isTrue();
    assertThat(probe.container("stopped", ContainerState.STOPPED).holds()).isTrue();
    CheckOutcome running = probe.container("stopped", ContainerState.RUNNING);
    assertThat(running.status()).isEqualTo(CheckOutcome.Status.FAILED);
    assertThat(running.detail()).startsWith("container `stopped` is exited (code 0), image ");
  }

  @Test
  void aMissingContainerIsAbsentAndFailsEveryOtherState() {
    assertThat(probe.container("ghost", ContainerState.ABSENT))
        .isEqualTo(CheckOutcome.holds("no container named `ghost`"));
    for (ContainerState is :
        List.of(
            ContainerState.EXISTS,
            ContainerState.RUNNING,
            ContainerState.STOPPED,
            ContainerState.HEALTHY)) {
      assertThat(probe.container("ghost", is))
          .isEqualTo(CheckOutcome.failed("no container named `ghost`"));
    }
  }

  @Test
  void healthyHoldsOnlyForAPassingHealthCheck() {
    assertThat(probe.container("healthy", ContainerState.HEALTHY).holds()).isTrue();
    CheckOutcome sick = probe.container("sick", ContainerState.HEALTHY);
    assertThat(sick.status()).isEqualTo(CheckOutcome.Status.FAILED);
    assertThat(sick.detail()).contains("container `sick` is running, ");
  }

  @Test
  void healthyOfAContainerWithoutHealthCheckCannotBeEvaluated() {
    assertThat(probe.container("running", ContainerState.HEALTHY))
        .isEqualTo(
            CheckOutcome.errored(
                "container `running` has no health check, so it is never healthy"));
  }

  @Test
  void anImageIsPresentByTagOrIdAndAbsentOtherwise() {
    assertThat(probe.image("rb-test:1"))
        .isEqualTo(CheckOutcome.holds("image rb-test:1 is present (" + v1 + ")"));
    assertThat(probe.image(v1).holds()).isTrue();
    assertThat(probe.image("rb-test:9"))
        .isEqualTo(
            CheckOutcome.failed(
                "image rb-test:9 is not on the Docker Engine at " + dockerd.host()));
  }

  @Test
  void anEngineThatCannotBeReachedMakesTheCheckErrorNotFail(@TempDir Path tmp) {
    Path socket = tmp.resolve("docker.sock");
    DockerProbe nowhere =
        new DockerProbe(new DockerConnection(Map.of("DOCKER_HOST", "unix://" + socket)));

    CheckOutcome outcome = nowhere.container("app", ContainerState.ABSENT);

    assertThat(outcome.status()).isEqualTo(CheckOutcome.Status.ERRORED);
    assertThat(outcome.detail())
        .isEqualTo(
            "cannot reach the Docker Engine at unix://"
                + socket
                + ": there is no socket at "
                + socket
                + " (is dockerd running? to reach another engine, set DOCKER_HOST)");
    assertThat(nowhere.image("rb-test:1").status()).isEqualTo(CheckOutcome.Status.ERRORED);
  }

  @Test
  void aRaisedStopEndsACheckAgainstAnEngineThatNeverAnswersAtOnce(@TempDir Path tmp)
      throws Exception {
    Path socket = tmp.resolve("silent.sock");
    // Bound and listening, never accepting: a connect succeeds, the request is never answered.
    try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      silent.bind(UnixDomainSocketAddress.of(socket));
      DockerProbe stuck =
          new DockerProbe(new DockerConnection(Map.of("DOCKER_HOST", "unix://" + socket)));
      StopSignal stop = new StopSignal();
      ExecutorService caller = Executors.newSingleThreadExecutor();
      try {
        Future<CheckOutcome> pending =
            caller.submit(() -> stuck.container("app", ContainerState.RUNNING, stop));
        Thread.sleep(300); // the inspection waits, for up to DockerProbe.LIMIT
        long start = System.nanoTime();
        stop.raise();

        assertThat(pending.get(10, TimeUnit.SECONDS))
            .isEqualTo(CheckOutcome.errored(StopSignal.INTERRUPTED));
        // Far below the limit; not tighter, as the machine running the tests may be loaded.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(stuck.image("rb-test:1", stop))
            .isEqualTo(CheckOutcome.errored(StopSignal.INTERRUPTED));
      } finally {
        caller.shutdownNow();
      }
    }
  }
}
