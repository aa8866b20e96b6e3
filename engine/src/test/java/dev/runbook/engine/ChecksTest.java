package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.journal.RunStatus;
import dev.runbook.engine.testkit.EngineTestKit;
import dev.runbook.engine.testkit.EngineTestKit.KitResult;
import dev.runbook.engine.testkit.LoopbackServer;
import dev.runbook.engine.testkit.RecordingListener.Event;
import dev.runbook.engine.testkit.RecordingListener.Kind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every check kind (command, path, http, port, disk_free, expr) as a run's precondition, a step's
 * requirement and a step's verify, against real files, a real server and real sockets on loopback.
 */
class ChecksTest {
  @TempDir Path dir;
  private EngineTestKit kit;
  private LoopbackServer server;
  private ServerSocket listening;
  private int closedPort;

  @BeforeEach
  void setUp() throws IOException {
    kit = EngineTestKit.in(dir);
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
  private static String list(Map<String, String> checks, String indent) {
    StringBuilder out = new StringBuilder();
    checks.forEach(
        (name, check) -> {
          out.append(indent).append("- name: ").append(name).append('\n');
          out.append(indent).append("  ").append(check).append('\n');
        });
    return out.toString();
  }

  @Test
  void everyCheckKindThatHoldsPassesAsPreconditionRequirementAndVerify() {
    KitResult r =
        kit.runbook(
                HEADER
                    + "preconditions:\n"
                    + list(holding(), "  ")
                    + "steps:\n"
                    + "  - id: guarded\n"
                    + "    run: touch guarded.txt\n"
                    + "    requires:\n"
                    + list(holding(), "      ")
                    + "    verify:\n"
                    + list(holding(), "      ")
                    + "      - path: { at: guarded.txt, is: file }\n")
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(r.events().all())
        .filteredOn(e -> e.kind() == Kind.PRECONDITION_CHECKED)
        .allMatch(Event::ok)
        .extracting(Event::step)
        .containsExactlyElementsOf(holding().keySet());
    assertThat(dir.resolve("guarded.txt")).exists();
    assertThat(r.events().steps(Kind.STEP_SUCCEEDED)).containsExactly("guarded");
  }

  @Test
  void anUnmetPreconditionOfAnyKindEndsTheRunBeforeAnyStepOrFinallyRuns() {
    KitResult r =
        kit.runbook(
                HEADER
                    + "preconditions:\n"
                    + list(unmet(), "  ")
                    + "steps:\n"
                    + "  - id: change\n"
                    + "    run: touch changed.txt\n"
                    + "finally:\n"
                    + "  - id: cleanup\n"
                    + "    run: touch finally.txt\n")
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.PRECONDITIONS_UNMET);
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.events().all())
        .filteredOn(e -> e.kind() == Kind.PRECONDITION_CHECKED)
        .noneMatch(Event::ok)
        .extracting(Event::step)
        .containsExactlyElementsOf(unmet().keySet());
    assertThat(r.events().the(Kind.PRECONDITION_CHECKED, "http_status").detail())
        .isEqualTo("status 503, expected 200");
    assertThat(r.events().the(Kind.PRECONDITION_CHECKED, "expr").detail()).isEqualTo("false");
    assertThat(dir.resolve("changed.txt")).doesNotExist();
    assertThat(dir.resolve("finally.txt")).doesNotExist();
    assertThat(r.summary().status()).isEqualTo(RunStatus.PRECONDITIONS_UNMET);
    assertThat(r.journal().preconditionsHeld()).isFalse();
    assertThat(r.journal().steps()).as("no step started").isEmpty();
  }

  @Test
  void anUnmetRequirementSkipsTheStepWithSkipAndFailsItOtherwise() {
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
    KitResult r =
        kit.runbook(
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
                    + "    run: touch never.txt\n")
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.STOPPED);
    assertThat(r.events().steps(Kind.STEP_SKIPPED)).hasSize(unmet().size());
    for (String name : unmet().keySet()) {
      assertThat(dir.resolve("ran_" + name)).as(name).doesNotExist();
    }
    assertThat(dir.resolve("after_skips.txt")).exists();
    assertThat(r.events().the(Kind.STEP_FAILED, "must").detail())
        .matches(
            "requirement not met: the release is downloaded \\(.*release.tar.gz does not exist.*");
    assertThat(dir.resolve("must.txt")).doesNotExist();
    assertThat(dir.resolve("never.txt")).doesNotExist();
    assertThat(r.events().steps(Kind.STEP_STARTED)).containsExactly("after_skips");
    assertThat(r.journal().startedAndDone()).containsExactly("after_skips");
  }

  @Test
  void aRequirementWithWaitWaitsUntilItHoldsAndFailsTheStepAtItsTimeout() throws Exception {
    CompletableFuture<Void> writer = new CompletableFuture<>();
    KitResult r =
        kit.runbook(
                HEADER
                    + "steps:\n"
                    + "  - id: announce\n"
                    + "    run: \"true\"\n"
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
                    + "        interval: 100ms\n")
            .at(
                // the flag appears only once the run waits for it
                e -> e.is(Kind.STEP_SUCCEEDED, "announce"),
                () ->
                    writer.completeAsync(
                        () -> {
                          sleep(300);
                          touch("ready.flag");
                          return null;
                        }))
            .run();

    assertThat(writer).isDone();
    assertThat(r.status()).isEqualTo(RunResult.Status.STOPPED);
    assertThat(dir.resolve("after_flag.txt")).exists();
    assertThat(r.events().the(Kind.STEP_FAILED, "after_port").detail())
        .startsWith("requirement not met: port 127.0.0.1:" + closedPort)
        .contains("still after 400ms");
    assertThat(dir.resolve("after_port.txt")).doesNotExist();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void touch(String name) {
    try {
      Files.writeString(dir.resolve(name), "");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aVerifyOfAnyKindThatDoesNotHoldFailsItsStepAfterTheActionRan() {
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
    KitResult r = kit.runbook(HEADER + "steps:\n" + steps).run();

    assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    for (String name : unmet().keySet()) {
      assertThat(dir.resolve("ran_" + name)).as("the action ran before its verify").exists();
      assertThat(r.result().continuedFailures())
          .anySatisfy(f -> assertThat(f).startsWith("verify_" + name + ": verify failed: "));
    }
    assertThat(r.events().continuedPast()).hasSize(unmet().size());
  }
}
