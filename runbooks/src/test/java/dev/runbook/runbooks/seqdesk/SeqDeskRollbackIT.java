package dev.runbook.runbooks.seqdesk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.cli.CliProcess;
import dev.runbook.runbooks.Installation;
import dev.runbook.runbooks.seqdesk.Faults.Fault;
import dev.runbook.runbooks.seqdesk.Faults.Injected;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runbooks/seqdesk/rollback.yaml} against a SeqDesk installation made of real parts: files,
 * a server process on loopback, PostgreSQL 15.
 */
class SeqDeskRollbackIT {
  private static final String RUNBOOK = "rollback";

  @TempDir static Path dir;
  private static PostgresCluster pg;
  private static SeqDeskFixture.Templates templates;
  private static ExecutorService pool;
  private SeqDeskFixture fixture;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = PostgresCluster.start(dir);
    templates = SeqDeskFixture.Templates.make(dir.resolve("templates"), pg);
    pool = Executors.newFixedThreadPool(SeqDeskScenarios.PARALLEL);
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (pool != null) {
      pool.shutdownNow();
    }
    if (pg != null) {
      pg.stop();
    }
  }

  /** Fresh installations as the runbook finds them, for the generic scenarios. */
  private static Installation.Factory<SeqDeskInstallation> installations() {
    return SeqDeskInstallation.factory(dir, pg, templates, RUNBOOK, SeqDeskFixture::installUpdated);
  }

  @AfterEach
  void stopServer() throws Exception {
    if (fixture != null) {
      fixture.stopServer();
    }
  }

  private SeqDeskFixture fixture(String name) throws Exception {
    fixture = new SeqDeskFixture(dir.resolve(name), pg, templates, name);
    return fixture;
  }

  @Test
  void validatesAndPlansWithItsDefaultsAsTheGoldenFileShows() throws Exception {
    Path runbook = SeqDeskFixture.runbook(RUNBOOK);
    CliProcess.Result valid = CliProcess.run(dir, "validate", runbook.toString());
    assertThat(valid.exitCode()).as(valid.stderr()).isZero();
    assertThat(valid.stdout()).contains("valid (runbook `seqdesk-rollback`, 13 steps)");

    Path state = dir.resolve("plan-state");
    CliProcess.Result plan =
        CliProcess.run(
            dir, "plan", runbook.toString(), "--offline", "--state-dir", state.toString());
    assertThat(plan.exitCode()).as(plan.stderr()).isZero();
    Golden.assertMatches(
        "rollback.plan.txt", plan.stdout().replace(state.toString(), "$STATE_DIR"));
  }

  @Test
  void planChecksThePreconditionsLiveAndNamesWhatOnlyTheRunCanKnow() throws Exception {
    SeqDeskFixture f = fixture("rb_plan");
    f.installUpdated();
    List<String> args = RunbookCli.runArgs(f, RUNBOOK, Map.of());
    args.set(0, "plan");

    CliProcess.Result plan = RunbookCli.cli(f, args.toArray(String[]::new));

    assertThat(plan.exitCode()).as(plan.stdout() + plan.stderr()).isZero();
    assertThat(plan.stdout())
        .contains("[ok] the database answers and pg_dump can read it")
        .contains("13. check_version")
        .contains(
            "wait: until http GET http://127.0.0.1:"
                + f.port
                + "/api/version answers 200, body contains \"<known after `versions` runs>\"")
        .doesNotContain("SKIPPED");

    List<String> noNpm = RunbookCli.runArgs(f, RUNBOOK, Map.of("migrate_cmd", "npx-missing run x"));
    noNpm.set(0, "plan");
    CliProcess.Result noProgram = RunbookCli.cli(f, noNpm.toArray(String[]::new));
    assertThat(noProgram.exitCode()).isEqualTo(3);
    assertThat(noProgram.stdout()).contains("not found: npx-missing");

    Map<String, String> before = f.tree(true);
    SeqDeskFixture.delete(f.install.resolve(".update-backup/public"));
    Map<String, String> broken = f.tree(true);
    CliProcess.Result unmet = RunbookCli.cli(f, args.toArray(String[]::new));
    assertThat(unmet.exitCode()).isEqualTo(3);
    assertThat(unmet.stdout()).contains(".update-backup/ holds the static assets (public/)");
    args.set(0, "run");
    CliProcess.Result refused = RunbookCli.cli(f, args.toArray(String[]::new));
    assertThat(refused.exitCode()).isEqualTo(3);
    assertThat(f.tree(true)).isEqualTo(broken).isNotEqualTo(before);
    assertThat(f.runningVersion()).contains(Release.V2.version());
  }

  @Test
  void rollsBackToTheVersionInUpdateBackupAndCanItselfBeUndone() throws Exception {
    SeqDeskFixture f = fixture("rb_full");
    f.installUpdated();
    Map<String, String> before = f.tree(true);
    String dumpBefore = f.dump();
    String dataBefore = f.data();
    assertThat(f.runningVersion()).contains(Release.V2.version());

    CliProcess.Result result = RunbookCli.run(f, RUNBOOK);

    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(f.runningVersion()).contains(Release.V1.version());
    for (String path : List.of(".next", "node_modules", "prisma", "public", "package.json")) {
      assertThat(InstallTree.of(f.install.resolve(path), true))
          .as(path)
          .isEqualTo(InstallTree.of(f.install.resolve(".update-backup").resolve(path), true));
    }
    Map<String, String> after = f.tree(true);
    for (String untouched : List.of(".env", "seqdesk.config.json", ".update-backup/package.json")) {
      assertThat(after.get(untouched)).as(untouched).isEqualTo(before.get(untouched));
    }
    assertThat(f.data()).isEqualTo(dataBefore).contains("ada@lab.example|S-0001");
    // Migrations are forward-only: 1.4.2's migrations are all applied, the schema stays 1.5.0's.
    assertThat(f.dump()).isEqualTo(dumpBefore).contains("\"SequencingRun\"");

    // The rollback can itself be rolled back: back to 1.5.0, exactly.
    String runId = RunbookCli.runIds(f).get(0);
    CliProcess.Result undo =
        RunbookCli.cli(f, "rollback", runId, "--state-dir", f.state.toString());
    assertThat(undo.exitCode()).as(undo.stdout() + undo.stderr()).isZero();
    assertThat(f.tree(true)).isEqualTo(before);
    assertThat(f.dump()).isEqualTo(dumpBefore);
    assertThat(f.runningVersion()).contains(Release.V2.version());
  }

  static List<Fault> faults() {
    return List.of(
        Faults.edit(
            "versions", f -> Faults.dropVersion(f.install.resolve(".update-backup/package.json"))),
        Faults.param("stop", "stop_cmd", "false"),
        Faults.edit("keep_current", f -> Faults.fifo(f.install.resolve("public"))),
        Faults.edit("restore_next", f -> Faults.fifo(f.install.resolve(".update-backup/.next"))),
        Faults.edit(
            "restore_node_modules",
            f -> Faults.fifo(f.install.resolve(".update-backup/node_modules/next"))),
        Faults.edit("restore_prisma", f -> Faults.fifo(f.install.resolve(".update-backup/prisma"))),
        Faults.edit("restore_public", f -> Faults.fifo(f.install.resolve(".update-backup/public"))),
        Faults.edit(
            "restore_package_json",
            f -> {
              // Kept as a link: copied as the link, it points nowhere from the installation.
              Path backup = f.install.resolve(".update-backup");
              Files.move(backup.resolve("package.json"), backup.resolve("package.json.orig"));
              Files.createSymbolicLink(
                  backup.resolve("package.json"), Path.of("package.json.orig"));
            }),
        new Fault("dump_db", "a pg_dump that fails", f -> Injected.env(Faults.brokenPgDump(f))),
        Faults.edit(
            "migrate",
            f -> {
              // A migration that applies, then one that fails: the database is half-migrated.
              Path prisma = f.install.resolve(".update-backup/prisma");
              Release.addMigration(prisma, "0004_pipeline_outputs");
              Release.addMigration(prisma, "0005_broken");
            }),
        Faults.edit(
            "start",
            // A manifest the server cannot parse (its version line still reads): it exits at start.
            f -> Faults.corruptJson(f.install.resolve(".update-backup/package.json"))),
        Faults.edit("smoke", f -> Files.delete(f.install.resolve(".update-backup/.next/BUILD_ID"))),
        Faults.param("check_version", "version_path", "/api/no-such-endpoint"));
  }

  @TestFactory
  Stream<DynamicTest> aFailureAtEachStepRollsBackToExactlyWhatWasThere() {
    return SeqDeskScenarios.failAtEveryStep(
        RUNBOOK, installations(), pool, faults(), Release.V2.version());
  }

  @TestFactory
  Stream<DynamicTest> killedAtRandomMomentsThenResumedEndsAsAnUninterruptedRunDoes()
      throws Exception {
    return SeqDeskScenarios.killAndResume(RUNBOOK, installations(), pool, Release.V1.version());
  }
}
