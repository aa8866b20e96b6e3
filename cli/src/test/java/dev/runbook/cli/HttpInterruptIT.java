package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.journal.RunFold;
import dev.runbook.engine.journal.RunStatus;
import dev.runbook.engine.testkit.LoopbackServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, guarantee 5, through the real CLI: SIGTERM while an HTTP request hangs (an http step, a
 * {@code wait} until http, a precondition) ends the run at once, not after the request's timeout;
 * the run is interrupted and resumable, and a resume once the service answers completes it.
 */
class HttpInterruptIT {
  /** The engine's whole way out after the signal: the request's own timeout is 60s. */
  private static final Duration PROMPTLY = Duration.ofSeconds(2);

  @TempDir Path dir;
  private Path state;
  private LoopbackServer server;

  @BeforeEach
  void start() throws IOException {
    state = dir.resolve("state");
    server = new LoopbackServer().answerOnceOpen("/slow", 200, "ok");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void sigtermDuringAnHttpStepEndsItAtOnceAndResumeCompletesOnceTheServiceAnswers()
      throws Exception {
    Path file =
        runbook(
            "steps:\n"
                + "  - id: call\n"
                + "    http: { url: \"@URL@/slow\", timeout: 60s }\n"
                + "    idempotent: true\n"
                + "  - id: after\n"
                + "    run: touch after.txt\n");
    CliProcess.Background cli = cli("run", file.toString());
    RunFiles.awaitJournal(state, cli, Duration.ofSeconds(20), j -> RunFiles.started(j, "call"));

    String runId = interruptOnceTheRequestHangs(cli);

    assertThat(RunFiles.fold(state, runId).failure()).as("no step failed").isEmpty();
    assertResumableAndCompletedByAResume(runId);
  }

  @Test
  void sigtermDuringAWaitUntilHttpEndsItAtOnceAndResumeCompletesOnceTheServiceAnswers()
      throws Exception {
    Path file =
        runbook(
            "steps:\n"
                + "  - id: ready\n"
                + "    wait:\n"
                + "      until: { http: { url: \"@URL@/slow\", timeout: 60s } }\n"
                + "      timeout: 10m\n"
                + "      interval: 100ms\n"
                + "    idempotent: true\n"
                + "  - id: after\n"
                + "    run: touch after.txt\n");
    CliProcess.Background cli = cli("run", file.toString());
    RunFiles.awaitJournal(state, cli, Duration.ofSeconds(20), j -> RunFiles.started(j, "ready"));

    String runId = interruptOnceTheRequestHangs(cli);

    assertThat(RunFiles.fold(state, runId).failure()).as("no step failed").isEmpty();
    assertResumableAndCompletedByAResume(runId);
  }

  @Test
  void sigtermDuringAnHttpPreconditionEndsItAtOnceNotAsUnmetAndResumeCompletes() throws Exception {
    Path file =
        runbook(
            "preconditions:\n"
                + "  - http: { url: \"@URL@/slow\", timeout: 60s }\n"
                + "steps:\n"
                + "  - id: after\n"
                + "    run: touch after.txt\n");
    CliProcess.Background cli = cli("run", file.toString());
    RunFiles.awaitJournal(state, cli, Duration.ofSeconds(20), j -> j.started().isPresent());

    String runId = interruptOnceTheRequestHangs(cli);

    RunFold journal = RunFiles.fold(state, runId);
    assertThat(journal.failure()).as("not unmet").isEmpty();
    assertThat(journal.status()).as("not finished").isEqualTo(RunStatus.INTERRUPTED);
    assertResumableAndCompletedByAResume(runId);
  }

  @Test
  void sigtermDuringAnHttpRequirementEndsItAtOnceWithoutSkippingTheStep() throws Exception {
    Path file =
        runbook(
            "steps:\n"
                + "  - id: guarded\n"
                + "    run: touch guarded.txt\n"
                + "    requires:\n"
                + "      - http: { url: \"@URL@/slow\", timeout: 60s }\n"
                + "        on_unmet: skip\n");
    CliProcess.Background cli = cli("run", file.toString());
    RunFiles.awaitJournal(state, cli, Duration.ofSeconds(20), j -> j.started().isPresent());

    String runId = interruptOnceTheRequestHangs(cli);

    assertThat(RunFiles.fold(state, runId).steps()).as("not skipped").isEmpty();
    server.open();
    CliProcess.Result resumed = cli("resume", runId).await(60);
    assertThat(resumed.exitCode()).as(resumed.stdout() + resumed.stderr()).isZero();
    assertThat(dir.resolve("guarded.txt")).exists();
  }

  /**
   * Waits until the server holds the engine's request, sends SIGTERM, and checks that the engine
   * exits 130 within {@link #PROMPTLY}, its journal ending {@code interrupted}.
   *
   * @return the run's id
   */
  private String interruptOnceTheRequestHangs(CliProcess.Background cli) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (server.requests().isEmpty()) {
      assertThat(cli.process().isAlive()).as("the engine is still running").isTrue();
      assertThat(System.nanoTime()).as("the request reached the server").isLessThan(deadline);
      Thread.sleep(10);
    }
    long signalled = System.nanoTime();
    cli.signal("TERM");
    CliProcess.Result interrupted = cli.await(30);
    Duration took = Duration.ofNanos(System.nanoTime() - signalled);

    assertThat(interrupted.exitCode())
        .as(interrupted.stdout() + interrupted.stderr())
        .isEqualTo(130);
    assertThat(took).as("from SIGTERM to the engine's exit").isLessThan(PROMPTLY);
    String runId = RunFiles.startedRun(state).orElseThrow();
    assertThat(RunFiles.fold(state, runId).status()).isEqualTo(RunStatus.INTERRUPTED);
    return runId;
  }

  private void assertResumableAndCompletedByAResume(String runId) throws Exception {
    CliProcess.Result status = cli("status", runId).await(60);
    assertThat(status.stdout()).as(status.stdout()).contains("status: interrupted (resumable)");
    assertThat(dir.resolve("after.txt")).doesNotExist();

    server.open();
    CliProcess.Result resumed = cli("resume", runId).await(60);

    assertThat(resumed.exitCode()).as(resumed.stdout() + resumed.stderr()).isZero();
    assertThat(dir.resolve("after.txt")).exists();
  }

  private Path runbook(String body) throws IOException {
    return Files.writeString(
        dir.resolve("hang.yaml"),
        ("schema: runbook/v1\nname: hang\non_failure: stop\n" + body)
            .replace("@URL@", server.url()));
  }

  private CliProcess.Background cli(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--state-dir");
    all.add(state.toString());
    return CliProcess.start(dir, Map.of(), all.toArray(String[]::new));
  }
}
