package dev.runbook.engine.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docker operations other than {@code run} (stop, start, remove, exec, logs, wait_healthy,
 * inspect, tag, pull's failures), against a real engine.
 */
class DockerOperationsTest {
  static PrivateDockerd dockerd;
  static String v1;

  @TempDir Path tmp;
  DockerConnection connection;
  DockerActions actions;

  @BeforeAll
  static void startEngine() {
    dockerd = PrivateDockerd.start();
    v1 = dockerd.importImage("rb-test", "1", Map.of("VERSION", "1\n"));
  }

  @AfterAll
  static void stopEngine() {
    if (dockerd != null) {
      dockerd.close();
    }
  }

  @BeforeEach
  void connect() {
    dockerd.removeAllContainers();
    connection = new DockerConnection(dockerd.environment());
    actions = new DockerActions(connection);
  }

  @AfterEach
  void disconnect() {
    connection.close();
  }

  private StepOutput out(String name, String... secrets) {
    return new StepOutput(tmp, name, List.of(secrets));
  }

  /** Starts a container of busybox that runs {@code script}. */
  private String container(
      String name,
      String script,
      Map<String, String> labels,
      List<String> env,
      Optional<ContainerSettings.Health> health) {
    ContainerSettings s =
        new ContainerSettings(
            name,
            "rb-test:1",
            env,
            Optional.of(List.of("sh", "-c", script)),
            Optional.empty(),
            "",
            "",
            labels,
            List.of(),
            Optional.of("none"),
            Optional.empty(),
            health,
            List.of(),
            List.of());
    return actions
        .run(s, false, Map.of(), Set.of(), "run-1", name, r -> {}, out("run-" + name).io())
        .outputs()
        .get("container_id")
        .toString();
  }

  private String sleeper(String name, Map<String, String> labels) {
    return container(name, DockerRunTest.SLEEP, labels, List.of(), Optional.empty());
  }

  private InspectContainerResponse inspect(String name) {
    return dockerd.client().inspectContainerCmd(name).exec();
  }

  private static ContainerSettings.Health health(String cmd) {
    return new ContainerSettings.Health(
        List.of("CMD-SHELL", cmd),
        Optional.of(Duration.ofMillis(300)),
        Optional.of(Duration.ofSeconds(2)),
        Optional.of(1),
        Optional.empty());
  }

  // --- stop, start, remove ---

  @Test
  void stopStopsARunningContainerWithinItsGraceAndAStoppedOneIsFine() {
    // Ignores TERM: the engine kills it once the grace is over.
    container("stubborn", "trap '' TERM; sleep 3600 & wait", Map.of(), List.of(), Optional.empty());
    StepOutput out = out("stop");
    long start = System.nanoTime();

    actions.stop(ContainerTarget.named("stubborn"), Optional.of(Duration.ofSeconds(1)), out.io());

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    assertThat(inspect("stubborn").getState().getRunning()).isFalse();
    StepOutput again = out("again");
    actions.stop(ContainerTarget.named("stubborn"), Optional.empty(), again.io());
    assertThat(out.log()).contains("stopped container stubborn (grace 1s)");
    assertThat(again.log()).contains("container stubborn is exited already");
  }

  @Test
  void stopOfAContainerThatDoesNotExistNamesIt() {
    assertThatThrownBy(
            () -> actions.stop(ContainerTarget.named("ghost"), Optional.empty(), out("s").io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessage(
            "no container named `ghost` on the Docker Engine at " + dockerd.host() + " to stop");
  }

  @Test
  void stopByLabelStopsEveryMatchAndNoOther() {
    sleeper("web-1", Map.of("stack", "shop"));
    sleeper("web-2", Map.of("stack", "shop"));
    sleeper("other", Map.of("stack", "blog"));
    StepOutput out = out("stop");

    actions.stop(ContainerTarget.labelled("stack=shop"), Optional.empty(), out.io());

    assertThat(inspect("web-1").getState().getRunning()).isFalse();
    assertThat(inspect("web-2").getState().getRunning()).isFalse();
    assertThat(inspect("other").getState().getRunning()).isTrue();
    assertThat(out.log()).contains("stop: web-").contains("stopped container web-1");
    StepOutput none = out("none");
    actions.stop(ContainerTarget.labelled("stack=shop"), Optional.empty(), none.io());
    assertThat(none.log()).contains("no running container is labelled stack=shop: nothing to stop");
  }

  @Test
  void startStartsStoppedContainersByNameOrLabel() {
    sleeper("web-1", Map.of("stack", "shop"));
    sleeper("web-2", Map.of("stack", "shop"));
    actions.stop(ContainerTarget.labelled("stack=shop"), Optional.empty(), out("stop").io());

    actions.start(ContainerTarget.named("web-1"), out("one").io());
    assertThat(inspect("web-1").getState().getRunning()).isTrue();
    assertThat(inspect("web-2").getState().getRunning()).isFalse();

    StepOutput all = out("all");
    actions.start(ContainerTarget.labelled("stack=shop"), all.io());
    assertThat(inspect("web-2").getState().getRunning()).isTrue();
    assertThat(all.log())
        .contains("container web-1 is running already")
        .contains("started container web-2");
  }

  @Test
  void removeRefusesARunningContainerUnlessForcedAndAnAbsentOneIsFine() {
    sleeper("app", Map.of());

    assertThatThrownBy(() -> actions.remove(ContainerTarget.named("app"), false, out("r").io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessage(
            "container `app` is running: stop it first, or give `force: true` to remove it"
                + " running");
    assertThat(inspect("app").getState().getRunning()).isTrue();

    StepOutput forced = out("forced");
    actions.remove(ContainerTarget.named("app"), true, forced.io());
    assertThatThrownBy(() -> inspect("app")).isInstanceOf(NotFoundException.class);
    assertThat(forced.log()).contains("removed container app (forced)");

    StepOutput absent = out("absent");
    actions.remove(ContainerTarget.named("app"), true, absent.io());
    assertThat(absent.log()).contains("no container named app: nothing to remove");
  }

  @Test
  void removeByLabelRemovesEveryStoppedMatch() {
    sleeper("web-1", Map.of("stack", "shop"));
    sleeper("web-2", Map.of("stack", "shop"));
    sleeper("other", Map.of("stack", "blog"));
    actions.stop(ContainerTarget.labelled("stack=shop"), Optional.empty(), out("stop").io());

    actions.remove(ContainerTarget.labelled("stack=shop"), false, out("rm").io());

    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec())
        .extracting(c -> c.getNames()[0])
        .containsExactly("/other");
  }

  // --- exec, logs ---

  @Test
  void execStreamsTheOutputAndGivesTheExitCode() {
    sleeper("app", Map.of());
    StepOutput out = out("exec");

    DockerActions.Result result =
        actions.exec(
            "app", List.of("sh", "-c", "echo migrated 42 rows; echo warning >&2"), out.io());

    assertThat(result.failure()).isEmpty();
    assertThat(result.outputs()).containsEntry("exit_code", 0L);
    assertThat(out.stdout()).isEqualTo("migrated 42 rows\n");
    assertThat(out.log()).contains("migrated 42 rows").contains("warning");
    assertThat(out.lines).contains("migrated 42 rows", "warning");
  }

  @Test
  void execThatExitsNonZeroFailsWithItsExitCodeAndLastLine() {
    sleeper("app", Map.of());

    DockerActions.Result result =
        actions.exec("app", List.of("sh", "-c", "echo cannot migrate >&2; exit 3"), out("e").io());

    assertThat(result.outputs()).containsEntry("exit_code", 3L);
    assertThat(result.failure()).contains("exit 3: cannot migrate");
  }

  @Test
  void execMasksSecretsThatTheContainerPrints() {
    container("app", DockerRunTest.SLEEP, Map.of(), List.of("TOKEN=t0ps3cret"), Optional.empty());
    StepOutput out = out("exec", "t0ps3cret");

    actions.exec("app", List.of("sh", "-c", "echo token is $TOKEN"), out.io());

    assertThat(out.stdout()).isEqualTo("token is ***\n");
    assertThat(out.log()).doesNotContain("t0ps3cret");
  }

  @Test
  void execNeedsARunningContainer() {
    sleeper("app", Map.of());
    actions.stop(ContainerTarget.named("app"), Optional.empty(), out("stop").io());

    assertThatThrownBy(() -> actions.exec("app", List.of("true"), out("e").io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessageStartingWith("container `app` is exited (code 0), image rb-test:1")
        .hasMessageEndingWith(": exec needs a running container");
  }

  @Test
  void execPastTheStepTimeoutSaysTheCommandMayStillRun() {
    sleeper("app", Map.of());
    StepOutput out = out("e");

    assertThatThrownBy(
            () ->
                actions.exec(
                    "app", List.of("sleep", "30"), out.io(() -> false, Duration.ofMillis(700))))
        .isInstanceOf(DockerActionException.class)
        .hasMessage(
            "timed out; the command may still be running in container `app` (the Docker Engine"
                + " cannot stop an exec)");
  }

  @Test
  void aStopRequestCutsAnExecShort() {
    sleeper("app", Map.of());
    AtomicBoolean stop = new AtomicBoolean();
    new Thread(
            () -> {
              try {
                Thread.sleep(500);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              stop.set(true);
            })
        .start();
    long start = System.nanoTime();

    assertThatThrownBy(
            () ->
                actions.exec(
                    "app", List.of("sleep", "30"), out("e").io(stop::get, Duration.ofMinutes(1))))
        .isInstanceOf(DockerInterruptedException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void logsCopyTheContainersLogIntoTheStepOutput() throws Exception {
    container(
        "app",
        "echo warning >&2; sleep 0.3; echo one; echo two; echo three; " + DockerRunTest.SLEEP,
        Map.of(),
        List.of(),
        Optional.empty());
    DockerRunTest.waitFor(
        () -> {
          StepOutput probe = out("probe" + System.nanoTime());
          actions.logs("app", Optional.empty(), probe.io());
          return probe.stdout().contains("three");
        });
    StepOutput out = out("logs");
    StepOutput all = out("all");

    actions.logs("app", Optional.of(2), out.io());
    actions.logs("app", Optional.empty(), all.io());

    assertThat(out.stdout()).isEqualTo("two\nthree\n");
    // The container's stderr is part of its log, so of the step's output.
    assertThat(all.stdout()).isEqualTo("warning\none\ntwo\nthree\n");
  }

  @Test
  void logsMaskSecretsThatTheContainerPrinted() throws Exception {
    container(
        "app",
        "echo token is $TOKEN; echo stderr has $TOKEN too >&2; echo done; " + DockerRunTest.SLEEP,
        Map.of(),
        List.of("TOKEN=t0ps3cret"),
        Optional.empty());
    DockerRunTest.waitFor(
        () -> {
          StepOutput probe = out("probe" + System.nanoTime(), "t0ps3cret");
          actions.logs("app", Optional.empty(), probe.io());
          return probe.stdout().contains("done");
        });
    StepOutput out = out("logs", "t0ps3cret");

    actions.logs("app", Optional.empty(), out.io());

    assertThat(out.stdout()).contains("token is ***\n").contains("stderr has *** too\n");
    assertThat(out.stdout()).doesNotContain("t0ps3cret");
    assertThat(out.log()).doesNotContain("t0ps3cret");
  }

  // --- wait_healthy ---

  @Test
  void waitHealthyReturnsOnceTheHealthCheckPasses() {
    container(
        "app",
        "sleep 1; echo ok > /tmp/ready; " + DockerRunTest.SLEEP,
        Map.of(),
        List.of(),
        Optional.of(health("cat /tmp/ready")));
    StepOutput out = out("wait");

    actions.waitHealthy("app", Duration.ofSeconds(20), out.io());

    assertThat(inspect("app").getState().getHealth().getStatus()).isEqualTo("healthy");
    assertThat(out.log())
        .contains("container app is starting")
        .contains("container app is healthy");
  }

  @Test
  void waitHealthyTimesOutWithTheLastHealthCheckOutput() {
    container(
        "app",
        DockerRunTest.SLEEP,
        Map.of(),
        List.of(),
        Optional.of(health("echo database not reachable; exit 1")));

    assertThatThrownBy(() -> actions.waitHealthy("app", Duration.ofSeconds(3), out("w").io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessageStartingWith("container `app` is still unhealthy after 3s (")
        .hasMessageEndingWith(
            "failed checks in a row); last health check: exit 1: database not reachable");
  }

  @Test
  void waitHealthyGivesUpAtOnceWhenTheContainerStops() {
    container("app", "sleep 1; exit 4", Map.of(), List.of(), Optional.of(health("exit 1")));
    long start = System.nanoTime();

    assertThatThrownBy(() -> actions.waitHealthy("app", Duration.ofSeconds(30), out("w").io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessageStartingWith(
            "container `app` exited with code 4 while waiting for it to be healthy (exited (code"
                + " 4)");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void waitHealthyOfAContainerWithoutHealthCheckSaysWhatToDo() {
    sleeper("app", Map.of());

    assertThatThrownBy(() -> actions.waitHealthy("app", Duration.ofSeconds(5), out("w").io()))
        .hasMessage(
            "container `app` has no health check: give its run step a `health:`, or wait for"
                + " another check (a `wait:` step)");
  }

  // --- inspect, tag, pull ---

  @Test
  void inspectGivesTheContainersIdsAndStateAndAJsonSummary() {
    String id = sleeper("app", Map.of("app", "shop"));
    StepOutput out = out("inspect");

    DockerActions.Result result = actions.inspect("app", out.io());

    assertThat(result.outputs())
        .containsEntry("container_id", id)
        .containsEntry("image_id", v1)
        .containsEntry("image", "rb-test:1")
        .containsEntry("state", "running")
        .containsEntry("health", "");
    JSONObject summary = new JSONObject(out.stdout());
    assertThat(summary.getString("name")).isEqualTo("app");
    assertThat(summary.getJSONObject("labels").getString("app")).isEqualTo("shop");
  }

  @Test
  void tagGivesAnImageAFurtherTag() {
    DockerActions.Result result = actions.tag("rb-test:1", "rb-test:previous", out("t").io());

    assertThat(result.outputs()).containsEntry("image_id", v1);
    assertThat(dockerd.client().inspectImageCmd("rb-test:previous").exec().getId()).isEqualTo(v1);
  }

  @Test
  void tagOfAnImageThatIsNotThereSaysSo() {
    assertThatThrownBy(() -> actions.tag("rb-none:1", "rb-none:2", out("t").io()))
        .hasMessageStartingWith("image rb-none:1 is not on the Docker Engine at ");
  }

  @Test
  void pullFromARegistryThatCannotBeReachedSaysWhy() {
    // A registry on a loopback port nothing listens on: refused at once, no traffic leaves.
    int port = PrivateDockerd.freePort();
    String image = "127.0.0.1:" + port + "/rb/app:1";

    assertThatThrownBy(() -> actions.pull(image, out("p").io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessageStartingWith("pull " + image + ": the Docker Engine answered: ")
        .hasMessageContaining("connection refused");
  }

  // --- the engine itself ---

  @Test
  void anEngineThatIsNotThereIsNamedWithItsSocket() {
    Path socket = tmp.resolve("no-such.sock");
    DockerActions nowhere =
        new DockerActions(new DockerConnection(Map.of("DOCKER_HOST", "unix://" + socket)));

    assertThatThrownBy(() -> nowhere.inspect("app", out("i").io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessage(
            "cannot reach the Docker Engine at unix://"
                + socket
                + ": there is no socket at "
                + socket
                + " (is dockerd running? to reach another engine, set DOCKER_HOST)");
  }

  @Test
  void anEngineThatRefusesTcpConnectionsIsNamedWithItsAddress() {
    int port = PrivateDockerd.freePort();
    DockerActions nowhere =
        new DockerActions(new DockerConnection(Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + port)));

    assertThatThrownBy(() -> nowhere.inspect("app", out("i").io()))
        .hasMessage(
            "cannot reach the Docker Engine at tcp://127.0.0.1:"
                + port
                + " (plain TCP, no TLS: DOCKER_TLS_VERIFY is not set): connection refused (is"
                + " dockerd listening on 127.0.0.1:"
                + port
                + "?)");
  }
}
