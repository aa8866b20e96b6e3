package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalEvent;
import dev.runbook.engine.journal.RunStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code resume}, {@code rollback RUN_ID}, the run lock, signals, and the state commands ({@code
 * status}, {@code runs}, {@code log}, {@code prune}) through the packaged jar. Steps append to a
 * ledger in the test's directory: what it holds is what ran.
 */
class ResumeIT {
  @TempDir Path dir;
  private Path state;
  private Path ledger;

  @BeforeEach
  void paths() {
    state = dir.resolve("state");
    ledger = dir.resolve("ledger");
  }

  @AfterEach
  void noStepOutlivesTheTest() throws Exception {
    RunFiles.killProcessesIn(dir);
  }

  // --- helpers ---

  private Path runbook(String name, String text) throws IOException {
    return Files.writeString(
        dir.resolve(name + ".yaml"), "schema: runbook/v1\nname: " + name + "\n" + text);
  }

  private String[] withState(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--state-dir");
    all.add(state.toString());
    return all.toArray(String[]::new);
  }

  private CliProcess.Result cli(String... args) throws Exception {
    return CliProcess.run(dir, withState(args));
  }

  private CliProcess.Result cli(Map<String, String> env, String... args) throws Exception {
    return CliProcess.run(dir, env, withState(args));
  }

  private CliProcess.Background start(String... args) throws IOException {
    return CliProcess.start(dir, Map.of(), withState(args));
  }

  private List<String> ledgerLines() throws IOException {
    return Files.exists(ledger) ? Files.readAllLines(ledger) : List.of();
  }

  private String onlyRun() throws IOException {
    return RunFiles.startedRun(state).orElseThrow();
  }

  private static String describe(CliProcess.Result r) {
    return "exit " + r.exitCode() + "\n" + r.stdout() + r.stderr();
  }

  /** A step that appends its id to the ledger. */
  private static String step(String id) {
    return "  - id: " + id + "\n    run: \"echo " + id + " >> ledger\"\n";
  }

  /** A step that appends its id after {@code seconds}, with a verify that it did. */
  private static String slowVerified(String id, int seconds) {
    return "  - id: "
        + id
        + "\n    run: \"sleep "
        + seconds
        + "; echo "
        + id
        + " >> ledger\"\n    verify: [ { command: \"grep -qx "
        + id
        + " ledger\" } ]\n";
  }

  /** Starts {@code run FILE}, SIGKILLs it and the step's processes once {@code step} runs. */
  private String crashDuring(Path file, String step) throws Exception {
    CliProcess.Background run = start("run", file.toString());
    RunFiles.awaitJournal(
        state, run, Duration.ofSeconds(30), j -> RunFiles.processStarted(j, step));
    run.kill();
    RunFiles.killProcessesIn(dir);
    return onlyRun();
  }

  /** A run paused at its {@code confirm} step {@code check}, after step {@code a}. */
  private String pausedRun(String name) throws Exception {
    Path file =
        runbook(
            name, "steps:\n" + step("a") + "  - id: check\n    confirm: Look at it\n" + step("b"));
    CliProcess.Result run = cli("run", file.toString());
    assertThat(run.exitCode()).as(describe(run)).isEqualTo(4);
    return RunFiles.runIds(state).stream()
        .filter(id -> id.contains("-" + name + "-"))
        .findFirst()
        .orElseThrow();
  }

  // --- which run ---

  @Test
  void resumeWithoutRunIdTakesTheOnlyResumableRun() throws Exception {
    Path file =
        runbook(
            "only",
            "on_failure: stop\nsteps:\n"
                + step("a")
                + "  - id: b\n    run: \"test -f fixed && echo b >> ledger\"\n"
                + step("c"));
    CliProcess.Result failed = cli("run", file.toString());
    assertThat(failed.exitCode()).as(describe(failed)).isEqualTo(4);
    assertThat(failed.stdout()).contains("run stopped");
    Files.writeString(dir.resolve("fixed"), "");

    CliProcess.Result resumed = cli("resume");

    assertThat(resumed.exitCode()).as(describe(resumed)).isZero();
    assertThat(resumed.stdout()).contains("run " + onlyRun()).contains("step a: skipped");
    assertThat(ledgerLines()).containsExactly("a", "b", "c");
  }

  @Test
  void stepsDoneBeforeAreOneLineOfTheResumeButOneEventEachInJsonLines() throws Exception {
    String body = "on_failure: stop\nsteps:\n" + step("a") + step("b") + step("c");
    body += "  - id: d\n    run: \"test -f fixed && echo d >> ledger\"\n" + step("e");
    Path file = runbook("series", body);
    assertThat(cli("run", file.toString()).exitCode()).isEqualTo(4);
    Files.writeString(dir.resolve("fixed"), "");
    String runId = onlyRun();
    Path copy = dir.resolve("state-copy");
    // The same stopped run twice: resumed once in each output format.
    assertThat(new ProcessBuilder("cp", "-a", state.toString(), copy.toString()).start().waitFor())
        .isZero();

    CliProcess.Result plain = cli("resume", runId);
    CliProcess.Result jsonl =
        CliProcess.run(dir, "resume", runId, "--format", "jsonl", "--state-dir", copy.toString());

    assertThat(plain.exitCode()).as(describe(plain)).isZero();
    assertThat(plain.stdout())
        .contains("steps a to c (3): skipped, done before the run stopped")
        .doesNotContain("step a: skipped")
        .contains("step d: started");
    assertThat(jsonl.exitCode()).as(describe(jsonl)).isZero();
    assertThat(jsonl.stdout().lines().filter(l -> l.contains("\"step_skipped\"")))
        .hasSize(3)
        .allSatisfy(l -> assertThat(l).contains("done before the run stopped"));
  }

  @Test
  void resumeWithoutRunIdExitsTwoWhenNoRunIsResumable() throws Exception {
    CliProcess.Result none = cli("resume");
    assertThat(none.exitCode()).as(describe(none)).isEqualTo(2);
    assertThat(none.stderr()).contains("no run can be resumed");

    Path file = runbook("done", "steps:\n" + step("a"));
    assertThat(cli("run", file.toString()).exitCode()).isZero();
    CliProcess.Result finished = cli("resume");
    assertThat(finished.exitCode()).as(describe(finished)).isEqualTo(2);
    assertThat(finished.stderr()).contains("no run can be resumed");
    CliProcess.Result named = cli("resume", onlyRun());
    assertThat(named.exitCode()).isEqualTo(2);
    assertThat(named.stderr())
        .contains("is succeeded: there is nothing to resume")
        .contains("runbook rollback " + onlyRun());
    assertThat(ledgerLines()).containsExactly("a");
  }

  @Test
  void resumeWithoutRunIdExitsTwoAndListsThemWhenSeveralAreResumable() throws Exception {
    String first = pausedRun("first");
    String second = pausedRun("second");

    CliProcess.Result resumed = cli("resume");

    assertThat(resumed.exitCode()).as(describe(resumed)).isEqualTo(2);
    assertThat(resumed.stderr())
        .contains("2 runs can be resumed: name one")
        .contains(first + "  paused at check")
        .contains(second + "  paused at check");
    assertThat(ledgerLines()).containsExactly("a", "a");
  }

  @Test
  void anUnknownRunIdExitsTwo() throws Exception {
    for (String command : new String[] {"resume", "rollback", "status", "log"}) {
      CliProcess.Result r = cli(command, "20261123-0000-nope-0000");
      assertThat(r.exitCode()).as(command + ": " + describe(r)).isEqualTo(2);
      assertThat(r.stderr()).as(command).contains("no run `20261123-0000-nope-0000`");
      assertThat(r.stderr()).doesNotContain("Exception");
    }
  }

  // --- a changed runbook ---

  @Test
  void aChangedRunbookIsShownStepByStepAndRefusedUnlessAccepted() throws Exception {
    String runId = pausedRun("changing");
    Path file = dir.resolve("changing.yaml");
    Files.writeString(
        file,
        Files.readString(file).replace("echo a >> ledger", "echo a2 >> ledger") + step("added"));

    CliProcess.Result refused = cli("resume", runId, "--confirm", "check");

    assertThat(refused.exitCode()).as(describe(refused)).isEqualTo(2);
    assertThat(refused.stderr())
        .contains("error: changed step `a`")
        .contains("error: added step `added`")
        .contains("the runbook changed since run " + runId + " started; nothing was run")
        .contains("--accept-changes");
    assertThat(ledgerLines()).containsExactly("a");

    CliProcess.Result accepted = cli("resume", runId, "--confirm", "check", "--accept-changes");

    assertThat(accepted.exitCode()).as(describe(accepted)).isZero();
    assertThat(accepted.stderr())
        .contains("warning: changed step `a`")
        .contains("warning: added step `added`");
    assertThat(ledgerLines()).containsExactly("a", "b", "added");
  }

  // --- the step in flight ---

  @Test
  void theInFlightStepIsSkippedWhenItsVerifyPassesWhateverTheFlags() throws Exception {
    Path file =
        runbook(
            "verified",
            "steps:\n"
                + step("a")
                + "  - id: b\n    run: \"echo b >> ledger; sleep 30\"\n"
                + "    verify: [ { command: \"grep -qx b ledger\" } ]\n"
                + step("c"));
    CliProcess.Background run = start("run", file.toString());
    // Once b acted: its process is killed with the engine, so no status says how it ended.
    RunFiles.awaitLine(ledger, "b", Duration.ofSeconds(30));
    run.kill();
    RunFiles.killProcessesIn(dir);
    String runId = onlyRun();

    CliProcess.Result resumed = cli("resume", runId, "--rerun-inflight");

    assertThat(resumed.exitCode()).as(describe(resumed)).isZero();
    assertThat(resumed.stdout())
        .contains("step b: skipped, it was in flight and its verify passes now");
    assertThat(ledgerLines()).containsExactly("a", "b", "c");
  }

  @Test
  void theInFlightStepIsRunAgainWhenIdempotent() throws Exception {
    Path file =
        runbook(
            "idem",
            "steps:\n"
                + step("a")
                + "  - id: b\n    idempotent: true\n"
                + "    run: \"test -f quick || sleep 30; echo b >> ledger\"\n"
                + step("c"));
    String runId = crashDuring(file, "b");
    Files.writeString(dir.resolve("quick"), "");

    CliProcess.Result resumed = cli("resume", runId);

    assertThat(resumed.exitCode()).as(describe(resumed)).isZero();
    assertThat(resumed.stdout()).contains("step b: started");
    assertThat(ledgerLines()).containsExactly("a", "b", "c");
  }

  @Test
  void theInFlightStepThatIsNeitherVerifiedNorIdempotentNeedsTheOperator() throws Exception {
    Path file =
        runbook(
            "undecided",
            "steps:\n"
                + step("a")
                + "  - id: b\n    run: \"test -f quick || sleep 30; echo b >> ledger\"\n"
                + step("c"));
    String runId = crashDuring(file, "b");

    CliProcess.Result undecided = cli("resume", runId);

    assertThat(undecided.exitCode()).as(describe(undecided)).isEqualTo(4);
    assertThat(undecided.stdout())
        .contains("step `b` was in flight")
        .contains("--rerun-inflight")
        .contains("--skip-inflight");
    assertThat(ledgerLines()).containsExactly("a");

    Files.writeString(dir.resolve("quick"), "");
    CliProcess.Result rerun = cli("resume", runId, "--rerun-inflight");

    assertThat(rerun.exitCode()).as(describe(rerun)).isZero();
    assertThat(ledgerLines()).containsExactly("a", "b", "c");
  }

  @Test
  void skipInflightCountsTheInFlightStepAsDoneWithoutRunningIt() throws Exception {
    Path file =
        runbook(
            "skipping",
            "steps:\n"
                + step("a")
                + "  - id: b\n    run: \"sleep 30; echo b >> ledger\"\n"
                + step("c"));
    String runId = crashDuring(file, "b");

    CliProcess.Result skipped = cli("resume", runId, "--skip-inflight");

    assertThat(skipped.exitCode()).as(describe(skipped)).isZero();
    assertThat(skipped.stdout())
        .contains("step b: skipped, it was in flight; skipped (--skip-inflight)");
    assertThat(ledgerLines()).containsExactly("a", "c");
    JSONObject status = new JSONObject(cli("status", runId, "--format", "json").stdout());
    assertThat(status.getString("status")).isEqualTo("succeeded");
    JSONObject b = status.getJSONArray("steps").getJSONObject(1);
    assertThat(b.getString("id")).isEqualTo("b");
    assertThat(b.getString("detail")).contains("--skip-inflight");
  }

  @Test
  void rerunAndSkipInflightTogetherAreAUsageError() throws Exception {
    CliProcess.Result both = cli("resume", "x", "--rerun-inflight", "--skip-inflight");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.stderr()).contains("mutually exclusive");
  }

  // --- confirm, secrets ---

  @Test
  void aSecretParameterIsAskedForAgainOnResumeAndNeverStored() throws Exception {
    Path file =
        runbook(
            "secretive",
            "params:\n  token: { type: string, secret: true }\nsteps:\n"
                + "  - id: a\n    run: \"printenv TOKEN >> ledger\"\n"
                + "    env: { TOKEN: \"${{ params.token }}\" }\n"
                + "  - id: check\n    confirm: Look at it\n"
                + "  - id: b\n    run: \"printenv TOKEN >> ledger\"\n"
                + "    env: { TOKEN: \"${{ params.token }}\" }\n");
    CliProcess.Result run =
        cli(Map.of("RUNBOOK_PARAM_TOKEN", "first-s3cret"), "run", file.toString());
    assertThat(run.exitCode()).as(describe(run)).isEqualTo(4);
    String runId = onlyRun();

    CliProcess.Result without = cli("resume", runId, "--confirm", "check");
    assertThat(without.exitCode()).as(describe(without)).isEqualTo(2);
    assertThat(without.stderr())
        .contains("missing secret parameter `token`")
        .contains("RUNBOOK_PARAM_TOKEN");
    assertThat(ledgerLines()).containsExactly("first-s3cret");

    CliProcess.Result with =
        cli(Map.of("RUNBOOK_PARAM_TOKEN", "second-s3cret"), "resume", runId, "--confirm", "check");

    assertThat(with.exitCode()).as(describe(with)).isZero();
    assertThat(ledgerLines()).containsExactly("first-s3cret", "second-s3cret");
    assertThat(with.stdout() + run.stdout()).doesNotContain("s3cret");
    try (Stream<Path> files = Files.walk(state)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(f)).as(f.toString()).doesNotContain("s3cret");
      }
    }
  }

  // --- rollback RUN_ID ---

  private static String undoable(String id, String undo) {
    return step(id) + "    compensate: { run: \"" + undo + "\" }\n";
  }

  @Test
  void aCrashBetweenAFailureAndItsRollbackResumesAsTheRollbackNotARerun() throws Exception {
    Path file =
        runbook(
            "undecided-failure",
            "on_failure: stop\nsteps:\n"
                + undoable("a", "echo undo-a >> ledger")
                + "  - id: boom\n    run: \"echo boom >> ledger; exit 1\"\n"
                + "    compensate: { run: \"test -f quick || sleep 30; echo undo-boom >> ledger\" }\n");
    // --on-failure on the command line beats the runbook's stop, and must outlive the engine
    CliProcess.Background run = start("run", file.toString(), "--on-failure", "rollback");
    RunFiles.awaitJournal(
        state,
        run,
        Duration.ofSeconds(30),
        j -> j.processes().stream().anyMatch(p -> p.compensation().isPresent()));
    run.kill();
    RunFiles.killProcessesIn(dir);
    String runId = onlyRun();
    // What the journal held had the engine died just after the failure, before deciding on it.
    Path journal = RunFiles.journalFile(state, runId);
    long failed =
        Journal.read(journal).records().stream()
            .filter(r -> r.event() instanceof JournalEvent.StepFailed)
            .findFirst()
            .orElseThrow()
            .seq();
    Files.write(journal, Files.readAllLines(journal).subList(0, (int) failed));
    assertThat(RunFiles.fold(state, runId).undecidedFailure()).isPresent();
    Files.writeString(dir.resolve("quick"), "");

    CliProcess.Result resumed = cli("resume", runId);

    assertThat(resumed.exitCode()).as(describe(resumed)).isEqualTo(1);
    assertThat(ledgerLines()).containsExactly("a", "boom", "undo-boom", "undo-a");
  }

  // --- the lock ---

  @Test
  void aSecondRunOfTheSameRunbookIsRefusedAtOnceNamingTheHolder() throws Exception {
    Path file = runbook("locky", "steps:\n  - id: hold\n    run: sleep 30\n");
    CliProcess.Background holder = start("run", file.toString());
    RunFiles.awaitJournal(
        state, holder, Duration.ofSeconds(30), j -> RunFiles.processStarted(j, "hold"));
    String runId = onlyRun();

    long t0 = System.nanoTime();
    CliProcess.Result second = cli("run", file.toString());
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(second.exitCode()).as(describe(second)).isEqualTo(5);
    assertThat(second.stderr())
        .contains("lock `locky` is held by run " + runId + " (run) of user ")
        .contains(", pid " + holder.pid() + ", since ")
        .contains("its state dir is " + state);
    assertThat(took).isLessThan(Duration.ofSeconds(20)); // JVM start-up, not the 30s step
    assertThat(RunFiles.runIds(state)).containsExactly(runId);
    CliProcess.Result resume = cli("resume", runId);
    assertThat(resume.exitCode()).as(describe(resume)).isEqualTo(5);

    holder.signal("TERM");
    assertThat(holder.await(30).exitCode()).isEqualTo(130);
  }

  // --- signals ---

  @Test
  void sigtermInterruptsTheRunEndsTheWholeProcessTreeAndExits130() throws Exception {
    Path file =
        runbook(
            "term",
            "steps:\n"
                + step("a")
                + "  - id: b\n    run: \"sleep 60 & echo $! > grandchild; wait\"\n"
                + step("c"));
    CliProcess.Background run = start("run", file.toString());
    Path grandchildFile = dir.resolve("grandchild");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!(Files.exists(grandchildFile) && Files.readString(grandchildFile).endsWith("\n"))) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      assertThat(run.process().isAlive()).as(run.stdout()).isTrue();
      Thread.sleep(20);
    }
    long grandchild = Long.parseLong(Files.readString(grandchildFile).strip());
    assertThat(RunFiles.isRunning(grandchild)).isTrue();

    run.signal("TERM");
    CliProcess.Result result = run.await(30);

    assertThat(result.exitCode()).as(describe(result)).isEqualTo(130);
    assertThat(result.stdout()).contains("run interrupted");
    assertThat(RunFiles.fold(state, onlyRun()).status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(RunFiles.isRunning(grandchild)).isFalse();
    assertThat(RunFiles.processesIn(dir)).isEmpty();
    assertThat(ledgerLines()).containsExactly("a");
    JSONObject status = new JSONObject(cli("status", onlyRun(), "--format", "json").stdout());
    assertThat(status.getString("status")).isEqualTo("interrupted");
    assertThat(status.getBoolean("resumable")).isTrue();
  }

  @Test
  void sighupDoesNotStopTheRun() throws Exception {
    Path file = runbook("hup", "steps:\n" + step("a") + slowVerified("b", 2) + step("c"));
    CliProcess.Background run = start("run", file.toString());
    RunFiles.awaitJournal(state, run, Duration.ofSeconds(30), j -> RunFiles.processStarted(j, "b"));

    run.signal("HUP");
    CliProcess.Result result = run.await(60);

    assertThat(result.exitCode()).as(describe(result)).isZero();
    assertThat(ledgerLines()).containsExactly("a", "b", "c");
    CliProcess.Result status = cli("status");
    assertThat(status.stdout()).contains("status: succeeded");
  }

  // --- the state directory ---

  @Test
  void everyFileUnderTheStateDirIsOwnerOnly() throws Exception {
    Path file =
        runbook(
            "private",
            "preconditions: [ { command: \"true\" } ]\n"
                + "steps:\n  - id: a\n    run: \"echo out; echo err >&2\"\n"
                + "    outputs: { word: { regex: \"(o..)\" } }\n"
                + undoable("b", "echo undo-b >> ledger"));
    assertThat(cli("run", file.toString()).exitCode()).isZero();
    assertThat(cli("rollback", onlyRun()).exitCode()).isZero();
    String pausedId = pausedRun("private2");
    assertThat(pausedId).isNotEmpty();

    List<String> wrong = new ArrayList<>();
    int files = 0;
    try (Stream<Path> all = Files.walk(state)) {
      for (Path p : all.toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        boolean isDir = Files.isDirectory(p);
        files += isDir ? 0 : 1;
        if (!mode.equals(isDir ? "rwx------" : "rw-------")) {
          wrong.add(state.relativize(p) + " " + mode);
        }
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(files).isGreaterThanOrEqualTo(8);
  }

  @Test
  void statusRunsLogAndPruneTellTheHistory() throws Exception {
    Path file =
        runbook(
            "history",
            "steps:\n  - id: hello\n    run: \"echo hello-from-the-step\"\n" + step("a"));
    assertThat(cli("run", file.toString()).exitCode()).isZero();
    String finished = onlyRun();
    String paused = pausedRun("waiting");

    CliProcess.Result status = cli("status", finished);
    assertThat(status.exitCode()).isZero();
    assertThat(status.stdout())
        .contains("run " + finished + " of `history`")
        .contains("status: succeeded")
        .contains("hello: succeeded");
    JSONObject json = new JSONObject(cli("status", paused, "--format", "json").stdout());
    assertThat(json.getString("run_id")).isEqualTo(paused);
    assertThat(json.getString("status")).isEqualTo("paused");
    assertThat(json.getBoolean("resumable")).isTrue();
    assertThat(json.getJSONArray("steps").getJSONObject(1).getString("status")).isEqualTo("paused");
    assertThat(cli("status").stdout()).contains("run " + paused); // the latest

    CliProcess.Result runs = cli("runs", "--format", "json");
    assertThat(runs.exitCode()).isZero();
    JSONArray array = new JSONArray(runs.stdout());
    assertThat(array.length()).isEqualTo(2);
    Map<String, String> statuses = new HashMap<>();
    for (int i = 0; i < array.length(); i++) {
      statuses.put(
          array.getJSONObject(i).getString("run_id"), array.getJSONObject(i).getString("status"));
    }
    assertThat(statuses).containsEntry(finished, "succeeded").containsEntry(paused, "paused");
    assertThat(cli("runs").stdout()).contains(paused).contains("(resumable)");

    CliProcess.Result log = cli("log", finished, "hello");
    assertThat(log.exitCode()).as(describe(log)).isZero();
    assertThat(log.stdout()).contains("hello-from-the-step");
    CliProcess.Result journal = cli("log", finished);
    assertThat(journal.stdout()).contains("run_started").contains("step_succeeded");
    CliProcess.Result noStep = cli("log", finished, "nope");
    assertThat(noStep.exitCode()).isEqualTo(2);

    CliProcess.Result dryRun = cli("prune", "--older-than", "1ms", "--dry-run");
    assertThat(dryRun.exitCode()).as(describe(dryRun)).isZero();
    assertThat(dryRun.stdout())
        .contains("would delete " + finished + " (succeeded)")
        .doesNotContain(paused);
    assertThat(RunFiles.runIds(state)).containsExactlyInAnyOrder(finished, paused);

    CliProcess.Result prune = cli("prune", "--older-than", "1ms");
    assertThat(prune.exitCode()).as(describe(prune)).isZero();
    assertThat(prune.stdout()).contains("deleted " + finished).contains("1 run deleted");
    assertThat(RunFiles.runIds(state)).containsExactly(paused);
    CliProcess.Result young = cli("prune", "--older-than", "1h");
    assertThat(young.stdout()).contains("0 runs deleted");
  }
}
