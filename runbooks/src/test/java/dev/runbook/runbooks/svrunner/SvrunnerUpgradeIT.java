package dev.runbook.runbooks.svrunner;

import static dev.runbook.runbooks.svrunner.SvrunnerInstallation.NEW;
import static dev.runbook.runbooks.svrunner.SvrunnerInstallation.OLD;
import static dev.runbook.runbooks.svrunner.SvrunnerInstallation.RUNBOOK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.cli.CliProcess;
import java.nio.charset.StandardCharsets;
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
 * {@code runbooks/svrunner/upgrade.yaml}: it validates, its plan with the defaults is the golden
 * one, its plan against a real installation holds every precondition and names what it cannot know
 * yet, and a run upgrades a real installation from 1.8.0 to 1.9.0 (from an unpacked build or a
 * tarball) with every row, asset, setting and log line kept.
 */
class SvrunnerUpgradeIT {
  private static final Path GOLDEN = Path.of("src/test/resources/svrunner/plan-defaults.txt");

  @TempDir static Path shared;
  private static Path template;

  @TempDir Path dir;
  private SvrunnerInstallation installation;

  @BeforeAll
  static void seed() throws Exception {
    template = SvrunnerInstallation.template(shared);
  }

  @BeforeEach
  void install() throws Exception {
    installation = SvrunnerInstallation.copyOf(template, dir.resolve("host"));
  }

  @AfterEach
  void stop() {
    installation.close();
  }

  @Test
  void validates() throws Exception {
    CliProcess.Result result = CliProcess.run(dir, "validate", RUNBOOK.toString());

    assertThat(result.exitCode()).as(Runbook.describe(result)).isZero();
    assertThat(result.stdout()).endsWith(": valid (runbook `svrunner-upgrade`, 16 steps)\n");
  }

  @Test
  void planWithTheDefaultsIsTheGoldenOne() throws Exception {
    Path state = dir.resolve("s");
    CliProcess.Result result =
        CliProcess.run(
            dir, "plan", RUNBOOK.toString(), "--offline", "--state-dir", state.toString());

    assertThat(result.exitCode()).as(Runbook.describe(result)).isZero();
    String plan =
        result
            .stdout()
            .replace(state.toString(), "<state-dir>")
            .replace(RUNBOOK.getParent().toString(), "<runbooks/svrunner>");
    if (Boolean.getBoolean("svrunner.golden.update")) {
      Files.writeString(GOLDEN, plan);
    }
    assertThat(plan).isEqualTo(Files.readString(GOLDEN));
  }

  @Test
  void planAgainstTheInstallationHoldsItsPreconditionsAndNamesWhatOnlyTheRunWillKnow()
      throws Exception {
    Map<String, String> treeBefore = installation.dataTree();

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
    assertThat(text(step(plan, "answers").getJSONArray("action")))
        .contains("/version = <known after `stage` runs>");
    assertThat(text(step(plan, "assets").getJSONArray("action")))
        .contains(
            installation.url("/assets/<known after `asset` runs>")
                + "\" | cmp - \"<known after `asset` runs>\"");
    assertThat(step(plan, "assets").getString("decision")).isEqualTo("decided_at_run");
    assertThat(text(step(plan, "logs").getJSONArray("action")))
        .contains("-gt \"<known after `log_mark` runs>\"");
    JSONObject startPrevious = step(plan, "stop").getJSONArray("compensation").getJSONObject(1);
    assertThat(text(startPrevious.getJSONArray("action")))
        .contains("/version = <known after `current` runs>");
    // A plan changes nothing.
    assertThat(installation.runningVersion()).isEqualTo(OLD);
    assertThat(installation.dataTree()).isEqualTo(treeBefore);
    assertThat(installation.backups()).isEmpty();
  }

  @Test
  void aBuildDirThatHoldsTheDataIsRefusedBeforeAnythingChanges() throws Exception {
    installation.writeParams(Map.of("build_dir", installation.installDir().toString()));
    Map<String, String> treeBefore = installation.dataTree();

    CliProcess.Result result = Runbook.upgrade(installation);

    assertThat(result.exitCode()).as(Runbook.describe(result)).isEqualTo(3);
    assertThat(result.stdout())
        .contains("build_dir is apart from the data")
        .contains("would take the data with it");
    assertThat(installation.runningVersion()).isEqualTo(OLD);
    assertThat(installation.dataTree()).isEqualTo(treeBefore);
    assertThat(installation.backups()).isEmpty();
  }

  @Test
  void runUpgradesFromAnUnpackedBuildKeepingEveryRowAssetSettingAndLogLine() throws Exception {
    String rowsBefore = rows();
    Map<String, String> assetsBefore = assets();
    String envBefore = Files.readString(installation.envFile());
    Map<String, String> logsBefore = installation.logs();

    long start = System.nanoTime();
    CliProcess.Result result = Runbook.upgrade(installation);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(result.exitCode()).as(Runbook.describe(result)).isZero();
    assertThat(installation.health().orElseThrow().toMap())
        .containsEntry("status", "ok")
        .containsEntry("version", NEW)
        .containsEntry("schema", 2);
    assertThat(rows()).as("every row the old build wrote").isEqualTo(rowsBefore);
    assertThat(installation.sqlite("SELECT name, orientation FROM screens ORDER BY id;"))
        .as("the new build's migration ran")
        .isEqualTo("lobby|landscape\ncafeteria|landscape\nentrance-kiosk|portrait\n");
    assertThat(assets()).isEqualTo(assetsBefore);
    assertThat(Files.readString(installation.envFile())).isEqualTo(envBefore);
    assertLogsKeptAndGrown(logsBefore, installation.logs());
    assertThat(installation.buildTree())
        .as("the build is the new one, and only it")
        .isEqualTo(SvrunnerInstallation.tree(installation.newBuild()));
    assertThat(installation.get("/assets/logo.png"))
        .isEqualTo(Files.readAllBytes(installation.filesDir().resolve("assets/logo.png")));
    assertThat(new String(installation.get("/"), StandardCharsets.UTF_8)).contains(NEW);
    List<String> backups = installation.backups();
    assertThat(backups).hasSize(3);
    assertThat(backups.stream().map(b -> b.substring(b.indexOf('/') + 1)))
        .as("data, logs and the old build are backed up; nothing was replaced")
        .containsExactly("build", "data", "logs");
    String run = backups.get(0).substring(0, backups.get(0).indexOf('/'));
    assertThat(installation.backupDir().resolve(run).resolve("build/app/package.json"))
        .as("the old build, in the backup")
        .content()
        .contains("\"version\": \"" + OLD + "\"");
    System.out.println("svrunner: a full upgrade took " + millis + " ms");

    CliProcess.Result again = Runbook.upgrade(installation);
    assertThat(again.exitCode()).as(Runbook.describe(again)).isEqualTo(1);
    assertThat(again.stdout())
        .contains("requirement not met: the new build is another version than the one that runs");
    assertThat(installation.runningVersion()).isEqualTo(NEW);
  }

  @Test
  void runUpgradesFromATarballOfTheBuild() throws Exception {
    installation.writeParams(Map.of("new_build", installation.newBuildTarball().toString()));
    String dumpOfRowsBefore = rows();

    CliProcess.Result result = Runbook.upgrade(installation);

    assertThat(result.exitCode()).as(Runbook.describe(result)).isZero();
    assertThat(installation.runningVersion()).isEqualTo(NEW);
    assertThat(rows()).isEqualTo(dumpOfRowsBefore);
    assertThat(installation.buildTree())
        .isEqualTo(SvrunnerInstallation.tree(installation.newBuild()));
  }

  static void assertLogsKeptAndGrown(Map<String, String> before, Map<String, String> after) {
    assertThat(after).containsKeys(before.keySet().toArray(String[]::new));
    before.forEach(
        (name, content) ->
            assertThat(after.get(name)).as("log %s keeps every line", name).startsWith(content));
    assertThat(String.join("", after.values()).length())
        .as("the logs grew")
        .isGreaterThan(String.join("", before.values()).length());
  }

  /** The seeded rows, as the old build wrote them (the columns it knew). */
  private String rows() throws Exception {
    return installation.sqlite(
        "SELECT id, name, location FROM screens ORDER BY id;"
            + " SELECT id, screen_id, asset, position FROM contents ORDER BY id;");
  }

  private Map<String, String> assets() throws Exception {
    return SvrunnerInstallation.tree(installation.filesDir().resolve("assets"));
  }

  private static JSONObject step(JSONObject plan, String id) {
    for (Object s : plan.getJSONArray("steps")) {
      if (((JSONObject) s).getString("id").equals(id)) {
        return (JSONObject) s;
      }
    }
    throw new AssertionError("no step " + id);
  }

  private static String text(JSONArray array) {
    List<String> lines = new ArrayList<>();
    array.forEach(o -> lines.add(o.toString()));
    return String.join("\n", lines);
  }
}
