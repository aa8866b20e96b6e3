package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every action kind through {@code runbook run}: real shells, files, servers and processes. */
class RunActionsIT {
  @TempDir Path dir;
  Workspace ws;

  @BeforeEach
  void setUp() {
    ws = new Workspace(dir);
  }

  @Test
  void runScriptsUseShByDefaultAndTheNamedShellOtherwise() throws Exception {
    ws.write(
        "shells.yaml",
        """
        schema: runbook/v1
        name: shells
        params:
          greeting: { type: string, default: "hello  world" }
        steps:
          - id: posix
            run: echo "$0|${{ params.greeting }}" > sh.txt
          - id: errexit
            continue_on_error: true
            run: |
              false
              touch after-false.txt
          - id: bash
            shell: bash
            run: |
              declare -A seen=([key]=bash-only)
              [[ "${{ params.greeting }}" == hello* ]] && echo "${seen[key]}|${{ params.greeting }}" > bash.txt
          - id: python
            shell: python3
            env: { GREETING: "${{ params.greeting }}" }
            run: |
              import os, sys
              with open("py.txt", "w") as f:
                  f.write("%s|%s" % (sys.version_info[0], os.environ["GREETING"].upper()))
        """);

    CliProcess.Result result = ws.run("shells.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    assertThat(ws.read("sh.txt")).isEqualTo("/bin/sh|hello  world\n");
    assertThat(ws.exists("after-false.txt")).as("sh runs with -e").isFalse();
    assertThat(ws.read("bash.txt")).isEqualTo("bash-only|hello  world\n");
    assertThat(ws.read("py.txt")).isEqualTo("3|HELLO  WORLD");
  }

  @Test
  void execPassesEveryArgumentIntactWithoutAShell() throws Exception {
    ws.write(
        "exec.yaml",
        """
        schema: runbook/v1
        name: exec
        params:
          hostile: { type: string, default: "$(touch pwned); rm -rf x" }
        steps:
          - id: argv
            exec:
              - python3
              - -c
              - "import json, sys; json.dump(sys.argv[1:], open('argv.json', 'w'))"
              - "two  words"
              - "$HOME"
              - "'quoted'"
              - "*"
              - ";ls"
              - "${{ params.hostile }}"
              - "--flag=${{ params.hostile }}"
        """);

    CliProcess.Result result = ws.run("exec.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    assertThat(new JSONArray(ws.read("argv.json")).toList())
        .containsExactly(
            "two  words",
            "$HOME",
            "'quoted'",
            "*",
            ";ls",
            "$(touch pwned); rm -rf x",
            "--flag=$(touch pwned); rm -rf x");
    assertThat(ws.exists("pwned")).isFalse();
  }

  @Test
  void httpActionSendsMethodHeadersAndBodyAndChecksStatusBodyAndJson() throws Exception {
    try (LoopbackServer server =
        new LoopbackServer()
            .answer(
                "/items",
                201,
                "application/json",
                "{\"state\": \"created\", \"item\": {\"id\": 7, \"name\": \"widget\"}}")) {
      ws.write(
          "http.yaml",
          """
          schema: runbook/v1
          name: http-action
          params:
            name: { type: string, default: widget }
          steps:
            - id: create
              http:
                url: "@URL@/items"
                method: POST
                headers: { X-Token: abc123, Content-Type: application/json }
                body: '{"name": "${{ params.name }}"}'
                status: 201
                contains: created
                json: { "/item/id": 7, "/item/name": "${{ params.name }}" }
              outputs:
                id: { json: /item/id }
                state: { regex: '"state": *"([a-z]+)"' }
            - id: record
              run: >-
                echo "${{ steps.create.outputs.status }} ${{ steps.create.outputs.id }}
                ${{ steps.create.outputs.state }}" > record.txt
          """
              .replace("@URL@", server.url()));

      CliProcess.Result result = ws.run("http.yaml");

      assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
      assertThat(server.requests()).hasSize(1);
      LoopbackServer.Request request = server.requests().get(0);
      assertThat(request.method()).isEqualTo("POST");
      assertThat(request.path()).isEqualTo("/items");
      assertThat(request.headers())
          .containsEntry("x-token", "abc123")
          .containsEntry("content-type", "application/json");
      assertThat(request.body()).isEqualTo("{\"name\": \"widget\"}");
      assertThat(ws.read("record.txt")).isEqualTo("201 7 created\n");
    }
  }

  @Test
  void httpActionFailsOnAWrongStatusBodyOrJsonField() throws Exception {
    try (LoopbackServer server =
        new LoopbackServer()
            .answer("/broken", 500, "text/plain", "boom")
            .answer("/health", 200, "application/json", "{\"database\": \"down\"}")) {
      ws.write(
          "http-fail.yaml",
          """
          schema: runbook/v1
          name: http-fail
          steps:
            - id: wrong_status
              continue_on_error: true
              http: "@URL@/broken"
            - id: wrong_body
              continue_on_error: true
              http: { url: "@URL@/health", contains: healthy }
            - id: wrong_json
              continue_on_error: true
              http: { url: "@URL@/health", json: { "/database": ok } }
            - id: stops_here
              http: { url: "@URL@/broken", method: DELETE, status: 204 }
            - id: never
              run: touch never.txt
          """
              .replace("@URL@", server.url()));

      CliProcess.Result result = ws.run("http-fail.yaml", "--on-failure", "stop");

      assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(4);
      assertThat(result.stdout())
          .contains("step wrong_status: FAILED: status 500, expected 200")
          .contains("step wrong_body: FAILED: body does not contain \"healthy\"")
          .contains("step wrong_json: FAILED: /database")
          .contains("step stops_here: FAILED: status 500, expected 204");
      assertThat(ws.exists("never.txt")).isFalse();
      assertThat(server.requests()).extracting(LoopbackServer.Request::method).contains("DELETE");
    }
  }

  @Test
  void copyReplacesTheTargetDirectoryKeepingModesAndTimes() throws Exception {
    Path src = Files.createDirectories(dir.resolve("app/.next/static"));
    Files.writeString(src.resolve("page.js"), "new page");
    Files.writeString(dir.resolve("app/.next/run.sh"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(
        dir.resolve("app/.next/run.sh"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("rwx------"));
    FileTime old = FileTime.from(Instant.parse("2020-01-02T03:04:05Z"));
    Files.setLastModifiedTime(src.resolve("page.js"), old);
    Path stale = Files.createDirectories(dir.resolve("app/.next.prev/leftover"));
    Files.writeString(stale.resolve("old.js"), "stale");
    ws.write(
        "copy.yaml",
        """
        schema: runbook/v1
        name: copy
        steps:
          - id: keep_previous
            cwd: app
            copy: { from: .next, to: .next.prev }
        """);

    CliProcess.Result result = ws.run("copy.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    Path copy = dir.resolve("app/.next.prev");
    assertThat(copy.resolve("leftover")).doesNotExist();
    assertThat(copy.resolve("static/page.js")).hasContent("new page");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy.resolve("run.sh"))))
        .isEqualTo("rwxr-x---");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copy.resolve("static"))))
        .isEqualTo("rwx------");
    assertThat(Files.getLastModifiedTime(copy.resolve("static/page.js"))).isEqualTo(old);
    assertThat(dir.resolve("app/.next/static/page.js")).hasContent("new page");
  }

  @Test
  void backupThenRestoreBringsBackContentsAndModes() throws Exception {
    Files.createDirectories(dir.resolve("app/data"));
    Files.writeString(dir.resolve("app/VERSION"), "1.0\n");
    Files.writeString(dir.resolve("app/data/db.txt"), "orders: 42\n");
    Files.setPosixFilePermissions(
        dir.resolve("app/data/db.txt"), PosixFilePermissions.fromString("rw-------"));
    ws.write(
        "roundtrip.yaml",
        """
        schema: runbook/v1
        name: roundtrip
        steps:
          - id: save
            cwd: app
            backup: { paths: [VERSION, data], to: ../saved }
          - id: wreck
            cwd: app
            run: |
              echo 2.0 > VERSION
              chmod 644 data/db.txt
              echo "schema: 2" >> data/db.txt
              echo junk > data/junk.txt
          - id: put_back
            restore: { from: "${{ steps.save.outputs.dir }}", to: app }
        """);

    CliProcess.Result result = ws.run("roundtrip.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    assertThat(dir.resolve("saved/manifest.json")).isRegularFile();
    assertThat(dir.resolve("app/VERSION")).hasContent("1.0");
    assertThat(dir.resolve("app/data/db.txt")).hasContent("orders: 42");
    assertThat(dir.resolve("app/data/junk.txt")).doesNotExist();
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("app/data/db.txt"))))
        .isEqualTo("rw-------");
  }

  @Test
  void restoreRefusesATamperedBackupAndChangesNothing() throws Exception {
    Files.createDirectories(dir.resolve("app/data"));
    Files.writeString(dir.resolve("app/VERSION"), "1.0\n");
    Files.writeString(dir.resolve("app/data/db.txt"), "orders: 42\n");
    ws.write(
        "save.yaml",
        """
        schema: runbook/v1
        name: save
        steps:
          - id: save
            cwd: app
            backup: { paths: [VERSION, data], to: ../saved }
        """);
    assertThat(ws.run("save.yaml").exitCode()).isZero();
    Files.writeString(dir.resolve("app/VERSION"), "2.0\n");
    Files.writeString(dir.resolve("app/data/db.txt"), "orders: 42\nschema: 2\n");
    Files.writeString(dir.resolve("saved/data/db.txt"), "orders: 0\n"); // tampered
    Map<String, String> before = tree(dir.resolve("app"));
    ws.write(
        "restore.yaml",
        """
        schema: runbook/v1
        name: restore
        on_failure: stop
        steps:
          - id: put_back
            restore: { from: saved, to: app }
          - id: after
            run: touch after.txt
        """);

    CliProcess.Result result = ws.run("restore.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(4);
    assertThat(result.stdout())
        .contains("step put_back: FAILED: ")
        .contains("does not match its manifest")
        .contains("data/db.txt");
    assertThat(tree(dir.resolve("app"))).isEqualTo(before);
    assertThat(ws.exists("after.txt")).isFalse();
  }

  @Test
  void waitEndsWhenABackgroundProcessCreatesTheFile() throws Exception {
    ws.write(
        "wait.yaml",
        """
        schema: runbook/v1
        name: wait
        steps:
          - id: announce
            run: touch waiting.flag
          - id: ready
            wait: { until: { path: { at: ready.flag, is: file } }, timeout: 30s, interval: 100ms }
          - id: after
            run: touch after.txt
        """);
    Process writer = ws.touchLater("waiting.flag", "ready.flag");
    try {
      CliProcess.Result result = ws.run("wait.yaml");

      assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
      assertThat(ws.exists("after.txt")).isTrue();
      assertThat(writer.isAlive()).as("the wait ended only after the file appeared").isFalse();
    } finally {
      writer.destroyForcibly();
    }
  }

  @Test
  void waitFailsTheStepAtItsTimeoutOrTheStepsIfThatIsShorter() throws Exception {
    ws.write(
        "wait.yaml",
        """
        schema: runbook/v1
        name: wait
        on_failure: stop
        steps:
          - id: bounded
            continue_on_error: true
            timeout: 300ms
            wait: { until: { path: never.flag }, timeout: 1h, interval: 100ms }
          - id: ready
            wait: { until: { path: never.flag }, timeout: 400ms, interval: 300ms }
          - id: after
            run: touch after.txt
        """);

    long start = System.nanoTime();
    CliProcess.Result result = ws.run("wait.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(4);
    assertThat(result.stdout())
        .contains("step bounded: FAILED: still not true after 300ms: path never.flag exists")
        .contains("step ready: FAILED: still not true after 400ms: path never.flag exists");
    assertThat(ws.exists("after.txt")).isFalse();
    assertThat(Workspace.journal(result, "step_started")).hasSize(2);
    assertThat(System.nanoTime() - start).isGreaterThan(700_000_000L);
  }

  @Test
  void confirmWithoutATerminalOrYesPausesTheRunWithExitFour() throws Exception {
    ws.write("confirm.yaml", CONFIRM);

    CliProcess.Result result = ws.run("confirm.yaml");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isEqualTo(4);
    assertThat(ws.exists("before.txt")).isTrue();
    assertThat(ws.exists("after.txt")).isFalse();
    List<JSONObject> paused = Workspace.journal(result, "paused");
    assertThat(paused).hasSize(1);
    assertThat(paused.get(0).getString("step")).isEqualTo("check_dashboard");
    assertThat(result.stdout()).contains("--confirm check_dashboard");
  }

  @Test
  void confirmWithYesGoesOn() throws Exception {
    ws.write("confirm.yaml", CONFIRM);

    CliProcess.Result result = ws.run("confirm.yaml", "--yes");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    assertThat(ws.exists("after.txt")).isTrue();
    assertThat(Workspace.journalTypes(result)).doesNotContain("paused");
  }

  private static final String CONFIRM =
      """
      schema: runbook/v1
      name: confirm
      steps:
        - id: before
          run: touch before.txt
        - id: check_dashboard
          confirm: "Sign in and check the dashboard."
        - id: after
          run: touch after.txt
      """;

  @Test
  void callRunsTheOtherRunbookWithItsParamsAndPlanShowsItsStepsNested() throws Exception {
    ws.write(
        "common/stop-service.yaml",
        """
        schema: runbook/v1
        name: stop-service
        params:
          service: { type: string }
          grace: { type: int, default: 5 }
        steps:
          - id: announce
            run: echo "stopping ${{ params.service }} within ${{ params.grace }}s" >> ../calls.txt
          - id: mark
            run: touch "../${{ params.service }}.stopped"
        """);
    ws.write(
        "app/upgrade.yaml",
        """
        schema: runbook/v1
        name: upgrade
        params:
          name: { type: string, default: seqdesk }
        steps:
          - id: first
            run: echo first > ../calls.txt
          - id: stop
            call:
              runbook: ../common/stop-service.yaml
              params: { service: "${{ params.name }}", grace: 30 }
          - id: last
            run: echo last >> ../calls.txt
        """);

    CliProcess.Result plan = ws.plan("app/upgrade.yaml");
    assertThat(plan.exitCode()).as(Workspace.describe(plan)).isZero();
    assertThat(plan.stdout())
        .contains(
            """
              2. stop
                 call: ../common/stop-service.yaml with service=seqdesk, grace=30
                   1. stop/announce
                      run: echo "stopping seqdesk within 30s" >> ../calls.txt
                   2. stop/mark
            """);
    CliProcess.Result json = ws.plan("app/upgrade.yaml", "--format", "json");
    JSONArray children =
        new JSONObject(json.stdout())
            .getJSONArray("steps")
            .getJSONObject(1)
            .getJSONArray("children");
    assertThat(children.getJSONObject(0).getString("id")).isEqualTo("stop/announce");
    assertThat(children.getJSONObject(1).getString("id")).isEqualTo("stop/mark");

    CliProcess.Result result = ws.run("app/upgrade.yaml", "-p", "name=svrunner");

    assertThat(result.exitCode()).as(Workspace.describe(result)).isZero();
    // Each runbook's steps start in its own directory: both write the workspace's calls.txt.
    assertThat(ws.read("calls.txt")).isEqualTo("first\nstopping svrunner within 30s\nlast\n");
    assertThat(ws.exists("svrunner.stopped")).isTrue();
    assertThat(result.stdout())
        .contains("step stop/announce: succeeded")
        .contains("step stop/mark");
  }

  /** Every regular file under {@code root} with its content and mode, by relative path. */
  static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        files.put(
            root.relativize(p).toString(),
            mode + (Files.isRegularFile(p) ? " " + Files.readString(p) : " dir"));
      }
    }
    return files;
  }
}
