package dev.runbook.runbooks.seqdesk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A SeqDesk installation made of real parts, in a directory of its own: the release's files, a
 * server process on a loopback port that serves the version it read at start, a PostgreSQL database
 * migrated by the fixture's stand-in for {@code prisma migrate deploy}, and the scripts the
 * runbooks get as their {@code start_cmd}, {@code stop_cmd}, {@code migrate_cmd} and {@code
 * install_cmd}.
 *
 * <p>Layout under {@code root}: {@code bin/} (the scripts), {@code install/} (the SeqDesk
 * directory), {@code server/} (the server's pid file and log), {@code state/} (the runbook state
 * directory), {@code seqdesk-1.5.0.tar.gz} (the release package of a manual update).
 */
final class SeqDeskFixture {
  /** The runbooks module's directory: failsafe runs there. */
  static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

  static final String PYTHON = "/usr/bin/python3";

  private static final List<String> SCRIPTS =
      List.of("server.py", "start.sh", "stop.sh", "migrate.sh", "install.py");

  private static final String SEED_V1 =
      """
      INSERT INTO "User" (email, name) VALUES ('ada@lab.example', 'Ada'), ('grace@lab.example', 'Grace');
      INSERT INTO "Sample" (code, owner_id, received) VALUES
        ('S-0001', 1, '2024-03-01'), ('S-0002', 2, '2024-03-02'), ('S-0003', 1, '2024-03-05');
      INSERT INTO "Order" (sample_id, status) VALUES (1, 'SUBMITTED'), (2, 'COMPLETED'), (3, 'DRAFT');
      """;

  private static final String SEED_V2 =
      """
      UPDATE "Order" SET platform = 'NovaSeq X' WHERE id = 2;
      INSERT INTO "SequencingRun" (order_id, reads) VALUES (2, 412000000), (2, 398500000);
      """;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final Path root;
  final Path bin;
  final Path install;
  final Path server;
  final Path state;
  final Path packageFile;
  final PostgresCluster pg;
  final String database;
  final int port;
  private final Templates templates;

  SeqDeskFixture(Path root, PostgresCluster pg, Templates templates, String database)
      throws IOException {
    this.root = Files.createDirectories(root);
    this.bin = Files.createDirectories(root.resolve("bin"));
    this.install = root.resolve("install");
    this.server = root.resolve("server");
    this.state = root.resolve("state");
    this.packageFile = root.resolve("seqdesk-" + Release.V2.version() + ".tar.gz");
    this.pg = pg;
    this.database = database;
    this.templates = templates;
    this.port = PostgresCluster.freePort();
    copyScripts(bin);
  }

  /** The runbook under test, from the source tree. */
  static Path runbook(String name) {
    return MODULE.resolve("seqdesk").resolve(name + ".yaml");
  }

  /**
   * SeqDesk 1.5.0 after an automatic update: its files, its database migrated to 1.5.0 with data in
   * it, {@code .update-backup/} holding 1.4.2's files, and the server running.
   */
  void installUpdated() throws IOException, InterruptedException {
    install(templates.updated(), templates.updatedDatabase());
  }

  /**
   * SeqDesk 1.4.2 with data in its database, the server running, and the 1.5.0 release package
   * beside it.
   */
  void installOld() throws IOException, InterruptedException {
    install(templates.old(), templates.oldDatabase());
    writePackage(stage -> {});
  }

  private void install(Path template, String templateDatabase)
      throws IOException, InterruptedException {
    reset();
    Commands.run(root, "cp", "-a", template.toString(), install.toString());
    configure(install, database);
    pg.psql("postgres", "CREATE DATABASE " + database + " TEMPLATE " + templateDatabase);
    startServer();
  }

  /**
   * The installations a test starts from, made once per test class: files (node_modules/ made by
   * the stand-in for npm install) and databases migrated by the stand-in for Prisma, with data.
   */
  record Templates(Path updated, String updatedDatabase, Path old, String oldDatabase) {
    static Templates make(Path dir, PostgresCluster pg) throws IOException, InterruptedException {
      Path bin = Files.createDirectories(dir.resolve("bin"));
      copyScripts(bin);
      Path updated = dir.resolve("updated");
      Release.V2.writeTo(updated);
      npmInstall(bin, updated);
      Path backup = updated.resolve(".update-backup");
      Release.V1.writeTo(backup);
      npmInstall(bin, backup);
      migrate(bin, pg, updated, "template_updated", SEED_V1 + SEED_V2);
      Path old = dir.resolve("old");
      Release.V1.writeTo(old);
      npmInstall(bin, old);
      migrate(bin, pg, old, "template_old", SEED_V1);
      return new Templates(updated, "template_updated", old, "template_old");
    }

    private static void migrate(
        Path bin, PostgresCluster pg, Path install, String database, String seed)
        throws IOException, InterruptedException {
      pg.recreate(database);
      configure(install, database, pg);
      Commands.run(install, "sh", bin.resolve("migrate.sh").toString());
      pg.psql(database, seed);
    }
  }

  /** Something done to a staged release before it is packed. */
  interface StageEdit {
    void apply(Path stage) throws IOException, InterruptedException;
  }

  /** Packs the 1.5.0 release (without node_modules/, as released), changed by {@code edit}. */
  void writePackage(StageEdit edit) throws IOException, InterruptedException {
    Path stage = root.resolve("package-stage");
    delete(stage);
    Release.V2.writeTo(stage);
    edit.apply(stage);
    List<String> members;
    try (Stream<Path> entries = Files.list(stage)) {
      members = entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
    Files.deleteIfExists(packageFile);
    Commands.run(
        root,
        Map.of(),
        Duration.ofSeconds(60),
        Stream.concat(
                Stream.of("tar", "-C", stage.toString(), "-czf", packageFile.toString()),
                members.stream())
            .toList());
    delete(stage);
  }

  /** Stops the server, then removes the installation, its server state and runbook state. */
  void reset() throws IOException, InterruptedException {
    stopServer();
    delete(install);
    delete(server);
    delete(state);
    Files.createDirectories(server);
    pg.psql("postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
  }

  private void configure(Path dir, String db) throws IOException {
    configure(dir, db, pg);
  }

  /** SeqDesk's own configuration: the database in .env, the site in seqdesk.config.json. */
  static void configure(Path dir, String database, PostgresCluster pg) throws IOException {
    Release.write(dir.resolve(".env"), "DATABASE_URL=" + pg.url(database) + "\n");
    Release.write(
        dir.resolve("seqdesk.config.json"),
        "{\n  \"site\": { \"name\": \"Genomics Core\" },\n  \"dataDir\": \"/srv/sequencing\"\n}\n");
  }

  private static void npmInstall(Path bin, Path dir) throws IOException, InterruptedException {
    Commands.run(dir, PYTHON, bin.resolve("install.py").toString());
  }

  private static void copyScripts(Path bin) throws IOException {
    for (String script : SCRIPTS) {
      try (InputStream in = SeqDeskFixture.class.getResourceAsStream("/seqdesk/" + script)) {
        if (in == null) {
          throw new IllegalStateException("missing test resource seqdesk/" + script);
        }
        Files.copy(in, bin.resolve(script), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  void startServer() throws IOException, InterruptedException {
    Commands.run(
        root,
        "sh",
        bin.resolve("start.sh").toString(),
        install.toString(),
        Integer.toString(port),
        server.toString());
  }

  void stopServer() throws IOException, InterruptedException {
    if (Files.isDirectory(server)) {
      Commands.run(root, "sh", bin.resolve("stop.sh").toString(), server.toString());
    }
  }

  private String startCommand() {
    return bin.resolve("start.sh") + " " + install + " " + port + " " + server;
  }

  /**
   * The runbooks' parameters for this installation (the secret one goes through {@link #env()}).
   */
  Map<String, String> params(String runbook) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("install_dir", install.toString());
    params.put("stop_cmd", "sh " + bin.resolve("stop.sh") + " " + server);
    params.put("start_cmd", "sh " + startCommand());
    params.put("migrate_cmd", "sh " + bin.resolve("migrate.sh"));
    params.put("port", Integer.toString(port));
    params.put("smoke_timeout", "2s");
    params.put("version_path", "/api/version");
    if (runbook.equals("manual-update")) {
      params.put("package", packageFile.toString());
      params.put("install_cmd", PYTHON + " " + bin.resolve("install.py"));
    }
    return params;
  }

  /** The environment of a runbook process: the database URL, a secret, comes from there. */
  Map<String, String> env() {
    return Map.of("RUNBOOK_PARAM_DATABASE_URL", pg.url(database));
  }

  /** The version the server answers on /api/version; empty if it does not answer. */
  Optional<String> runningVersion() {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/version"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          ? Optional.of(new org.json.JSONObject(response.body()).getString("version"))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** The rows that hold the installation's data, one line per row. */
  String data() throws IOException, InterruptedException {
    return pg.psql(
        database,
        "SELECT u.email, s.code, s.received, o.status FROM \"User\" u"
            + " JOIN \"Sample\" s ON s.owner_id = u.id JOIN \"Order\" o ON o.sample_id = s.id"
            + " ORDER BY s.code");
  }

  String dump() throws IOException, InterruptedException {
    return pg.dump(database);
  }

  Map<String, String> tree(boolean withTimes) throws IOException {
    return InstallTree.of(install, withTimes);
  }

  static void delete(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(path)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
