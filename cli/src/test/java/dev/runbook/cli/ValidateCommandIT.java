package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.dsl.RunbookSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runbook validate} and {@code runbook schema}, through the packaged jar. */
class ValidateCommandIT {
  @TempDir Path dir;

  private static final String VALID =
      "schema: runbook/v1\nname: demo\nsteps:\n  - id: hello\n    run: echo hello\n";

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static void assertNoStackTrace(CliProcess.Result result) {
    assertThat(result.stderr()).doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(result.stdout()).doesNotContain("\tat ").doesNotContain("Exception");
  }

  @Test
  void validRunbookExitsZeroAndSaysSo() throws Exception {
    write("ok.yaml", VALID);
    CliProcess.Result result = CliProcess.run(dir, "validate", "ok.yaml");
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).isEqualTo("ok.yaml: valid (runbook `demo`, 1 step)\n");
    assertThat(result.stderr()).isEmpty();
  }

  @Test
  void invalidRunbookPrintsEveryProblemAtItsLineAndExitsTwo() throws Exception {
    write(
        "bad.yaml",
        "schema: runbook/v1\nname: demo\nsteps:\n  - id: a\n    run: echo\n    timout: 5s\n"
            + "  - id: a\n    run: echo\n");
    CliProcess.Result result = CliProcess.run(dir, "validate", "bad.yaml");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr())
        .isEqualTo(
            "bad.yaml:6:5: error: unknown key `timout` in step `a` (steps[1])\n"
                + "  hint: did you mean `timeout`?\n"
                + "bad.yaml:7:5: error: duplicate step id `a` (first at line 4)\n"
                + "  hint: ids are the journal's keys: give each step its own\n");
    assertNoStackTrace(result);
  }

  @Test
  void severalFilesExitZeroOnlyWhenAllAreValid() throws Exception {
    write("ok.yaml", VALID);
    write("bad.yaml", "schema: runbook/v1\nname: demo\nsteps: []\n");
    CliProcess.Result result = CliProcess.run(dir, "validate", "ok.yaml", "bad.yaml");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stdout()).contains("ok.yaml: valid");
    assertThat(result.stderr()).startsWith("bad.yaml:3:8: error: `steps` must not be empty");
  }

  @Test
  void jsonFormatCarriesTheSameProblemsWithStableFields() throws Exception {
    write(
        "bad.yaml",
        "schema: runbook/v1\nname: demo\non_failure: rollbak\nsteps: [{id: a, run: x}]\n");
    CliProcess.Result result = CliProcess.run(dir, "validate", "--format", "json", "bad.yaml");
    assertThat(result.exitCode()).isEqualTo(2);
    JSONObject json = new JSONObject(result.stdout());
    assertThat(json.getBoolean("valid")).isFalse();
    JSONArray problems = json.getJSONArray("files").getJSONObject(0).getJSONArray("problems");
    JSONObject problem = problems.getJSONObject(0);
    assertThat(problem.getString("file")).isEqualTo("bad.yaml");
    assertThat(problem.getInt("line")).isEqualTo(3);
    assertThat(problem.getInt("column")).isEqualTo(13);
    assertThat(problem.getString("severity")).isEqualTo("error");
    assertThat(problem.getString("code")).isEqualTo("schema.enum");
    assertThat(problem.getString("hint")).isEqualTo("did you mean `rollback`?");
    assertThat(result.stderr()).isEmpty();
  }

  @Test
  void warningsPassUnlessStrict() throws Exception {
    write(
        "warn.yaml",
        "schema: runbook/v1\nname: demo\nsteps:\n  - id: m\n    run: echo\n"
            + "    irreversible: forward-only\n    compensate: { run: echo undo }\n");
    CliProcess.Result lenient = CliProcess.run(dir, "validate", "warn.yaml");
    assertThat(lenient.exitCode()).isZero();
    assertThat(lenient.stderr()).startsWith("warn.yaml:4:5: warning: ");
    assertThat(CliProcess.run(dir, "validate", "--strict", "warn.yaml").exitCode()).isEqualTo(2);
  }

  @Test
  void missingFileIsALocatedErrorNotAStackTrace() throws Exception {
    CliProcess.Result result = CliProcess.run(dir, "validate", "nope.yaml");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).isEqualTo("nope.yaml: error: no such file\n");
  }

  @Test
  void schemaCommandPrintsTheShippedSchema() throws Exception {
    CliProcess.Result result = CliProcess.run(dir, "schema");
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).isEqualTo(RunbookSchema.text());
    assertThat(new JSONObject(result.stdout()).getString("$schema"))
        .isEqualTo("http://json-schema.org/draft-07/schema#");
  }

  @Test
  void mistypedCommandGetsASuggestionAndExitsTwo() throws Exception {
    CliProcess.Result result = CliProcess.run(dir, "valdate", "x.yaml");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("validate");
    assertNoStackTrace(result);
  }

  @Test
  void everyCommandsHelpShowsAnExample() throws Exception {
    for (String command : new String[] {"validate", "schema"}) {
      CliProcess.Result result = CliProcess.run(dir, command, "--help");
      assertThat(result.exitCode()).isZero();
      assertThat(result.stdout()).contains("Usage: runbook " + command).contains("Example");
    }
  }

  @Test
  void versionNamesTheBuild() throws Exception {
    CliProcess.Result result = CliProcess.run(dir, "--version");
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).startsWith("runbook 0.1.0");
  }
}
