package dev.runbook.runbooks.printstash;

import dev.runbook.runbooks.Breakages;
import dev.runbook.runbooks.Installation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.json.JSONObject;

/**
 * A host installation of PrintStash built from real parts in a temporary directory: two releases of
 * a small API (python3's http.server and sqlite3, on 127.0.0.1 and a free port), a SQLite database
 * at the {@code VAULT_DB_URL} of the API's environment file, a files directory, real Alembic
 * migrations run by {@code /usr/bin/python3 -m alembic}, a {@code printstashctl} that starts and
 * stops the API by the pid in its pid file, and slicer hooks and scheduled jobs that are "enabled"
 * while a marker file exists.
 *
 * <pre>
 * ROOT/bin/printstashctl, bin/background-service
 * ROOT/etc/printstash/printstash.env          VAULT_DB_URL, VAULT_STORAGE_DIR, ...
 * ROOT/opt/printstash/releases/1.4.0/         the release that runs; current -> releases/1.4.0
 * ROOT/incoming/printstash-1.5.0/             the new release, unpacked
 * ROOT/var/lib/printstash/db/printstash.sqlite, var/lib/printstash/files/
 * ROOT/var/backups/printstash/                where the runbook's backups go
 * ROOT/run/                                   pid file, API log, hook and job markers
 * </pre>
 *
 * <p>Making the seeded 1.4.0 installation costs a migration and a few uploads, so a test class
 * makes one {@linkplain #template template} and each test {@linkplain #copyOf copies} it.
 */
final class PrintStashInstallation implements Installation {
  static final String OLD = "1.4.0";
  static final String NEW = "1.5.0";
  static final Path RUNBOOK = Path.of("printstash/upgrade.yaml").toAbsolutePath();
  static final String PYTHON = "/usr/bin/python3";

  private static final Path RESOURCES = resources();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private final Path root;
  private final int port;

  private PrintStashInstallation(Path root, int port) {
    this.root = root;
    this.port = port;
  }

  private static Path resources() {
    try {
      return Path.of(PrintStashInstallation.class.getResource("/printstash").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The seeded 1.4.0 installation in {@code dir}, its API stopped; copy it with {@link #copyOf}.
   */
  static Path template(Path dir) throws IOException, InterruptedException {
    Path root = dir.resolve("template");
    for (String d :
        List.of(
            "bin",
            "etc/printstash",
            "opt/printstash/releases",
            "incoming",
            "var/lib/printstash/db",
            "var/lib/printstash/files",
            "var/backups/printstash",
            "run")) {
      Files.createDirectories(root.resolve(d));
    }
    for (String script : List.of("printstashctl", "background-service")) {
      Path to = root.resolve("bin").resolve(script);
      Files.copy(RESOURCES.resolve("bin").resolve(script), to);
      Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    release(root.resolve("opt/printstash/releases").resolve(OLD), OLD, "0001_initial.py");
    release(
        root.resolve("incoming/printstash-" + NEW),
        NEW,
        "0001_initial.py",
        "0002_gcode_metadata.py");
    Files.createSymbolicLink(root.resolve("opt/printstash/current"), Path.of("releases", OLD));
    PrintStashInstallation seed = new PrintStashInstallation(root, freePort());
    seed.writeEnvFile();
    Files.createFile(seed.database());
    seed.exec(
        root.resolve("opt/printstash/current"),
        Map.of("VAULT_DB_URL", seed.dbUrl()),
        PYTHON,
        "-m",
        "alembic",
        "upgrade",
        "head");
    seed.sqlite(
        "INSERT INTO printers (id, name, provider) VALUES"
            + " (1, 'prusa-mk4', 'moonraker'), (2, 'voron-2.4', 'klipper');");
    seed.ctl("start");
    try (seed) {
      seedUploads(seed);
    }
    Files.deleteIfExists(root.resolve("run/printstash-api.log"));
    return root;
  }

  /** Files uploaded through the old release, as its users would have. */
  private static void seedUploads(PrintStashInstallation seed)
      throws IOException, InterruptedException {
    seed.upload(
        "benchy.gcode",
        "; generated by Cura_SteamEngine 5.6.0\n;LAYER_COUNT:240\nG28\nG1 Z0.2 F3000\nM104 S0\n");
    seed.upload(
        "calibration-cube.gcode",
        "; generated by PrusaSlicer 2.6.1 on 2024-01-10 at 18:02:11 UTC\n"
            + "; layer_height = 0.15\nG28\nG1 X10 Y10 E1\n");
    seed.upload("bracket v2.gcode", "; generated by OrcaSlicer 2.0.0\nG28\nG1 X5 E0.5\n");
    seed.ctl("stop");
  }

  /**
   * A copy of {@code template} in {@code root}, on a free port, its API, hooks and jobs running.
   */
  static PrintStashInstallation copyOf(Path template, Path root)
      throws IOException, InterruptedException {
    Files.createDirectories(root);
    runChecked(root, List.of("cp", "-a", template + "/.", root.toString()), Map.of());
    PrintStashInstallation installation = new PrintStashInstallation(root, freePort());
    installation.writeEnvFile();
    installation.writeParams(Map.of());
    installation.service("slicer-hooks", "start");
    installation.service("scheduled-jobs", "start");
    try {
      installation.ctl("start");
    } catch (IOException | RuntimeException e) {
      installation.close();
      throw e;
    }
    return installation;
  }

  private static void release(Path dir, String version, String... migrations) throws IOException {
    Files.createDirectories(dir.resolve("migrations/versions"));
    Path app = RESOURCES.resolve("app");
    Files.copy(app.resolve("printstash_api.py"), dir.resolve("printstash_api.py"));
    Files.copy(app.resolve("alembic.ini"), dir.resolve("alembic.ini"));
    Files.copy(app.resolve("migrations/env.py"), dir.resolve("migrations/env.py"));
    for (String m : migrations) {
      Files.copy(
          RESOURCES.resolve("migrations").resolve(m), dir.resolve("migrations/versions/" + m));
    }
    Files.writeString(dir.resolve("VERSION"), version + "\n");
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public Path runbook() {
    return RUNBOOK;
  }

  @Override
  public Path root() {
    return root;
  }

  int port() {
    return port;
  }

  @Override
  public Path stateDir() {
    return root.resolve("state");
  }

  @Override
  public Path paramsFile() {
    return root.resolve("params.yaml");
  }

  Path database() {
    return root.resolve("var/lib/printstash/db/printstash.sqlite");
  }

  Path dataDir() {
    return root.resolve("var/lib/printstash");
  }

  Path installDir() {
    return root.resolve("opt/printstash");
  }

  Path incomingRelease() {
    return root.resolve("incoming/printstash-" + NEW);
  }

  Path backupDir() {
    return root.resolve("var/backups/printstash");
  }

  String dbUrl() {
    return "sqlite:///" + database();
  }

  private void writeEnvFile() throws IOException {
    Files.writeString(
        root.resolve("etc/printstash/printstash.env"),
        "# PrintStash API environment (read by printstashctl, like a systemd EnvironmentFile)\n"
            + "VAULT_DB_URL="
            + dbUrl()
            + "\nVAULT_STORAGE_DIR="
            + root.resolve("var/lib/printstash/files")
            + "\nVAULT_BACKUP_DIR="
            + backupDir()
            + "\nPRINTSTASH_PORT="
            + port
            + "\n");
  }

  /** The runbook's parameters for this installation, with {@code overrides} on top. */
  Map<String, String> params(Map<String, String> overrides) {
    Map<String, String> p = new LinkedHashMap<>();
    String ctl = root.resolve("bin/printstashctl").toString();
    String service = root.resolve("bin/background-service").toString();
    p.put("release_src", incomingRelease().toString());
    p.put("install_dir", installDir().toString());
    p.put("env_file", root.resolve("etc/printstash/printstash.env").toString());
    p.put("data_dir", dataDir().toString());
    p.put("backup_dir", backupDir().toString());
    p.put("api_host", "127.0.0.1");
    p.put("api_port", Integer.toString(port));
    p.put("stop_api_cmd", ctl + " stop");
    p.put("start_api_cmd", ctl + " start");
    p.put("stop_hooks_cmd", service + " slicer-hooks stop");
    p.put("start_hooks_cmd", service + " slicer-hooks start");
    p.put("stop_jobs_cmd", service + " scheduled-jobs stop");
    p.put("start_jobs_cmd", service + " scheduled-jobs start");
    p.put("sync_cmd", "true");
    p.put("alembic_cmd", PYTHON + " -m alembic");
    p.putAll(overrides);
    return p;
  }

  /** Writes {@link #paramsFile()} (JSON, which is YAML) with these overrides. */
  void writeParams(Map<String, String> overrides) throws IOException {
    Files.writeString(paramsFile(), new JSONObject(params(overrides)).toString(2) + "\n");
  }

  /** Breaks the new release on purpose: a word the API reads from its FAULTS file. */
  void breakNewRelease(String fault) throws IOException {
    Files.writeString(incomingRelease().resolve("FAULTS"), fault + "\n");
  }

  /** Makes a named pipe, which no copy, backup or restore accepts. */
  static void mkfifo(Path path) throws IOException, InterruptedException {
    Breakages.namedPipe(path);
  }

  /** Adds a migration that creates a table, updates rows, then raises. */
  void addFailingMigration() throws IOException {
    Files.copy(
        RESOURCES.resolve("faults/0003_broken.py"),
        incomingRelease().resolve("migrations/versions/0003_broken.py"));
  }

  /** The health document, or empty if the API does not answer. */
  Optional<JSONObject> health() throws InterruptedException {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(api("/api/v1/health")))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return Optional.of(new JSONObject(response.body()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The version the running API reports, or "down". */
  String runningVersion() throws InterruptedException {
    return health().map(h -> h.getString("version")).orElse("down");
  }

  String api(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  private void upload(String name, String gcode) throws IOException, InterruptedException {
    HttpResponse<String> response;
    try {
      response = send(name, gcode);
    } catch (IOException e) {
      throw new IOException("seed upload of " + name + " failed; the API's log:\n" + apiLog(), e);
    }
    if (response.statusCode() != 201) {
      throw new IllegalStateException("seed upload failed: " + response.body());
    }
  }

  private HttpResponse<String> send(String name, String gcode)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create(
                    api(
                        "/api/v1/files?name="
                            + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8))))
            .POST(HttpRequest.BodyPublishers.ofString(gcode))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code sqlite3 DB .dump}: the database as SQL text. */
  String dump() throws IOException, InterruptedException {
    return sqlite(".dump");
  }

  /** The Alembic revision the database is at. */
  String revision() throws IOException, InterruptedException {
    return sqlite("SELECT version_num FROM alembic_version;").strip();
  }

  String sqlite(String sql) throws IOException, InterruptedException {
    return exec(root, Map.of(), "sqlite3", database().toString(), sql);
  }

  /**
   * Every entry under the data directory: a file's SHA-256 and mode, a link's target, a directory's
   * mode; the database file included, byte for byte.
   */
  Map<String, String> dataTree() throws IOException {
    return tree(dataDir());
  }

  static Map<String, String> tree(Path dir) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
              throws IOException {
            entries.put(dir.relativize(d) + "/", "dir " + mode(d));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
            String what;
            if (attrs.isSymbolicLink()) {
              what = "link " + Files.readSymbolicLink(f);
            } else if (attrs.isRegularFile()) {
              what = "file " + mode(f) + " " + sha256(Files.readAllBytes(f));
            } else {
              what = "special " + mode(f);
            }
            entries.put(dir.relativize(f).toString(), what);
            return FileVisitResult.CONTINUE;
          }
        });
    return entries;
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where {@code current} links to. */
  String currentLink() throws IOException {
    return Files.readSymbolicLink(installDir().resolve("current")).toString();
  }

  /** The names in {@code releases/}, hidden ones included. */
  List<String> releases() throws IOException {
    return list(installDir().resolve("releases"));
  }

  /** The names in the backup directory, hidden ones included. */
  List<String> backups() throws IOException {
    return list(backupDir());
  }

  /** The names in the data directory's parent and in the data directory, hidden ones included. */
  static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  boolean hooksEnabled() {
    return Files.exists(root.resolve("run/slicer-hooks.enabled"));
  }

  boolean jobsEnabled() {
    return Files.exists(root.resolve("run/scheduled-jobs.enabled"));
  }

  String apiLog() throws IOException {
    Path log = root.resolve("run/printstash-api.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  void ctl(String command) throws IOException, InterruptedException {
    exec(root, Map.of(), root.resolve("bin/printstashctl").toString(), command);
  }

  private void service(String name, String command) throws IOException, InterruptedException {
    exec(root, Map.of(), root.resolve("bin/background-service").toString(), name, command);
  }

  private String exec(Path dir, Map<String, String> env, String... argv)
      throws IOException, InterruptedException {
    return runChecked(dir, List.of(argv), env);
  }

  private static String runChecked(Path dir, List<String> argv, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile());
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process process = builder.start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(argv + " did not finish in 60s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IllegalStateException(argv + " exited " + process.exitValue() + ":\n" + text);
    }
    return text;
  }

  /**
   * Stops every API process of this installation, by pid: the one in the pid file and any other
   * whose command line names this installation (one a killed run may have left).
   */
  @Override
  public void close() {
    List<ProcessHandle> mine = new ArrayList<>();
    String marker = root.toString() + "/";
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
        .filter(p -> p.info().commandLine().orElse("").contains("printstash_api.py"))
        .forEach(mine::add);
    mine.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : mine) {
      try {
        p.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
    }
  }

  static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
