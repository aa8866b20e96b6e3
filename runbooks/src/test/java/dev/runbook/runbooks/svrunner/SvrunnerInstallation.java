package dev.runbook.runbooks.svrunner;

import dev.runbook.runbooks.Breakages;
import dev.runbook.runbooks.Installation;
import java.io.IOException;
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
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.json.JSONObject;

/**
 * A host installation of SVRunner built from real parts in a temporary directory: a server
 * (python3's http.server and sqlite3, on 127.0.0.1 and a free port) running from {@code
 * opt/svrunner} with its data in {@code files/} (a SQLite {@code local.db} with real migrations
 * applied at start, assets, logs written on every request) and its settings in {@code .env}, the
 * build it runs in {@code opt/svrunner/app}, a new build beside it (unpacked and as a tarball), and
 * an {@code svrunnerctl} that starts and stops the server as systemd would (clean environment plus
 * {@code .env}, a pid file).
 *
 * <pre>
 * ROOT/bin/svrunnerctl
 * ROOT/opt/svrunner/app/                    build 1.8.0: package.json, server.py, migrations/
 * ROOT/opt/svrunner/files/local.db, files/assets/, files/logs/svrunner.log
 * ROOT/opt/svrunner/.env                    PORT, HOST, SESSION_SECRET
 * ROOT/incoming/svrunner-1.9.0/, incoming/svrunner-1.9.0.tar.gz     the new build (one migration more)
 * ROOT/var/backups/svrunner/                where the runbook's backups go
 * ROOT/run/                                 pid file, the server's stdout and stderr
 * </pre>
 *
 * <p>A test class makes one {@linkplain #template template} (seeded through the old build) and each
 * test {@linkplain #copyOf copies} it.
 */
final class SvrunnerInstallation implements Installation {
  static final String OLD = "1.8.0";
  static final String NEW = "1.9.0";
  static final Path RUNBOOK = Path.of("svrunner/upgrade.yaml").toAbsolutePath();
  static final String PYTHON = "/usr/bin/python3";

  private static final Path RESOURCES = resources();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private final Path root;
  private final int port;

  private SvrunnerInstallation(Path root, int port) {
    this.root = root;
    this.port = port;
  }

  private static Path resources() {
    try {
      return Path.of(SvrunnerInstallation.class.getResource("/svrunner").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The seeded 1.8.0 installation in {@code dir}, its server stopped; copy it with {@link #copyOf}.
   */
  static Path template(Path dir) throws IOException, InterruptedException {
    Path root = dir.resolve("template");
    for (String d :
        List.of(
            "bin",
            "opt/svrunner/files/assets/screens",
            "opt/svrunner/files/assets/fonts",
            "opt/svrunner/files/logs",
            "incoming",
            "var/backups/svrunner",
            "run")) {
      Files.createDirectories(root.resolve(d));
    }
    Path ctl = root.resolve("bin/svrunnerctl");
    Files.copy(RESOURCES.resolve("bin/svrunnerctl"), ctl);
    Files.setPosixFilePermissions(ctl, PosixFilePermissions.fromString("rwxr-xr-x"));
    build(root.resolve("opt/svrunner/app"), OLD, "001_initial.sql");
    Path incoming = root.resolve("incoming/svrunner-" + NEW);
    build(incoming, NEW, "001_initial.sql", "002_screen_orientation.sql");
    run(
        root.resolve("incoming"),
        List.of("tar", "-czf", "svrunner-" + NEW + ".tar.gz", "svrunner-" + NEW));
    seedAssets(root.resolve("opt/svrunner/files/assets"));
    Files.createFile(root.resolve("opt/svrunner/files/local.db"));
    SvrunnerInstallation seed = new SvrunnerInstallation(root, freePort());
    seed.writeEnv();
    seed.ctl("start"); // the old build creates its schema
    seed.ctl("stop");
    seed.sqlite(
        "INSERT INTO screens (id, name, location) VALUES (1, 'lobby', 'ground floor'),"
            + " (2, 'cafeteria', 'level 2'), (3, 'entrance-kiosk', 'main door');"
            + " INSERT INTO contents (screen_id, asset, position) VALUES"
            + " (1, 'screens/lobby.html', 1), (1, 'logo.png', 2), (2, 'screens/menu.html', 1),"
            + " (3, 'logo.png', 1);");
    Files.deleteIfExists(root.resolve("run/svrunner.out"));
    return root;
  }

  private static void build(Path dir, String version, String... migrations) throws IOException {
    Files.createDirectories(dir.resolve("migrations"));
    Files.copy(RESOURCES.resolve("app/server.py"), dir.resolve("server.py"));
    for (String m : migrations) {
      Files.copy(RESOURCES.resolve("migrations").resolve(m), dir.resolve("migrations").resolve(m));
    }
    Files.writeString(
        dir.resolve("package.json"),
        "{\n  \"name\": \"svrunner\",\n  \"version\": \""
            + version
            + "\",\n  \"private\": true\n}\n");
  }

  /** Assets as users uploaded them: binary and text, nested, one with a space in its name. */
  private static void seedAssets(Path assets) throws IOException {
    byte[] png = new byte[4096];
    new Random(20261123L).nextBytes(png);
    png[0] = (byte) 0x89;
    Files.write(assets.resolve("logo.png"), png);
    Files.writeString(assets.resolve("screens/lobby.html"), "<h1>Welcome</h1>\n");
    Files.writeString(assets.resolve("screens/menu.html"), "<ul><li>Soup</li></ul>\n");
    Files.writeString(assets.resolve("screens/old notes.txt"), "kept as uploaded\n");
    byte[] font = new byte[1024];
    new Random(7L).nextBytes(font);
    Files.write(assets.resolve("fonts/inter.woff2"), font);
  }

  /** A copy of {@code template} in {@code root}, on a free port, its server running. */
  static SvrunnerInstallation copyOf(Path template, Path root)
      throws IOException, InterruptedException {
    Files.createDirectories(root);
    run(root, List.of("cp", "-a", template + "/.", root.toString()));
    SvrunnerInstallation installation = new SvrunnerInstallation(root, freePort());
    installation.writeEnv();
    installation.writeParams(Map.of());
    try {
      installation.ctl("start");
    } catch (IOException | RuntimeException e) {
      installation.close();
      throw e;
    }
    return installation;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private void writeEnv() throws IOException {
    Files.writeString(
        envFile(),
        "# SVRunner settings (read by svrunnerctl, like a systemd EnvironmentFile)\n"
            + "HOST=127.0.0.1\nPORT="
            + port
            + "\nSESSION_SECRET=5f0c2a9e-not-a-real-secret\n");
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
    return root.resolve("params.json");
  }

  Path installDir() {
    return root.resolve("opt/svrunner");
  }

  Path buildDir() {
    return installDir().resolve("app");
  }

  Path filesDir() {
    return installDir().resolve("files");
  }

  Path database() {
    return filesDir().resolve("local.db");
  }

  Path envFile() {
    return installDir().resolve(".env");
  }

  Path newBuild() {
    return root.resolve("incoming/svrunner-" + NEW);
  }

  Path newBuildTarball() {
    return root.resolve("incoming/svrunner-" + NEW + ".tar.gz");
  }

  Path backupDir() {
    return root.resolve("var/backups/svrunner");
  }

  /** The runbook's parameters for this installation, with {@code overrides} on top. */
  Map<String, String> params(Map<String, String> overrides) {
    Map<String, String> p = new LinkedHashMap<>();
    String ctl = root.resolve("bin/svrunnerctl").toString();
    p.put("install_dir", installDir().toString());
    p.put("build_dir", buildDir().toString());
    p.put("new_build", newBuild().toString());
    p.put("backup_dir", backupDir().toString());
    p.put("port", Integer.toString(port));
    p.put("stop_cmd", ctl + " stop");
    p.put("start_cmd", ctl + " start");
    p.put("start_timeout", "15s");
    p.putAll(overrides);
    return p;
  }

  /** Writes {@link #paramsFile()} (JSON, which is YAML) with these overrides. */
  void writeParams(Map<String, String> overrides) throws IOException {
    Files.writeString(paramsFile(), new JSONObject(params(overrides)).toString(2) + "\n");
  }

  /** Breaks a build on purpose: a word its server reads from its FAULTS file. */
  static void breakBuild(Path build, String fault) throws IOException {
    Files.writeString(build.resolve("FAULTS"), fault + "\n");
  }

  /** Makes a named pipe, which no copy, backup or restore accepts. */
  static void mkfifo(Path path) throws IOException, InterruptedException {
    Breakages.namedPipe(path);
  }

  /** The health document, or empty if the server does not answer. */
  Optional<JSONObject> health() throws InterruptedException {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url("/health")))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return Optional.of(new JSONObject(response.body()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The version the running server's web app names, or "down". */
  String runningVersion() throws InterruptedException {
    try {
      String page = new String(get("/"), StandardCharsets.UTF_8);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("name=\"svrunner-version\" content=\"([^\"]+)\"")
              .matcher(page);
      return m.find() ? m.group(1) : "unnamed";
    } catch (IOException | IllegalStateException e) {
      return "down";
    }
  }

  /** The body of GET {@code path}, as bytes; fails on any status but 200. */
  byte[] get(String path) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + " answered " + response.statusCode());
    }
    return response.body();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** {@code sqlite3 local.db .dump}: the database as SQL text. */
  String dump() throws IOException, InterruptedException {
    return sqlite(".dump");
  }

  String sqlite(String sql) throws IOException, InterruptedException {
    return run(root, List.of("sqlite3", database().toString(), sql));
  }

  /**
   * Every entry under files/ except the logs, and .env: a file's SHA-256 and mode, a directory's
   * mode; the database file byte for byte.
   */
  Map<String, String> dataTree() throws IOException {
    Map<String, String> tree = new TreeMap<>();
    tree(filesDir())
        .forEach(
            (path, what) -> {
              if (!path.equals("logs/") && !path.startsWith("logs/")) {
                tree.put("files/" + path, what);
              }
            });
    tree.put(".env", "file " + sha256(Files.readAllBytes(envFile())));
    return tree;
  }

  /** The log files by name, with their content (other entries, such as a named pipe, unread). */
  Map<String, String> logs() throws IOException {
    Map<String, String> logs = new TreeMap<>();
    for (String name : list(filesDir().resolve("logs"))) {
      Path log = filesDir().resolve("logs").resolve(name);
      logs.put(name, Files.isRegularFile(log) ? Files.readString(log) : "(not a file)");
    }
    return logs;
  }

  /** Every entry of the build the server runs. */
  Map<String, String> buildTree() throws IOException {
    return tree(buildDir());
  }

  static Map<String, String> tree(Path dir) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
              throws IOException {
            if (!d.equals(dir)) {
              entries.put(dir.relativize(d) + "/", "dir " + mode(d));
            }
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

  /** The names in {@code dir}, hidden ones included, sorted. */
  static List<String> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The names in each run's backup directory, as {@code <run id>/<name>}, hidden ones included. */
  List<String> backups() throws IOException {
    List<String> entries = new ArrayList<>();
    for (String run : list(backupDir())) {
      Path dir = backupDir().resolve(run);
      if (Files.isDirectory(dir)) {
        for (String name : list(dir)) {
          entries.add(run + "/" + name);
        }
      } else {
        entries.add(run);
      }
    }
    return entries;
  }

  void ctl(String command) throws IOException, InterruptedException {
    run(root, List.of(root.resolve("bin/svrunnerctl").toString(), command));
  }

  /** The server's own output (start-up errors), for a failing test's message. */
  String serverOutput() throws IOException {
    Path out = root.resolve("run/svrunner.out");
    return Files.exists(out) ? Files.readString(out) : "";
  }

  static String run(Path dir, List<String> argv) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile());
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
   * Stops every server process of this installation, by pid: any whose command line names this
   * installation's build (the one in the pid file, or one a killed run left).
   */
  @Override
  public void close() {
    String marker = installDir() + "/app/server.py";
    List<ProcessHandle> mine =
        ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
            .toList();
    mine.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : mine) {
      try {
        p.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
    }
  }
}
