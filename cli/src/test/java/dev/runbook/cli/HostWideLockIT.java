package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The run lock is host-wide: two users with two state directories, started at the same instant,
 * never both hold it; the one refused is told exactly who holds it; and the SeqDesk update and
 * rollback of one installation exclude each other while different installations do not.
 */
class HostWideLockIT {
  private static final long NOBODY = 65534;
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  private Path base;

  /**
   * A directory every user may enter (a JUnit temporary directory is root's alone): the runbook,
   * each user's state directory and the lock directories live in it.
   */
  @BeforeEach
  void base() throws IOException {
    base = Files.createTempDirectory("runbook-hostwide-lock-");
    Files.setAttribute(base, "unix:mode", 0755);
  }

  @AfterEach
  void removeBase() throws IOException {
    try (Stream<Path> all = Files.walk(base)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** One of the two racers: as whom, with which state directory, and its process. */
  private record Racer(String user, Path state, Process process, Path out, Path err) {
    CliProcess.Result await(long seconds) throws IOException, InterruptedException {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError(user + "'s runbook did not finish in " + seconds + "s");
      }
      return new CliProcess.Result(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    }
  }

  /**
   * Starts {@code runbook run} as {@code uid}, held at a barrier: the shell waits for {@code go} to
   * appear and then becomes the JVM (so the process's pid is the engine's).
   */
  private Racer racer(long uid, Path state, Path lockDir, Path go, Path runbook, String name)
      throws IOException {
    Files.createDirectories(state);
    Files.setAttribute(state, "unix:uid", (int) uid);
    Files.setAttribute(state, "unix:gid", (int) uid);
    Files.setAttribute(state, "unix:mode", 0700);
    List<String> command = new ArrayList<>();
    if (uid != 0) {
      command.addAll(
          List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--"));
    }
    command.addAll(
        List.of(
            "sh",
            "-c",
            "until [ -e \"$0\" ]; do sleep 0.005; done; exec \"$@\"",
            go.toString(),
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1",
            "-jar",
            CliProcess.JAR.toString(),
            "run",
            runbook.toString(),
            "--state-dir",
            state.toString(),
            "--lock-dir",
            lockDir.toString(),
            "-p",
            "release=" + base.resolve("release")));
    ProcessBuilder builder = new ProcessBuilder(command).directory(base.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("RUNBOOK_"));
    builder.environment().put("HOME", state.toString());
    Path out = base.resolve(name + ".out");
    Path err = base.resolve(name + ".err");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return new Racer(uid == 0 ? "root" : "nobody", state, builder.start(), out, err);
  }

  @Test
  void twoUsersWithTwoStateDirsStartedAtOnceNeverBothHoldTheLockAndTheRefusalNamesTheHolder()
      throws Exception {
    assumeTrue(isRoot(), "needs root, to run one of the two engines as another user (nobody)");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
    Path runbook =
        Files.writeString(
            base.resolve("upgrade.yaml"),
            """
            schema: runbook/v1
            name: upgrade-app
            lock: "app:${{ params.install_dir }}"
            params:
              install_dir: { type: path, default: /srv/app }
              release: { type: path }
            steps:
              - id: hold
                # holds the lock until the test has seen the other engine refused
                run: until [ -e "${{ params.release }}" ]; do sleep 0.02; done
            """);
    Files.setAttribute(runbook, "unix:mode", 0644);
    String host = InetAddress.getLocalHost().getHostName();
    Map<String, Integer> wins = new HashMap<>();
    for (int round = 0; round < 20; round++) {
      // Sticky and world-writable, as /run/lock is: either engine may create the lock directory.
      Path dir = Files.createDirectory(base.resolve("round-" + round));
      Files.setAttribute(dir, "unix:mode", 01777);
      // A fresh lock directory each round: the two engines also race to create it.
      Path lockDir = dir.resolve("locks");
      Path go = dir.resolve("go");
      Files.deleteIfExists(base.resolve("release"));
      Racer root = racer(0, dir.resolve("state-root"), lockDir, go, runbook, round + "-root");
      Racer nobody =
          racer(NOBODY, dir.resolve("state-nobody"), lockDir, go, runbook, round + "-nobody");
      Files.createFile(go);

      Racer first = firstToExit(root, nobody, 60);
      Racer other = first == root ? nobody : root;
      Files.createFile(base.resolve("release"));
      CliProcess.Result refused = first.await(1);
      CliProcess.Result held = other.await(60);

      String context = "round " + round + ", refused " + first.user() + ":\n" + refused + held;
      assertThat(refused.exitCode()).as(context).isEqualTo(5);
      assertThat(held.exitCode()).as(context).isEqualTo(0);
      String runId = onlyRun(other.state());
      assertThat(refused.stderr())
          .as(context)
          .contains(
              "lock `app:/srv/app` is held by run "
                  + runId
                  + " (run) of user "
                  + other.user()
                  + " on "
                  + host
                  + ", pid "
                  + other.process().pid()
                  + ", since ")
          .contains(
              "; its state dir is "
                  + other.state()
                  + " (run dir "
                  + other.state().resolve("runs").resolve(runId)
                  + ")")
          .doesNotContain("has not written");
      assertThat(runIds(first.state())).as(context).isEmpty();
      JSONObject started = new JSONObject(firstLine(other.state(), runId));
      assertThat(started.getString("lock")).isEqualTo("app:/srv/app");
      wins.merge(other.user(), 1, Integer::sum);
      assertThat((Integer) Files.getAttribute(lockDir, "unix:mode") & 07777).isEqualTo(01777);
    }
    assertThat(wins.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(20);
  }

  /** The racer that exits first; fails when neither does within {@code seconds} (both hold). */
  private static Racer firstToExit(Racer a, Racer b, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (!a.process().isAlive()) {
        return a;
      }
      if (!b.process().isAlive()) {
        return b;
      }
      Thread.sleep(10);
    }
    a.process().destroyForcibly().waitFor();
    b.process().destroyForcibly().waitFor();
    throw new AssertionError("both engines were still running after " + seconds + "s");
  }

  // --- SeqDesk: the update and the rollback of one installation ---

  /**
   * A SeqDesk installation both runbooks' path preconditions accept, with the {@code
   * .update-backup/} the rollback needs and a release package the update needs.
   */
  private Path installation(String name) throws Exception {
    Path dir = Files.createDirectories(base.resolve(name));
    for (String d : List.of(".next", "node_modules", "prisma", "public")) {
      Files.createDirectories(dir.resolve(d));
      Files.createDirectories(dir.resolve(".update-backup").resolve(d));
      Files.createDirectories(base.resolve(name + "-release").resolve(d));
    }
    for (Path root : List.of(dir, dir.resolve(".update-backup"), base.resolve(name + "-release"))) {
      Files.writeString(root.resolve("package.json"), "{\"version\": \"1.0.0\"}\n");
    }
    Process tar =
        new ProcessBuilder(
                "tar",
                "-czf",
                base.resolve(name + ".tar.gz").toString(),
                "-C",
                base.resolve(name + "-release").toString(),
                ".")
            .inheritIO()
            .start();
    assertThat(tar.waitFor()).isZero();
    return dir;
  }

  private List<String> seqdesk(String runbook, Path install, Path state, Path lockDir) {
    return List.of(
        "run",
        REPO.resolve("runbooks/seqdesk/" + runbook + ".yaml").toString(),
        "--state-dir",
        state.toString(),
        "--lock-dir",
        lockDir.toString(),
        "-p",
        "install_dir=" + install,
        "-p",
        "package=" + base.resolve(install.getFileName() + ".tar.gz"),
        "-p",
        "stop_cmd=true",
        "-p",
        "start_cmd=true",
        "-p",
        "install_cmd=true",
        "-p",
        "migrate_cmd=true");
  }

  @Test
  void seqdeskUpdateAndRollbackOfOneInstallationExcludeEachOtherAndOfAnotherDoNot()
      throws Exception {
    Path lockDir = base.resolve("locks");
    Path a = installation("a");
    Path b = installation("b");
    for (String[] pair :
        List.of(
            new String[] {"rollback", "manual-update"},
            new String[] {"manual-update", "rollback"})) {
      String holding = pair[0];
      String refused = pair[1];
      // A database that takes the connection and never answers: the holder's precondition
      // `pg_dump --schema-only` (under the lock) waits for it until PGCONNECT_TIMEOUT.
      ServerSocket mute = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      try {
        String hung = "postgresql://app:pw@127.0.0.1:" + mute.getLocalPort() + "/db";
        Path holderState = base.resolve("state-" + holding);
        List<String> args = seqdesk(holding, a, holderState, lockDir);
        if (holding.equals("rollback")) {
          args = withoutPackage(args);
        }
        CliProcess.Background holder =
            CliProcess.start(
                base, Map.of("RUNBOOK_PARAM_DATABASE_URL", hung), args.toArray(String[]::new));
        RunFiles.awaitJournal(
            holderState, holder, java.time.Duration.ofSeconds(30), j -> j.started().isPresent());
        String runId = onlyRun(holderState);

        String closed = "postgresql://app:pw@127.0.0.1:1/db";
        List<String> same = seqdesk(refused, a, base.resolve("state-other"), lockDir);
        List<String> elsewhere = seqdesk(refused, b, base.resolve("state-other"), lockDir);
        if (refused.equals("rollback")) {
          same = withoutPackage(same);
          elsewhere = withoutPackage(elsewhere);
        }
        CliProcess.Result sameInstall =
            CliProcess.run(
                base, Map.of("RUNBOOK_PARAM_DATABASE_URL", closed), same.toArray(String[]::new));
        CliProcess.Result otherInstall =
            CliProcess.run(
                base,
                Map.of("RUNBOOK_PARAM_DATABASE_URL", closed),
                elsewhere.toArray(String[]::new));

        assertThat(sameInstall.exitCode()).as(sameInstall.toString()).isEqualTo(5);
        assertThat(sameInstall.stderr())
            .contains("lock `seqdesk:" + a + "` is held by run " + runId + " (run) of user ")
            .contains("its state dir is " + holderState);
        // Not locked out: it runs, and stops at its preconditions (that database is closed).
        assertThat(otherInstall.exitCode()).as(otherInstall.toString()).isEqualTo(3);
        assertThat(otherInstall.stderr()).doesNotContain("is held by");
        mute.close();
        assertThat(holder.await(60).exitCode()).isEqualTo(3);
      } finally {
        mute.close();
      }
    }
  }

  private static List<String> withoutPackage(List<String> args) {
    List<String> out = new ArrayList<>(args);
    for (String dropped : List.of("package=", "install_cmd=")) {
      int i = 0;
      while (!out.get(i).startsWith(dropped)) {
        i++;
      }
      out.remove(i);
      out.remove(i - 1);
    }
    return out;
  }

  private static boolean isRoot() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static List<String> runIds(Path state) throws IOException {
    Path runs = state.resolve("runs");
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(runs)) {
      return dirs.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static String onlyRun(Path state) throws IOException {
    List<String> ids = runIds(state);
    assertThat(ids).hasSize(1);
    return ids.get(0);
  }

  private static String firstLine(Path state, String runId) throws IOException {
    return Files.readAllLines(state.resolve("runs").resolve(runId).resolve("journal.jsonl")).get(0);
  }
}
