package dev.runbook.engine.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.PushResponseItem;
import dev.runbook.engine.CheckOutcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pull} from a registry of the tests' own: Debian's docker-registry on a loopback port (the
 * engine talks plain HTTP to registries on 127.0.0.0/8), holding an image the test pushed.
 */
class DockerPullTest {
  static PrivateDockerd dockerd;
  static Process registry;
  static String repository;
  static String v1;

  @TempDir Path tmp;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    Path binary = Path.of("/usr/bin/docker-registry");
    DockerRequirement.need(
        Files.isExecutable(binary),
        "docker-registry is not installed: run bin/install-test-deps (Debian's docker-registry)");
    dockerd = PrivateDockerd.start();
    v1 = dockerd.importImage("rb-test", "1", Map.of("VERSION", "1\n"));
    int port = PrivateDockerd.freePort();
    Files.writeString(
        dir.resolve("config.yml"),
        "version: 0.1\n"
            + "log: { level: error, accesslog: { disabled: true } }\n"
            + "storage: { filesystem: { rootdirectory: "
            + dir.resolve("storage")
            + " } }\n"
            + "http: { addr: 127.0.0.1:"
            + port
            + " }\n");
    registry =
        new ProcessBuilder(binary.toString(), "serve", dir.resolve("config.yml").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("registry.log").toFile())
            .start();
    waitForPort(port, dir.resolve("registry.log"));
    repository = "127.0.0.1:" + port + "/rb/app";
    dockerd.client().tagImageCmd(v1, repository, "1").exec();
    dockerd
        .client()
        .pushImageCmd(repository + ":1")
        .exec(new ResultCallback.Adapter<PushResponseItem>())
        .awaitCompletion(60, TimeUnit.SECONDS);
  }

  private static void waitForPort(int port, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        if (!registry.isAlive() || System.nanoTime() > deadline) {
          DockerRequirement.unavailable("docker-registry did not start: " + Files.readString(log));
        }
        Thread.sleep(50);
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.destroy();
      registry.waitFor(10, TimeUnit.SECONDS);
    }
    if (dockerd != null) {
      dockerd.close();
    }
  }

  private DockerActions actions() {
    return new DockerActions(new DockerConnection(dockerd.environment()));
  }

  private void forgetLocally() {
    dockerd.removeAllContainers();
    try {
      dockerd.client().removeImageCmd(v1).withForce(true).exec();
    } catch (NotFoundException alreadyGone) {
      // a test before this one left it forgotten
    }
  }

  @Test
  void pullBringsTheImageWithItsIdAndDigest() {
    forgetLocally();
    StepOutput out = new StepOutput(tmp, "pull", List.of());

    DockerActions.Result result = actions().pull(repository + ":1", out.io());

    assertThat(result.outputs()).containsEntry("image_id", v1);
    String digest = result.outputs().get("image_digest").toString();
    assertThat(digest).matches("sha256:[0-9a-f]{64}");
    assertThat(dockerd.client().inspectImageCmd(repository + ":1").exec().getRepoDigests())
        .contains(repository + "@" + digest);
    assertThat(out.stdout()).isEqualTo(v1 + "\n");
    assertThat(out.log()).contains("pulling " + repository + ":1").contains("pulled ");

    // The same image again, by digest.
    forgetLocally();
    DockerActions.Result byDigest =
        actions().pull(repository + "@" + digest, new StepOutput(tmp, "again", List.of()).io());
    assertThat(byDigest.outputs())
        .containsEntry("image_id", v1)
        .containsEntry("image_digest", digest);
  }

  @Test
  void theImageCheckByDigestHoldsAfterThePullAndFailsForAnotherDigestOrOnceTheImageIsGone() {
    forgetLocally();
    String digest =
        actions()
            .pull(repository + ":1", new StepOutput(tmp, "pull", List.of()).io())
            .outputs()
            .get("image_digest")
            .toString();
    String otherDigest = "sha256:" + "0".repeat(64);

    try (DockerConnection connection = new DockerConnection(dockerd.environment())) {
      DockerProbe probe = new DockerProbe(connection);

      assertThat(probe.image(repository + "@" + digest))
          .isEqualTo(
              CheckOutcome.holds(
                  "image " + repository + "@" + digest + " is present (" + v1 + ")"));
      assertThat(probe.image(repository + "@" + otherDigest))
          .isEqualTo(
              CheckOutcome.failed(
                  "image "
                      + repository
                      + "@"
                      + otherDigest
                      + " is not on the Docker Engine at "
                      + dockerd.host()));
      forgetLocally();
      assertThat(probe.image(repository + "@" + digest))
          .isEqualTo(
              CheckOutcome.failed(
                  "image "
                      + repository
                      + "@"
                      + digest
                      + " is not on the Docker Engine at "
                      + dockerd.host()));
    }
  }

  @Test
  void pullOfATagTheRegistryDoesNotHaveSaysSo() {
    StepOutput out = new StepOutput(tmp, "pull", List.of());

    assertThatThrownBy(() -> actions().pull(repository + ":9", out.io()))
        .isInstanceOf(DockerActionException.class)
        .hasMessageStartingWith("pull " + repository + ":9: the Docker Engine answered: ")
        .hasMessageContaining("not found");
  }
}
