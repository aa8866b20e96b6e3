package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalRecord;
import dev.runbook.engine.journal.RunFold;
import dev.runbook.engine.journal.RunStatus;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's promise through the real CLI: the engine is SIGKILLed at random moments (and at the cut
 * points that matter) and resumed until it finishes, and no step that must not run twice ever does.
 * Each step appends its id to a ledger once and verifies that it is there, so the ledger is the
 * ground truth of what ran.
 */
class CrashResumeIT {
  /** Fixed, so a failure can be replayed; {@code -Dcrash.seed=N} explores other schedules. */
  private static final long SEED = Long.getLong("crash.seed", 20261123L);

  private static final int KILLS = 20;

  /** How long each chaos test goes on killing, at most: JVM start-up dominates each round. */
  private static final Duration BUDGET = Duration.ofSeconds(40);

  @TempDir Path dir;
  private Path state;
  private Path ledger;
  private final Map<String, String> env = Map.of();

  @BeforeEach
  void paths() {
    state = dir.resolve("state");
    ledger = dir.resolve("ledger");
  }

  @AfterEach
  void noStepOutlivesTheTest() throws Exception {
    RunFiles.killProcessesIn(dir);
  }

  /** A step that appends {@code id} to the ledger once, after sleeping {@code sleep} seconds. */
  private static String step(String id, String sleep) {
    return "  - id: "
        + id
        + "\n"
        + "    run: \""
        + (sleep.isEmpty() ? "" : "sleep " + sleep + "; ")
        + "echo "
        + id
        + " >> ledger\"\n"
        + "    verify: [ { command: \"grep -qx "
        + id
        + " ledger\" } ]\n";
  }

  /** The compensation of a step: appends {@code undo-ID} once, after a little sleep. */
  private static String compensation(String id, String sleep) {
    return "    compensate:\n"
        + "      run: \"sleep "
        + sleep
        + "; echo undo-"
        + id
        + " >> ledger\"\n"
        + "      verify: [ { command: \"grep -qx undo-"
        + id
        + " ledger\" } ]\n";
  }

  private Path runbook(String name, String onFailure, String steps) throws IOException {
    return Files.writeString(
        dir.resolve(name + ".yaml"),
        "schema: runbook/v1\nname: " + name + "\non_failure: " + onFailure + "\nsteps:\n" + steps);
  }

  private List<String> ledgerLines() throws IOException {
    return Files.exists(ledger) ? Files.readAllLines(ledger) : List.of();
  }

  private CliProcess.Background start(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--state-dir");
    all.add(state.toString());
    return CliProcess.start(dir, env, all.toArray(String[]::new));
  }

  /** What a chaos loop did, for the assertions and the report. */
  record Chaos(
      int kills,
      int killsInRollback,
      int starts,
      int orphansKilled,
      int lastExit,
      RunFold journal) {}

  /**
   * Starts {@code run FILE}, then {@code resume RUN_ID --rerun-inflight} each time the engine was
   * killed: SIGKILL at a random moment (and, two times in three, the step processes it left too),
   * until {@code kills} kills are done or {@code budget} has passed; then lets the last one finish.
   */
  private Chaos chaos(Path file, int kills, Duration budget, Random random) throws Exception {
    int done = 0;
    int inRollback = 0;
    int starts = 0;
    int orphansKilled = 0;
    long stopKilling = System.nanoTime() + budget.toNanos();
    while (true) {
      Optional<String> runId = RunFiles.startedRun(state);
      if (runId.isPresent() && !RunFiles.fold(state, runId.get()).status().unfinished()) {
        // killed after the run had ended, before the JVM exited: nothing left to resume
        return new Chaos(
            done, inRollback, starts, orphansKilled, -1, RunFiles.fold(state, runId.get()));
      }
      CliProcess.Background cli =
          runId.isEmpty()
              ? start("run", file.toString())
              : start("resume", runId.get(), "--rerun-inflight");
      starts++;
      if (done >= kills || System.nanoTime() > stopKilling) {
        CliProcess.Result result = cli.await(60);
        assertThat(result.exitCode())
            .as("the last resume: %s%s", result.stdout(), result.stderr())
            .isIn(0, 1);
        return new Chaos(
            done,
            inRollback,
            starts,
            orphansKilled,
            result.exitCode(),
            RunFiles.fold(state, RunFiles.startedRun(state).orElseThrow()));
      }
      Progress before = runId.map(id -> progress(RunFiles.fold(state, id))).orElse(Progress.NONE);
      int mode = random.nextInt(5);
      if (mode == 0) {
        // anywhere, JVM start-up and lock taking included
        Thread.sleep(random.nextInt(1200));
      } else {
        // after this engine made progress of its own; in an action, more often than not
        boolean inAction = mode <= 2;
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (cli.process().isAlive()
            && System.nanoTime() < until
            && !progressed(before, inAction)) {
          Thread.sleep(5);
        }
        Thread.sleep(random.nextInt(inAction ? 600 : 400));
      }
      if (!cli.process().isAlive()) {
        int exit = cli.process().exitValue();
        assertThat(exit).as("%s%s", cli.stdout(), cli.stderr()).isIn(0, 1);
        return new Chaos(
            done,
            inRollback,
            starts,
            orphansKilled,
            exit,
            RunFiles.fold(state, RunFiles.startedRun(state).orElseThrow()));
      }
      cli.kill();
      done++;
      Optional<String> killed = RunFiles.startedRun(state); // none when killed in start-up
      if (killed.isPresent() && RunFiles.fold(state, killed.get()).rollingBack()) {
        inRollback++;
      }
      boolean killSteps = random.nextInt(3) != 0;
      if (killSteps) {
        orphansKilled += RunFiles.killProcessesIn(dir);
      }
    }
  }

  /** How far a journal got: its last record's time, and how many processes it names. */
  private record Progress(Instant last, int processes) {
    static final Progress NONE = new Progress(Instant.EPOCH, 0);
  }

  private static Progress progress(RunFold fold) {
    return fold.started().isEmpty()
        ? Progress.NONE
        : new Progress(fold.lastAt(), fold.processes().size());
  }

  /** Whether the journal gained a record (one naming a process, when {@code inAction}). */
  private boolean progressed(Progress before, boolean inAction) throws IOException {
    Optional<String> run = RunFiles.startedRun(state);
    if (run.isEmpty()) {
      return false;
    }
    Progress now = progress(RunFiles.fold(state, run.get()));
    return inAction ? now.processes() > before.processes() : !now.last().equals(before.last());
  }

  @Test
  void everyStepTakesEffectExactlyOnceInOrderThroughRandomKills() throws Exception {
    String steps =
        step("s1", "")
            + step("s2", "1")
            + step("s3", "")
            + step("s4", "0.8")
            + step("s5", "1.2")
            + step("s6", "")
            + step("s7", "1")
            + step("s8", "0.6");
    Path file = runbook("crash", "stop", steps);

    Chaos chaos = chaos(file, KILLS, BUDGET, new Random(SEED));

    List<String> expected = IntStream.rangeClosed(1, 8).mapToObj(i -> "s" + i).toList();
    assertThat(ledgerLines()).as("after %s", chaos).containsExactlyElementsOf(expected);
    assertThat(chaos.kills()).isGreaterThanOrEqualTo(8);
    assertThat(chaos.journal().status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(RunFiles.awaitNoProcessesIn(dir, Duration.ofSeconds(5))).isEmpty();
    System.out.printf(
        "CrashResumeIT forward: %d kills survived, %d engine starts, %d step processes killed,"
            + " %d steps recovered by verify%n",
        chaos.kills(),
        chaos.starts(),
        chaos.orphansKilled(),
        chaos.journal().steps().stream()
            .filter(s -> s.state() == RunFold.StepState.SUCCEEDED && !s.detail().isEmpty())
            .count());
  }

  @Test
  void everyCompensationTakesEffectExactlyOnceNewestFirstThroughRandomKills() throws Exception {
    StringBuilder steps = new StringBuilder();
    for (int i = 1; i <= 6; i++) {
      steps.append(step("c" + i, "")).append(compensation("c" + i, i % 2 == 0 ? "1" : "0.6"));
    }
    steps.append("  - id: boom\n    run: exit 1\n");
    Path file = runbook("crashback", "rollback", steps.toString());

    Chaos chaos = chaos(file, KILLS, BUDGET, new Random(SEED + 1));

    List<String> expected = new ArrayList<>();
    IntStream.rangeClosed(1, 6).forEach(i -> expected.add("c" + i));
    IntStream.iterate(6, i -> i >= 1, i -> i - 1).forEach(i -> expected.add("undo-c" + i));
    assertThat(ledgerLines()).as("after %s", chaos).containsExactlyElementsOf(expected);
    assertThat(chaos.kills()).isGreaterThanOrEqualTo(8);
    assertThat(chaos.killsInRollback()).isPositive();
    assertThat(chaos.journal().status()).isEqualTo(RunStatus.ROLLED_BACK);
    if (chaos.lastExit() >= 0) {
      assertThat(chaos.lastExit()).isEqualTo(1);
    }
    assertThat(RunFiles.awaitNoProcessesIn(dir, Duration.ofSeconds(5))).isEmpty();
    System.out.printf(
        "CrashResumeIT rollback: %d kills survived (%d during the rollback), %d engine starts, %d"
            + " step processes killed, %d compensation processes started for 6 compensated%n",
        chaos.kills(),
        chaos.killsInRollback(),
        chaos.starts(),
        chaos.orphansKilled(),
        chaos.journal().processes().stream().filter(p -> p.compensation().isPresent()).count());
  }

  // --- the cut points, one by one ---

  @Test
  void killedBetweenIntentAndEffectTheStepRunsOnceAfterTheOperatorSaysRerun() throws Exception {
    Path file = runbook("cut", "stop", step("s1", "") + step("s2", "1") + step("s3", ""));
    CliProcess.Background cli = start("run", file.toString());
    RunFiles.awaitJournal(state, cli, Duration.ofSeconds(20), j -> RunFiles.started(j, "s2"));
    cli.kill();
    RunFiles.killProcessesIn(dir); // the step's shell, still sleeping: its effect never happens
    assertThat(ledgerLines()).containsExactly("s1");
    String runId = RunFiles.startedRun(state).orElseThrow();

    CliProcess.Result undecided = start("resume", runId).await(60);
    assertThat(undecided.exitCode()).as(undecided.stdout()).isEqualTo(4);
    assertThat(undecided.stdout()).contains("--rerun-inflight").contains("--skip-inflight");
    assertThat(ledgerLines()).containsExactly("s1");

    CliProcess.Result resumed = start("resume", runId, "--rerun-inflight").await(60);
    assertThat(resumed.exitCode()).as(resumed.stdout() + resumed.stderr()).isZero();
    assertThat(ledgerLines()).containsExactly("s1", "s2", "s3");
  }

  @Test
  void theInFlightStepsProcessThatOutlivedTheEngineIsAwaitedNotStartedAgain() throws Exception {
    Path file = runbook("orphan", "stop", step("s1", "") + step("s2", "4") + step("s3", ""));
    CliProcess.Background cli = start("run", file.toString());
    RunFiles.awaitJournal(state, cli, Duration.ofSeconds(20), j -> RunFiles.started(j, "s2"));
    Thread.sleep(200); // the step's shell is running, and runs on after the engine dies
    cli.kill();
    assertThat(RunFiles.processesIn(dir)).isNotEmpty();
    String runId = RunFiles.startedRun(state).orElseThrow();

    CliProcess.Result resumed = start("resume", runId, "--rerun-inflight").await(60);

    assertThat(resumed.exitCode()).as(resumed.stdout() + resumed.stderr()).isZero();
    assertThat(ledgerLines()).containsExactly("s1", "s2", "s3");
    assertThat(resumed.stdout()).contains("waiting for");
  }

  @Test
  void sigtermWhileResumeWaitsForALeftoverInterruptsTheResumeAndLeavesItResumable()
      throws Exception {
    Path file =
        runbook(
            "patient",
            "stop",
            step("s1", "")
                + step("s2", "").replace("run: \"", "run: \"test -f quick || sleep 30; ")
                + step("s3", ""));
    CliProcess.Background cli = start("run", file.toString());
    RunFiles.awaitJournal(
        state, cli, Duration.ofSeconds(20), j -> RunFiles.processStarted(j, "s2"));
    cli.kill();
    String runId = RunFiles.startedRun(state).orElseThrow();
    CliProcess.Background resume = start("resume", runId);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!resume.stdout().contains("step s2: waiting: process ")) {
      assertThat(resume.process().isAlive()).as(resume.stdout()).isTrue();
      assertThat(System.nanoTime()).as("resume waits for the leftover").isLessThan(deadline);
      Thread.sleep(10);
    }

    resume.signal("TERM");
    CliProcess.Result interrupted = resume.await(30);

    assertThat(interrupted.exitCode()).as(interrupted.stdout()).isEqualTo(130);
    assertThat(interrupted.stdout()).contains("step s2: waiting: process ").contains("(sh)");
    assertThat(RunFiles.fold(state, runId).status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(ledgerLines()).containsExactly("s1");
    // the leftover is the operator's to end (the message names it); the test ends it
    assertThat(RunFiles.killProcessesIn(dir)).isPositive();
    Files.writeString(dir.resolve("quick"), "");
    CliProcess.Result resumed = start("resume", runId, "--rerun-inflight").await(60);
    assertThat(resumed.exitCode()).as(resumed.stdout() + resumed.stderr()).isZero();
    assertThat(ledgerLines()).containsExactly("s1", "s2", "s3");
  }

  @Test
  void aRollbackOnDemandKilledDuringACompensationResumesAsOneUndoingEachStepOnce()
      throws Exception {
    StringBuilder steps = new StringBuilder();
    for (int i = 1; i <= 3; i++) {
      steps.append(step("c" + i, "")).append(compensation("c" + i, "1"));
    }
    Path file = runbook("undo", "stop", steps.toString());
    assertThat(start("run", file.toString()).await(60).exitCode()).isZero();
    String runId = RunFiles.startedRun(state).orElseThrow();
    CliProcess.Background rollback = start("rollback", runId);
    RunFiles.awaitJournal(
        state,
        rollback,
        Duration.ofSeconds(20),
        j -> j.compensationInFlight("c2", "c2.compensate"));
    rollback.kill();

    CliProcess.Result resumed = start("resume", runId).await(60);

    assertThat(resumed.exitCode()).as(resumed.stdout() + resumed.stderr()).isZero();
    assertThat(resumed.stdout()).contains("run undone");
    assertThat(ledgerLines()).containsExactly("c1", "c2", "c3", "undo-c3", "undo-c2", "undo-c1");
  }

  @Test
  void killedBetweenEffectAndResultRecordTheStepIsNotRunAgain() throws Exception {
    Path file =
        runbook(
            "after",
            "stop",
            step("s1", "")
                + "  - id: s2\n    run: \"echo s2 >> ledger; sleep 3\"\n"
                + "    verify: [ { command: \"grep -qx s2 ledger\" } ]\n"
                + step("s3", ""));
    CliProcess.Background cli = start("run", file.toString());
    RunFiles.awaitLine(ledger, "s2", Duration.ofSeconds(20));
    cli.kill();
    RunFiles.killProcessesIn(dir);
    String runId = RunFiles.startedRun(state).orElseThrow();
    assertThat(RunFiles.fold(state, runId).done("s2")).isEmpty();

    CliProcess.Result resumed = start("resume", runId).await(60);

    assertThat(resumed.exitCode()).as(resumed.stdout() + resumed.stderr()).isZero();
    assertThat(resumed.stdout())
        .contains("step s2: skipped, it was in flight and its verify passes");
    assertThat(ledgerLines()).containsExactly("s1", "s2", "s3");
  }

  @Test
  void aTornLastRecordIsDroppedAndTheRunGoesOn() throws Exception {
    Path file =
        runbook(
            "torn",
            "stop",
            step("s1", "")
                + "  - id: s2\n    requires: [ { path: go, on_unmet: wait, timeout: 60s,"
                + " interval: 100ms } ]\n"
                + "    run: \"echo s2 >> ledger\"\n"
                + "    verify: [ { command: \"grep -qx s2 ledger\" } ]\n");
    CliProcess.Background cli = start("run", file.toString());
    RunFiles.awaitJournal(state, cli, Duration.ofSeconds(20), j -> j.done("s1").isPresent());
    cli.kill();
    String runId = RunFiles.startedRun(state).orElseThrow();
    Path journal = RunFiles.journalFile(state, runId);
    byte[] bytes = Files.readAllBytes(journal);
    String text = new String(bytes, StandardCharsets.UTF_8);
    int lastStart = text.lastIndexOf('\n', text.length() - 2) + 1;
    assertThat(text.substring(lastStart)).contains("\"step_succeeded\"");
    long cut = lastStart + (text.length() - lastStart) / 2;
    try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
      f.setLength(cut); // the crash came in the middle of writing s1's result
    }

    CliProcess.Result status =
        CliProcess.run(dir, "status", runId, "--format", "json", "--state-dir", state.toString());
    assertThat(status.exitCode()).as(status.stderr()).isZero();
    JSONObject json = new JSONObject(status.stdout());
    assertThat(json.getBoolean("torn_tail")).isTrue();
    assertThat(json.getJSONArray("steps").getJSONObject(0).getString("status"))
        .isEqualTo("running");

    Files.writeString(dir.resolve("go"), "");
    CliProcess.Result resumed = start("resume", runId).await(60);

    assertThat(resumed.exitCode()).as(resumed.stdout() + resumed.stderr()).isZero();
    assertThat(resumed.stdout())
        .contains("step s1: skipped, it was in flight and its verify passes");
    assertThat(ledgerLines()).containsExactly("s1", "s2");
    // the file format itself: the records after the cut go on without a gap
    List<JournalRecord> records = Journal.read(journal).records();
    for (int i = 0; i < records.size(); i++) {
      assertThat(records.get(i).seq()).isEqualTo(i + 1);
    }
    assertThat(Files.readString(journal)).endsWith("\n");
    CliProcess.Result after =
        CliProcess.run(dir, "status", runId, "--format", "json", "--state-dir", state.toString());
    assertThat(new JSONObject(after.stdout()).getBoolean("torn_tail")).isFalse();
    assertThat(new JSONObject(after.stdout()).getString("status")).isEqualTo("succeeded");
  }
}
