package dev.runbook.runbooks.printstash;

import static dev.runbook.runbooks.printstash.PrintStashInstallation.NEW;
import static dev.runbook.runbooks.printstash.PrintStashInstallation.OLD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.cli.CliProcess;
import dev.runbook.runbooks.Breakages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

  /** How to make one step fail. */
  @FunctionalInterface
  interface Breakage {
    /** Breaks the installation; returns the environment the engine runs with. */
    Map<String, String> apply(PrintStashInstallation installation) throws Exception;
  }

  /**
   * One way to make {@code step} fail; {@code preconditions} when the preconditions see the fault
   * first and the run stops before any step (exit 3).
   */
  record Injection(String step, String how, boolean preconditions, Breakage breakage) {
    Injection(String step, String how, Breakage breakage) {
      this(step, how, false, breakage);
    }
  }

  record Outcome(
      CliProcess.Result result,
      String dumpBefore,
      String dumpAfter,
      Map<String, String> treeBefore,
      Map<String, String> treeAfter,
      JSONObject health,
      String current,
      List<String> releases,
      boolean hooks,
      boolean jobs,
      List<String> backups,
      List<String> journal,
      long millis) {}

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

  static List<Injection> injections() {
    return List.of(
        new Injection(
            "config",
            "the API's environment file lacks VAULT_STORAGE_DIR (the preconditions see it first)",
            true,
            i -> {
              Path env = i.root().resolve("etc/printstash/printstash.env");
              Files.writeString(
                  env, Files.readString(env).replaceAll("(?m)^VAULT_STORAGE_DIR=.*\n", ""));
              return Map.of();
            }),
        new Injection(
            "config",
            "reading the environment file fails during the run (tr: I/O error)",
            i -> failingInStep(i, "tr", "config")),
        new Injection(
            "current",
            "the running release's VERSION file is empty",
            i -> {
              Files.writeString(i.installDir().resolve("releases/" + OLD + "/VERSION"), "");
              return Map.of();
            }),
        new Injection(
            "install",
            "the new release holds a named pipe, which a copy refuses",
            i -> {
              PrintStashInstallation.mkfifo(i.incomingRelease().resolve("upload.fifo"));
              return Map.of();
            }),
        new Injection(
            "sync", "installing dependencies fails", i -> params(i, Map.of("sync_cmd", "false"))),
        new Injection(
            "stop_hooks",
            "the hooks do not stop",
            i -> params(i, Map.of("stop_hooks_cmd", "false"))),
        new Injection(
            "stop_jobs", "the jobs do not stop", i -> params(i, Map.of("stop_jobs_cmd", "false"))),
        new Injection(
            "stop_api",
            "the stop command succeeds but the API keeps running",
            i -> params(i, Map.of("stop_api_cmd", "true"))),
        new Injection(
            "backup",
            "the files directory holds a named pipe, which a backup refuses",
            i -> {
              PrintStashInstallation.mkfifo(i.dataDir().resolve("files/slicer.fifo"));
              return Map.of();
            }),
        new Injection(
            "migrate",
            "a migration creates a table, updates rows, then raises",
            i -> {
              i.addFailingMigration();
              return Map.of();
            }),
        new Injection(
            "switch", "the rename of `current` fails once (I/O error)", i -> mvFailsOnce(i)),
        new Injection(
            "start",
            "the new release exits at start",
            i -> {
              i.breakNewRelease("crash");
              return Map.of();
            }),
        new Injection(
            "healthy",
            "the new release reports its storage broken",
            i -> {
              i.breakNewRelease("health");
              return Map.of();
            }),
        new Injection(
            "upload",
            "the new release answers uploads with 500",
            i -> {
              i.breakNewRelease("upload");
              return Map.of();
            }),
        new Injection(
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

  private static Outcome scenario(String name, Breakage breakage) throws Exception {
    Path root = shared.resolve(name);
    try (PrintStashInstallation i = PrintStashInstallation.copyOf(template, root)) {
      Map<String, String> env = breakage.apply(i);
      String dumpBefore = i.dump();
      Map<String, String> treeBefore = i.dataTree();
      long start = System.nanoTime();
      CliProcess.Result result = Runbook.upgrade(i, env);
      long millis = (System.nanoTime() - start) / 1_000_000;
      return new Outcome(
          result,
          dumpBefore,
          i.dump(),
          treeBefore,
          i.dataTree(),
          i.health().orElse(new JSONObject()),
          i.currentLink(),
          i.releases(),
          i.hooksEnabled(),
          i.jobsEnabled(),
          i.backups(),
          Runbook.journal(i),
          millis);
    }
  }

  @TestFactory
  Stream<DynamicTest> aFailureAtEachStepRollsBackToTheSameBytesAndThePreviousRelease() {
    Map<Injection, Future<Outcome>> running = new LinkedHashMap<>();
    int n = 0;
    for (Injection injection : injections()) {
      String name = "fail-" + n++ + "-" + injection.step();
      running.put(injection, pool.submit(() -> scenario(name, injection.breakage())));
    }
    List<DynamicTest> tests = new ArrayList<>();
    running.forEach(
        (injection, future) ->
            tests.add(
                DynamicTest.dynamicTest(
                    injection.step() + ": " + injection.how(),
                    () -> assertRolledBack(injection, future.get()))));
    return tests.stream();
  }

  private static void assertRolledBack(Injection injection, Outcome o) {
    String output = Runbook.describe(o.result());
    System.out.println(
        "printstash: failure at "
            + injection.step()
            + ": exit "
            + o.result().exitCode()
            + " after "
            + o.millis()
            + " ms");
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
    assertThat(o.dumpAfter()).as("sqlite3 .dump").isEqualTo(o.dumpBefore());
    assertThat(o.treeAfter()).as("the data directory, byte for byte").isEqualTo(o.treeBefore());
    assertThat(o.health().toMap())
        .as(output)
        .containsEntry("version", OLD)
        .containsEntry("database", "ok")
        .containsEntry("storage", "ok")
        .containsEntry("backup", "ok");
    assertThat(o.current()).isEqualTo("releases/" + OLD);
    assertThat(o.releases()).as("the new release is removed").containsExactly(OLD);
    assertThat(o.hooks()).as("slicer hooks enabled again").isTrue();
    assertThat(o.jobs()).as("scheduled jobs enabled again").isTrue();
    List<String> order = injections().stream().map(Injection::step).distinct().toList();
    boolean backedUp = order.indexOf(injection.step()) > order.indexOf("backup");
    assertThat(o.backups())
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
    assertThat(o.journal().stream().anyMatch(l -> l.contains("\"type\":\"irreversible\"")))
        .as("the migration is reported as not undone")
        .isEqualTo(migrated);
  }

  @TestFactory
  Stream<DynamicTest> failuresAfterAGoodUpgradeDoNotUndoIt() {
    Map<String, Future<Outcome>> running = new LinkedHashMap<>();
    running.put(
        "cleanup: the new release cannot delete the smoke-test upload",
        pool.submit(
            () ->
                scenario(
                    "fail-cleanup",
                    i -> {
                      i.breakNewRelease("delete");
                      return Map.of();
                    })));
    running.put(
        "start_jobs: the scheduled jobs do not start again",
        pool.submit(
            () -> scenario("fail-start-jobs", i -> params(i, Map.of("start_jobs_cmd", "false")))));
    running.put(
        "start_hooks: the slicer hooks do not start again",
        pool.submit(
            () ->
                scenario("fail-start-hooks", i -> params(i, Map.of("start_hooks_cmd", "false")))));
    List<DynamicTest> tests = new ArrayList<>();
    running.forEach(
        (name, future) ->
            tests.add(
                DynamicTest.dynamicTest(
                    name,
                    () -> {
                      Outcome o = future.get();
                      String output = Runbook.describe(o.result());
                      String step = name.substring(0, name.indexOf(':'));
                      assertThat(o.result().exitCode()).as(output).isZero();
                      assertThat(o.result().stdout())
                          .as(output)
                          .contains("step " + step + ": FAILED");
                      assertThat(o.health().optString("version")).isEqualTo(NEW);
                      assertThat(o.current()).isEqualTo("releases/" + NEW);
                      assertThat(o.releases()).as("the old release is kept").contains(OLD, NEW);
                      if (step.equals("start_jobs")) {
                        assertThat(o.hooks()).as("the step after it still ran").isTrue();
                      }
                    })));
    return tests.stream();
  }
}
