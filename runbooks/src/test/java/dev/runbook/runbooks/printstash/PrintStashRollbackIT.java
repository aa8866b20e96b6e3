package dev.runbook.runbooks.printstash;

import static dev.runbook.runbooks.printstash.PrintStashInstallation.NEW;
import static dev.runbook.runbooks.printstash.PrintStashInstallation.OLD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.runbooks.Breakages;
import dev.runbook.runbooks.FailAtEveryStep;
import dev.runbook.runbooks.FailAtEveryStep.Injection;
import dev.runbook.runbooks.FailAtEveryStep.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure injected at each step in turn, through a parameter or a broken part of the
 * installation, rolls back to a database and data directory byte-identical to before, with the
 * previous release running, {@code current} pointing at it, the new release gone, and hooks and
 * jobs enabled again. Failures after a good upgrade (cleanup, restarting hooks and jobs) do not
 * undo it.
 *
 * <p>The scenarios run three at a time, each on its own installation, port and state directory.
 */
class PrintStashRollbackIT {
  private static final int PARALLEL = 3;

  @TempDir static Path shared;
  private static Path template;
  private static ExecutorService pool;

  /** What the assertions compare: the same before and after a run. */
  record State(
      String dump,
      Map<String, String> data,
      Map<String, Object> health,
      String current,
      List<String> releases,
      boolean hooks,
      boolean jobs,
      List<String> backups) {}

  static State state(PrintStashInstallation i) throws Exception {
    return new State(
        i.dump(),
        i.dataTree(),
        i.health().map(JSONObject::toMap).orElse(Map.of()),
        i.currentLink(),
        i.releases(),
        i.hooksEnabled(),
        i.jobsEnabled(),
        i.backups());
  }

  private static FailAtEveryStep<PrintStashInstallation, State> scenario() {
    return new FailAtEveryStep<>(
        "printstash",
        name -> PrintStashInstallation.copyOf(template, shared.resolve(name)),
        PrintStashRollbackIT::state,
        pool);
  }

  @BeforeAll
  static void seed() throws Exception {
    template = PrintStashInstallation.template(shared);
    pool = Executors.newFixedThreadPool(PARALLEL);
  }

  @AfterAll
  static void shutdown() {
    pool.shutdownNow();
  }

  private static Map<String, String> params(PrintStashInstallation i, Map<String, String> p)
      throws Exception {
    i.writeParams(p);
    return Map.of();
  }

  static List<Injection<PrintStashInstallation>> injections() {
    return List.of(
        new Injection<>(
            "config",
            "the API's environment file lacks VAULT_STORAGE_DIR (the preconditions see it first)",
            true,
            i -> {
              Path env = i.root().resolve("etc/printstash/printstash.env");
              Files.writeString(
                  env, Files.readString(env).replaceAll("(?m)^VAULT_STORAGE_DIR=.*\n", ""));
              return Map.of();
            }),
        new Injection<>(
            "config",
            "reading the environment file fails during the run (tr: I/O error)",
            i -> failingInStep(i, "tr", "config")),
        new Injection<>(
            "current",
            "the running release's VERSION file is empty",
            i -> {
              Files.writeString(i.installDir().resolve("releases/" + OLD + "/VERSION"), "");
              return Map.of();
            }),
        new Injection<>(
            "install",
            "the new release holds a named pipe, which a copy refuses",
            i -> {
              PrintStashInstallation.mkfifo(i.incomingRelease().resolve("upload.fifo"));
              return Map.of();
            }),
        new Injection<>(
            "sync", "installing dependencies fails", i -> params(i, Map.of("sync_cmd", "false"))),
        new Injection<>(
            "stop_hooks",
            "the hooks do not stop",
            i -> params(i, Map.of("stop_hooks_cmd", "false"))),
        new Injection<>(
            "stop_jobs", "the jobs do not stop", i -> params(i, Map.of("stop_jobs_cmd", "false"))),
        new Injection<>(
            "stop_api",
            "the stop command succeeds but the API keeps running",
            i -> params(i, Map.of("stop_api_cmd", "true"))),
        new Injection<>(
            "backup",
            "the files directory holds a named pipe, which a backup refuses",
            i -> {
              PrintStashInstallation.mkfifo(i.dataDir().resolve("files/slicer.fifo"));
              return Map.of();
            }),
        new Injection<>(
            "migrate",
            "a migration creates a table, updates rows, then raises",
            i -> {
              i.addFailingMigration();
              return Map.of();
            }),
        new Injection<>(
            "switch", "the rename of `current` fails once (I/O error)", i -> mvFailsOnce(i)),
        new Injection<>(
            "start",
            "the new release exits at start",
            i -> {
              i.breakNewRelease("crash");
              return Map.of();
            }),
        new Injection<>(
            "healthy",
            "the new release reports its storage broken",
            i -> {
              i.breakNewRelease("health");
              return Map.of();
            }),
        new Injection<>(
            "upload",
            "the new release answers uploads with 500",
            i -> {
              i.breakNewRelease("upload");
              return Map.of();
            }),
        new Injection<>(
            "search",
            "the new release stores uploads without parsing their metadata",
            i -> {
              i.breakNewRelease("metadata");
              return Map.of();
            }));
  }

  /**
   * A {@code PROGRAM} first on PATH that fails when the runbook step {@code step} runs it (its
   * environment has RUNBOOK_STEP={@code step}), and is the real one otherwise (the preconditions,
   * other steps, the fixture's own calls).
   */
  private static Map<String, String> failingInStep(
      PrintStashInstallation i, String program, String step) throws Exception {
    return Breakages.failingProgramInStep(i.root().resolve("shim"), program, step);
  }

  /** A {@code mv} first on PATH that fails the first rename onto {@code current}. */
  private static Map<String, String> mvFailsOnce(PrintStashInstallation i) throws Exception {
    Path shim = i.root().resolve("shim");
    Files.createDirectories(shim);
    Path mv = shim.resolve("mv");
    Files.writeString(
        mv,
        "#!/bin/sh\n"
            + "for last; do :; done\n"
            + "if [ \"$last\" = current ] && [ ! -e \""
            + shim
            + "/failed\" ]; then\n"
            + "  touch \""
            + shim
            + "/failed\"\n"
            + "  echo \"mv: cannot move to 'current': Input/output error\" >&2\n"
            + "  exit 1\n"
            + "fi\n"
            + "exec /bin/mv \"$@\"\n");
    Files.setPosixFilePermissions(mv, PosixFilePermissions.fromString("rwxr-xr-x"));
    return Map.of("PATH", shim + ":" + System.getenv("PATH"));
  }

  @TestFactory
  Stream<DynamicTest> aFailureAtEachStepRollsBackToTheSameBytesAndThePreviousRelease() {
    return scenario().each("fail", injections(), PrintStashRollbackIT::assertRolledBack);
  }

  private static void assertRolledBack(
      Injection<PrintStashInstallation> injection, Outcome<State> o) {
    String output = o.describe();
    if (injection.preconditions()) {
      // What `config` reads, the preconditions check: the run stops before anything changes.
      assertThat(o.result().exitCode()).as(output).isEqualTo(3);
      assertThat(o.result().stdout())
          .as(output)
          .contains("VAULT_STORAGE_DIR) inside data_dir -- exit 1: '' is not inside");
    } else {
      assertThat(o.result().exitCode()).as(output).isEqualTo(1);
      assertThat(o.result().stdout())
          .as(output)
          .contains("run failed and was rolled back: step `" + injection.step() + "` failed");
    }
    assertThat(o.after().dump()).as("sqlite3 .dump").isEqualTo(o.before().dump());
    assertThat(o.after().data())
        .as("the data directory, byte for byte")
        .isEqualTo(o.before().data());
    assertThat(o.after().health())
        .as(output)
        .containsEntry("version", OLD)
        .containsEntry("database", "ok")
        .containsEntry("storage", "ok")
        .containsEntry("backup", "ok");
    assertThat(o.after().current()).isEqualTo("releases/" + OLD);
    assertThat(o.after().releases()).as("the new release is removed").containsExactly(OLD);
    assertThat(o.after().hooks()).as("slicer hooks enabled again").isTrue();
    assertThat(o.after().jobs()).as("scheduled jobs enabled again").isTrue();
    List<String> order = injections().stream().map(Injection::step).distinct().toList();
    boolean backedUp = order.indexOf(injection.step()) > order.indexOf("backup");
    assertThat(o.after().backups())
        .as("a backup only once the API is stopped, and kept after a rollback")
        .hasSize(backedUp ? 1 : 0);
    if (injection.step().equals("backup")) {
      assertThat(o.result().stdout())
          .contains(
              "compensation of backup: skipped: requirement not met: this run's backup is"
                  + " complete");
    }
    boolean migrated =
        List.of("migrate", "switch", "start", "healthy", "upload", "search")
            .contains(injection.step());
    assertThat(o.journaled("irreversible"))
        .as("the migration is reported as not undone")
        .isEqualTo(migrated);
  }

  @TestFactory
  Stream<DynamicTest> failuresAfterAGoodUpgradeDoNotUndoIt() {
    List<Injection<PrintStashInstallation>> afterUpgrade =
        List.of(
            new Injection<>(
                "cleanup",
                "the new release cannot delete the smoke-test upload",
                i -> {
                  i.breakNewRelease("delete");
                  return Map.of();
                }),
            new Injection<>(
                "start_jobs",
                "the scheduled jobs do not start again",
                i -> params(i, Map.of("start_jobs_cmd", "false"))),
            new Injection<>(
                "start_hooks",
                "the slicer hooks do not start again",
                i -> params(i, Map.of("start_hooks_cmd", "false"))));
    return scenario()
        .each(
            "after",
            afterUpgrade,
            (injection, o) -> {
              String output = o.describe();
              String step = injection.step();
              assertThat(o.result().exitCode()).as(output).isZero();
              assertThat(o.result().stdout()).as(output).contains("step " + step + ": FAILED");
              assertThat(o.after().health().get("version")).isEqualTo(NEW);
              assertThat(o.after().current()).isEqualTo("releases/" + NEW);
              assertThat(o.after().releases()).as("the old release is kept").contains(OLD, NEW);
              if (step.equals("start_jobs")) {
                assertThat(o.after().hooks()).as("the step after it still ran").isTrue();
              }
            });
  }
}
