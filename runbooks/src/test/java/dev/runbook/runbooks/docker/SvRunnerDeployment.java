package dev.runbook.runbooks.docker;

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
import java.util.TreeMap;

/**
 * A Docker deployment of SVRunner on a {@link PrivateDockerd}, as {@code
 * runbooks/svrunner/upgrade-docker.yaml} expects it: the container {@code svrunner} of image {@code
 * svrunner:1.0.0} with the server's {@code files/} (local.db at schema 1, assets, logs)
 * bind-mounted at {@code /app/files} and its {@code .env} at {@code /app/.env}, on the host's
 * network on a loopback port.
 *
 * <p>The images (made once per engine by {@link #importImages}): {@code 1.0.0} (schema 1), {@code
 * 2.0.0} (migrates local.db to schema 2 as it boots), {@code 2.0.1} (its boot migration fails
 * half-way, outside a transaction, so it never serves), {@code 2.0.2} (serves, but reports its
 * assets failing, so it never becomes healthy). {@link #importBrokenImages} adds one image of
 * schema 2 for each thing a build can get wrong while it stays healthy ({@link #broken}).
 */
final class SvRunnerDeployment {
  static final Path RUNBOOK = Path.of("svrunner/upgrade-docker.yaml").toAbsolutePath();
  static final String IMAGE = "svrunner";
  static final String CONTAINER = "svrunner";
  static final String OLD = "1.0.0";
  static final String NEW = "2.0.0";
  static final String BROKEN_MIGRATION = "2.0.1";
  static final String UNHEALTHY = "2.0.2";

  /** What an image of {@link #importBrokenImages} gets wrong (server.sh reads /app/BREAK). */
  static final List<String> BREAKS = List.of("version", "index", "docs", "graphql", "assets");

  private final PrivateDockerd dockerd;
  private final Path root;
  private final int port;
  private final String container;

  private SvRunnerDeployment(PrivateDockerd dockerd, Path root, int port, String container) {
    this.dockerd = dockerd;
    this.root = root;
    this.port = port;
    this.container = container;
  }

  static void importImages(PrivateDockerd dockerd) {
    Map<String, Path> sqlite3 = TestImages.sqlite3();
    String migration = TestImages.resource("svrunner", "migrations/2.sql");
    image(dockerd, OLD, "1", Map.of(), sqlite3);
    image(dockerd, NEW, "2", Map.of("/app/migrations/2.sql", migration), sqlite3);
    image(
        dockerd,
        BROKEN_MIGRATION,
        "2",
        Map.of("/app/migrations/2.sql", TestImages.resource("svrunner", "faults/2-halfway.sql")),
        sqlite3);
    image(
        dockerd,
        UNHEALTHY,
        "2",
        Map.of(
            "/app/migrations/2.sql", migration, "/app/FAULT", "the asset store is unreachable\n"),
        sqlite3);
  }

  /** The tag of the image of {@link #importBrokenImages} that gets {@code what} wrong. */
  static String broken(String what) {
    if (!BREAKS.contains(what)) {
      throw new IllegalArgumentException(what);
    }
    return "2.1.0-" + what;
  }

  /** Imports an image for each of {@link #BREAKS}: a 2.x build that migrates, then misbehaves. */
  static void importBrokenImages(PrivateDockerd dockerd) {
    Map<String, Path> sqlite3 = TestImages.sqlite3();
    String migration = TestImages.resource("svrunner", "migrations/2.sql");
    for (String what : BREAKS) {
      image(
          dockerd,
          broken(what),
          "2",
          Map.of("/app/migrations/2.sql", migration, "/app/BREAK", what + "\n"),
          sqlite3);
    }
  }

  private static void image(
      PrivateDockerd dockerd,
      String version,
      String schema,
      Map<String, String> extra,
      Map<String, Path> sqlite3) {
    Map<String, String> files = new LinkedHashMap<>(extra);
    for (String script : List.of("server.sh", "healthcheck.sh")) {
      files.put("/app/" + script, TestImages.resource("svrunner", script));
    }
    files.put("/app/VERSION", version + "\n");
    files.put("/app/SCHEMA", schema + "\n");
    dockerd.importImage(IMAGE, version, files, sqlite3);
  }

  /** Deploys 1.0.0 under {@code root} and starts its container; returns once it is healthy. */
  static SvRunnerDeployment install(PrivateDockerd dockerd, Path root) throws Exception {
    return install(dockerd, root, "srv/files");
  }

  /**
   * Deploys 1.0.0 with the container's {@code /app/files} mounted from {@code mountedFiles} (under
   * {@code root}): {@code srv/files} is the server's own, another directory is a wrong mapping.
   */
  static SvRunnerDeployment install(PrivateDockerd dockerd, Path root, String mountedFiles)
      throws Exception {
    return install(dockerd, root, mountedFiles, CONTAINER);
  }

  /**
   * Deploys 1.0.0 as {@link #install(PrivateDockerd, Path, String)} does, in a container named
   * {@code container} (so that several deployments share one engine).
   */
  static SvRunnerDeployment install(
      PrivateDockerd dockerd, Path root, String mountedFiles, String container) throws Exception {
    SvRunnerDeployment d =
        new SvRunnerDeployment(dockerd, root, PrivateDockerd.freePort(), container);
    Path files = d.serverDir().resolve("files");
    Files.createDirectories(files.resolve("assets/menu"));
    Files.createDirectories(files.resolve("logs"));
    Files.createDirectories(d.backupDir());
    d.sqlite(TestImages.resource("svrunner", "schema-1.sql"));
    Files.write(
        files.resolve("assets/welcome.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10});
    Files.writeString(files.resolve("assets/menu/monday.html"), "<p>Monday: lentil soup</p>\n");
    Files.writeString(
        d.serverDir().resolve(".env"),
        "SVRUNNER_SITE_NAME=Lobby screens\nSVRUNNER_SESSION_SECRET=k3ep-me\n");
    Path mounted = root.resolve(mountedFiles);
    if (!mounted.equals(files)) {
      Files.createDirectories(mounted.resolve("logs"));
      Files.createDirectories(mounted.resolve("assets"));
      Files.copy(files.resolve("local.db"), mounted.resolve("local.db"));
    }
    Files.writeString(
        d.paramsFile(),
        "image: "
            + IMAGE
            + "\npull: false\n"
            + "server_dir: "
            + d.serverDir()
            + "\nbackup_dir: "
            + d.backupDir()
            + "\nport: "
            + d.port
            + "\napp_cmd: sh /app/server.sh\n"
            + "health_cmd: sh /app/healthcheck.sh\n"
            + "health_timeout: 10s\n"
            + "container: "
            + container
            + "\n");
    d.startPrevious(mounted);
    return d;
  }

  /** The 1.0.0 container, as its operator's {@code docker run} made it. */
  private void startPrevious(Path mountedFiles) throws InterruptedException {
    HostConfig host =
        HostConfig.newHostConfig()
            .withBinds(
                Bind.parse(mountedFiles + ":/app/files"),
                Bind.parse(serverDir().resolve(".env") + ":/app/.env:ro"))
            .withNetworkMode("host")
            .withRestartPolicy(RestartPolicy.unlessStoppedRestart());
    String id =
        dockerd
            .client()
            .createContainerCmd(IMAGE + ":" + OLD)
            .withName(container)
            .withHostConfig(host)
            .withCmd("sh", "/app/server.sh")
            .withEnv("PORT=" + port)
            .withLabels(Map.of("app", "svrunner"))
            .withHealthcheck(
                new HealthCheck()
                    .withTest(List.of("CMD-SHELL", "sh /app/healthcheck.sh"))
                    .withInterval(Duration.ofMillis(500).toNanos())
                    .withRetries(3))
            .exec()
            .getId();
    dockerd.client().startContainerCmd(id).exec();
    awaitVersion(OLD);
  }

  InspectContainerResponse container() {
    return dockerd.client().inspectContainerCmd(container).exec();
  }

  /** The containers of the engine named as this deployment's, stopped ones included. */
  List<Container> containersNamedAlike() {
    return dockerd.client().listContainersCmd().withShowAll(true).exec().stream()
        .filter(c -> c.getNames() != null && List.of(c.getNames()).contains("/" + container))
        .toList();
  }

  /** Everything under the server's directory but the logs, which the app keeps writing. */
  Map<String, String> dataWithoutLogs() throws IOException {
    Map<String, String> tree = new TreeMap<>(Trees.digests(serverDir()));
    tree.keySet().removeIf(k -> k.startsWith("files/logs/"));
    return tree;
  }

  /** The deployment's own directory: the server's, the backups' and the params file's parent. */
  Path root() {
    return root;
  }

  Path serverDir() {
    return root.resolve("srv");
  }

  Path backupDir() {
    return root.resolve("backups");
  }

  Path paramsFile() {
    return root.resolve("params.yaml");
  }

  /** The server's log, as the app writes it into files/logs. */
  String log() throws IOException {
    return Files.readString(serverDir().resolve("files/logs/server.log"));
  }

  /** {@code GET path} from the host: the body, or empty when nothing answers with 200. */
  Optional<String> get(String path) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Waits until the container is healthy and the app reports {@code version}. */
  void awaitVersion(String version) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      InspectContainerResponse c = container();
      boolean healthy =
          c.getState() != null
              && c.getState().getHealth() != null
              && "healthy".equals(c.getState().getHealth().getStatus());
      Optional<String> body = get("/api/version");
      if (healthy && body.isPresent() && body.get().contains("\"" + version + "\"")) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("svrunner did not come up healthy at " + version + ": " + body);
      }
      Thread.sleep(100);
    }
  }

  /** Runs SQL on files/local.db with the host's sqlite3; returns its output. */
  String sqlite(String sql) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("sqlite3", "-bail", serverDir().resolve("files/local.db").toString())
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
}
