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
 * {@code runbooks/seqdesk/manual-update.yaml} against a SeqDesk installation made of real parts:
 * files, a server process on loopback, PostgreSQL 15, and a release package made with tar.
 */
class SeqDeskManualUpdateIT {
  private static final String RUNBOOK = "manual-update";

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
    return SeqDeskInstallation.factory(dir, pg, templates, RUNBOOK, SeqDeskFixture::installOld);
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
    assertThat(valid.stdout()).contains("valid (runbook `seqdesk-manual-update`, 15 steps)");

    // The package has no default: the one parameter an operator must give.
    Path state = dir.resolve("plan-state");
    CliProcess.Result plan =
        CliProcess.run(
            dir,
            "plan",
            runbook.toString(),
            "--offline",
            "--state-dir",
            state.toString(),
            "-p",
            "package=/srv/releases/seqdesk-1.5.0.tar.gz");
    assertThat(plan.exitCode()).as(plan.stderr()).isZero();
    Golden.assertMatches(
        "manual-update.plan.txt", plan.stdout().replace(state.toString(), "$STATE_DIR"));
  }

  @Test
  void planChecksThePackageLiveAndNamesWhatOnlyTheRunCanKnow() throws Exception {
    SeqDeskFixture f = fixture("mu_plan");
    f.installOld();
    List<String> args = RunbookCli.runArgs(f, RUNBOOK, Map.of());
    args.set(0, "plan");

    CliProcess.Result plan = RunbookCli.cli(f, args.toArray(String[]::new));

    assertThat(plan.exitCode()).as(plan.stdout() + plan.stderr()).isZero();
    assertThat(plan.stdout())
        .contains("[ok] the release package is a .tar.gz holding package.json")
        .contains(
            "wait: until http GET http://127.0.0.1:"
                + f.port
                + "/api/version answers 200, body contains \"<known after `versions` runs>\"")
        .doesNotContain("SKIPPED");

    // A package that would bring a file the backup cannot put back is refused before anything.
    f.writePackage(stage -> Release.write(stage.resolve("seqdesk.config.json"), "{}\n"));
    Map<String, String> before = f.tree(true);
    args.set(0, "run");
    CliProcess.Result refused = RunbookCli.cli(f, args.toArray(String[]::new));
    assertThat(refused.exitCode()).as(refused.stdout()).isEqualTo(3);
    assertThat(refused.stdout()).contains("precondition UNMET: the release package is a .tar.gz");
    assertThat(f.tree(true)).isEqualTo(before);
    assertThat(f.runningVersion()).contains(Release.V1.version());
  }

  @Test
  void updatesTheInstallationAndTheDatabaseAndCanBeUndone() throws Exception {
    SeqDeskFixture f = fixture("mu_full");
    f.installOld();
    Map<String, String> before = f.tree(true);
    String dumpBefore = f.dump();
    String dataBefore = f.data();

    CliProcess.Result result = RunbookCli.run(f, RUNBOOK);

    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(f.runningVersion()).contains(Release.V2.version());
    Path release = f.root.resolve("expected-release");
    Release.V2.writeTo(release);
    for (String path : List.of(".next", "prisma", "public", "package.json")) {
      // Replaced as a whole: nothing of 1.4.2 is left among 1.5.0's files.
      assertThat(InstallTree.of(f.install.resolve(path), false))
          .as(path)
          .isEqualTo(InstallTree.of(release.resolve(path), false));
    }
    assertThat(InstallTree.of(f.install.resolve("node_modules"), false))
        .isEqualTo(InstallTree.of(templates.updated().resolve("node_modules"), false))
        .containsKey("zod/package.json");
    Map<String, String> after = f.tree(true);
    for (String untouched : List.of(".env", "seqdesk.config.json")) {
      assertThat(after.get(untouched)).as(untouched).isEqualTo(before.get(untouched));
    }
    assertThat(f.data()).isEqualTo(dataBefore).contains("grace@lab.example|S-0002");
    assertThat(f.pg.psql(f.database, "SELECT name FROM _migrations ORDER BY name"))
        .isEqualTo("0001_init\n0002_orders\n0003_sequencing_runs\n");

    // Undone on demand, as after a smoke test that failed an hour later: 1.4.2 again, exactly.
    String runId = RunbookCli.runIds(f).get(0);
    CliProcess.Result undo =
        RunbookCli.cli(f, "rollback", runId, "--state-dir", f.state.toString());
    assertThat(undo.exitCode()).as(undo.stdout() + undo.stderr()).isZero();
    assertThat(f.tree(true)).isEqualTo(before);
    assertThat(f.dump()).isEqualTo(dumpBefore);
    assertThat(f.runningVersion()).contains(Release.V1.version());
  }

  static Fault inPackage(String step, SeqDeskFixture.StageEdit edit) {
    return Faults.edit(step, f -> f.writePackage(edit));
  }

  static List<Fault> faults() {
    return List.of(
        Faults.edit("unpack", f -> Faults.danglingHardLink(f.packageFile)),
        inPackage("versions", stage -> Faults.dropVersion(stage.resolve("package.json"))),
        Faults.param("stop", "stop_cmd", "false"),
        Faults.edit("backup", f -> Faults.fifo(f.install.resolve("public"))),
        inPackage("replace_next", stage -> Faults.fifo(stage.resolve(".next"))),
        inPackage(
            "replace_package_json",
            stage -> {
              // Shipped as a link into public/, which is not in place yet when it is copied.
              Files.move(stage.resolve("package.json"), stage.resolve("public/package.json"));
              Files.createSymbolicLink(
                  stage.resolve("package.json"), Path.of("public/package.json"));
            }),
        inPackage("replace_prisma", stage -> Faults.fifo(stage.resolve("prisma"))),
        inPackage("replace_public", stage -> Faults.fifo(stage.resolve("public"))),
        Faults.edit(
            "replace_node_modules",
            f ->
                f.writePackage(
                    stage -> {
                      // A package that ships its dependencies, one of them broken.
                      Commands.run(
                          stage, SeqDeskFixture.PYTHON, f.bin.resolve("install.py").toString());
                      Faults.fifo(stage.resolve("node_modules/zod"));
                    })),
        new Fault(
            "install_deps",
            "an install that changes node_modules/ and fails",
            f -> Injected.params("install_cmd", Faults.installThenFail(f))),
        new Fault("dump_db", "a pg_dump that fails", f -> Injected.env(Faults.brokenPgDump(f))),
        inPackage(
            "migrate",
            stage -> {
              Release.addMigration(stage.resolve("prisma"), "0004_pipeline_outputs");
              Release.addMigration(stage.resolve("prisma"), "0005_broken");
            }),
        inPackage(
            "start",
            // A build the server refuses at start: nothing before `start` reads this file.
            stage -> Faults.corruptJson(stage.resolve(".next/required-server-files.json"))),
        inPackage("smoke", stage -> Files.delete(stage.resolve(".next/BUILD_ID"))),
        Faults.param("check_version", "version_path", "/api/no-such-endpoint"));
  }

  @TestFactory
  Stream<DynamicTest> aFailureAtEachStepRollsBackToExactlyWhatWasThere() {
    return SeqDeskScenarios.failAtEveryStep(
        RUNBOOK, installations(), pool, faults(), Release.V1.version());
  }

  @Test
  void aResumeWaitsForTheInstallThatTheKilledRunLeftRunningAndTakesItsResult() throws Exception {
    SeqDeskFixture f = fixture("mu_orphan");
    f.installOld();
    Path installs = f.root.resolve("installs.log");
    Path script =
        Files.writeString(
            f.bin.resolve("slow-install.sh"),
            """
            #!/bin/sh
            # Like npm, but it says when it starts and ends, and fails beside another install.
            set -C
            if ! echo $$ 2>/dev/null >node_modules/.installing; then
              echo "npm ERR! another install is running in node_modules" >&2
              exit 1
            fi
            echo "start $$" >>"$1"
            sleep 2
            /usr/bin/python3 "$(dirname "$0")/install.py"
            echo "end $$" >>"$1"
            rm node_modules/.installing
            """);
    Map<String, String> slow = Map.of("install_cmd", "sh " + script + " " + installs);
    Path log = f.root.resolve("orphan.log");

    Process run = RunbookCli.start(f, log, RunbookCli.runArgs(f, RUNBOOK, slow));
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!Files.exists(installs) && System.nanoTime() < deadline && run.isAlive()) {
      Thread.sleep(20);
    }
    assertThat(installs).as(Files.readString(log)).exists();
    run.destroyForcibly(); // SIGKILL: the install goes on without the engine
    RunbookCli.awaitGone(run);
    CliProcess.Result resumed = RunbookCli.cli(f, "resume", "--state-dir", f.state.toString());

    assertThat(resumed.exitCode()).as(resumed.stdout() + resumed.stderr()).isZero();
    List<String> lines = Files.readAllLines(installs);
    // The install outlived the engine, ran to its end, and its exit status is the step's result:
    // it ran exactly once, never two at once, never again.
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith("start ");
    assertThat(lines.get(1)).isEqualTo(lines.get(0).replace("start", "end"));
    assertThat(InstallTree.of(f.install.resolve("node_modules"), false))
        .isEqualTo(InstallTree.of(templates.updated().resolve("node_modules"), false));
    assertThat(f.runningVersion()).contains(Release.V2.version());
  }

  @TestFactory
  Stream<DynamicTest> killedAtRandomMomentsThenResumedEndsAsAnUninterruptedRunDoes()
      throws Exception {
    return SeqDeskScenarios.killAndResume(RUNBOOK, installations(), pool, Release.V2.version());
  }
}
