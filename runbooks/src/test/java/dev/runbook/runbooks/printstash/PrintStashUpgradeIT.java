package dev.runbook.runbooks.printstash;

import static dev.runbook.runbooks.printstash.PrintStashInstallation.NEW;
import static dev.runbook.runbooks.printstash.PrintStashInstallation.OLD;
import static dev.runbook.runbooks.printstash.PrintStashInstallation.RUNBOOK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.cli.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runbooks/printstash/upgrade.yaml}: it validates, its plan with the defaults is the golden
 * one, its plan against a real installation names what it cannot know yet, and a run upgrades a
 * real installation from 1.4.0 to 1.5.0 with every row and file intact.
 */
class PrintStashUpgradeIT {
  private static final Path GOLDEN = Path.of("src/test/resources/printstash/plan-defaults.txt");

  @TempDir static Path shared;
  private static Path template;

  @TempDir Path dir;
  private PrintStashInstallation installation;

  @BeforeAll
  static void seed() throws Exception {
    template = PrintStashInstallation.template(shared);
  }

  @BeforeEach
  void install() throws Exception {
    installation = PrintStashInstallation.copyOf(template, dir.resolve("host"));
  }

  @AfterEach
  void stop() {
    installation.close();
  }

  @Test
  void validates() throws Exception {
    CliProcess.Result result = CliProcess.run(dir, "validate", RUNBOOK.toString());

    assertThat(result.exitCode()).as(Runbook.describe(result)).isZero();
    assertThat(result.stdout()).endsWith(": valid (runbook `printstash-upgrade`, 17 steps)\n");
  }

  @Test
  void planWithTheDefaultsIsTheGoldenOne() throws Exception {
    CliProcess.Result result =
        CliProcess.run(
            dir,
            "plan",
            RUNBOOK.toString(),
            "--offline",
            "--state-dir",
            dir.resolve("s").toString());

    assertThat(result.exitCode()).as(Runbook.describe(result)).isZero();
    String plan = result.stdout().replace(RUNBOOK.getParent().toString(), "<runbooks/printstash>");
    if (Boolean.getBoolean("printstash.golden.update")) {
      Files.writeString(GOLDEN, plan);
    }
    assertThat(plan).isEqualTo(Files.readString(GOLDEN));
  }

  @Test
  void planAgainstTheInstallationChecksItAndNamesWhatOnlyTheRunWillKnow() throws Exception {
    CliProcess.Result result =
        Runbook.cli(
            installation,
            "plan",
            RUNBOOK.toString(),
            "--params-file",
            installation.paramsFile().toString(),
            "--format",
            "json");

    assertThat(result.exitCode()).as(Runbook.describe(result)).isZero();
    JSONObject plan = new JSONObject(result.stdout());
    for (Object c : plan.getJSONArray("preconditions")) {
      assertThat(((JSONObject) c).getString("result")).as(c.toString()).isEqualTo("holds");
    }
    JSONObject backup = step(plan, "backup");
    assertThat(lines(backup.getJSONArray("action")))
        .anySatisfy(
            a ->
                assertThat(a)
                    .startsWith(
                        "backup: <known after `config` runs>, <known after `config` runs> -> "
                            + installation.backupDir()
                            + "/<run id>"));
    assertThat(lines(step(plan, "migrate").getJSONArray("action")))
        .contains("env: VAULT_DB_URL=<known after `config` runs>");
    JSONObject switchBack = step(plan, "switch").getJSONArray("compensation").getJSONObject(0);
    assertThat(String.join("\n", lines(switchBack.getJSONArray("action"))))
        .contains("ln -sfn \"<known after `current` runs>\" .current.runbook-new");
    assertThat(lines(step(plan, "cleanup").getJSONArray("action")).get(0))
        .isEqualTo(
            "http: DELETE http://127.0.0.1:"
                + installation.port()
                + "/api/v1/files/<known after `search` runs>, expect 204");
    assertThat(step(plan, "migrate").getString("irreversible"))
        .isEqualTo("schema downgrades are not the supported rollback path — backup restore is");
    // A plan changes nothing.
    assertThat(installation.runningVersion()).isEqualTo(OLD);
    assertThat(installation.releases()).containsExactly(OLD);
  }

  @Test
  void runUpgradesTheInstallationAndKeepsEveryRowAndFile() throws Exception {
    String rowsBefore = rows();
    Map<String, String> filesBefore = filesTree();
    String envBefore =
        Files.readString(installation.root().resolve("etc/printstash/printstash.env"));

    long start = System.nanoTime();
    CliProcess.Result result = Runbook.upgrade(installation);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(result.exitCode()).as(Runbook.describe(result)).isZero();
    JSONObject health = installation.health().orElseThrow();
    assertThat(health.toMap())
        .containsEntry("version", NEW)
        .containsEntry("database", "ok")
        .containsEntry("storage", "ok")
        .containsEntry("backup", "ok");
    assertThat(installation.revision()).isEqualTo("0002");
    assertThat(installation.sqlite("SELECT count(*) FROM gcode_metadata;").strip()).isEqualTo("0");
    assertThat(rows()).isEqualTo(rowsBefore);
    assertThat(filesTree()).isEqualTo(filesBefore);
    assertThat(installation.currentLink()).isEqualTo("releases/" + NEW);
    assertThat(installation.releases()).containsExactly(OLD, NEW);
    assertThat(installation.hooksEnabled()).isTrue();
    assertThat(installation.jobsEnabled()).isTrue();
    assertThat(Files.readString(installation.root().resolve("etc/printstash/printstash.env")))
        .isEqualTo(envBefore);
    List<String> backups = installation.backups();
    assertThat(backups).hasSize(1);
    assertThat(installation.backupDir().resolve(backups.get(0)).resolve("manifest.json"))
        .isRegularFile();
    System.out.println("printstash: a full upgrade took " + millis + " ms");

    CliProcess.Result again = Runbook.upgrade(installation);
    assertThat(again.exitCode()).as(Runbook.describe(again)).isEqualTo(3);
    assertThat(again.stdout())
        .contains("the installed release is not already the version asked for");
  }

  /** The seeded rows, as the old release wrote them. */
  private String rows() throws Exception {
    return installation.sqlite(
        "SELECT id, name, size, uploaded_at FROM files ORDER BY id;"
            + " SELECT * FROM printers ORDER BY id;");
  }

  private Map<String, String> filesTree() throws Exception {
    return PrintStashInstallation.tree(installation.dataDir().resolve("files"));
  }

  private static JSONObject step(JSONObject plan, String id) {
    for (Object s : plan.getJSONArray("steps")) {
      if (((JSONObject) s).getString("id").equals(id)) {
        return (JSONObject) s;
      }
    }
    throw new AssertionError("no step " + id);
  }

  private static List<String> lines(JSONArray array) {
    List<String> lines = new ArrayList<>();
    array.forEach(o -> lines.add(o.toString()));
    return lines;
  }
}
