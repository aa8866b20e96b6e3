package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.journal.Journal;
import dev.runbook.engine.journal.JournalEvent;
import dev.runbook.engine.journal.JournalRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 through the real CLI: the engine is SIGKILLed while a step (or a compensation) prints a
 * line every 100 ms and appends a marker after each; the step runs to its end without the engine,
 * and {@code resume}, asked nothing, records its real end exactly once: every marker once, every
 * line once in the step log, and a secret printed while no engine ran in no persistent file.
 */
class OutliveEngineIT {
  private static final int LINES = 25;
  private static final String SECRET = "hunter2-outlive-7f3a";

  @TempDir Path dir;
  private Path state;
  private Path runtime;
  private Map<String, String> env;

  @BeforeEach
  void paths() throws IOException {
    state = dir.resolve("state");
    runtime =
        Files.createDirectory(
            dir.resolve("runtime"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    env = Map.of("XDG_RUNTIME_DIR", runtime.toString(), "RUNBOOK_PARAM_TOKEN", SECRET);
  }

  @AfterEach
  void noStepOutlivesTheTest() throws Exception {
    RunFiles.killProcessesIn(dir);
  }

  /** A script that prints a numbered line every 100 ms and appends its number to {@code ledger}. */
  private static String printer(String prefix, String ledger) {
    return "i=1; while [ $i -le "
        + LINES
        + " ]; do echo \\\""
        + prefix
        + " $i\\\"; sleep 0.1; echo $i >> "
        + ledger
        + "; i=$((i+1)); done";
  }

  private Path runbook(String onFailure, String steps) throws IOException {
    return Files.writeString(
        dir.resolve("outlive.yaml"),
        "schema: runbook/v1\nname: outlive\non_failure: "
            + onFailure
            + "\nparams:\n  token: { type: string, secret: true, description: a token }\n"
            + "steps:\n"
            + steps);
  }

  private CliProcess.Background start(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--state-dir");
    all.add(state.toString());
    return CliProcess.start(dir, env, all.toArray(String[]::new));
  }

  private String runId() throws IOException {
    return RunFiles.startedRun(state).orElseThrow();
  }

  private Path stepLog(String name) throws IOException {
    return state.resolve("runs").resolve(runId()).resolve("steps").resolve(name + ".log");
  }

  /** Waits until {@code file} has at least {@code n} lines. */
  private static void awaitLines(Path file, int n) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      if (Files.exists(file) && Files.readAllLines(file).size() >= n) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(file + " never had " + n + " lines");
  }

  private static List<String> numbers(int upTo) {
    return IntStream.rangeClosed(1, upTo).mapToObj(Integer::toString).toList();
  }

  private static List<String> linesOf(Path log, String prefix) throws IOException {
    return Files.readAllLines(log).stream().filter(l -> l.startsWith(prefix + " ")).toList();
  }

  private static List<String> expectedLines(String prefix) {
    return IntStream.rangeClosed(1, LINES).mapToObj(i -> prefix + " " + i).toList();
  }

  /** Every regular file under {@code root} holding {@code text}. */
  private static List<Path> filesHolding(Path root, String text) throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        if (new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(text)) {
          found.add(f);
        }
      }
    }
    return found;
  }

  @Test
  void aStepPrintingWhenTheEngineIsKilledRunsToItsEndAndResumeRecordsItOnce() throws Exception {
    Path file =
        runbook(
            "stop",
            "  - id: migrate\n    run: \""
                + printer("migration", "ledger")
                + "\"\n  - id: after\n    run: echo after >> after\n");
    CliProcess.Background cli = start("run", file.toString());
    awaitLines(dir.resolve("ledger"), 5);
    cli.kill();
    // The step goes on without the engine: not killed by its next line of output.
    awaitLines(dir.resolve("ledger"), 12);

    CliProcess.Result resumed = start("resume", runId()).await(60);

    assertThat(resumed.exitCode()).as("%s%s", resumed.stdout(), resumed.stderr()).isZero();
    assertThat(Files.readAllLines(dir.resolve("ledger"))).containsExactlyElementsOf(numbers(LINES));
    assertThat(linesOf(stepLog("migrate"), "migration"))
        .containsExactlyElementsOf(expectedLines("migration"));
    assertThat(Files.readAllLines(dir.resolve("after"))).containsExactly("after");
    assertThat(events(JournalEvent.StepSucceeded.class).filter(e -> e.step().equals("migrate")))
        .singleElement()
        .satisfies(e -> assertThat(e.recovered()).isEmpty());
    assertThat(RunFiles.started(RunFiles.fold(state, runId()), "after")).isTrue();
    assertThat(spoolLeft()).isEmpty();
  }

  @Test
  void aStepThatFailsAfterTheKillIsRecordedFailedAndRolledBackByPolicy() throws Exception {
    Path file =
        runbook(
            "rollback",
            "  - id: prepare\n    run: echo prepared >> undo\n"
                + "    compensate:\n      run: echo undone >> undo\n"
                + "  - id: migrate\n    run: \""
                + printer("migration", "ledger")
                + "; echo giving up >&2; exit 3\"\n");
    CliProcess.Background cli = start("run", file.toString());
    awaitLines(dir.resolve("ledger"), 5);
    cli.kill();

    CliProcess.Result resumed = start("resume", runId()).await(60);

    assertThat(resumed.exitCode()).as("%s%s", resumed.stdout(), resumed.stderr()).isEqualTo(1);
    assertThat(Files.readAllLines(dir.resolve("ledger"))).containsExactlyElementsOf(numbers(LINES));
    assertThat(Files.readAllLines(dir.resolve("undo"))).containsExactly("prepared", "undone");
    assertThat(events(JournalEvent.StepFailed.class))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.step()).isEqualTo("migrate");
              assertThat(e.reason()).isEqualTo("exit 3: giving up");
            });
    assertThat(events(JournalEvent.RolledBack.class)).hasSize(1);
    assertThat(linesOf(stepLog("migrate"), "migration"))
        .containsExactlyElementsOf(expectedLines("migration"));
    assertThat(spoolLeft()).isEmpty();
  }

  @Test
  void aCompensationKilledMidPrintIsRecordedOnceAndTheRollbackFinishes() throws Exception {
    Path file =
        runbook(
            "rollback",
            "  - id: prepare\n    run: echo prepared\n"
                + "    compensate:\n      - id: undo\n        run: \""
                + printer("undoing", "ledger")
                + "\"\n"
                + "  - id: boom\n    run: exit 1\n");
    CliProcess.Background cli = start("run", file.toString());
    awaitLines(dir.resolve("ledger"), 5);
    cli.kill();

    CliProcess.Result resumed = start("resume", runId()).await(60);

    assertThat(resumed.exitCode()).as("%s%s", resumed.stdout(), resumed.stderr()).isEqualTo(1);
    assertThat(Files.readAllLines(dir.resolve("ledger"))).containsExactlyElementsOf(numbers(LINES));
    assertThat(linesOf(stepLog("prepare.compensate.undo"), "undoing"))
        .containsExactlyElementsOf(expectedLines("undoing"));
    assertThat(events(JournalEvent.RolledBack.class)).hasSize(1);
    assertThat(
            events(JournalEvent.CompensationFinished.class)
                .filter(e -> e.compensation().equals("undo")))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.ok()).isTrue();
              assertThat(e.recovered()).isFalse();
            });
    assertThat(spoolLeft()).isEmpty();
  }

  @Test
  void aSecretPrintedWhileNoEngineRunsIsInNoPersistentFile() throws Exception {
    Path file =
        runbook(
            "stop",
            "  - id: leak\n    env: { TOKEN: \"${{ params.token }}\" }\n"
                + "    run: \"echo started >> ledger; while [ ! -e go ]; do sleep 0.05; done;"
                + " echo token is $TOKEN; echo done >> ledger\"\n");
    CliProcess.Background cli = start("run", file.toString());
    awaitLines(dir.resolve("ledger"), 1);
    Thread.sleep(300);
    cli.kill();
    Files.writeString(dir.resolve("go"), "");
    awaitLines(dir.resolve("ledger"), 2);

    CliProcess.Result resumed = start("resume", runId()).await(60);

    assertThat(resumed.exitCode()).as("%s%s", resumed.stdout(), resumed.stderr()).isZero();
    assertThat(Files.readString(stepLog("leak"))).contains("token is ***");
    assertThat(filesHolding(dir, SECRET)).isEmpty();
    assertThat(resumed.stdout() + resumed.stderr()).doesNotContain(SECRET);
    assertThat(spoolLeft()).isEmpty();
  }

  /** The run's journal events of one type, in order. */
  private <T extends JournalEvent> Stream<T> events(Class<T> type) throws IOException {
    return Journal.read(RunFiles.journalFile(state, runId())).records().stream()
        .map(JournalRecord::event)
        .filter(type::isInstance)
        .map(type::cast);
  }

  /** The raw output directories still in the spool. */
  private List<Path> spoolLeft() throws IOException {
    Path spool = runtime.resolve("runbook");
    if (!Files.isDirectory(spool)) {
      return List.of();
    }
    try (Stream<Path> left = Files.list(spool)) {
      return left.toList();
    }
  }
}
