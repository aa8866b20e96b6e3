package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.testkit.LoopbackServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code plan} shows of every check kind (command, path, http, port, disk_free, expr) as a
 * precondition, against real files, a real server and real sockets on loopback. How each kind
 * behaves in a run, as precondition, requirement and verify, is proven on the engine test kit
 * ({@code ChecksTest}).
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
  void planChecksEveryKindThatHoldsAndShowsEachOk() throws Exception {
    ws.write(
        "hold.yaml",
        HEADER
            + "preconditions:\n"
            + list(holding(), "  ", "")
            + "steps:\n"
            + "  - id: guarded\n"
            + "    run: touch guarded.txt\n");

    CliProcess.Result plan = ws.plan("hold.yaml");

    assertThat(plan.exitCode()).as(Workspace.describe(plan)).isZero();
    assertThat(count(plan.stdout(), "^  \\[ok\\] ")).isEqualTo(holding().size());
    assertThat(ws.exists("guarded.txt")).as("plan runs nothing").isFalse();
  }

  @Test
  void planOfAnUnmetPreconditionOfAnyKindExitsThreeAndShowsEachUnmet() throws Exception {
    ws.write(
        "unmet.yaml",
        HEADER
            + "preconditions:\n"
            + list(unmet(), "  ", "")
            + "steps:\n"
            + "  - id: change\n"
            + "    run: touch changed.txt\n");

    CliProcess.Result plan = ws.plan("unmet.yaml");

    assertThat(plan.exitCode()).as(Workspace.describe(plan)).isEqualTo(3);
    assertThat(count(plan.stdout(), "^  \\[UNMET\\] ")).isEqualTo(unmet().size());
    assertThat(ws.exists("changed.txt")).isFalse();
  }
}
