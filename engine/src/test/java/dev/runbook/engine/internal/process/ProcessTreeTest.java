package dev.runbook.engine.internal.process;

import static dev.runbook.engine.internal.process.Children.assertNoneRunning;
import static dev.runbook.engine.internal.process.Children.awaitLines;
import static dev.runbook.engine.internal.process.Children.read;
import static dev.runbook.engine.internal.process.Children.running;
import static dev.runbook.engine.internal.process.Children.sh;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Ending whole process trees: on timeout, on request, and what a command leaves behind. */
@Timeout(30)
class ProcessTreeTest {
  private static final ProcessRunner RUNNER = new ProcessRunner();
  private static final Duration GRACE = Duration.ofMillis(400);

  /**
   * A shell with two background children: a plain {@code sleep}, and a shell that traps TERM and
   * carries on (so only KILL ends it). Each writes its pid to {@code pids}; then the main shell
   * waits.
   */
  private static final String TREE =
      "sleep 60 & echo $! >> pids\n"
          + "sh -c 'trap \"echo trapped TERM\" TERM; echo $$ >> pids;"
          + " while :; do sleep 0.02; done' &\n"
          + "echo $$ >> pids\n"
          + "wait\n";

  @TempDir Path dir;

  @Test
  void aTimeoutEndsTheWholeTreeAndKillsWhatTrapsTerm() throws Exception {
    Duration timeout = Duration.ofMillis(800);
    RunningProcess running =
        RUNNER.start(sh(dir, TREE).timeout(timeout).gracePeriod(GRACE).build());
    List<String> pids = awaitLines(dir.resolve("pids"), 3);
    assertThat(pids).allSatisfy(p -> assertThat(running(Long.parseLong(p))).isTrue());

    ProcessResult result = running.await();

    assertThat(result.timedOut()).isTrue();
    assertThat(result.terminated()).isFalse();
    assertThat(result.succeeded()).isFalse();
    assertNoneRunning(pids);
    assertThat(running(running.pid())).isFalse();
    // TERM reached the trapping shell, which survived it until KILL after the grace period.
    assertThat(read(dir.resolve("step.log"))).contains("trapped TERM");
    assertThat(result.elapsed()).isGreaterThanOrEqualTo(timeout.plus(GRACE));
    assertThat(result.elapsed()).isLessThan(timeout.plus(GRACE).plusSeconds(3));
    assertThat(result.notes())
        .anySatisfy(n -> assertThat(n).startsWith("timed out after 800ms; ending the process tree"))
        .anySatisfy(n -> assertThat(n).contains("after TERM; sent KILL"));
    assertThat(read(dir.resolve("step.log"))).contains("[runbook] timed out after 800ms");
  }

  @Test
  void terminateFromAnotherThreadEndsTheWholeTree() throws Exception {
    RunningProcess running = RUNNER.start(sh(dir, TREE).gracePeriod(GRACE).build());
    List<String> pids = awaitLines(dir.resolve("pids"), 3);

    Thread signalHandler = new Thread(running::terminate);
    signalHandler.start();
    signalHandler.join();
    running.terminate(); // a second call changes nothing
    ProcessResult result = running.await();

    assertThat(result.terminated()).isTrue();
    assertThat(result.timedOut()).isFalse();
    assertThat(result.exitCode()).isEqualTo(128 + 15);
    assertNoneRunning(pids);
    assertThat(read(dir.resolve("step.log"))).contains("trapped TERM");
    assertThat(result.elapsed()).isLessThan(GRACE.plusSeconds(3));
  }

  @Test
  void aTreeThatHeedsTermEndsWithoutWaitingForTheGracePeriod() throws Exception {
    RunningProcess running =
        RUNNER.start(
            sh(dir, "sleep 60 & echo $! >> pids; echo $$ >> pids; wait")
                .gracePeriod(Duration.ofSeconds(20))
                .build());
    List<String> pids = awaitLines(dir.resolve("pids"), 2);

    long start = System.nanoTime();
    running.terminate();
    ProcessResult result = running.await();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(result.terminated()).isTrue();
    assertNoneRunning(pids);
    assertThat(result.notes()).noneSatisfy(n -> assertThat(n).contains("KILL after TERM"));
  }

  @Test
  void grandchildrenAreEndedEvenAfterTheDirectChildExited() throws Exception {
    // The direct child exits at once; its children live on in its session, holding the pipes.
    RunningProcess running =
        RUNNER.start(
            sh(dir, "sleep 60 & echo $! >> pids; sleep 60 >/dev/null 2>&1 & echo $! >> pids")
                .gracePeriod(GRACE)
                .build());
    ProcessResult result = running.await();
    List<String> pids = awaitLines(dir.resolve("pids"), 2);

    assertThat(result.exitCode()).isZero();
    assertThat(result.terminated()).isFalse();
    assertNoneRunning(pids);
    assertThat(result.elapsed()).isLessThan(Duration.ofSeconds(3));
    assertThat(result.notes())
        .singleElement()
        .satisfies(n -> assertThat(n).startsWith("the command exited but left 2 processes "));
  }

  @Test
  void terminateAfterTheGroupLeaderExitedStillEndsItsGroup() throws Exception {
    // The leader exits while a grandchild that traps TERM keeps running; terminate() must still
    // find it through the session, as no parent links lead to it any more.
    RunningProcess running =
        RUNNER.start(
            sh(
                    dir,
                    "sh -c 'trap \"\" HUP; trap \"echo trapped TERM\" TERM; echo $$ >> pids;"
                        + " while :; do sleep 0.02; done' & sleep 0.1")
                .gracePeriod(GRACE)
                .build());
    List<String> pids = awaitLines(dir.resolve("pids"), 1);
    running.terminate();
    ProcessResult result = running.await();

    assertNoneRunning(pids);
    assertThat(running(running.pid())).isFalse();
    assertThat(result.elapsed()).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aProcessThatLeftTheSessionOnPurposeOutlivesItsStep() throws Exception {
    ProcessResult result =
        RUNNER
            .start(
                sh(
                        dir,
                        "setsid -f sh -c 'echo $$ >> pids; exec sleep 60' </dev/null >/dev/null"
                            + " 2>&1")
                    .gracePeriod(GRACE)
                    .build())
            .await();
    long daemon = Long.parseLong(awaitLines(dir.resolve("pids"), 1).get(0));
    try {
      assertThat(result.exitCode()).isZero();
      assertThat(running(daemon)).isTrue();
      assertThat(result.notes()).isEmpty();
    } finally {
      ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroyForcibly);
    }
  }
}
