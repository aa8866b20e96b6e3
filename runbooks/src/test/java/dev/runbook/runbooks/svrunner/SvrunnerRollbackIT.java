package dev.runbook.runbooks.svrunner;

import static dev.runbook.runbooks.svrunner.SvrunnerInstallation.OLD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.runbooks.Breakages;
import dev.runbook.runbooks.FailAtEveryStep;
import dev.runbook.runbooks.FailAtEveryStep.Injection;
import dev.runbook.runbooks.FailAtEveryStep.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure injected at each step in turn, through a parameter or a broken part of the
 * installation, rolls back to files/ (but the logs), .env, the database and the build
 * byte-identical to before, with the old version answering; the logs keep every line, those the
 * failed attempt wrote included. The data is restored only when the upgrade changed it, and what
 * the new build left of it is kept beside the backup.
 *
 * <p>The scenarios run three at a time, each on its own installation, port and state directory.
 */
class SvrunnerRollbackIT {
  private static final int PARALLEL = 3;

  /** The steps after which the new build has run, and so has migrated the database. */
  private static final List<String> MIGRATED =
      List.of(
          "start: the new build crashes after migrating",
          "answers",
          "main_app",
          "docs",
          "graphql",
          "assets",
          "logs");

  @TempDir static Path shared;
  private static Path template;
  private static ExecutorService pool;

  /** Whether the new build ran, and so migrated the database, before {@code injection} failed. */
  private static boolean migrated(Injection<SvrunnerInstallation> injection) {
    return MIGRATED.contains(injection.step()) || MIGRATED.contains(injection.name());
  }

  /** What the assertions compare: the same before and after a run. */
  record State(
      String dump,
      Map<String, String> data,
      Map<String, String> build,
      Map<String, String> logs,
      String version,
      List<String> backups,
      String keptMigrations) {}

  static State state(SvrunnerInstallation i) throws Exception {
    return new State(
        i.dump(),
        i.dataTree(),
        i.buildTree(),
        i.logs(),
        i.runningVersion(),
        i.backups(),
        keptMigrations(i));
  }

  private static FailAtEveryStep<SvrunnerInstallation, State> scenario() {
    return new FailAtEveryStep<>(
        "svrunner",
        name -> SvrunnerInstallation.copyOf(template, shared.resolve(name)),
        SvrunnerRollbackIT::state,
        pool);
  }

  @BeforeAll
  static void seed() throws Exception {
    template = SvrunnerInstallation.template(shared);
    pool = Executors.newFixedThreadPool(PARALLEL);
  }

  @AfterAll
  static void shutdown() {
    pool.shutdownNow();
  }

  private static Map<String, String> params(SvrunnerInstallation i, Map<String, String> p)
      throws Exception {
    i.writeParams(p);
    return Map.of();
  }

  private static Map<String, String> breakNew(SvrunnerInstallation i, String fault)
      throws Exception {
    SvrunnerInstallation.breakBuild(i.newBuild(), fault);
    return Map.of();
  }

  static List<Injection<SvrunnerInstallation>> injections() {
    return List.of(
        new Injection<>(
            "current",
            "the running build reports no version",
            i -> {
              SvrunnerInstallation.breakBuild(i.buildDir(), "no-version");
              i.ctl("stop");
              i.ctl("start");
              return Map.of();
            }),
        new Injection<>("asset", "find fails (an unreadable assets tree)", i -> failing(i, "find")),
        new Injection<>(
            "stage",
            "the new build's package.json names no version",
            i -> {
              Files.writeString(i.newBuild().resolve("package.json"), "{\"name\": \"svrunner\"}\n");
              return Map.of();
            }),
        new Injection<>(
            "stop",
            "the stop command succeeds but the server keeps running",
            i -> params(i, Map.of("stop_cmd", "true"))),
        new Injection<>(
            "backup_data",
            "files/assets holds a named pipe, which a backup refuses",
            i -> {
              SvrunnerInstallation.mkfifo(i.filesDir().resolve("assets/upload.fifo"));
              return Map.of();
            }),
        new Injection<>(
            "backup_logs",
            "files/logs holds a named pipe",
            i -> {
              SvrunnerInstallation.mkfifo(i.filesDir().resolve("logs/syslog.fifo"));
              return Map.of();
            }),
        new Injection<>(
            "backup_build",
            "the running build holds a named pipe",
            i -> {
              SvrunnerInstallation.mkfifo(i.buildDir().resolve("cache.fifo"));
              return Map.of();
            }),
        new Injection<>("log_mark", "awk fails", i -> failing(i, "awk")),
        new Injection<>(
            "replace_build",
            "the new build holds a named pipe, which a copy refuses",
            i -> {
              SvrunnerInstallation.mkfifo(i.newBuild().resolve("socket.fifo"));
              return Map.of();
            }),
        new Injection<>(
            "start", "the new build crashes before migrating", i -> breakNew(i, "crash")),
        new Injection<>(
            "start",
            "the new build crashes after migrating",
            i -> breakNew(i, "crash-after-migrate")),
        new Injection<>(
            "answers",
            "the new build reports itself degraded",
            i -> {
              params(i, Map.of("start_timeout", "3s"));
              return breakNew(i, "health");
            }),
        new Injection<>("main_app", "the web app answers 500", i -> breakNew(i, "index")),
        new Injection<>("docs", "/docs answers 404", i -> breakNew(i, "docs")),
        new Injection<>("graphql", "/graphql answers 500", i -> breakNew(i, "graphql")),
        new Injection<>("assets", "assets answer 404", i -> breakNew(i, "assets")),
        new Injection<>(
            "logs",
            "the new build writes no request log",
            i -> {
              params(i, Map.of("start_timeout", "3s"));
              return breakNew(i, "no-log");
            }));
  }

  /** {@code program} fails when a runbook step runs it (see {@link Breakages#failingProgram}). */
  private static Map<String, String> failing(SvrunnerInstallation i, String program)
      throws Exception {
    return Breakages.failingProgram(i.root().resolve("shim"), program);
  }

  /** The migrations the database kept beside the backup records, or "" when none was kept. */
  private static String keptMigrations(SvrunnerInstallation i) throws Exception {
    for (String b : i.backups()) {
      Path db = i.backupDir().resolve(b).resolve("files/local.db");
      if (b.endsWith("/replaced") && Files.exists(db)) {
        return SvrunnerInstallation.run(
            i.root(),
            List.of("sqlite3", db.toString(), "SELECT name FROM schema_migrations ORDER BY name;"));
      }
    }
    return "";
  }

  @TestFactory
  Stream<DynamicTest> aFailureAtEachStepRollsBackToTheSameBytesAndTheOldVersion() {
    return scenario().each("fail", injections(), SvrunnerRollbackIT::assertRolledBack);
  }

  private static void assertRolledBack(
      Injection<SvrunnerInstallation> injection, Outcome<State> o) {
    String output = o.describe();
    assertThat(o.result().exitCode()).as(output).isEqualTo(1);
    assertThat(o.result().stdout())
        .as(output)
        .contains("run failed and was rolled back: step `" + injection.step() + "` failed");
    assertThat(o.after().dump()).as("sqlite3 .dump").isEqualTo(o.before().dump());
    assertThat(o.after().data())
        .as("files/ but the logs, and .env, byte for byte")
        .isEqualTo(o.before().data());
    assertThat(o.after().build()).as("the build, byte for byte").isEqualTo(o.before().build());
    SvrunnerUpgradeIT.assertLogsKeptAndGrown(o.before().logs(), o.after().logs());
    assertThat(o.after().version()).as(output).isEqualTo(OLD);

    List<String> order = injections().stream().map(Injection::step).distinct().toList();
    int at = order.indexOf(injection.step());
    List<String> expected = new ArrayList<>();
    if (at > order.indexOf("backup_build")) {
      expected.add("build");
    }
    if (at > order.indexOf("backup_data")) {
      expected.add("data");
    }
    if (at > order.indexOf("backup_logs")) {
      expected.add("logs");
    }
    if (migrated(injection)) {
      expected.add("replaced");
    }
    assertThat(o.after().backups().stream().map(b -> b.substring(b.indexOf('/') + 1)))
        .as("the backups taken, kept after the rollback")
        .containsExactlyElementsOf(expected.stream().sorted().toList());
    assertThat(o.after().keptMigrations())
        .as("the database as the new build left it, kept beside the backup")
        .isEqualTo(migrated(injection) ? "001_initial\n002_screen_orientation\n" : "");
    if (at >= order.indexOf("start")) {
      assertThat(afterLine(o.result().stdout(), "compensating start (restore_data)"))
          .as(output)
          .endsWith(
              migrated(injection)
                  ? "compensation of start: done"
                  : "compensation of start: skipped: requirement not met: the upgrade changed"
                      + " local.db, the assets or .env (they differ from this run's backup)"
                      + " (exit 1)");
    }
  }

  /** The line after the first one that ends with {@code text}, or "" if there is none. */
  private static String afterLine(String output, String text) {
    List<String> lines = output.lines().toList();
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).endsWith(text)) {
        return lines.get(i + 1);
      }
    }
    return "";
  }
}
