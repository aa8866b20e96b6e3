package dev.runbook.engine.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Container;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A one-off {@code run} ({@code one_off: true}), against a real engine. */
class DockerOneOffTest {
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

  /** A busybox container that runs {@code script}, with {@code labels}. */
  static ContainerSettings script(String name, String script, Map<String, String> labels) {
    return new ContainerSettings(
        name,
        "rb-test:1",
        List.of("GREETING=hello"),
        Optional.of(List.of("sh", "-c", script)),
        Optional.empty(),
        "",
        "",
        labels,
        List.of(),
        Optional.of("none"),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        List.of());
  }

  private DockerActions.Result oneOff(ContainerSettings s, StepOutput out) {
    return actions.runOneOff(s, "run-1", "migrate", out.io());
  }

  /** Every container on the engine, stopped ones too. */
  private List<Container> containers() {
    return dockerd.client().listContainersCmd().withShowAll(true).exec();
  }

  @Test
  void aOneOffContainerRunsToItsEndItsOutputIsTheStepsAndItIsRemoved() {
    StepOutput out = new StepOutput(tmp, "migrate", List.of());

    DockerActions.Result result =
        oneOff(
            script(
                "app-migrate",
                "echo \"$GREETING from $(cat /VERSION)\"; echo warning >&2; sleep 1; echo"
                    + " revision=42",
                Map.of("role", "migration")),
            out);

    assertThat(result.failure()).isEmpty();
    assertThat(result.outputs())
        .containsEntry("image_id", v1)
        .containsKeys("container_id", "image_digest");
    assertThat(out.stdout()).isEqualTo("hello from 1\nrevision=42\n");
    assertThat(out.log())
        .contains("started one-off container app-migrate")
        .contains("warning")
        .contains("one-off container app-migrate exited 0")
        .contains("removed one-off container app-migrate");
    assertThat(containers()).isEmpty();
  }

  @Test
  void aNonZeroExitFailsTheStepWithTheCodeAndTheLastLinesAndTheContainerIsRemoved() {
    StepOutput out = new StepOutput(tmp, "migrate", List.of());

    DockerActions.Result result =
        oneOff(
            script(
                "app-migrate",
                "for i in 1 2 3 4 5 6; do echo step $i; done; echo 'no such table: prints' >&2;"
                    + " exit 3",
                Map.of()),
            out);

    assertThat(result.failure()).isPresent();
    assertThat(result.failure().get())
        .startsWith("one-off container app-migrate exited 3: ")
        .contains("step 5 / step 6");
    assertThat(containers()).isEmpty();
  }

  @Test
  void anUnnamedOneOffContainerIsNamedByItsIdAndRemovedToo() {
    StepOutput out = new StepOutput(tmp, "migrate", List.of());

    DockerActions.Result result = oneOff(script("", "exit 2", Map.of()), out);

    String id = result.outputs().get("container_id").toString();
    assertThat(result.failure())
        .contains("one-off container " + id.substring(0, 12) + " exited 2 (no output)");
    assertThat(containers()).isEmpty();
  }

  /** A container as an interrupted one-off run leaves it: labelled, maybe still running. */
  private void leftover(String name, String script, String runId) {
    actions.run(
        script(name, script, Map.of(DockerActions.ONE_OFF_LABEL, "true")),
        false,
        Map.of(),
        Set.of(),
        runId,
        "migrate",
        r -> {},
        new StepOutput(tmp, "earlier", List.of()).io());
  }

  @Test
  void aLeftoverStillRunningIsWaitedForThenRemovedBeforeTheStepStartsAgain() {
    // As a run killed while its migration ran leaves it: running, under the step's name.
    leftover("app-migrate", "sleep 2; echo earlier try done", "run-0");
    StepOutput out = new StepOutput(tmp, "migrate", List.of());

    DockerActions.Result result = oneOff(script("app-migrate", "echo again", Map.of()), out);

    assertThat(result.failure()).isEmpty();
    assertThat(out.stdout()).isEqualTo("again\n");
    assertThat(out.log())
        .contains("container app-migrate (running, image rb-test:1, id ")
        .contains(
            "left running by an interrupted one-off run: waiting for it to exit before it is"
                + " removed and started again")
        .contains("removing container app-migrate (exited (code 0), image rb-test:1")
        .contains("started one-off container app-migrate");
    assertThat(containers()).isEmpty();
  }

  @Test
  void aLeftoverThatOutlastsTheStepsTimeoutIsLeftRunningAndTheStepFails() {
    leftover("app-migrate", DockerRunTest.SLEEP, "run-0");

    assertThatThrownBy(
            () ->
                actions.runOneOff(
                    script("app-migrate", "echo again", Map.of()),
                    "run-1",
                    "migrate",
                    new StepOutput(tmp, "migrate", List.of())
                        .io(() -> false, Duration.ofSeconds(2))))
        .isInstanceOf(DockerActionException.class)
        .hasMessage(
            "container app-migrate, left running by an interrupted one-off run, had not exited when"
                + " the step's timeout ran out; it is left running: wait for it or stop it, then run"
                + " the step again");
    assertThat(containers()).hasSize(1);
    assertThat(containers().get(0).getState()).isEqualTo("running");
  }

  @Test
  void anUnnamedLeftoverOfThisStepIsRemovedBeforeItStartsAgain() {
    leftover("", "true", "run-1");
    assertThat(containers()).hasSize(1);
    StepOutput out = new StepOutput(tmp, "migrate", List.of());

    oneOff(script("", "true", Map.of()), out);

    assertThat(out.log()).contains(", left by an interrupted one-off run");
    assertThat(containers()).isEmpty();
  }

  @Test
  void aContainerOfTheNameThatNoOneOffRunMadeIsAConflictAndLeftAlone() {
    actions.run(
        script("app-migrate", DockerRunTest.SLEEP, Map.of()),
        false,
        Map.of(),
        Set.of(),
        "run-0",
        "start",
        r -> {},
        new StepOutput(tmp, "earlier", List.of()).io());

    assertThatThrownBy(
            () ->
                oneOff(
                    script("app-migrate", "true", Map.of()),
                    new StepOutput(tmp, "migrate", List.of())))
        .isInstanceOf(DockerActionException.class)
        .hasMessageStartingWith("name conflict: a container named `app-migrate` already exists (")
        .hasMessageEndingWith(
            ") and is not a one-off container of a runbook; remove or rename it first");
    assertThat(containers()).hasSize(1);
    assertThat(containers().get(0).getState()).isEqualTo("running");
  }

  @Test
  void theStepsTimeoutEndsAOneOffContainerAndRemovesIt() {
    StepOutput out = new StepOutput(tmp, "migrate", List.of());

    assertThatThrownBy(
            () ->
                actions.runOneOff(
                    script("app-migrate", DockerRunTest.SLEEP, Map.of()),
                    "run-1",
                    "migrate",
                    out.io(() -> false, Duration.ofSeconds(2))))
        .isInstanceOf(DockerActionException.class)
        .hasMessage(
            "one-off container app-migrate had not exited when the step's timeout ran out; it is"
                + " stopped and removed");
    assertThat(containers()).isEmpty();
  }

  @Test
  void aStopRequestStopsTheOneOffContainerAndRemovesIt() {
    AtomicBoolean stop = new AtomicBoolean();
    StepOutput out = new StepOutput(tmp, "migrate", List.of());
    Thread stopper =
        new Thread(
            () -> {
              try {
                while (out.lines.stream().noneMatch(l -> l.equals("started"))) {
                  Thread.sleep(50);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              stop.set(true);
            });
    stopper.start();

    assertThatThrownBy(
            () ->
                actions.runOneOff(
                    script("app-migrate", "echo started; " + DockerRunTest.SLEEP, Map.of()),
                    "run-1",
                    "migrate",
                    out.io(stop::get, Duration.ofMinutes(2))))
        .isInstanceOf(DockerInterruptedException.class);
    assertThat(out.log()).contains("removed one-off container app-migrate");
    assertThat(containers()).isEmpty();
  }
}
