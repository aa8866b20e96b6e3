package dev.runbook.engine.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.RunbookException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run lock is a host-wide OS lock: another process is refused naming the holder, a crash
 * releases it, and a crashed holder's record is never shown.
 */
@SuppressWarnings("try") // a lock held for the block, never named in it
class RunLockTest {
  @TempDir Path dir;

  /**
   * Another process, as a second {@code runbook run} would be: {@code try LOCKDIR LOCK} tries the
   * lock and says what happened; {@code hold LOCKDIR LOCK} takes it and holds it until killed.
   */
  public static void main(String[] args) throws InterruptedException {
    LockDir locks = new LockDir(Path.of(args[1]));
    LockHolder holder =
        LockHolder.thisProcess(
            args[2],
            args[0] + "-run",
            "run",
            new StateDir(Path.of(args[1], "state")),
            Instant.now());
    try {
      RunLock lock = RunLock.acquire(locks, holder);
      System.out.println("ACQUIRED");
      System.out.flush();
      if (args[0].equals("hold")) {
        Thread.sleep(60_000);
      }
      lock.close();
    } catch (RunbookException e) {
      System.out.println("REFUSED " + e.code() + " " + e.getMessage());
    }
  }

  private Process start(String mode, String lock) throws IOException {
    return new ProcessBuilder(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                RunLockTest.class.getName(),
                mode,
                dir.resolve("locks").toString(),
                lock))
        .redirectErrorStream(true)
        .start();
  }

  private String tryFromAnotherProcess(String lock) throws Exception {
    Process p = start("try", lock);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
  }

  private Process holdInAnotherProcess(String lock) throws IOException {
    Process p = start("hold", lock);
    String first =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    assertThat(first).isEqualTo("ACQUIRED");
    return p;
  }

  private LockHolder holder(String lock, String runId) {
    return LockHolder.thisProcess(
        lock,
        runId,
        "run",
        new StateDir(dir.resolve("state")),
        Instant.parse("2026-01-02T03:04:05Z"));
  }

  @Test
  void anotherProcessIsRefusedNamingUserHostPidRunSinceAndWhereTheRunLives() throws Exception {
    LockDir locks = new LockDir(dir.resolve("locks"));
    try (RunLock lock = RunLock.acquire(locks, holder("app:/opt/x", "first-run"))) {
      assertThat(tryFromAnotherProcess("app:/opt/x"))
          .isEqualTo(
              "REFUSED LOCKED lock `app:/opt/x` is held by run first-run (run) of user "
                  + System.getProperty("user.name")
                  + " on "
                  + RunLock.hostName()
                  + ", pid "
                  + ProcessHandle.current().pid()
                  + ", since 2026-01-02T03:04:05Z; its state dir is "
                  + dir.resolve("state")
                  + " (run dir "
                  + dir.resolve("state/runs/first-run")
                  + ")");
      assertThat(tryFromAnotherProcess("app:/opt/other")).isEqualTo("ACQUIRED");
    }
    assertThat(tryFromAnotherProcess("app:/opt/x")).isEqualTo("ACQUIRED");
  }

  @Test
  void aKilledHoldersLockIsFreeAndItsLeftoverRecordIsNeverShownAsTheHolder() throws Exception {
    Process crashed = holdInAnotherProcess("app");
    crashed.destroyForcibly().waitFor();
    try (Stream<Path> files = Files.list(dir.resolve("locks"))) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .anyMatch(n -> n.endsWith("." + crashed.pid() + ".holder"));
    }
    LockDir locks = new LockDir(dir.resolve("locks"));
    try (RunLock lock = RunLock.acquire(locks, holder("app", "after-the-crash"))) {
      String refusal = tryFromAnotherProcess("app");
      assertThat(refusal).contains("run after-the-crash").doesNotContain("pid " + crashed.pid());
    }
  }

  @Test
  void aSecondTakerInTheSameProcessIsRefusedAndTheHoldersRecordSurvives() throws Exception {
    LockDir locks = new LockDir(dir.resolve("locks"));
    try (RunLock lock = RunLock.acquire(locks, holder("app", "first"))) {
      assertThatThrownBy(() -> RunLock.acquire(locks, holder("app", "second")))
          .isInstanceOf(RunbookException.class)
          .satisfies(e -> assertThat(((RunbookException) e).code()).isEqualTo(ErrorCode.LOCKED))
          .hasMessageContaining("held by run first (run)");
      assertThat(tryFromAnotherProcess("app")).contains("held by run first (run)");
    }
  }

  @Test
  void theLockDirectoryIsStickyAndSharedTheRecordReadableByAllWritableByItsOwner()
      throws Exception {
    LockDir locks = new LockDir(dir.resolve("locks"));
    try (RunLock lock = RunLock.acquire(locks, holder("app", "r"))) {
      assertThat(mode(dir.resolve("locks"))).isEqualTo(01777);
      String key = RunLock.key("app");
      assertThat(mode(dir.resolve("locks/" + key + ".lock"))).isEqualTo(0666);
      try (Stream<Path> files = Files.list(dir.resolve("locks"))) {
        List<Path> records = files.filter(f -> f.toString().endsWith(".holder")).toList();
        assertThat(records).hasSize(1);
        assertThat(mode(records.get(0))).isEqualTo(0644);
        assertThat(records.get(0).getFileName().toString()).startsWith(key + ".");
      }
    }
    try (Stream<Path> files = Files.list(dir.resolve("locks"))) {
      assertThat(files.filter(f -> f.toString().endsWith(".holder"))).isEmpty();
    }
  }

  @Test
  void aLockDirectoryOthersCanWriteWithoutTheStickyBitIsRefused() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setAttribute(shared, "unix:mode", 0777);
    assertThatThrownBy(() -> RunLock.acquire(new LockDir(shared), holder("app", "r")))
        .isInstanceOf(RunbookException.class)
        .hasMessageContaining("cannot use the lock directory " + shared)
        .hasMessageContaining("without the sticky bit");
  }

  /**
   * Two JVMs can disagree by a second about when one process started (each adds its ticks to the
   * boot time it read): a live holder's record must survive another engine's sweep of stale ones.
   */
  @Test
  void aLiveHoldersRecordIsNotSweptWhenAnotherJvmReadsItsStartASecondOff() throws Exception {
    Process live = new ProcessBuilder("sleep", "30").start();
    try {
      Path locks = Files.createDirectories(dir.resolve("locks"));
      String key = RunLock.key("app");
      Instant start = live.info().startInstant().orElseThrow();
      LockHolder holder =
          new LockHolder(
              "app",
              "r",
              "run",
              "root",
              "host",
              live.pid(),
              java.util.Optional.of(start.plusSeconds(1)),
              Instant.now(),
              dir,
              dir);
      Path record = HolderRecords.write(locks, key, holder);

      HolderRecords.removeStale(locks, key, ProcessHandle.current().pid());

      assertThat(record).exists();
    } finally {
      live.destroyForcibly().waitFor();
    }
  }

  private static int mode(Path path) throws IOException {
    return (Integer) Files.getAttribute(path, "unix:mode") & 07777;
  }
}
