package dev.runbook.engine.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run lock is an OS lock: another process is refused with the holder's details. */
class RunLockTest {
  @TempDir Path dir;

  /** Tries the lock from a separate JVM, as a second `runbook run` would. */
  public static void main(String[] args) {
    try {
      RunLock.acquire(new StateDir(Path.of(args[0])), args[1], "second-run").close();
      System.out.println("ACQUIRED");
    } catch (dev.runbook.engine.RunbookException e) {
      System.out.println("REFUSED " + e.code() + " " + e.getMessage());
    }
  }

  private String tryFromAnotherProcess() throws IOException, InterruptedException {
    Path out = dir.resolve("out.txt");
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    RunLockTest.class.getName(),
                    dir.resolve("state").toString(),
                    "demo"))
            .redirectOutput(out.toFile())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return Files.readString(out, StandardCharsets.UTF_8).strip();
  }

  @Test
  void secondRunIsRefusedWithWhoHoldsTheLockAndSinceWhen() throws Exception {
    StateDir state = new StateDir(dir.resolve("state"));
    RunLock lock = RunLock.acquire(state, "demo", "first-run");
    try {
      String answer = tryFromAnotherProcess();
      assertThat(answer)
          .startsWith(
              "REFUSED LOCKED runbook `demo` is locked by another run: run first-run (pid "
                  + ProcessHandle.current().pid())
          .contains("since 20");
    } finally {
      lock.close();
    }
    assertThat(tryFromAnotherProcess()).isEqualTo("ACQUIRED");
  }

  @Test
  void lockDirectoryIsPrivate() throws IOException {
    StateDir state = new StateDir(dir.resolve("state"));
    RunLock.acquire(state, "demo", "r").close();
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(state.locks())))
        .isEqualTo("rwx------");
  }
}
