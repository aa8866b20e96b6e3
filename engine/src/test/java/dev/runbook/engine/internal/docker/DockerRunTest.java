package dev.runbook.engine.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The docker {@code run} operation and its built-in compensation, against a real engine. */
class DockerRunTest {
  static final String SLEEP = "trap 'exit 0' TERM; sleep 3600 & wait";
  static final String SECRET = "pa55-w0rd-xyz";

  static PrivateDockerd dockerd;
  static String v1;
  static String v2;

  @TempDir Path tmp;
  DockerConnection connection;
  DockerActions actions;

  @BeforeAll
  static void startEngine() {
    dockerd = PrivateDockerd.start();
    v1 = dockerd.importImage("rb-test", "1", Map.of("VERSION", "1\n"));
    v2 = dockerd.importImage("rb-test", "2", Map.of("VERSION", "2\n"));
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

  static ContainerSettings sleeper(String name, String image, List<String> env) {
    return new ContainerSettings(
        name,
        image,
        env,
        Optional.of(List.of("sh", "-c", SLEEP)),
        Optional.empty(),
        "",
        "",
        Map.of("app", "test"),
        List.of(),
        Optional.of("none"),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        List.of());
  }

  private DockerActions.Result run(ContainerSettings s, boolean replace, StepOutput out) {
    return actions.run(s, replace, Map.of(), Set.of(), "run-1", "step", r -> {}, out.io());
  }

  private InspectContainerResponse inspect(String name) {
    return dockerd.client().inspectContainerCmd(name).exec();
  }

  @Test
  void runCreatesAndStartsTheContainerWithEverySetting() throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    ContainerSettings s =
        new ContainerSettings(
            "app",
            "rb-test:1",
            List.of("GREETING=hello"),
            Optional.of(List.of("sh", "-c", "echo $GREETING > /data/shared/greeting; " + SLEEP)),
            Optional.empty(),
            "",
            "",
            Map.of("app", "test"),
            List.of(shared + ":/data/shared", "rb-test-volume:/data/volume"),
            Optional.of("none"),
            Optional.of("unless-stopped"),
            Optional.of(
                new ContainerSettings.Health(
                    List.of("CMD-SHELL", "test -f /data/shared/greeting"),
                    Optional.of(Duration.ofSeconds(1)),
                    Optional.of(Duration.ofSeconds(2)),
                    Optional.of(2),
                    Optional.empty())),
            List.of(),
            List.of());
    StepOutput out = new StepOutput(tmp, "run", List.of());

    DockerActions.Result result = run(s, false, out);

    InspectContainerResponse c = inspect("app");
    assertThat(c.getState().getRunning()).isTrue();
    assertThat(result.outputs())
        .containsEntry("container_id", c.getId())
        .containsEntry("image_id", v1)
        .containsEntry("image_digest", "")
        .containsEntry("replaced_image", "");
    assertThat(c.getConfig().getEnv()).contains("GREETING=hello");
    assertThat(c.getConfig().getLabels())
        .containsEntry("app", "test")
        .containsEntry(DockerActions.RUN_LABEL, "run-1")
        .containsEntry(DockerActions.STEP_LABEL, "step");
    assertThat(c.getHostConfig().getNetworkMode()).isEqualTo("none");
    assertThat(c.getHostConfig().getRestartPolicy().getName()).isEqualTo("unless-stopped");
    assertThat(c.getConfig().getHealthcheck().getTest())
        .containsExactly("CMD-SHELL", "test -f /data/shared/greeting");
    assertThat(c.getConfig().getHealthcheck().getRetries()).isEqualTo(2);
    assertThat(c.getMounts()).anySatisfy(m -> assertThat(m.getName()).isEqualTo("rb-test-volume"));
    waitFor(() -> Files.exists(shared.resolve("greeting")));
    assertThat(Files.readString(shared.resolve("greeting"))).isEqualTo("hello\n");
    assertThat(out.stdout()).isEqualTo(c.getId() + "\n");
    assertThat(out.log()).contains("started container app");
  }

  @Test
  void runRefusesANameConflictUnlessReplaceIsGiven() {
    run(sleeper("app", "rb-test:1", List.of()), false, new StepOutput(tmp, "first", List.of()));
    StepOutput out = new StepOutput(tmp, "second", List.of());

    assertThatThrownBy(() -> run(sleeper("app", "rb-test:2", List.of()), false, out))
        .isInstanceOf(DockerActionException.class)
        .hasMessageStartingWith("name conflict: a container named `app` already exists (running")
        .hasMessageContaining("image rb-test:1")
        .hasMessageEndingWith(
            "remove it first, or give the run `replace: true` (rollback then restores it)");
  }

  @Test
  void runOfAnImageThatIsNotThereSaysToPullIt() {
    StepOutput out = new StepOutput(tmp, "run", List.of());

    assertThatThrownBy(() -> run(sleeper("app", "rb-test:9", List.of()), false, out))
        .isInstanceOf(DockerActionException.class)
        .hasMessage(
            "image rb-test:9 is not on the Docker Engine at "
                + dockerd.host()
                + ": pull it first (a `docker: { pull: rb-test:9 }` step) to run it, or check the"
                + " name");
  }

  @Test
  void aReplaceWhoseImageIsMissingLeavesTheRunningContainerAlone() {
    run(sleeper("app", "rb-test:1", List.of()), false, new StepOutput(tmp, "old", List.of()));
    String id = inspect("app").getId();
    List<ReplacedContainer> recorded = new ArrayList<>();
    StepOutput out = new StepOutput(tmp, "new", List.of());

    assertThatThrownBy(
            () ->
                actions.run(
                    sleeper("app", "rb-test:9", List.of()),
                    true,
                    Map.of(),
                    Set.of(),
                    "run-2",
                    "upgrade",
                    recorded::add,
                    out.io()))
        .hasMessageStartingWith("image rb-test:9 is not on the Docker Engine");
    assertThat(recorded).isEmpty();
    assertThat(inspect("app").getId()).isEqualTo(id);
    assertThat(inspect("app").getState().getRunning()).isTrue();
  }

  @Test
  void aContainerThatCannotStartIsRemovedSoARetryFindsTheNameFree() {
    ContainerSettings broken =
        new ContainerSettings(
            "app",
            "rb-test:1",
            List.of(),
            Optional.of(List.of("/bin/no-such-program")),
            Optional.empty(),
            "",
            "",
            Map.of(),
            List.of(),
            Optional.of("none"),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            List.of());
    StepOutput out = new StepOutput(tmp, "run", List.of());

    assertThatThrownBy(() -> run(broken, false, out))
        .isInstanceOf(DockerActionException.class)
        .hasMessageStartingWith(
            "container `app` was created from rb-test:1 but did not start (it was removed again):")
        .hasMessageContaining("no-such-program");
    assertThatThrownBy(() -> inspect("app")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void replaceRecordsTheOldContainerWithoutItsSecretsThenRemovesIt() {
    run(
        sleeper("app", "rb-test:1", List.of("DB_URL=pg://app:" + SECRET + "@db", "MODE=old")),
        false,
        new StepOutput(tmp, "old", List.of()));
    String oldId = inspect("app").getId();
    List<ReplacedContainer> recorded = new ArrayList<>();
    StepOutput out = new StepOutput(tmp, "new", List.of(SECRET));

    DockerActions.Result result =
        actions.run(
            sleeper("app", "rb-test:2", List.of("DB_URL=pg://app:" + SECRET + "@db")),
            true,
            Map.of("db_password", SECRET),
            Set.of("DB_URL"),
            "run-2",
            "upgrade",
            recorded::add,
            out.io());

    assertThat(result.outputs()).containsEntry("replaced_image", "rb-test:1");
    assertThat(result.outputs()).containsEntry("image_id", v2);
    assertThat(inspect("app").getImageId()).isEqualTo(v2);
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).hasSize(1);
    assertThat(recorded).hasSize(1);
    ReplacedContainer r = recorded.get(0);
    assertThat(r.id()).isEqualTo(oldId);
    assertThat(r.imageId()).isEqualTo(v1);
    assertThat(r.running()).isTrue();
    String journaled = r.toJson().toString();
    assertThat(journaled).doesNotContain(SECRET).contains("\"secret_param\":\"db_password\"");
    assertThat(ReplacedContainer.fromJson(new JSONObject(journaled))).isEqualTo(r);
    assertThat(out.log())
        .contains("replacing container app (running, image rb-test:1")
        .contains("stopped container app")
        .contains("removed container app")
        .doesNotContain(SECRET);
  }

  @Test
  void restoreRemovesTheNewContainerAndRecreatesTheReplacedOneAsItWas() {
    Path shared = tmp.resolve("www");
    ContainerSettings old =
        new ContainerSettings(
            "app",
            "rb-test:1",
            List.of("DB_URL=pg://app:" + SECRET + "@db", "MODE=old"),
            Optional.of(List.of("sh", "-c", SLEEP)),
            Optional.empty(),
            "",
            "",
            Map.of("app", "test"),
            List.of(shared + ":/data/www:ro"),
            Optional.of("none"),
            Optional.of("on-failure:3"),
            Optional.of(
                new ContainerSettings.Health(
                    List.of("CMD-SHELL", "true"),
                    Optional.of(Duration.ofSeconds(1)),
                    Optional.empty(),
                    Optional.of(1),
                    Optional.empty())),
            List.of(),
            List.of());
    run(old, false, new StepOutput(tmp, "old", List.of()));
    List<ReplacedContainer> recorded = new ArrayList<>();
    actions.run(
        sleeper("app", "rb-test:2", List.of("DB_URL=pg://app:" + SECRET + "@db")),
        true,
        Map.of("db_password", SECRET),
        Set.of("DB_URL"),
        "run-2",
        "upgrade",
        recorded::add,
        new StepOutput(tmp, "new", List.of()).io());
    ReplacedContainer record = ReplacedContainer.fromJson(recorded.get(0).toJson());
    StepOutput out = new StepOutput(tmp, "restore", List.of(SECRET));

    actions.restoreReplaced(
        "app",
        Optional.of(record),
        "run-2",
        "upgrade",
        Map.of("db_password", SECRET),
        Map.of(),
        out.io());

    InspectContainerResponse c = inspect("app");
    assertThat(c.getImageId()).isEqualTo(v1);
    assertThat(c.getConfig().getImage()).isEqualTo("rb-test:1");
    assertThat(c.getState().getRunning()).isTrue();
    assertThat(c.getConfig().getEnv()).contains("DB_URL=pg://app:" + SECRET + "@db", "MODE=old");
    assertThat(c.getConfig().getLabels())
        .containsEntry("app", "test")
        .containsEntry(DockerActions.RUN_LABEL, "run-1");
    assertThat(c.getHostConfig().getNetworkMode()).isEqualTo("none");
    assertThat(c.getHostConfig().getRestartPolicy().getName()).isEqualTo("on-failure");
    assertThat(c.getHostConfig().getRestartPolicy().getMaximumRetryCount()).isEqualTo(3);
    assertThat(c.getConfig().getHealthcheck().getTest()).containsExactly("CMD-SHELL", "true");
    assertThat(c.getHostConfig().getBinds()[0].toString()).startsWith(shared + ":/data/www:ro");
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).hasSize(1);
    assertThat(out.log())
        .contains("removing container app (running")
        .contains("which step upgrade created")
        .contains("recreated container app")
        .contains("from rb-test:1 as it was before step upgrade; started")
        .doesNotContain(SECRET);

    // Interrupted and run again (a resumed rollback): nothing more to do.
    StepOutput again = new StepOutput(tmp, "again", List.of());
    actions.restoreReplaced(
        "app",
        Optional.of(record),
        "run-2",
        "upgrade",
        Map.of("db_password", SECRET),
        Map.of(),
        again.io());
    assertThat(inspect("app").getId()).isEqualTo(c.getId());
    assertThat(again.log()).contains("container app is restored already");
  }

  @Test
  void restoreRecreatesByImageIdWhenTheTagHasMovedOn() {
    dockerd.importImage("rb-moving", "1", Map.of("VERSION", "old\n"));
    String oldImage = dockerd.client().inspectImageCmd("rb-moving:1").exec().getId();
    run(sleeper("app", "rb-moving:1", List.of()), false, new StepOutput(tmp, "old", List.of()));
    List<ReplacedContainer> recorded = new ArrayList<>();
    actions.run(
        sleeper("app", "rb-test:2", List.of()),
        true,
        Map.of(),
        Set.of(),
        "run-2",
        "upgrade",
        recorded::add,
        new StepOutput(tmp, "new", List.of()).io());
    // The tag now names another image (say, a newer pull of the same tag).
    dockerd.client().tagImageCmd(v2, "rb-moving", "1").withForce().exec();

    actions.restoreReplaced(
        "app",
        Optional.of(recorded.get(0)),
        "run-2",
        "upgrade",
        Map.of(),
        Map.of(),
        new StepOutput(tmp, "restore", List.of()).io());

    assertThat(inspect("app").getImageId()).isEqualTo(oldImage);
    assertThat(inspect("app").getConfig().getImage()).isEqualTo(oldImage);
  }

  @Test
  void restoreLeavesAContainerItDidNotCreateAlone() {
    run(sleeper("app", "rb-test:1", List.of()), false, new StepOutput(tmp, "old", List.of()));
    List<ReplacedContainer> recorded = new ArrayList<>();
    actions.run(
        sleeper("app", "rb-test:2", List.of()),
        true,
        Map.of(),
        Set.of(),
        "run-2",
        "upgrade",
        recorded::add,
        new StepOutput(tmp, "new", List.of()).io());
    // Someone else replaced it meanwhile.
    dockerd.client().removeContainerCmd("app").withForce(true).exec();
    actions.run(
        sleeper("app", "rb-test:2", List.of()),
        false,
        Map.of(),
        Set.of(),
        "other-run",
        "x",
        r -> {},
        new StepOutput(tmp, "other", List.of()).io());
    String othersId = inspect("app").getId();

    StepOutput out = new StepOutput(tmp, "restore", List.of());
    assertThatThrownBy(
            () ->
                actions.restoreReplaced(
                    "app",
                    Optional.of(recorded.get(0)),
                    "run-2",
                    "upgrade",
                    Map.of(),
                    Map.of(),
                    out.io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessageStartingWith(
            "cannot restore container `app`: a container of that name exists that step upgrade"
                + " did not create (running, image rb-test:2")
        .hasMessageEndingWith("remove or rename it, then roll back again");
    assertThat(inspect("app").getId()).isEqualTo(othersId);
  }

  @Test
  void restoreWithNothingReplacedOnlyRemovesTheNewContainer() {
    run(sleeper("app", "rb-test:2", List.of()), true, new StepOutput(tmp, "new", List.of()));
    // run() above used run-1/step: this is the step that created it.
    StepOutput out = new StepOutput(tmp, "restore", List.of());

    actions.restoreReplaced("app", Optional.empty(), "run-1", "step", Map.of(), Map.of(), out.io());

    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).isEmpty();
    assertThat(out.log()).contains("replaced no container: nothing to restore");
  }

  @Test
  void aSecondTryOfAReplaceDoesNotRecordTheContainerTheFirstTryMade() {
    List<ReplacedContainer> recorded = new ArrayList<>();
    for (int attempt = 0; attempt < 2; attempt++) {
      actions.run(
          sleeper("app", "rb-test:2", List.of()),
          true,
          Map.of(),
          Set.of(),
          "run-2",
          "upgrade",
          recorded::add,
          new StepOutput(tmp, "try" + attempt, List.of()).io());
    }
    assertThat(recorded).isEmpty();
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).hasSize(1);
  }

  @Test
  void replaceNeedsAName() {
    assertThatThrownBy(
            () ->
                run(sleeper("", "rb-test:1", List.of()), true, new StepOutput(tmp, "r", List.of())))
        .hasMessage("`replace: true` needs the container's `name:`");
  }

  static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10s");
      }
      Thread.sleep(50);
    }
  }
}
