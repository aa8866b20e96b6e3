package dev.runbook.engine.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Docker Engine of the tests' own: a {@code dockerd} started as root with its data root, exec
 * root, socket, pid file and config under one temp dir, and no bridge, no iptables rules, no IP
 * forwarding. Containers of the tests use network mode {@code none} or {@code host} only, so the
 * engine never creates an interface or a firewall rule.
 *
 * <p>Images are made without a registry: a tarball of a root file system holding Debian's static
 * {@code /bin/busybox} and links to its applets, imported with docker-java ({@code POST
 * /images/create?fromSrc=-}).
 *
 * <p>{@link #close()} removes every container, stops the daemon by its pid (never by name),
 * unmounts what it left mounted under the temp dir, and deletes the dir. One daemon serves a test
 * class (it starts in about a second).
 *
 * <p>Where the daemon cannot run (not root, {@code dockerd} or busybox missing, or it does not
 * start), {@link #start} fails the calling tests with the reason when the Docker tests are required
 * (in CI: see {@link DockerRequirement}), and otherwise aborts them, so they are reported skipped.
 */
public final class PrivateDockerd implements AutoCloseable {
  /** Applets every test image links to busybox. */
  private static final List<String> APPLETS =
      List.of(
          "sh", "cat", "cp", "echo", "env", "false", "httpd", "ls", "mkdir", "rm", "sleep", "test",
          "true", "wget", "grep", "mv", "touch", "date", "tail", "wc", "ln", "kill", "sed", "stat");

  private final Path dir;
  private final Process process;
  private final DockerClient client;

  private PrivateDockerd(Path dir, Process process, DockerClient client) {
    this.dir = dir;
    this.process = process;
    this.client = client;
  }

  /** Starts a daemon on a unix socket of its own. */
  public static PrivateDockerd start() {
    return start(List.of());
  }

  /**
   * Starts a daemon.
   *
   * @param extraArgs further {@code dockerd} arguments (a {@code -H tcp://127.0.0.1:PORT} with TLS)
   */
  public static PrivateDockerd start(List<String> extraArgs) {
    DockerRequirement.need(
        "root".equals(System.getProperty("user.name")),
        "the Docker tests start a private dockerd, which needs root");
    Path dockerd = onPath("dockerd");
    DockerRequirement.need(
        dockerd != null,
        "dockerd is not installed: run bin/install-test-deps (Debian's docker.io)");
    DockerRequirement.need(
        Files.isExecutable(Path.of("/bin/busybox")),
        "/bin/busybox is missing: run bin/install-test-deps (Debian's busybox-static)");
    Path dir;
    Process process;
    try {
      dir = Files.createTempDirectory("rb-dockerd-");
      Files.writeString(dir.resolve("daemon.json"), "{}\n");
      List<String> command =
          new ArrayList<>(
              List.of(
                  dockerd.toString(),
                  "--config-file",
                  dir.resolve("daemon.json").toString(),
                  "--data-root",
                  dir.resolve("data").toString(),
                  "--exec-root",
                  dir.resolve("exec").toString(),
                  "-H",
                  "unix://" + dir.resolve("docker.sock"),
                  "--pidfile",
                  dir.resolve("dockerd.pid").toString(),
                  "--bridge=none",
                  "--iptables=false",
                  "--ip6tables=false",
                  "--ip-forward=false",
                  "--ip-masq=false",
                  "--userland-proxy=false",
                  "--exec-opt",
                  "native.cgroupdriver=cgroupfs",
                  "--shutdown-timeout",
                  "2"));
      command.addAll(extraArgs);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("dockerd.log").toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      builder.environment().keySet().removeIf(k -> k.startsWith("DOCKER_"));
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    DockerClient client = client("unix://" + dir.resolve("docker.sock"));
    PrivateDockerd daemon = new PrivateDockerd(dir, process, client);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        if (Files.exists(dir.resolve("docker.sock"))) {
          client.pingCmd().exec();
          return daemon;
        }
      } catch (RuntimeException notYet) {
        // still starting
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String log = daemon.logTail();
        daemon.close();
        DockerRequirement.unavailable("dockerd could not start here; its log ends with:\n" + log);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static Path onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin").split(":")) {
      Path p = Path.of(d, program);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin")) {
      Path p = Path.of(d, program);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** A docker-java client of the tests' own, for setting up and checking. */
  public static DockerClient client(String host) {
    DefaultDockerClientConfig config =
        new DefaultDockerClientConfig.Builder().withDockerHost(host).build();
    return DockerClientImpl.getInstance(
        config,
        new ApacheDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .connectionTimeout(Duration.ofSeconds(5))
            .build());
  }

  /** {@code unix:///tmp/rb-dockerd-.../docker.sock}: the value for {@code DOCKER_HOST}. */
  public String host() {
    return "unix://" + dir.resolve("docker.sock");
  }

  /** The environment that points the engine at this daemon. */
  public Map<String, String> environment() {
    return Map.of("DOCKER_HOST", host());
  }

  public DockerClient client() {
    return client;
  }

  /** The daemon's own temp dir. */
  public Path dir() {
    return dir;
  }

  /**
   * Makes an image from busybox and its applets, plus {@code files} (path in the image to content),
   * and tags it {@code repository:tag}.
   *
   * @return the image id ({@code sha256:...})
   */
  public String importImage(String repository, String tag, Map<String, String> files) {
    return importImage(repository, tag, files, Map.of());
  }

  /**
   * Makes an image as {@link #importImage(String, String, Map)} does, with host files copied in too
   * (path in the image to the host file, links followed, mode kept): a dynamically linked program
   * and its libraries, say.
   *
   * @return the image id ({@code sha256:...})
   */
  public String importImage(
      String repository, String tag, Map<String, String> files, Map<String, Path> hostFiles) {
    try {
      Path root = Files.createTempDirectory(dir, "rootfs-");
      Files.createDirectories(root.resolve("bin"));
      Files.createDirectories(root.resolve("tmp"));
      Files.createDirectories(root.resolve("data"));
      Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
      for (String applet : APPLETS) {
        Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
      }
      for (Map.Entry<String, String> f : files.entrySet()) {
        Path file = root.resolve(f.getKey().replaceFirst("^/", ""));
        Files.createDirectories(file.getParent());
        Files.writeString(file, f.getValue());
      }
      for (Map.Entry<String, Path> f : hostFiles.entrySet()) {
        Path file = root.resolve(f.getKey().replaceFirst("^/", ""));
        Files.createDirectories(file.getParent());
        Files.copy(f.getValue(), file, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
      Path tarball = dir.resolve(root.getFileName() + ".tar");
      Process tar =
          new ProcessBuilder(
                  "tar", "--numeric-owner", "-C", root.toString(), "-cf", tarball.toString(), ".")
              .redirectErrorStream(true)
              .start();
      String tarOutput = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (tar.waitFor() != 0) {
        throw new IllegalStateException("tar failed for " + root + ": " + tarOutput);
      }
      importTarball(tarball, repository + ":" + tag);
      Files.delete(tarball);
      deleteTree(root);
      return client.inspectImageCmd(repository + ":" + tag).exec().getId();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code POST /images/create?fromSrc=-&repo=NAME:TAG} with the tarball as the body, in plain HTTP
   * over the socket: docker-java's {@code createImageCmd} sends the stream JSON-encoded instead
   * (docker-java issue 2377), which the engine refuses with "unexpected EOF".
   */
  private void importTarball(Path tarball, String repoAndTag) throws IOException {
    try (SocketChannel channel =
        SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("docker.sock")))) {
      String head =
          "POST /images/create?fromSrc=-&repo="
              + URLEncoder.encode(repoAndTag, StandardCharsets.UTF_8)
              + " HTTP/1.1\r\nHost: docker\r\nContent-Type: application/x-tar\r\n"
              + "Content-Length: "
              + Files.size(tarball)
              + "\r\nConnection: close\r\n\r\n";
      OutputStream out = Channels.newOutputStream(channel);
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      Files.copy(tarball, out);
      out.flush();
      String response =
          new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
      if (!response.startsWith("HTTP/1.1 200") || response.contains("\"error")) {
        throw new IllegalStateException("import of " + repoAndTag + " failed: " + response);
      }
    }
  }

  /** A TCP port on loopback that nothing listens on now. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes every container (so a test starts clean), leaving images. */
  public void removeAllContainers() {
    for (Container c : client.listContainersCmd().withShowAll(true).exec()) {
      client.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
    }
  }

  /** The last lines of the daemon's log. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("dockerd.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        try {
          removeAllContainers();
        } catch (RuntimeException e) {
          // the daemon is stopped below anyway
        }
      }
      List<ProcessHandle> children = process.descendants().toList();
      // By its pid: the one this fixture started (which is also what its pid file says).
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      for (ProcessHandle child : children) {
        child.destroy();
      }
      for (ProcessHandle child : children) {
        try {
          child.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          child.destroyForcibly();
        }
      }
      client.close();
      unmountUnder(dir);
      deleteTree(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Unmounts whatever is still mounted under {@code root}, deepest first. */
  static void unmountUnder(Path root) throws IOException, InterruptedException {
    List<String> mounts = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] fields = line.split(" ");
      String point = fields[4].replace("\\040", " ");
      if (point.equals(root.toString()) || point.startsWith(root + "/")) {
        mounts.add(point);
      }
    }
    mounts.sort(Comparator.comparingInt(String::length).reversed());
    for (String point : mounts) {
      Process umount = new ProcessBuilder("umount", point).redirectErrorStream(true).start();
      umount.getInputStream().readAllBytes();
      if (umount.waitFor() != 0) {
        new ProcessBuilder("umount", "-l", point).redirectErrorStream(true).start().waitFor();
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
