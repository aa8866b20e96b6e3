package dev.runbook.runbooks.seqdesk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A throwaway PostgreSQL 15 cluster on a loopback port, in a directory of the test's own.
 *
 * <p>{@code initdb} and {@code postgres} refuse to run as root, so the cluster's directory belongs
 * to {@code nobody} and the server runs as that user; clients connect over TCP as {@code app}, the
 * cluster's superuser, with trust authentication. {@link #stop()} stops it; a shutdown hook stops
 * it too if the test JVM ends another way.
 */
final class PostgresCluster {
  private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

  private final Path dir;
  private final int port;
  private final Thread hook;
  private boolean stopped;

  private PostgresCluster(Path dir, int port) {
    this.dir = dir;
    this.port = port;
    this.hook = new Thread(this::stopQuietly, "stop-postgres");
  }

  /** Creates and starts a cluster under {@code parent}, which nobody may then traverse. */
  static PostgresCluster start(Path parent) throws IOException, InterruptedException {
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx--x--x"));
    Path dir = Files.createDirectories(parent.resolve("postgres"));
    UserPrincipal nobody =
        dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(dir, nobody);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    asNobody(
        dir,
        BIN.resolve("initdb").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-A",
        "trust",
        "-U",
        "app",
        "-N");
    PostgresCluster cluster = new PostgresCluster(dir, freePort());
    Runtime.getRuntime().addShutdownHook(cluster.hook);
    try {
      cluster.pgCtl(
          "-o",
          "-k " + dir + " -h 127.0.0.1 -p " + cluster.port + " -F -c max_connections=40",
          "-l",
          dir.resolve("log").toString(),
          "-w",
          "-t",
          "60",
          "start");
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.stop();
      throw e;
    }
    return cluster;
  }

  /** The libpq URI of a database of this cluster. */
  String url(String database) {
    return "postgresql://app@127.0.0.1:" + port + "/" + database;
  }

  /** Creates {@code database} anew, dropping one of that name first. */
  void recreate(String database) throws IOException, InterruptedException {
    psql("postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    psql("postgres", "CREATE DATABASE " + database);
  }

  /** Runs SQL in {@code database}; returns what psql printed (unaligned, tuples only). */
  String psql(String database, String sql) throws IOException, InterruptedException {
    return Commands.run(
        dir.getParent(),
        "psql",
        "-X",
        "-q",
        "-A",
        "-t",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        url(database),
        "-c",
        sql);
  }

  /**
   * {@code pg_dump} of {@code database}, without the random key of {@code \restrict} lines: two
   * dumps of the same database are then equal text.
   */
  String dump(String database) throws IOException, InterruptedException {
    String dump = Commands.run(dir.getParent(), "pg_dump", "-d", url(database));
    StringBuilder out = new StringBuilder();
    for (String line : dump.split("\n", -1)) {
      if (!line.startsWith("\\restrict ") && !line.startsWith("\\unrestrict ")) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }

  /** Stops the cluster (fast shutdown); does nothing the second time. */
  void stop() throws IOException, InterruptedException {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs anyway
    }
    pgCtl("-m", "fast", "-w", "stop");
  }

  private void stopQuietly() {
    try {
      pgCtl("-m", "immediate", "-w", "stop");
    } catch (IOException | InterruptedException | RuntimeException e) {
      // nothing more to do at JVM exit
    }
  }

  private void pgCtl(String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>();
    argv.add(BIN.resolve("pg_ctl").toString());
    argv.add("-D");
    argv.add(dir.resolve("data").toString());
    argv.addAll(List.of(args));
    asNobody(dir, argv.toArray(String[]::new));
  }

  private static void asNobody(Path dir, String... argv) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("runuser", "-u", "nobody", "--"));
    command.addAll(List.of(argv));
    Commands.run(dir, Map.of(), Duration.ofSeconds(90), command);
  }

  private static final java.util.Set<Integer> HANDED_OUT = new java.util.HashSet<>();

  /** A loopback port free now and not handed out before in this JVM (tests run in parallel). */
  static synchronized int freePort() {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0)) {
        if (HANDED_OUT.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
