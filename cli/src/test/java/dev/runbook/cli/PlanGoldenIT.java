package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code plan} renderings compared with golden files: {@code
 * src/test/resources/plans/<name>.<format>.golden}. Run with {@code -Dgolden.update=true} to
 * rewrite them, then review the diff.
 *
 * <p>Before comparing, what depends on the machine is replaced: the state directory by {@code
 * <state>}, the runbook's directory by {@code <dir>}, the runbooks' SHA-256 digests (which change
 * with any byte of the file, a comment included) by {@code <sha256>}. JSON is compared in a
 * canonical form, keys sorted: the renderer's key order is not part of its contract.
 */
class PlanGoldenIT {
  static final Path PLANS = Path.of("src/test/resources/plans").toAbsolutePath();
  static final Path DEMO = Path.of("../examples/demo-upgrade.yaml").toAbsolutePath().normalize();
  static final boolean UPDATE = Boolean.getBoolean("golden.update");

  /** Given to {@code full.yaml}'s secret: a golden that held it would be a leak. */
  static final String SECRET = "golden-secret-9f2c";

  @TempDir Path dir;

  static Stream<Arguments> renderings() {
    List<Arguments> cases = new ArrayList<>();
    for (String name : List.of("demo-upgrade", "call", "when-output", "full")) {
      for (String format : List.of("text", "json", "mermaid")) {
        cases.add(Arguments.of(name, format));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}.{1}")
  @MethodSource("renderings")
  void offlinePlanMatchesItsGoldenFile(String name, String format) throws Exception {
    Path runbook = name.equals("demo-upgrade") ? DEMO : PLANS.resolve(name + ".yaml");
    Path state = dir.resolve("state");

    CliProcess.Result result =
        CliProcess.run(
            dir,
            Map.of("RUNBOOK_PARAM_DB_PASSWORD", SECRET),
            "plan",
            runbook.toString(),
            "--offline",
            "--format",
            format,
            "--state-dir",
            state.toString());

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stderr()).isEmpty();
    assertThat(result.stdout()).doesNotContain(SECRET);
    String actual =
        normalise(
            format.equals("json") ? canonicalJson(result.stdout()) : result.stdout(),
            state,
            runbook.getParent());
    assertMatchesGolden(PLANS.resolve(name + "." + format + ".golden"), actual);
  }

  @Test
  void livePlanExitsThreeWhileAPreconditionIsUnmetAndZeroOnceItHolds() throws Exception {
    Files.writeString(
        dir.resolve("gate.yaml"),
        """
        schema: runbook/v1
        name: gate
        preconditions:
          - name: the release is unpacked
            path: release/ready
          - command: "true"
        steps:
          - id: deploy
            run: touch deployed
        """);

    CliProcess.Result unmet = plan("gate.yaml");
    CliProcess.Result unmetJson = plan("gate.yaml", "--format", "json");
    CliProcess.Result offline = plan("gate.yaml", "--offline");
    Files.createDirectories(dir.resolve("release"));
    Files.writeString(dir.resolve("release/ready"), "");
    CliProcess.Result holds = plan("gate.yaml");

    assertThat(unmet.exitCode()).as(unmet.stderr()).isEqualTo(3);
    assertThat(unmet.stdout())
        .contains("[UNMET] the release is unpacked: path release/ready exists -- ")
        .contains("[ok] command `true` exits 0 -- exit 0");
    assertThat(unmetJson.exitCode()).isEqualTo(3);
    assertThat(
            new JSONObject(unmetJson.stdout())
                .getJSONArray("preconditions")
                .getJSONObject(0)
                .getString("result"))
        .isEqualTo("failed");
    assertThat(offline.exitCode()).isZero();
    assertThat(offline.stdout()).contains("[ ? ] the release is unpacked");
    assertThat(holds.exitCode()).as(holds.stdout() + holds.stderr()).isZero();
    assertThat(holds.stdout()).contains("[ok] the release is unpacked");
    assertThat(dir.resolve("deployed")).as("plan changes nothing").doesNotExist();
    assertThat(dir.resolve("state/runs")).doesNotExist();
  }

  @Test
  void planNamesWhatItCannotKnowBeforeRunning() throws Exception {
    Path runbook = PLANS.resolve("when-output.yaml");

    CliProcess.Result text = plan(runbook.toString(), "--offline");
    CliProcess.Result json = plan(runbook.toString(), "--offline", "--format", "json");

    assertThat(text.exitCode()).isZero();
    assertThat(text.stdout())
        .contains(
            "decided at run time: when `steps.current.outputs.version != params.target`:"
                + " known after `current` runs")
        .contains("run: echo \"from <known after `current` runs> to 2.0\"")
        .contains("http: GET http://localhost:8080/versions/<known after `current` runs>")
        .contains("SKIPPED: when `params.target == '3.0'` is false");
    JSONObject upgrade = new JSONObject(json.stdout()).getJSONArray("steps").getJSONObject(1);
    assertThat(upgrade.getString("id")).isEqualTo("upgrade");
    assertThat(upgrade.getString("decision")).isEqualTo("decided_at_run");
    assertThat(upgrade.getString("reason")).endsWith("known after `current` runs");
  }

  private CliProcess.Result plan(String runbook, String... options)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("plan", runbook));
    args.addAll(List.of(options));
    args.addAll(List.of("--state-dir", dir.resolve("state").toString()));
    return CliProcess.run(dir, args.toArray(String[]::new));
  }

  private static void assertMatchesGolden(Path golden, String actual) throws IOException {
    if (UPDATE) {
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
      return;
    }
    assertThat(golden)
        .as("golden file %s is missing: run the test with -Dgolden.update=true", golden)
        .exists();
    assertThat(actual)
        .as("%s differs (rewrite with -Dgolden.update=true, then review the diff)", golden)
        .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }

  private static String normalise(String text, Path state, Path runbookDir) {
    return text.replace(state.toString(), "<state>").replace(runbookDir.toString(), "<dir>");
  }

  /** The plan's JSON with keys sorted and the runbooks' digests replaced (see the class doc). */
  private static String canonicalJson(String text) {
    JSONObject plan = new JSONObject(text);
    JSONObject runbooks = plan.getJSONObject("digest").getJSONObject("runbooks");
    for (String file : runbooks.keySet()) {
      runbooks.put(file, "<sha256>");
    }
    StringBuilder out = new StringBuilder();
    write(plan, "", out);
    return out.append('\n').toString();
  }

  private static void write(Object value, String indent, StringBuilder out) {
    String inner = indent + "  ";
    if (value instanceof JSONObject object) {
      if (object.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append("{\n");
      String separator = "";
      for (String key : new TreeSet<>(object.keySet())) {
        out.append(separator).append(inner).append(JSONObject.quote(key)).append(": ");
        write(object.get(key), inner, out);
        separator = ",\n";
      }
      out.append('\n').append(indent).append('}');
    } else if (value instanceof JSONArray array) {
      if (array.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append("[\n");
      for (int i = 0; i < array.length(); i++) {
        out.append(i == 0 ? "" : ",\n").append(inner);
        write(array.get(i), inner, out);
      }
      out.append('\n').append(indent).append(']');
    } else if (value instanceof String string) {
      out.append(JSONObject.quote(string));
    } else {
      out.append(value == JSONObject.NULL ? "null" : String.valueOf(value));
    }
  }
}
