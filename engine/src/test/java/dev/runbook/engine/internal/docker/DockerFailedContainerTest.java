package dev.runbook.engine.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container that fails (exits, never becomes healthy, crash-loops) leaves its last log lines in
 * the failed step's log, masked, and the failure says how it failed: the rollback that follows
 * removes the container, and its log with it.
 */
class DockerFailedContainerTest {
  static final String SECRET = "s3cr3t-t0ken-42";

  /** Prints 60 numbered lines, then the secret it was given: more than the log keeps. */
  static final String CHATTY =
      "i=1; while [ $i -le 60 ]; do echo \"line $i\"; i=$((i+1)); done;"
          + " echo \"connecting with $TOKEN\"; ";

  static PrivateDockerd dockerd;

  @TempDir Path tmp;
  DockerConnection connection;
  DockerActions actions;

  @BeforeAll
  static void startEngine() {
    dockerd = PrivateDockerd.start();
    dockerd.importImage("rb-test", "1", Map.of("VERSION", "1\n"));
    dockerd.importImage("rb-test", "2", Map.of("VERSION", "2\n"));
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

  private StepOutput out(String name) {
    return new StepOutput(tmp, name, List.of(SECRET));
  }

  /** A container of busybox running {@code script}, with a health check that never passes. */
  private static ContainerSettings app(String image, String script, Optional<String> restart) {
    return new ContainerSettings(
        "app",
        image,
        List.of("TOKEN=" + SECRET),
        Optional.of(List.of("sh", "-c", script)),
        Optional.empty(),
        "",
        "",
        Map.of(),
        List.of(),
        Optional.of("none"),
        restart,
        Optional.of(
            new ContainerSettings.Health(
                List.of("CMD-SHELL", "echo database not reachable; exit 1"),
                Optional.of(Duration.ofMillis(300)),
                Optional.of(Duration.ofSeconds(2)),
                Optional.of(1),
                Optional.empty())),
        List.of(),
        List.of());
  }

  private void start(ContainerSettings s) {
    actions.run(s, false, Map.of(), Set.of(), "run-1", "start", r -> {}, out("run").io());
  }

  /** The log holds the container's last 50 lines, the secret masked, and nothing older. */
  private static void assertKeepsTheLast50Lines(String log) {
    assertThat(log)
        .contains("[runbook] the last 50 lines of container app's log:")
        .contains("[runbook] app | line 12\n")
        .contains("[runbook] app | line 60\n")
        .contains("[runbook] app | connecting with ***\n")
        .doesNotContain("app | line 11\n")
        .doesNotContain(SECRET);
  }

  private static String containerLog() {
    StringBuilder text = new StringBuilder();
    try {
      dockerd
          .client()
          .logContainerCmd("app")
          .withStdOut(true)
          .withStdErr(true)
          .exec(
              new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                  text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                }
              })
          .awaitCompletion();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return text.toString();
  }

  @Test
  void aContainerThatExitsSaysItsExitCodeAndKeepsItsLastLinesInTheStepLog() {
    start(app("rb-test:1", CHATTY + "exit 3", Optional.empty()));
    StepOutput out = out("wait");

    assertThatThrownBy(() -> actions.waitHealthy("app", Duration.ofSeconds(30), out.io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessageStartingWith(
            "container `app` exited with code 3 while waiting for it to be healthy (exited (code"
                + " 3), image rb-test:1");
    assertKeepsTheLast50Lines(out.log());
  }

  @Test
  void aHealthCheckThatNeverPassesSaysTheHealthStatusAndKeepsTheLastLines() {
    start(app("rb-test:1", CHATTY + DockerRunTest.SLEEP, Optional.empty()));
    StepOutput out = out("wait");

    assertThatThrownBy(() -> actions.waitHealthy("app", Duration.ofSeconds(3), out.io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessageStartingWith("container `app` is still unhealthy after 3s (")
        .hasMessageEndingWith("; last health check: exit 1: database not reachable");
    assertKeepsTheLast50Lines(out.log());
  }

  @Test
  void aCrashLoopingContainerSaysItRestartedAndItsLastExitCodeNotStillStarting() {
    start(app("rb-test:1", CHATTY + "exit 2", Optional.of("always")));
    StepOutput out = out("wait");

    assertThatThrownBy(() -> actions.waitHealthy("app", Duration.ofSeconds(4), out.io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessageMatching(
            "container `app` restarted \\d+ times \\(last exit code 2\\) and was not healthy after"
                + " 4s \\((running|restarting), .*")
        .hasMessageNotContaining("still starting");
    String log = out.log();
    assertThat(log).contains("[runbook] app | line 60\n").doesNotContain(SECRET);
  }

  @Test
  void aContainerRunningAgainAfterARestartStillSaysTheExitCodeOfItsCrash() {
    // Its file system outlives the restart: the second run finds /ran and keeps running.
    start(
        app(
            "rb-test:1",
            "if [ -f /ran ]; then echo running again; "
                + DockerRunTest.SLEEP
                + "; else touch /ran; echo crashing; exit 7; fi",
            Optional.of("always")));
    StepOutput out = out("wait");

    assertThatThrownBy(() -> actions.waitHealthy("app", Duration.ofSeconds(3), out.io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessageStartingWith(
            "container `app` restarted once (last exit code 7) and was not healthy after 3s"
                + " (running, ")
        .hasMessageEndingWith("; last health check: exit 1: database not reachable");
    assertThat(out.log()).contains("[runbook] app | crashing\n[runbook] app | running again\n");
  }

  @Test
  void aContainerWhoseRestartsRunOutSaysItExitedAfterRestarting() {
    start(app("rb-test:1", CHATTY + "exit 5", Optional.of("on-failure:2")));
    StepOutput out = out("wait");

    assertThatThrownBy(() -> actions.waitHealthy("app", Duration.ofSeconds(30), out.io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessageStartingWith(
            "container `app` exited with code 5 after restarting 2 times while waiting for it to"
                + " be healthy (exited (code 5)");
    assertThat(out.log()).contains("[runbook] app | connecting with ***\n");
  }

  @Test
  void aRollbackKeepsTheLastLinesOfTheContainerItRemoves() throws Exception {
    start(app("rb-test:1", DockerRunTest.SLEEP, Optional.empty()));
    List<ReplacedContainer> recorded = new ArrayList<>();
    actions.run(
        app("rb-test:2", CHATTY + DockerRunTest.SLEEP, Optional.empty()),
        true,
        Map.of(),
        Set.of(),
        "run-2",
        "upgrade",
        recorded::add,
        out("upgrade").io());
    DockerRunTest.waitFor(() -> containerLog().contains("connecting with"));
    StepOutput out = out("restore");

    actions.restoreReplaced(
        "app", Optional.of(recorded.get(0)), "run-2", "upgrade", Map.of(), Map.of(), out.io());

    String log = out.log();
    assertKeepsTheLast50Lines(log);
    assertThat(log.indexOf("app | line 60")).isLessThan(log.indexOf("removed container app"));
    assertThat(dockerd.client().inspectContainerCmd("app").exec().getConfig().getImage())
        .isEqualTo("rb-test:1");
  }
}
