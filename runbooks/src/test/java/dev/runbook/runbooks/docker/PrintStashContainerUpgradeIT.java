package dev.runbook.runbooks.docker;

import static dev.runbook.runbooks.docker.PrintStashStack.BROKEN_MIGRATION;
import static dev.runbook.runbooks.docker.PrintStashStack.IMAGE;
import static dev.runbook.runbooks.docker.PrintStashStack.NEW;
import static dev.runbook.runbooks.docker.PrintStashStack.OLD;
import static dev.runbook.runbooks.docker.PrintStashStack.RUNBOOK;
import static dev.runbook.runbooks.docker.PrintStashStack.UNHEALTHY;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.runbook.cli.CliProcess;
import dev.runbook.engine.internal.docker.PrivateDockerd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runbooks/printstash/upgrade-container.yaml} against a real Docker Engine (a private
 * dockerd): it validates, its plan is the golden one, it upgrades a compose installation from 1.4.0
 * to 1.5.0 with the migration in a one-off container and the data intact, and a new image that
 * never becomes healthy or a migration that fails half-way is rolled back to the 1.4.0 container
 * with the data directory byte-identical to before.
 */
class PrintStashContainerUpgradeIT {
  private static final Path GOLDEN =
      Path.of("src/test/resources/docker/printstash/plan-defaults.txt");

  static PrivateDockerd dockerd;

  @TempDir Path dir;
  private PrintStashStack stack;
  private DockerRunbook runbook;

  @BeforeAll
  static void startEngine() {
    dockerd = PrivateDockerd.start();
    PrintStashStack.importImages(dockerd);
  }

  @AfterAll
  static void stopEngine() {
    if (dockerd != null) {
      dockerd.close();
    }
  }

  @BeforeEach
  void install() throws Exception {
    dockerd.removeAllContainers();
    stack = PrintStashStack.install(dockerd, dir.resolve("host"));
    runbook = new DockerRunbook(dockerd, dir);
  }

  private CliProcess.Result upgrade(String version) throws Exception {
    return runbook.cli(
        "run",
        RUNBOOK.toString(),
        "--params-file",
        stack.paramsFile().toString(),
        "-p",
        "version=" + version);
  }

  @Test
  void validates() throws Exception {
    CliProcess.Result result = CliProcess.run(dir, "validate", RUNBOOK.toString());

    assertThat(result.exitCode()).as(DockerRunbook.describe(result)).isZero();
    assertThat(result.stdout())
        .endsWith(": valid (runbook `printstash-upgrade-container`, 9 steps)\n");
  }

  @Test
  void planWithTheDefaultsIsTheGoldenOneAndShowsTheBuiltInCompensations() throws Exception {
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
    String plan = result.stdout().replace(RUNBOOK.getParent().toString(), "<runbooks/printstash>");
    if (Boolean.getBoolean("docker.golden.update")) {
      Files.writeString(GOLDEN, plan);
    }
    assertThat(plan).isEqualTo(Files.readString(GOLDEN));
    assertThat(plan)
        .contains(
            "docker run: ghcr.io/xiao-villamor/printstash-api:1.5.0 as container printstash-api"
                + " (replaces a container of that name, recording it for rollback)")
        .contains(
            "docker (built in): remove container printstash-api if this step created it; then"
                + " create again the container it replaced")
        .contains(
            "IRREVERSIBLE: schema downgrades are not the supported rollback path — the restore of"
                + " step backup is");
  }

  @Test
  void upgradeMigratesInAOneOffContainerAndTheNewVersionAnswersWithTheDataIntact()
      throws Exception {
    String rowsBefore = rows();
    Map<String, String> filesBefore = Trees.digests(stack.dataDir().resolve("files"));
    String previousImageId = stack.container().getImageId();

    long start = System.nanoTime();
    CliProcess.Result result = upgrade(NEW);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(result.exitCode()).as(DockerRunbook.describe(result)).isZero();
    JSONObject health = stack.health().orElseThrow();
    assertThat(health.toMap())
        .containsEntry("version", NEW)
        .containsEntry("database", "ok")
        .containsEntry("storage", "ok")
        .containsEntry("backup", "ok");
    InspectContainerResponse api = stack.container();
    assertThat(api.getConfig().getImage()).isEqualTo(IMAGE + ":" + NEW);
    assertThat(api.getConfig().getLabels())
        .containsEntry("com.docker.compose.project", "printstash");
    assertThat(api.getHostConfig().getBinds())
        .extracting(Object::toString)
        .contains(stack.dataDir() + ":/data:rw");
    assertThat(stack.sqlite("SELECT version_num FROM alembic_version;").strip()).isEqualTo("0002");
    assertThat(stack.sqlite("SELECT count(*) FROM gcode_metadata;").strip()).isEqualTo("0");
    assertThat(rows()).isEqualTo(rowsBefore);
    assertThat(Trees.digests(stack.dataDir().resolve("files"))).isEqualTo(filesBefore);
    assertThat(stack.frontendRunning()).isTrue();
    // The one-off container is gone; the previous image stays for a later rollback.
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).hasSize(2);
    assertThat(dockerd.client().inspectImageCmd(IMAGE + ":" + OLD).exec().getId())
        .isEqualTo(previousImageId);
    String runId = DockerRunbook.runId(result.stdout());
    assertThat(stack.backupDir().resolve(runId).resolve("manifest.json")).isRegularFile();
    assertThat(Files.readString(runbook.stateDir().resolve("runs/" + runId + "/steps/migrate.log")))
        .contains("upgrading 0001 -> 0002")
        .contains("database at head: 0002");
    System.out.println("printstash container: a full upgrade took " + millis + " ms");

    // The smoke test failed an hour later: the same rollback, on demand.
    CliProcess.Result rollback = runbook.cli("rollback", runId);

    assertThat(rollback.exitCode()).as(DockerRunbook.describe(rollback)).isZero();
    stack.awaitHealthy(OLD);
    assertThat(stack.container().getImageId()).isEqualTo(previousImageId);
    assertThat(stack.sqlite("SELECT version_num FROM alembic_version;").strip()).isEqualTo("0001");
  }

  @Test
  void aNewImageThatNeverBecomesHealthyIsRolledBackToThePreviousImageAndIdenticalData()
      throws Exception {
    Map<String, String> before = Trees.digests(stack.dataDir());
    InspectContainerResponse previous = stack.container();

    CliProcess.Result result = upgrade(UNHEALTHY);

    assertThat(result.exitCode()).as(DockerRunbook.describe(result)).isEqualTo(1);
    assertThat(result.stdout())
        .contains(
            "step healthy: FAILED: container `printstash-api` is still starting after 10s; last health"
                + " check: exit 1: {")
        .contains("\"storage\":\"error: ")
        .contains("compensating start_api (restore_replaced)")
        .contains("compensating backup (restore_data)")
        .contains("compensating stop_stack (start_stack)")
        .contains("run failed and was rolled back")
        .contains("not undone (irreversible): migrate");
    stack.awaitHealthy(OLD);
    InspectContainerResponse restored = stack.container();
    assertThat(restored.getId()).isNotEqualTo(previous.getId());
    assertThat(restored.getConfig().getImage()).isEqualTo(IMAGE + ":" + OLD);
    assertThat(restored.getImageId()).isEqualTo(previous.getImageId());
    assertThat(restored.getConfig().getLabels())
        .containsEntry("com.docker.compose.project", "printstash");
    assertThat(Trees.digests(stack.dataDir())).isEqualTo(before);
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).hasSize(2);
    assertThat(stack.frontendRunning()).isTrue();
  }

  @Test
  void aMigrationThatFailsHalfWayIsRolledBackFromTheBackupWithoutADowngrade() throws Exception {
    Map<String, String> before = Trees.digests(stack.dataDir());
    String previousId = stack.container().getId();

    CliProcess.Result result = upgrade(BROKEN_MIGRATION);

    assertThat(result.exitCode()).as(DockerRunbook.describe(result)).isEqualTo(1);
    assertThat(result.stdout())
        .contains("step migrate: FAILED: one-off container printstash-api-migrate exited 1: ")
        .contains("no such table: no_such_table")
        .contains("compensating backup (restore_data)")
        .contains("run failed and was rolled back")
        .doesNotContain("start_api");
    String runId = DockerRunbook.runId(result.stdout());
    assertThat(Files.readString(runbook.stateDir().resolve("runs/" + runId + "/steps/migrate.log")))
        .contains("upgrading 0001 -> 0002")
        .contains("removed one-off container printstash-api-migrate");
    stack.awaitHealthy(OLD);
    // The container was only stopped and started again: the same one, on the restored data.
    assertThat(stack.container().getId()).isEqualTo(previousId);
    assertThat(Trees.digests(stack.dataDir())).isEqualTo(before);
    assertThat(stack.sqlite("SELECT name FROM files ORDER BY id;")).doesNotContain("migrated-");
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).hasSize(2);
    assertThat(stack.tags()).contains(IMAGE + ":" + OLD, IMAGE + ":" + BROKEN_MIGRATION);
  }

  @Test
  void aMissingPreviousImageTagStopsTheRunBeforeAnythingChanges() throws Exception {
    CliProcess.Result result =
        runbook.cli(
            "run",
            RUNBOOK.toString(),
            "--params-file",
            stack.paramsFile().toString(),
            "-p",
            "previous_version=1.3.9");

    assertThat(result.exitCode()).as(DockerRunbook.describe(result)).isEqualTo(3);
    assertThat(result.stdout())
        .contains("the previous image tag is on the engine (the rollback starts it again)");
    assertThat(stack.container().getState().getRunning()).isTrue();
    assertThat(List.of(stack.backupDir().toFile().list())).isEmpty();
  }

  @Test
  void aRunKilledWhileTheMigrationStartsResumesToTheEndWithTheDataIntact() throws Exception {
    String rowsBefore = rows();
    Process run =
        runbook.start(
            "run",
            RUNBOOK.toString(),
            "--params-file",
            stack.paramsFile().toString(),
            "-p",
            "version=" + NEW);
    runbook.awaitJournal(run, 60, "step_started", "migrate");
    // SIGKILL, as the OOM killer or a power cut would: the one-off container may or may not exist.
    run.destroyForcibly().waitFor();

    CliProcess.Result resumed = runbook.cli("resume");

    assertThat(resumed.exitCode()).as(DockerRunbook.describe(resumed)).isZero();
    stack.awaitHealthy(NEW);
    assertThat(stack.sqlite("SELECT version_num FROM alembic_version;").strip()).isEqualTo("0002");
    assertThat(rows()).isEqualTo(rowsBefore);
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).hasSize(2);
    assertThat(List.of(stack.backupDir().toFile().list())).hasSize(1);
  }

  /** The rows 1.4.0 wrote. */
  private String rows() throws Exception {
    return stack.sqlite(
        "SELECT id, name, size, uploaded_at FROM files ORDER BY id;"
            + " SELECT * FROM printers ORDER BY id;");
  }
}
