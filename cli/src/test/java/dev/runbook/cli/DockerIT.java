package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.runbook.engine.internal.docker.PrivateDockerd;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker steps and checks through the packaged CLI, against a private Docker Engine: an app
 * (busybox {@code httpd} on a loopback port, network {@code host}) serves its version from a bind
 * mount, so the runbooks' own {@code http} checks reach it from the host.
 */
class DockerIT {
  static final String SECRET = "s3cr3t-db-pw";

  static PrivateDockerd dockerd;
  static String v1;
  static String v2;

  @TempDir Path dir;
  Path www;
  Path state;
  int port;

  @BeforeAll
  static void startEngine() {
    dockerd = PrivateDockerd.start();
    v1 = dockerd.importImage("rb-app", "1", Map.of("VERSION", "1\n"));
    v2 = dockerd.importImage("rb-app", "2", Map.of("VERSION", "2\n"));
  }

  @AfterAll
  static void stopEngine() {
    if (dockerd != null) {
      dockerd.close();
    }
  }

  @BeforeEach
  void prepare() throws IOException {
    dockerd.removeAllContainers();
    www = Files.createDirectories(dir.resolve("www"));
    state = dir.resolve("state");
    port = PrivateDockerd.freePort();
  }

  private CliProcess.Result runbook(String... args) throws Exception {
    Map<String, String> env = new HashMap<>(dockerd.environment());
    env.put("RUNBOOK_PARAM_DB_PASSWORD", SECRET);
    env.put("RUNBOOK_STATE_DIR", state.toString());
    return CliProcess.run(dir, env, args);
  }

  /** The app's run step: serves /data/www (the bind mount) on the port, stops at once on TERM. */
  private String app(String version, boolean replace, String health) {
    return app(version, replace, health, "");
  }

  /**
   * The app's run step.
   *
   * @param boot shell run before the app serves (a failing boot: {@code exit 3;})
   */
  private String app(String version, boolean replace, String health, String boot) {
    return "    docker:\n"
        + "      run:\n"
        + "        image: \"rb-app:"
        + version
        + "\"\n"
        + "        name: shop\n"
        + (replace ? "        replace: true\n" : "")
        + "        command: [sh, -c, \""
        + boot
        + "echo shop $MODE up; cp /VERSION /data/www/version;"
        + " trap 'exit 0' TERM;"
        + " httpd -f -p 127.0.0.1:"
        + port
        + " -h /data/www & wait\"]\n"
        + "        mounts: [\""
        + www
        + ":/data/www\"]\n"
        + "        network: host\n"
        + "        env: { DB_URL: \"pg://shop:${{ params.db_password }}@db/shop\", MODE: \""
        + version
        + "\" }\n"
        + "        labels: { stack: shop }\n"
        + "        restart: unless-stopped\n"
        + "        health: { cmd: \""
        + health
        + "\", interval: 1s, retries: 1 }\n";
  }

  private String version() {
    return "http://127.0.0.1:" + port + "/version";
  }

  private void install() throws Exception {
    Files.writeString(
        dir.resolve("install.yaml"),
        "schema: runbook/v1\n"
            + "name: shop-install\n"
            + "params:\n"
            + "  db_password: { type: string, secret: true }\n"
            + "steps:\n"
            + "  - id: start\n"
            + app("1", false, "wget -qO- " + version())
            + "  - id: healthy\n"
            + "    docker: { wait_healthy: shop, timeout: 30s }\n");
    CliProcess.Result result = runbook("run", "install.yaml");
    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(get(version())).isEqualTo("1\n");
  }

  private String upgrade(String health) {
    return upgrade(health, "");
  }

  private String upgrade(String health, String boot) {
    return "schema: runbook/v1\n"
        + "name: shop-upgrade\n"
        + "params:\n"
        + "  db_password: { type: string, secret: true }\n"
        + "  version: { type: string, default: \"2\" }\n"
        + "  health_timeout: { type: string, default: 4s }\n"
        + "on_failure: rollback\n"
        + "preconditions:\n"
        + "  - docker: { container: shop, is: healthy }\n"
        + "  - docker: { image: \"rb-app:${{ params.version }}\" }\n"
        + "  - http: { url: \""
        + version()
        + "\", status: 200, contains: \"1\" }\n"
        + "steps:\n"
        + "  - id: keep_previous\n"
        + "    docker: { tag: \"rb-app:1\", as: \"rb-app:previous\" }\n"
        + "  - id: up\n"
        + app("${{ params.version }}", true, health, boot)
        + "  - id: healthy\n"
        + "    docker: { wait_healthy: shop, timeout: \"${{ params.health_timeout }}\" }\n"
        + "  - id: migrate\n"
        + "    docker: { exec: { container: shop, command: [sh, -c, \"echo migrated 7 rows\"] } }\n"
        + "    outputs: { rows: { regex: \"migrated ([0-9]+) rows\" } }\n"
        + "    verify:\n"
        + "      - http: { url: \""
        + version()
        + "\", status: 200, contains: \"2\" }\n"
        + "  - id: report\n"
        + "    run: echo \"replaced ${{ steps.up.outputs.replaced_image }} with"
        + " ${{ steps.up.outputs.image_id }}; rows ${{ steps.migrate.outputs.rows }}\"\n";
  }

  private InspectContainerResponse shop() {
    return dockerd.client().inspectContainerCmd("shop").exec();
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  private static String runId(String stdout) {
    Matcher m = Pattern.compile("run (\\S+) of `").matcher(stdout);
    assertThat(m.find()).as(stdout).isTrue();
    return m.group(1);
  }

  private String stepLog(CliProcess.Result run, String step) throws IOException {
    return Files.readString(
        state.resolve("runs").resolve(runId(run.stdout())).resolve("steps/" + step + ".log"));
  }

  /** Every file the runs left in the state directory, as text. */
  private String stateFiles() throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(state)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        all.append(Files.readString(f)).append('\n');
      }
    }
    return all.toString();
  }

  @Test
  void planShowsEveryDockerOperationResolvedAndTheBuiltInCompensation() throws Exception {
    install();
    Files.writeString(dir.resolve("upgrade.yaml"), upgrade("wget -qO- " + version()));

    CliProcess.Result plan = runbook("plan", "upgrade.yaml");

    assertThat(plan.exitCode()).as(plan.stdout() + plan.stderr()).isZero();
    assertThat(plan.stdout())
        .contains(
            "[ok] container shop is healthy -- container `shop` is running, healthy, image rb-app:1")
        .contains("[ok] image rb-app:2 is present -- image rb-app:2 is present (" + v2 + ")")
        .contains("docker tag: rb-app:1 as rb-app:previous")
        .contains(
            "docker run: rb-app:2 as container shop (replaces a container of that name,"
                + " recording it for rollback)")
        .contains("  env: DB_URL=pg://shop:***@db/shop")
        .contains("  mount: " + www + ":/data/www")
        .contains("  network: host")
        .contains("  restart: unless-stopped")
        .contains("  health: `wget -qO- " + version() + "` every 1s, unhealthy after 1 failures")
        .contains("engine: " + dockerd.host())
        .contains(
            "docker (built in): remove container shop if this step created it; then create"
                + " again the container it replaced")
        .contains("docker wait_healthy: container shop, up to 4s")
        .contains("docker exec: in container shop: sh -c 'echo migrated 7 rows'")
        .doesNotContain(SECRET);
    CliProcess.Result json = runbook("plan", "upgrade.yaml", "--offline", "--format", "json");
    JSONObject up = new JSONObject(json.stdout()).getJSONArray("steps").getJSONObject(1);
    JSONArray compensation = up.getJSONArray("compensation");
    assertThat(compensation.length()).isEqualTo(1);
    assertThat(compensation.getJSONObject(0).getString("id")).isEqualTo("restore_replaced");
    assertThat(compensation.getJSONObject(0).getString("kind")).isEqualTo("docker");
  }

  @Test
  void anUnhealthyNewVersionIsRolledBackToThePreviousContainerWithItsImage() throws Exception {
    install();
    String before = shop().getId();
    Files.writeString(
        dir.resolve("upgrade.yaml"),
        upgrade("wget -qO- http://127.0.0.1:" + port + "/ready || (echo no /ready yet; exit 1)"));

    CliProcess.Result run = runbook("run", "upgrade.yaml");

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(1);
    assertThat(run.stdout())
        .contains("step healthy: FAILED: container `shop` is still unhealthy after 4s")
        .contains("last health check: exit 1: ")
        .contains("no /ready yet")
        .contains("compensating up (restore_replaced)")
        .contains("compensation of up: done")
        .contains("run failed and was rolled back");
    InspectContainerResponse restored = shop();
    assertThat(restored.getId()).isNotEqualTo(before);
    assertThat(restored.getImageId()).isEqualTo(v1);
    assertThat(restored.getConfig().getImage()).isEqualTo("rb-app:1");
    assertThat(restored.getState().getRunning()).isTrue();
    assertThat(restored.getConfig().getEnv())
        .contains("DB_URL=pg://shop:" + SECRET + "@db/shop", "MODE=1");
    assertThat(restored.getHostConfig().getNetworkMode()).isEqualTo("host");
    assertThat(restored.getHostConfig().getRestartPolicy().getName()).isEqualTo("unless-stopped");
    assertThat(restored.getConfig().getLabels()).containsEntry("stack", "shop");
    waitFor(() -> "1\n".equals(getQuietly(version())));
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).hasSize(1);
    String files = stateFiles();
    assertThat(files).contains("\"type\":\"container_replaced\"").doesNotContain(SECRET);
    assertThat(run.stdout() + run.stderr()).doesNotContain(SECRET);
  }

  @Test
  void aNewVersionThatCrashLoopsSaysItRestartedAndKeepsItsLastLinesBeforeTheRollback()
      throws Exception {
    install();
    Files.writeString(
        dir.resolve("upgrade.yaml"),
        upgrade(
            "wget -qO- " + version(),
            "echo shop $MODE connecting to $DB_URL; echo shop $MODE: database refused; exit 3;"));

    CliProcess.Result run = runbook("run", "upgrade.yaml");

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(1);
    assertThat(run.stdout())
        .containsPattern(
            "step healthy: FAILED: container `shop` restarted \\d+ times \\(last exit code 3\\)"
                + " and was not healthy after 4s")
        .doesNotContain("still starting")
        .contains("compensating up (restore_replaced)")
        .contains("run failed and was rolled back");
    // Kept in the failed step's log, although the rollback removed the container since.
    assertThat(stepLog(run, "healthy"))
        .contains("[runbook] shop | shop 2 connecting to pg://shop:***@db/shop\n")
        .contains("[runbook] shop | shop 2: database refused\n");
    assertThat(shop().getImageId()).isEqualTo(v1);
    waitFor(() -> "1\n".equals(getQuietly(version())));
    assertThat(stateFiles()).doesNotContain(SECRET);
    assertThat(run.stdout() + run.stderr()).doesNotContain(SECRET);
  }

  @Test
  void aHealthyUpgradeRunsThroughAndRollbackLaterRestoresThePreviousVersion() throws Exception {
    install();
    Files.writeString(dir.resolve("upgrade.yaml"), upgrade("wget -qO- " + version()));

    CliProcess.Result run = runbook("run", "upgrade.yaml");

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
    assertThat(shop().getImageId()).isEqualTo(v2);
    assertThat(get(version())).isEqualTo("2\n");
    assertThat(stepLog(run, "report")).contains("replaced rb-app:1 with " + v2 + "; rows 7");
    assertThat(stepLog(run, "migrate")).contains("migrated 7 rows");
    assertThat(dockerd.client().inspectImageCmd("rb-app:previous").exec().getId()).isEqualTo(v1);

    // The smoke test failed an hour later: undo the run on demand.
    CliProcess.Result rollback = runbook("rollback", runId(run.stdout()));

    assertThat(rollback.exitCode()).as(rollback.stdout() + rollback.stderr()).isZero();
    assertThat(rollback.stdout()).contains("compensating up (restore_replaced)");
    assertThat(shop().getImageId()).isEqualTo(v1);
    waitFor(() -> "1\n".equals(getQuietly(version())));
    assertThat(stateFiles()).doesNotContain(SECRET);
  }

  @Test
  void aHealthTimeoutThatIsNotADurationFailsTheStepBeforeItWaits() throws Exception {
    install();
    Files.writeString(
        dir.resolve("upgrade.yaml"), upgrade("wget -qO- http://127.0.0.1:" + port + "/ready"));

    CliProcess.Result run = runbook("run", "upgrade.yaml", "-p", "health_timeout=soon");

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(1);
    assertThat(run.stdout())
        .contains(
            "step healthy: FAILED: wait_healthy: timeout `${{ params.health_timeout }}` is `soon`,"
                + " not a duration such as 30s or 2m")
        .contains("run failed and was rolled back");
  }

  @Test
  void aOneOffContainerRunsToItsEndFeedsTheStepsOutputsAndIsRemoved() throws Exception {
    String oneOff =
        "    docker:\n"
            + "      run:\n"
            + "        image: rb-app:2\n"
            + "        name: shop-migrate\n"
            + "        command: [sh, -c, \"%s\"]\n"
            + "        network: none\n"
            + "        one_off: true\n";
    Files.writeString(
        dir.resolve("migrate.yaml"),
        "schema: runbook/v1\n"
            + "name: shop-migrate\n"
            + "steps:\n"
            + "  - id: migrate\n"
            + "    timeout: 1m\n"
            + oneOff.formatted("echo migrating to $(cat /VERSION); echo migrated 7 rows")
            + "    outputs: { rows: { regex: \"migrated ([0-9]+) rows\" } }\n"
            + "  - id: report\n"
            + "    run: echo \"rows ${{ steps.migrate.outputs.rows }}\"\n"
            + "  - id: broken\n"
            + oneOff.formatted("echo no such table: orders >&2; exit 3"));

    CliProcess.Result plan = runbook("plan", "migrate.yaml");
    CliProcess.Result run = runbook("run", "migrate.yaml");

    assertThat(plan.stdout())
        .contains(
            "docker run: rb-app:2 as container shop-migrate (one-off: waits for it to exit, its"
                + " output is the step's, a non-zero exit fails the step; removed in every case)");
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(4);
    assertThat(run.stdout())
        .contains(
            "step broken: FAILED: one-off container shop-migrate exited 3: no such table: orders");
    assertThat(stepLog(run, "migrate")).contains("migrating to 2").contains("migrated 7 rows");
    assertThat(stepLog(run, "report")).contains("rows 7");
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).isEmpty();
  }

  @Test
  void containersAreStoppedStartedAndRemovedByLabelAndTheirLogsRead() throws Exception {
    install();
    Files.writeString(
        dir.resolve("maintenance.yaml"),
        "schema: runbook/v1\n"
            + "name: shop-maintenance\n"
            + "steps:\n"
            + "  - id: stop\n"
            + "    docker: { stop: { label: stack=shop }, grace: 5s }\n"
            + "    verify: [ { docker: { container: shop, is: stopped } } ]\n"
            + "  - id: start\n"
            + "    docker: { start: { label: stack=shop } }\n"
            + "    verify: [ { docker: { container: shop, is: running } } ]\n"
            + "  - id: inspect\n"
            + "    docker: { inspect: shop }\n"
            + "  - id: logs\n"
            + "    docker: { logs: shop, tail: 5 }\n"
            + "  - id: remove\n"
            + "    docker: { remove: { label: stack=shop }, force: true }\n"
            + "    verify: [ { docker: { container: shop, is: absent } } ]\n"
            + "  - id: report\n"
            + "    run: echo \"was ${{ steps.inspect.outputs.state }} on ${{"
            + " steps.inspect.outputs.image }}\"\n");

    CliProcess.Result run = runbook("run", "maintenance.yaml");

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
    assertThat(stepLog(run, "report")).contains("was running on rb-app:1");
    assertThat(stepLog(run, "logs")).contains("shop 1 up");
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).isEmpty();
  }

  @Test
  void anEngineThatCannotBeReachedStopsTheRunNamingTheSocket() throws Exception {
    Files.writeString(
        dir.resolve("pull.yaml"),
        "schema: runbook/v1\nname: pull\non_failure: stop\nsteps:\n"
            + "  - id: pull\n    docker: { pull: \"rb-app:3\" }\n");
    Path socket = dir.resolve("nowhere.sock");
    Map<String, String> env =
        Map.of("DOCKER_HOST", "unix://" + socket, "RUNBOOK_STATE_DIR", state.toString());

    CliProcess.Result run = CliProcess.run(dir, env, "run", "pull.yaml");

    assertThat(run.exitCode()).isEqualTo(4);
    assertThat(run.stdout())
        .contains(
            "step pull: FAILED: cannot reach the Docker Engine at unix://"
                + socket
                + ": there is no socket at "
                + socket
                + " (is dockerd running? to reach another engine, set DOCKER_HOST)");
    assertThat(run.stderr()).doesNotContain("Exception").doesNotContain("SLF4J");
  }

  @Test
  void anUnmetDockerPreconditionChangesNothing() throws Exception {
    Files.writeString(dir.resolve("upgrade.yaml"), upgrade("true"));

    CliProcess.Result run = runbook("run", "upgrade.yaml");

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.stdout()).contains("no container named `shop`");
    assertThat(dockerd.client().listContainersCmd().withShowAll(true).exec()).isEmpty();
  }

  private static String getQuietly(String url) {
    try {
      return get(url);
    } catch (Exception e) {
      return "";
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 15s");
      }
      Thread.sleep(100);
    }
  }
}
