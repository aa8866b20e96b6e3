package dev.runbook.runbooks.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.RestartPolicy;
import dev.runbook.engine.internal.docker.PrivateDockerd;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.json.JSONObject;

/**
 * A Docker Compose installation of PrintStash on a {@link PrivateDockerd}, as {@code
 * runbooks/printstash/upgrade-container.yaml} expects it: the API container {@code printstash-api}
 * of image {@code printstash-api:1.4.0}, labelled with its compose project, the host directory
 * {@code data/} (a SQLite database at revision 0001 and uploaded files) bind-mounted at {@code
 * /data}, {@code backups/} at {@code /backups}, on the host's network on a loopback port.
 *
 * <p>The images (made once per engine by {@link #importImages}): {@code 1.4.0} (revision 0001),
 * {@code 1.5.0} (migrates to 0002), {@code 1.5.1} (its migration fails half-way, outside a
 * transaction), {@code 1.5.2} (migrates, then reports its storage failing, so it never becomes
 * healthy), and, by {@link #importBrokenImage}, {@code 1.5.3} (migrates and is healthy, but reports
 * version 0.0.0-dev).
 */
final class PrintStashStack {
  static final Path RUNBOOK = Path.of("printstash/upgrade-container.yaml").toAbsolutePath();
  static final String IMAGE = "printstash-api";
  static final String OLD = "1.4.0";
  static final String NEW = "1.5.0";
  static final String BROKEN_MIGRATION = "1.5.1";
  static final String UNHEALTHY = "1.5.2";
  static final String WRONG_VERSION = "1.5.3";
  static final String PROJECT = "printstash";

  private final PrivateDockerd dockerd;
  private final Path root;
  private final int port;
  private final String project;

  private PrintStashStack(PrivateDockerd dockerd, Path root, int port, String project) {
    this.dockerd = dockerd;
    this.root = root;
    this.port = port;
    this.project = project;
  }

  static void importImages(PrivateDockerd dockerd) {
    Map<String, Path> sqlite3 = TestImages.sqlite3();
    String migration = TestImages.resource("printstash", "migrations/0002.sql");
    image(dockerd, OLD, "0001", Map.of(), sqlite3);
    image(dockerd, NEW, "0002", Map.of("/app/migrations/0002.sql", migration), sqlite3);
    image(
        dockerd,
        BROKEN_MIGRATION,
        "0002",
        Map.of(
            "/app/migrations/0002.sql",
            TestImages.resource("printstash", "faults/0002-halfway.sql")),
        sqlite3);
    image(
        dockerd,
        UNHEALTHY,
        "0002",
        Map.of(
            "/app/migrations/0002.sql", migration, "/app/FAULT", "the object store is read-only\n"),
        sqlite3);
  }

  /** Imports {@link #WRONG_VERSION}. */
  static void importBrokenImage(PrivateDockerd dockerd) {
    image(
        dockerd,
        WRONG_VERSION,
        "0002",
        Map.of(
            "/app/migrations/0002.sql",
            TestImages.resource("printstash", "migrations/0002.sql"),
            "/app/BREAK",
            "version\n"),
        TestImages.sqlite3());
  }

  private static void image(
      PrivateDockerd dockerd,
      String version,
      String head,
      Map<String, String> extra,
      Map<String, Path> sqlite3) {
    Map<String, String> files = new LinkedHashMap<>(extra);
    for (String script : List.of("start.sh", "healthcheck.sh", "migrate.sh")) {
      files.put("/app/" + script, TestImages.resource("printstash", script));
    }
    files.put("/app/VERSION", version + "\n");
    files.put("/app/HEAD", head + "\n");
    dockerd.importImage(IMAGE, version, files, sqlite3);
  }

  /** Installs 1.4.0 under {@code root} and starts its container; returns once it is healthy. */
  static PrintStashStack install(PrivateDockerd dockerd, Path root) throws Exception {
    return install(dockerd, root, PROJECT);
  }

  /**
   * Installs 1.4.0 as {@link #install(PrivateDockerd, Path)} does, as the compose project {@code
   * project} with the containers {@code <project>-api} and {@code <project>-frontend} (so that
   * several stacks share one engine).
   */
  static PrintStashStack install(PrivateDockerd dockerd, Path root, String project)
      throws Exception {
    PrintStashStack stack = new PrintStashStack(dockerd, root, PrivateDockerd.freePort(), project);
    Files.createDirectories(stack.dataDir().resolve("db"));
    Files.createDirectories(stack.dataDir().resolve("files"));
    Files.createDirectories(stack.backupDir());
    stack.sqlite(TestImages.resource("printstash", "schema-0001.sql"));
    Files.writeString(
        stack.dataDir().resolve("files/1-benchy.gcode"), "; benchy\nG28\nG1 X10 Y10 E1\n");
    Files.writeString(stack.dataDir().resolve("files/2-calibration-cube.gcode"), "; cube\nG28\n");
    Files.createDirectories(stack.dataDir().resolve("files/thumbnails"));
    Files.write(stack.dataDir().resolve("files/thumbnails/1.png"), new byte[] {(byte) 0x89, 'P'});
    Files.writeString(
        stack.paramsFile(),
        "api_image: "
            + IMAGE
            + "\npull: false\n"
            + "data_dir: "
            + stack.dataDir()
            + "\nbackup_dir: "
            + stack.backupDir()
            + "\napi_port: "
            + stack.port
            + "\napi_cmd: sh /app/start.sh\n"
            + "migrate_cmd: sh /app/migrate.sh\n"
            + "health_cmd: sh /app/healthcheck.sh\n"
            + "health_timeout: 10s\n"
            + "project: "
            + project
            + "\ncontainer: "
            + stack.containerName()
            + "\n");
    stack.startPrevious();
    return stack;
  }

  /** The 1.4.0 API container, created as {@code docker compose up -d} would. */
  private void startPrevious() throws InterruptedException {
    DockerClient client = dockerd.client();
    HostConfig host =
        HostConfig.newHostConfig()
            .withBinds(Bind.parse(dataDir() + ":/data"), Bind.parse(backupDir() + ":/backups"))
            .withNetworkMode("host")
            .withRestartPolicy(RestartPolicy.unlessStoppedRestart());
    String id =
        client
            .createContainerCmd(IMAGE + ":" + OLD)
            .withName(containerName())
            .withHostConfig(host)
            .withCmd("sh", "/app/start.sh")
            .withEnv(
                "VAULT_DB_URL=sqlite:////data/db/printstash.sqlite",
                "VAULT_STORAGE_DIR=/data/files",
                "VAULT_BACKUP_DIR=/backups",
                "PORT=" + port)
            .withLabels(
                Map.of("com.docker.compose.project", project, "com.docker.compose.service", "api"))
            .withHealthcheck(
                new HealthCheck()
                    .withTest(List.of("CMD-SHELL", "sh /app/healthcheck.sh"))
                    .withInterval(Duration.ofMillis(500).toNanos())
                    .withRetries(3))
            .exec()
            .getId();
    client.startContainerCmd(id).exec();
    // Another service of the project, which stops and starts with the stack.
    String frontend =
        client
            .createContainerCmd(IMAGE + ":" + OLD)
            .withName(project + "-frontend")
            .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none"))
            .withCmd("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done")
            .withLabels(
                Map.of(
                    "com.docker.compose.project",
                    project,
                    "com.docker.compose.service",
                    "frontend"))
            .exec()
            .getId();
    client.startContainerCmd(frontend).exec();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!"healthy".equals(health(container()))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "printstash-api 1.4.0 did not become healthy: " + dockerd.logTail());
      }
      Thread.sleep(100);
    }
  }

  private static String health(InspectContainerResponse c) {
    return c.getState() == null || c.getState().getHealth() == null
        ? ""
        : c.getState().getHealth().getStatus();
  }

  InspectContainerResponse container() {
    return dockerd.client().inspectContainerCmd(containerName()).exec();
  }

  /** The API container's name. */
  String containerName() {
    return project + "-api";
  }

  /** The containers of the engine named as this stack's API container, stopped ones included. */
  List<Container> containersNamedAlike() {
    return dockerd.client().listContainersCmd().withShowAll(true).exec().stream()
        .filter(c -> c.getNames() != null && List.of(c.getNames()).contains("/" + containerName()))
        .toList();
  }

  boolean frontendRunning() {
    return Boolean.TRUE.equals(
        dockerd.client().inspectContainerCmd(project + "-frontend").exec().getState().getRunning());
  }

  Path root() {
    return root;
  }

  Path dataDir() {
    return root.resolve("data");
  }

  Path backupDir() {
    return root.resolve("backups");
  }

  Path paramsFile() {
    return root.resolve("params.yaml");
  }

  int port() {
    return port;
  }

  /** {@code GET /api/v1/health} from the host, or empty when nothing answers. */
  Optional<JSONObject> health() {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/health"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return Optional.of(new JSONObject(response.body()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Waits until the API reports {@code version} with every component ok. */
  void awaitHealthy(String version) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      Optional<JSONObject> h = health();
      if (h.isPresent()
          && version.equals(h.get().optString("version"))
          && "ok".equals(h.get().optString("database"))
          && "ok".equals(h.get().optString("storage"))
          && "ok".equals(h.get().optString("backup"))) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the API did not report " + version + " healthy: " + h);
      }
      Thread.sleep(100);
    }
  }

  /** Runs SQL on the database with the host's sqlite3; returns its output. */
  String sqlite(String sql) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("sqlite3", "-bail", dataDir().resolve("db/printstash.sqlite").toString())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().write(sql.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("sqlite3 failed: " + out);
    }
    return out;
  }

  /** The images on the engine, as {@code repository:tag}. */
  List<String> tags() {
    return dockerd.client().listImagesCmd().exec().stream()
        .flatMap(
            i ->
                i.getRepoTags() == null
                    ? java.util.stream.Stream.of()
                    : List.of(i.getRepoTags()).stream())
        .sorted()
        .toList();
  }
}
