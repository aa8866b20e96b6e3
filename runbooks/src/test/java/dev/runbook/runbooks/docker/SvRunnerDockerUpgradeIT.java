package dev.runbook.runbooks.docker;

import static dev.runbook.runbooks.docker.SvRunnerDeployment.BROKEN_MIGRATION;
import static dev.runbook.runbooks.docker.SvRunnerDeployment.IMAGE;
import static dev.runbook.runbooks.docker.SvRunnerDeployment.NEW;
import static dev.runbook.runbooks.docker.SvRunnerDeployment.OLD;
import static dev.runbook.runbooks.docker.SvRunnerDeployment.RUNBOOK;
import static dev.runbook.runbooks.docker.SvRunnerDeployment.UNHEALTHY;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.runbook.cli.CliProcess;
import dev.runbook.engine.internal.docker.PrivateDockerd;
import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalRecord;
import dev.runbook.engine.journal.RunFold;
import dev.runbook.runbooks.Journals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runbooks/svrunner/upgrade-docker.yaml} against a real Docker Engine (a private dockerd):
 * it validates, its plan is the golden one, it upgrades a deployment from 1.0.0 to 2.0.0 on the
 * same data mount and validates it as the guide says, and a new image whose boot migration fails or
 * that never becomes healthy is rolled back to the 1.0.0 image with local.db, assets and .env
 * byte-identical. A run killed with SIGKILL after the container was replaced resumes to the end.
 */
class SvRunnerDockerUpgradeIT {
  private static final Path GOLDEN =
      Path.of("src/test/resources/docker/svrunner/plan-defaults.txt");

  static PrivateDockerd dockerd;

  @TempDir Path dir;
  private DockerRunbook runbook;

  @BeforeAll
  static void startEngine() {
    dockerd = PrivateDockerd.start();
    SvRunnerDeployment.importImages(dockerd);
  }

  @AfterAll
  static void stopEngine() {
    if (dockerd != null) {
      dockerd.close();
    }
  }

  @BeforeEach
  void prepare() {
    dockerd.removeAllContainers();
    runbook = new DockerRunbook(dockerd, dir);
  }

  private CliProcess.Result upgrade(SvRunnerDeployment deployment, String version)
      throws Exception {
    return runbook.cli(
        "run",
        RUNBOOK.toString(),
        "--params-file",
        deployment.paramsFile().toString(),
        "-p",
        "version=" + version);
  }

  @Test
  void validates() throws Exception {
    CliProcess.Result result = CliProcess.run(dir, "validate", RUNBOOK.toString());

    assertThat(result.exitCode()).as(DockerRunbook.describe(result)).isZero();
    assertThat(result.stdout()).endsWith(": valid (runbook `svrunner-upgrade-docker`, 19 steps)\n");
  }

  @Test
  void planWithTheDefaultsIsTheGoldenOneAndShowsTheBuiltInCompensation() throws Exception {
    CliProcess.Result result =
        CliProcess.run(
            dir,
            Map.of("DOCKER_HOST", "unix:///var/run/docker.sock"),
            "plan",
            RUNBOOK.toString(),
            "--offline",
            "--state-dir",
            dir.resolve("s").toString());

    assertThat(result.exitCode()).as(DockerRunbook.describe(result)).isZero();
    String plan = result.stdout().replace(RUNBOOK.getParent().toString(), "<runbooks/svrunner>");
    if (Boolean.getBoolean("docker.golden.update")) {
      Files.writeString(GOLDEN, plan);
    }
    assertThat(plan).isEqualTo(Files.readString(GOLDEN));
    assertThat(plan)
        .contains(
            "docker run: ghcr.io/svrunner/svrunner:2.0.0 as container svrunner (replaces a"
                + " container of that name, recording it for rollback)")
        .contains("mount: /srv/svrunner/files:/app/files")
        .contains(
            "docker (built in): remove container svrunner if this step created it; then create"
                + " again the container it replaced");
  }

  @Test
  void upgradeRunsTheNewImageOnTheSameDataMountAndValidatesIt() throws Exception {
    SvRunnerDeployment deployment = SvRunnerDeployment.install(dockerd, dir.resolve("host"));
    String screensBefore = deployment.sqlite("SELECT * FROM screens ORDER BY id;");
    Map<String, String> assetsBefore =
        Trees.digests(deployment.serverDir().resolve("files/assets"));
    String previousImageId = deployment.container().getImageId();

    long start = System.nanoTime();
    CliProcess.Result result = upgrade(deployment, NEW);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(result.exitCode()).as(DockerRunbook.describe(result)).isZero();
    assertThat(deployment.get("/api/version")).contains("{\"version\":\"" + NEW + "\"}\n");
    InspectContainerResponse svrunner = deployment.container();
    assertThat(svrunner.getConfig().getImage()).isEqualTo(IMAGE + ":" + NEW);
    assertThat(svrunner.getHostConfig().getBinds())
        .extracting(Object::toString)
        .contains(deployment.serverDir().resolve("files") + ":/app/files:rw");
    // The data survived, migrated in place.
    assertThat(deployment.sqlite("SELECT version FROM schema_version;").strip()).isEqualTo("2");
    assertThat(deployment.sqlite("SELECT id, name, playlist_id FROM screens ORDER BY id;"))
        .isEqualTo(screensBefore);
    assertThat(Trees.digests(deployment.serverDir().resolve("files/assets")))
        .isEqualTo(assetsBefore);
    assertThat(deployment.log())
        .contains("svrunner 1.0.0: heartbeat")
        .contains("svrunner 2.0.0: migrating the database 1 -> 2")
        .contains("svrunner 2.0.0: heartbeat");
    // The previous image is kept under a tag of its own, for rollback.
    assertThat(dockerd.client().inspectImageCmd(IMAGE + ":rollback").exec().getId())
        .isEqualTo(previousImageId);
    String runId = DockerRunbook.runId(result.stdout());
    assertThat(Files.readString(deployment.backupDir().resolve(runId).resolve("manifest.json")))
        .contains("files/local.db")
        .contains("files/assets/menu/monday.html")
        .contains("files/logs/server.log")
        .contains(".env");
    // The version that ran before is recorded, as the step's output.
    assertThat(fold(runId).done("current_version"))
        .hasValueSatisfying(
            d ->
                assertThat(d.outputs())
                    .as("current_version's outputs")
                    .containsEntry("version", "1.0.0"));
    assertThat(deployment.serverDir().resolve("files"))
        .isDirectoryNotContaining("glob:**/.runbook*");
    System.out.println("svrunner docker: a full upgrade took " + millis + " ms");
  }

  @Test
  void aNewImageThatNeverBecomesHealthyIsRolledBackToThePreviousImageAndIdenticalData()
      throws Exception {
    SvRunnerDeployment deployment = SvRunnerDeployment.install(dockerd, dir.resolve("host"));
    Map<String, String> before = deployment.dataWithoutLogs();
    String logBefore = deployment.log();
    InspectContainerResponse previous = deployment.container();

    CliProcess.Result result = upgrade(deployment, UNHEALTHY);

    assertThat(result.exitCode()).as(DockerRunbook.describe(result)).isEqualTo(1);
    assertThat(result.stdout())
        .contains(
            "step healthy: FAILED: container `svrunner` is still starting after 10s; last health"
                + " check: exit 1: {")
        .contains("\"assets\":\"error: ")
        .contains("compensating start_new (restore_replaced)")
        .contains("compensating backup (restore_data)")
        .contains("compensating stop (start_previous)")
        .contains("run failed and was rolled back");
    deployment.awaitVersion(OLD);
    InspectContainerResponse restored = deployment.container();
    assertThat(restored.getId()).isNotEqualTo(previous.getId());
    assertThat(restored.getImageId()).isEqualTo(previous.getImageId());
    assertThat(restored.getHostConfig().getBinds())
        .extracting(Object::toString)
        .containsExactlyInAnyOrderElementsOf(
            java.util.Arrays.stream(previous.getHostConfig().getBinds())
                .map(Object::toString)
                .toList());
    assertThat(deployment.dataWithoutLogs()).isEqualTo(before);
    assertThat(deployment.log()).startsWith(logBefore);
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).hasSize(1);
  }

  @Test
  void aBootMigrationThatFailsHalfWayIsRolledBackFromTheBackupKeepingTheFailedLogsAside()
      throws Exception {
    SvRunnerDeployment deployment = SvRunnerDeployment.install(dockerd, dir.resolve("host"));
    Map<String, String> before = deployment.dataWithoutLogs();
    String logBefore = deployment.log();

    CliProcess.Result result = upgrade(deployment, BROKEN_MIGRATION);

    assertThat(result.exitCode()).as(DockerRunbook.describe(result)).isEqualTo(1);
    assertThat(result.stdout())
        .containsPattern(
            "step healthy: FAILED: container `svrunner` restarted \\d+ times \\(last exit code"
                + " 1\\) and was not healthy after 10s \\((restarting|running), ")
        .doesNotContain("still starting")
        .contains("compensating backup (keep_failed_logs)")
        .contains("compensating backup (restore_data)")
        .contains("run failed and was rolled back");
    deployment.awaitVersion(OLD);
    assertThat(deployment.dataWithoutLogs()).isEqualTo(before);
    assertThat(deployment.sqlite("SELECT name FROM playlists ORDER BY id;"))
        .doesNotContain("migrated");
    assertThat(deployment.log()).startsWith(logBefore).doesNotContain("migration to 2 failed");
    String runId = DockerRunbook.runId(result.stdout());
    // The failed container's own account, kept in the step log before the rollback removed it.
    assertThat(Files.readString(runbook.stateDir().resolve("runs/" + runId + "/steps/healthy.log")))
        .containsPattern("\\[runbook] svrunner \\| \\S+ svrunner 2.0.1: migration to 2 failed\n");
    assertThat(
            Files.readString(
                deployment.backupDir().resolve(runId + ".failed-logs").resolve("server.log")))
        .contains("svrunner 2.0.1: migrating the database 1 -> 2")
        .contains("no such table: no_such_table")
        .contains("svrunner 2.0.1: migration to 2 failed");
  }

  @Test
  void aContainerWhoseFilesAreNotTheServersFilesIsRefusedBeforeAnythingStops() throws Exception {
    SvRunnerDeployment deployment =
        SvRunnerDeployment.install(dockerd, dir.resolve("host"), "elsewhere/files");
    String containerId = deployment.container().getId();

    CliProcess.Result result = upgrade(deployment, NEW);

    assertThat(result.exitCode()).as(DockerRunbook.describe(result)).isEqualTo(1);
    assertThat(result.stdout())
        .contains("step mount_mapped: FAILED")
        .contains("compensating mount_probe")
        .doesNotContain("step stop:");
    assertThat(deployment.container().getId()).isEqualTo(containerId);
    assertThat(deployment.container().getState().getRunning()).isTrue();
    assertThat(deployment.serverDir().resolve("files"))
        .isDirectoryNotContaining("glob:**/.runbook*");
    assertThat(deployment.backupDir()).isEmptyDirectory();
  }

  @Test
  void aRunKilledAfterTheContainerWasReplacedResumesToTheEnd() throws Exception {
    SvRunnerDeployment deployment = SvRunnerDeployment.install(dockerd, dir.resolve("host"));
    Process run =
        runbook.start(
            "run",
            RUNBOOK.toString(),
            "--params-file",
            deployment.paramsFile().toString(),
            "-p",
            "version=" + NEW);
    runbook.awaitJournal(run, 60, "container_replaced", null);
    // SIGKILL, as the OOM killer or a power cut would: no chance to journal anything more.
    run.destroyForcibly().waitFor();
    assertThat(runbook.journal()).extracting(JournalRecord::type).doesNotContain("finished");

    CliProcess.Result resumed = runbook.cli("resume");

    assertThat(resumed.exitCode()).as(DockerRunbook.describe(resumed)).isZero();
    deployment.awaitVersion(NEW);
    assertThat(deployment.container().getConfig().getImage()).isEqualTo(IMAGE + ":" + NEW);
    assertThat(deployment.sqlite("SELECT version FROM schema_version;").strip()).isEqualTo("2");
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).hasSize(1);
    // The replaced container's record survived the kill: a rollback still restores 1.0.0.
    String runId = DockerRunbook.runId(runbook.backgroundOutput());
    CliProcess.Result rollback = runbook.cli("rollback", runId);
    assertThat(rollback.exitCode()).as(DockerRunbook.describe(rollback)).isZero();
    deployment.awaitVersion(OLD);
    assertThat(deployment.sqlite("SELECT version FROM schema_version;").strip()).isEqualTo("1");
  }

  private RunFold fold(String runId) {
    return RunFold.of(
        Journals.records(runbook.stateDir().resolve("runs/" + runId + "/" + Journal.FILE_NAME)));
  }
}
