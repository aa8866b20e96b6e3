package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every check kind (command, path, http, port, disk_free, expr) as a run's precondition, a step's
 * requirement and a step's verify, against real files, a real server and real sockets on loopback.
 */
class RunChecksIT {
  @TempDir Path dir;
  Workspace ws;
  LoopbackServer server;
  ServerSocket listening;
  int closedPort;

  @BeforeEach
  void setUp() throws IOException {
    ws = new Workspace(dir);
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("data/db.txt"), "orders: 42\n");
    server =
        new LoopbackServer()
            .answer("/health", 200, "application/json", "{\"database\": \"ok\"}")
            .answer("/down", 503, "text/plain", "maintenance");
    listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    try (ServerSocket released = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      closedPort = released.getLocalPort();
    }
  }

  @AfterEach
  void tearDown() throws IOException {
    server.close();
    listening.close();
  }

  /** One check of each kind (paths in each state) that holds in the fixture, by name. */
  private Map<String, String> holding() {
    Map<String, String> checks = new LinkedHashMap<>();
    checks.put("command", "command: test -s data/db.txt");
    checks.put("path_exists", "path: data");
    checks.put("path_file", "path: { at: data/db.txt, is: file }");
    checks.put("path_dir", "path: { at: data, is: dir }");
    checks.put("path_absent", "path: { at: data/missing, is: absent }");
    checks.put(
        "http",
        "http: { url: \""
            + server.url()
            + "/health\", contains: ok, json: { \"/database\": ok } }");
    checks.put(
        "port_open", "port: { host: 127.0.0.1, port: " + listening.getLocalPort() + ", is: open }");
    checks.put("port_closed", "port: { host: 127.0.0.1, port: " + closedPort + ", is: closed }");
    checks.put("port_scalar", "port: " + listening.getLocalPort());
    checks.put("http_scalar", "http: \"" + server.url() + "/health\"");
    checks.put("disk_free", "disk_free: { path: data, min: 1KiB }");
    checks.put("expr", "expr: \"params.rows > 0 && env.NAME == 'checks'\"");
    return checks;
  }

  /** One check of each kind (paths in each state) that does not hold in the fixture, by name. */
  private Map<String, String> unmet() {
    Map<String, String> checks = new LinkedHashMap<>();
    checks.put("command", "command: test -s data/missing");
    checks.put("path_exists", "path: data/missing");
    checks.put("path_file", "path: { at: data, is: file }");
    checks.put("path_dir", "path: { at: data/db.txt, is: dir }");
    checks.put("path_absent", "path: { at: data/db.txt, is: absent }");
    checks.put("http_status", "http: \"" + server.url() + "/down\"");
    checks.put(
        "http_json",
        "http: { url: \"" + server.url() + "/health\", json: { \"/database\": down } }");
    checks.put("port_open", "port: { host: 127.0.0.1, port: " + closedPort + ", is: open }");
    checks.put(
        "port_closed",
        "port: { host: 127.0.0.1, port: " + listening.getLocalPort() + ", is: closed }");
    checks.put("disk_free", "disk_free: { path: data, min: 1000TiB }");
    checks.put("expr", "expr: params.rows > 100");
    return checks;
  }

  private static final String HEADER =
      """
      schema: runbook/v1
      name: checks
      params:
        rows: { type: int, default: 3 }
      env: { NAME: checks }
      on_failure: stop
      """;

  /** {@code checks} as a YAML list, each item named by its key, at {@code indent}. */
  private static String list(Map<String, String> checks, String indent, String extra) {
    StringBuilder out = new StringBuilder();
    checks.forEach(
        (name, check) -> {
          out.append(indent).append("- name: ").append(name).append('\n');
          out.append(indent).append("  ").append(check).append('\n');
          if (!extra.isEmpty()) {
            out.append(indent).append("  ").append(extra).append('\n');
          }
        });
    return out.toString();
  }

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void everyCheckKindThatHoldsPassesAsPreconditionRequirementAndVerify() throws Exception {
    ws.write(
        "hold.yaml",
        HEADER
            + "preconditions:\n"
            + list(holding(), "  ", "")
            + "steps:\n"
            + "  - id: guarded\n"
            + "    run: touch guarded.txt\n"
            + "    requires:\n"
            + list(holding(), "      ", "")
            + "    verify:\n"
            + list(holding(), "      ", "")
            + "      - path: { at: guarded.txt, is: file }\n");

    CliProcess.Result plan = ws.plan("hold.yaml");
    assertThat(plan.exitCode()).as(Workspace.describe(plan)).isZero();
    assertThat(count(plan.stdout(), "^  \\[ok\\] ")).isEqualTo(holding().size());

    CliProcess.Result result = ws.run("hold.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    assertThat(count(result.stdout(), "precondition ok: ")).isEqualTo(holding().size());
    assertThat(ws.exists("guarded.txt")).isTrue();
    assertThat(result.stdout()).contains("step guarded: succeeded");
  }

  @Test
  void anUnmetPreconditionOfAnyKindExitsThreeBeforeAnyStepRuns() throws Exception {
    ws.write(
        "unmet.yaml",
        HEADER
            + "preconditions:\n"
            + list(unmet(), "  ", "")
            + "steps:\n"
            + "  - id: change\n"
            + "    run: touch changed.txt\n"
            + "finally:\n"
            + "  - id: cleanup\n"
            + "    run: touch finally.txt\n");

    CliProcess.Result plan = ws.plan("unmet.yaml");
    assertThat(plan.exitCode()).as(Workspace.describe(plan)).isEqualTo(3);
    assertThat(count(plan.stdout(), "^  \\[UNMET\\] ")).isEqualTo(unmet().size());

    CliProcess.Result result = ws.run("unmet.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(3);
    for (String name : unmet().keySet()) {
      assertThat(result.stdout()).contains("precondition UNMET: " + name + " -- ");
    }
    assertThat(result.stdout())
        .contains("http_status -- status 503, expected 200")
        .contains("expr -- false");
    assertThat(ws.exists("changed.txt")).isFalse();
    assertThat(ws.exists("finally.txt")).isFalse();
    assertThat(Workspace.journalTypes(result))
        .contains("preconditions_unmet")
        .doesNotContain("step_started");
  }

  @Test
  void anUnmetRequirementSkipsTheStepWithSkipAndFailsItOtherwise() throws Exception {
    StringBuilder steps = new StringBuilder();
    for (Map.Entry<String, String> check : unmet().entrySet()) {
      steps
          .append("  - id: skip_")
          .append(check.getKey())
          .append("\n    run: touch ran_")
          .append(check.getKey())
          .append("\n    requires:\n      - ")
          .append(check.getValue())
          .append("\n        on_unmet: skip\n");
    }
    ws.write(
        "requires.yaml",
        HEADER
            + "steps:\n"
            + steps
            + "  - id: after_skips\n"
            + "    run: touch after_skips.txt\n"
            + "  - id: must\n"
            + "    run: touch must.txt\n"
            + "    requires:\n"
            + "      - name: the release is downloaded\n"
            + "        path: release.tar.gz\n"
            + "  - id: never\n"
            + "    run: touch never.txt\n");

    CliProcess.Result result = ws.run("requires.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(4);
    List<JSONObject> skipped = Workspace.journal(result, "step_skipped");
    assertThat(skipped).hasSize(unmet().size());
    for (String name : unmet().keySet()) {
      assertThat(ws.exists("ran_" + name)).as(name).isFalse();
    }
    assertThat(ws.exists("after_skips.txt")).isTrue();
    assertThat(result.stdout())
        .containsPattern(
            "step must: FAILED: requirement not met: the release is downloaded"
                + " \\(.*release.tar.gz does not exist");
    assertThat(ws.exists("must.txt")).isFalse();
    assertThat(ws.exists("never.txt")).isFalse();
    assertThat(Workspace.journal(result, "step_started"))
        .extracting(r -> r.getString("step"))
        .containsExactly("after_skips");
  }

  @Test
  void aRequirementWithWaitWaitsUntilItHoldsAndFailsTheStepAtItsTimeout() throws Exception {
    ws.write(
        "wait.yaml",
        HEADER
            + "steps:\n"
            + "  - id: announce\n"
            + "    run: touch waiting.flag\n"
            + "  - id: after_flag\n"
            + "    run: touch after_flag.txt\n"
            + "    requires:\n"
            + "      - path: ready.flag\n"
            + "        on_unmet: wait\n"
            + "        timeout: 30s\n"
            + "        interval: 100ms\n"
            + "  - id: after_port\n"
            + "    run: touch after_port.txt\n"
            + "    requires:\n"
            + "      - port: { host: 127.0.0.1, port: "
            + closedPort
            + " }\n"
            + "        on_unmet: wait\n"
            + "        timeout: 400ms\n"
            + "        interval: 100ms\n");
    Process writer = ws.touchLater("waiting.flag", "ready.flag");
    try {
      CliProcess.Result result = ws.run("wait.yaml");

      assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(4);
      assertThat(ws.exists("after_flag.txt")).isTrue();
      assertThat(writer.isAlive()).isFalse();
      assertThat(result.stdout())
          .contains("step after_port: FAILED: requirement not met: port 127.0.0.1:" + closedPort)
          .contains("still after 400ms");
      assertThat(ws.exists("after_port.txt")).isFalse();
    } finally {
      writer.destroyForcibly();
    }
  }

  @Test
  void aVerifyOfAnyKindThatDoesNotHoldFailsItsStep() throws Exception {
    StringBuilder steps = new StringBuilder();
    for (Map.Entry<String, String> check : unmet().entrySet()) {
      steps
          .append("  - id: verify_")
          .append(check.getKey())
          .append("\n    run: touch ran_")
          .append(check.getKey())
          .append("\n    continue_on_error: true\n    verify:\n      - ")
          .append(check.getValue())
          .append('\n');
    }
    ws.write("verify.yaml", HEADER + "steps:\n" + steps);

    CliProcess.Result result = ws.run("verify.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    for (String name : unmet().keySet()) {
      assertThat(ws.exists("ran_" + name)).as("the action ran before its verify").isTrue();
      assertThat(result.stdout())
          .containsPattern("(?m)^.* failed, continued: verify_" + name + ": verify failed: ");
    }
  }
}
