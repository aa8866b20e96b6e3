package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runbook test} on small runbooks whose state is files in a temp dir: a correct runbook
 * passes every trial; a wrong compensation fails at exactly its step, naming the difference; a step
 * that is not idempotent and has no verify is caught by the kill trials.
 */
class RunbookTestIT {
  @TempDir Path dir;

  private static final String RESET =
      "rm -rf app && mkdir -p app/conf && echo v1 > app/VERSION && echo a=1 > app/conf/app.ini";

  private CliProcess.Result test(String runbook, String... args)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("test", runbook));
    argv.addAll(List.of(args));
    return CliProcess.run(Duration.ofMinutes(10), dir, Map.of(), argv.toArray(String[]::new));
  }

  private Path write(String name, String text) throws IOException {
    return java.nio.file.Files.writeString(dir.resolve(name), text);
  }

  private static JSONObject trial(JSONObject report, String kind, String step) {
    JSONArray trials = report.getJSONArray("trials");
    for (int i = 0; i < trials.length(); i++) {
      JSONObject t = trials.getJSONObject(i);
      if (t.getString("kind").equals(kind) && step.equals(t.opt("step"))) {
        return t;
      }
    }
    throw new AssertionError("no " + kind + " trial of " + step + " in " + report.toString(2));
  }

  @Test
  void aCorrectRunbookPassesEveryTrialAndTheJunitReportSaysSo() throws Exception {
    write(
        "upgrade.yaml",
        """
        schema: runbook/v1
        name: files-upgrade
        state:
          reset: "%s"
          paths: [app]
        steps:
          - id: backup
            backup: { paths: [app/VERSION, app/conf], to: "${{ run.dir }}/backup" }
            compensate:
              restore: { from: "${{ steps.backup.outputs.dir }}", to: . }
          - id: bump
            run: echo v2 > app/VERSION
            idempotent: true
          - id: settle
            wait: { until: { path: app/VERSION }, timeout: 5s }
          - id: plugins
            run: mkdir -p app/plugins && echo on > app/plugins/x
            idempotent: true
            compensate: { run: rm -rf app/plugins }
        """
            .formatted(RESET));

    CliProcess.Result r = test("upgrade.yaml", "--kills", "2", "--seed", "7", "--format", "junit");

    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    // the clean run, a failure after backup, bump and plugins (not the wait), two kills
    assertThat(r.stdout())
        .contains("<testsuite name=\"runbook test files-upgrade\" tests=\"6\" failures=\"0\"")
        .contains("name=\"2 failure backup: failure after the action of backup\"")
        .contains("name=\"4 failure plugins: failure after the action of plugins\"")
        .contains("<property name=\"seed\" value=\"7\"/>")
        .doesNotContain("settle:")
        .doesNotContain("<failure");
    assertThat(r.stderr()).contains("trial 1 of ").contains("trial 6 passed");
  }

  @Test
  void aCompensationThatForgetsADirectoryFailsAtExactlyThatStepNamingThePath() throws Exception {
    write(
        "forgets.yaml",
        """
        schema: runbook/v1
        name: forgets-a-directory
        state: { paths: [app] }
        steps:
          - id: bump
            run: echo v2 > app/VERSION
            compensate: { run: echo v1 > app/VERSION }
          - id: plugins
            run: mkdir -p app/plugins && echo on > app/plugins/x
            compensate: { run: rm -f app/plugins/x }
        """);

    CliProcess.Result r =
        test("forgets.yaml", "--reset", RESET, "--kills", "0", "--format", "json");

    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(1);
    JSONObject report = new JSONObject(r.stdout());
    assertThat(report.getBoolean("passed")).isFalse();
    assertThat(report.getJSONArray("trials").getJSONObject(0).getBoolean("passed")).isTrue();
    assertThat(trial(report, "failure", "bump").getBoolean("passed")).isTrue();
    JSONObject plugins = trial(report, "failure", "plugins");
    assertThat(plugins.getBoolean("passed")).isFalse();
    assertThat(plugins.getString("got")).isEqualTo("rolled back (exit 1)");
    assertThat(plugins.getJSONArray("differences").toList())
        .singleElement()
        .asString()
        .startsWith("path app/plugins: appeared (dir mode=rwxr-xr-x owner=");
  }

  @Test
  void aCompensationThatRestoresTheWrongFileIsNamedWithTheFileItLeftChanged() throws Exception {
    write(
        "wrong-file.yaml",
        """
        schema: runbook/v1
        name: restores-the-wrong-file
        steps:
          - id: config
            run: cp app/conf/app.ini app/conf/app.ini.orig && echo a=2 > app/conf/app.ini
            compensate: { run: mv app/conf/app.ini.orig app/VERSION }
        """);

    CliProcess.Result r =
        test("wrong-file.yaml", "--reset", RESET, "--state-path", "app", "--kills", "0");

    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(1);
    assertThat(r.stdout())
        .containsPattern("2 +failure +config +failure after the action of config .* FAILED")
        .contains("differs: path app/VERSION: contents differ (3 bytes")
        .contains("differs: path app/conf/app.ini: contents differ (4 bytes")
        .contains("1 of 2 trials failed (seed ")
        .contains("replay: runbook test wrong-file.yaml --reset '" + RESET + "' --kills 0 --seed ");
  }

  @Test
  void aStepThatIsNotIdempotentAndHasNoVerifyIsCaughtByTheKillTrials() throws Exception {
    write(
        "append.yaml",
        """
        schema: runbook/v1
        name: append-once
        state:
          reset: rm -rf app && mkdir app && echo start > app/log
          paths: [app]
        steps:
          - id: append
            run: echo upgraded >> app/log; sleep 2
            compensate: { run: "sed -i '/^upgraded$/d' app/log" }
        """);

    // Seed 4 kills 120ms after `append` started, while its process sleeps after appending.
    CliProcess.Result r =
        test("append.yaml", "--only", "append", "--kills", "1", "--seed", "4", "--format", "json");

    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(1);
    JSONObject kill = trial(new JSONObject(r.stdout()), "kill", "append");
    assertThat(kill.getString("injected"))
        .isEqualTo("SIGKILL after event 3 (step_started of `append`) +120ms");
    assertThat(kill.getBoolean("passed")).isFalse();
    assertThat(kill.getJSONArray("notes").toList())
        .containsExactly(
            "resumed with --rerun-inflight: `append` was in flight, not idempotent and without a"
                + " verify that passes");
    assertThat(kill.getJSONArray("differences").getString(0))
        .startsWith("path app/log: contents differ (15 bytes");
  }

  @Test
  void refusesWithoutAResetBecauseItMustRunOnAStagingCopy() throws Exception {
    write(
        "no-reset.yaml",
        """
        schema: runbook/v1
        name: no-reset
        state: { paths: [app] }
        steps:
          - id: a
            run: "true"
        """);

    CliProcess.Result r = test("no-reset.yaml");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr())
        .contains("runbook: error: name the staging copy to rehearse on: give --reset CMD")
        .contains("never at production");
    assertThat(r.stdout()).isEmpty();
  }
}
