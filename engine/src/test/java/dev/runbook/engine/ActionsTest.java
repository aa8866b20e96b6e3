package dev.runbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runbook.engine.journal.RunFold.StepState;
import dev.runbook.engine.testkit.EngineTestKit;
import dev.runbook.engine.testkit.EngineTestKit.KitResult;
import dev.runbook.engine.testkit.LoopbackServer;
import dev.runbook.engine.testkit.RecordingListener.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.json.JSONArray;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every action kind, run by the engine: real shells, files, servers and processes. */
class ActionsTest {
  @TempDir Path dir;
  private EngineTestKit kit;

  @BeforeEach
  void kit() {
    kit = EngineTestKit.in(dir);
  }

  private String read(String name) throws IOException {
    return Files.readString(dir.resolve(name));
  }

  @Test
  void runScriptsUseShWithErrexitByDefaultAndTheNamedShellOtherwise() throws IOException {
    KitResult r =
        kit.runbook(
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
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(read("sh.txt")).isEqualTo("/bin/sh|hello  world\n");
    assertThat(dir.resolve("after-false.txt")).as("sh runs with -e").doesNotExist();
    assertThat(read("bash.txt")).isEqualTo("bash-only|hello  world\n");
    assertThat(read("py.txt")).isEqualTo("3|HELLO  WORLD");
  }

  @Test
  void execPassesEveryArgumentIntactWithoutAShell() throws IOException {
    KitResult r =
        kit.runbook(
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
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(new JSONArray(read("argv.json")).toList())
        .containsExactly(
            "two  words",
            "$HOME",
            "'quoted'",
            "*",
            ";ls",
            "$(touch pwned); rm -rf x",
            "--flag=$(touch pwned); rm -rf x");
    assertThat(dir.resolve("pwned")).doesNotExist();
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
      KitResult r =
          kit.runbook(
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
                      .replace("@URL@", server.url()))
              .run();

      assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
      assertThat(server.requests()).hasSize(1);
      LoopbackServer.Request request = server.requests().get(0);
      assertThat(request.method()).isEqualTo("POST");
      assertThat(request.path()).isEqualTo("/items");
      assertThat(request.headers())
          .containsEntry("x-token", "abc123")
          .containsEntry("content-type", "application/json");
      assertThat(request.body()).isEqualTo("{\"name\": \"widget\"}");
      assertThat(read("record.txt")).isEqualTo("201 7 created\n");
    }
  }

  @Test
  void httpActionFailsOnAWrongStatusBodyOrJsonField() throws Exception {
    try (LoopbackServer server =
        new LoopbackServer()
            .answer("/broken", 500, "text/plain", "boom")
            .answer("/health", 200, "application/json", "{\"database\": \"down\"}")) {
      KitResult r =
          kit.runbook(
                  """
                  schema: runbook/v1
                  name: http-fail
                  on_failure: stop
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
                      .replace("@URL@", server.url()))
              .run();

      assertThat(r.status()).isEqualTo(RunResult.Status.STOPPED);
      assertThat(r.events().the(Kind.STEP_FAILED, "wrong_status").detail())
          .startsWith("status 500, expected 200");
      assertThat(r.events().the(Kind.STEP_FAILED, "wrong_body").detail())
          .startsWith("body does not contain \"healthy\"");
      assertThat(r.events().the(Kind.STEP_FAILED, "wrong_json").detail()).startsWith("/database");
      assertThat(r.events().the(Kind.STEP_FAILED, "stops_here").detail())
          .startsWith("status 500, expected 204");
      assertThat(dir.resolve("never.txt")).doesNotExist();
      assertThat(server.requests()).extracting(LoopbackServer.Request::method).contains("DELETE");
    }
  }

  @Test
  void copyReplacesTheTargetDirectoryKeepingModesAndTimes() throws IOException {
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

    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: copy
                steps:
                  - id: keep_previous
                    cwd: app
                    copy: { from: .next, to: .next.prev }
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
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
  void backupThenRestoreBringsBackContentsAndModes() throws IOException {
    Files.createDirectories(dir.resolve("app/data"));
    Files.writeString(dir.resolve("app/VERSION"), "1.0\n");
    Files.writeString(dir.resolve("app/data/db.txt"), "orders: 42\n");
    Files.setPosixFilePermissions(
        dir.resolve("app/data/db.txt"), PosixFilePermissions.fromString("rw-------"));

    KitResult r =
        kit.runbook(
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
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
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
  void restoreRefusesATamperedBackupAndChangesNothing() throws IOException {
    Files.createDirectories(dir.resolve("app/data"));
    Files.writeString(dir.resolve("app/VERSION"), "1.0\n");
    Files.writeString(dir.resolve("app/data/db.txt"), "orders: 42\n");
    KitResult saved =
        kit.runbook(
                """
                schema: runbook/v1
                name: save
                steps:
                  - id: save
                    cwd: app
                    backup: { paths: [VERSION, data], to: ../saved }
                """)
            .run();
    assertThat(saved.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    Files.writeString(dir.resolve("app/VERSION"), "2.0\n");
    Files.writeString(dir.resolve("app/data/db.txt"), "orders: 42\nschema: 2\n");
    Files.writeString(dir.resolve("saved/data/db.txt"), "orders: 0\n"); // tampered
    Map<String, String> before = tree(dir.resolve("app"));

    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: restore
                on_failure: stop
                steps:
                  - id: put_back
                    restore: { from: saved, to: app }
                  - id: after
                    run: touch after.txt
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.STOPPED);
    assertThat(r.events().the(Kind.STEP_FAILED, "put_back").detail())
        .contains("does not match its manifest")
        .contains("data/db.txt");
    assertThat(tree(dir.resolve("app"))).isEqualTo(before);
    assertThat(dir.resolve("after.txt")).doesNotExist();
  }

  @Test
  void waitEndsWhenTheFileAppears() throws Exception {
    CompletableFuture<Void> writer = new CompletableFuture<>();
    KitResult r =
        kit.runbook(
                """
                schema: runbook/v1
                name: wait
                steps:
                  - id: announce
                    run: "true"
                  - id: ready
                    wait: { until: { path: { at: ready.flag, is: file } }, timeout: 30s, interval: 100ms }
                  - id: after
                    run: touch after.txt
                """)
            .at(
                // the file appears only once the run waits for it
                e -> e.is(Kind.STEP_SUCCEEDED, "announce"),
                () ->
                    writer.completeAsync(
                        () -> {
                          pause(300);
                          touch("ready.flag");
                          return null;
                        }))
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(dir.resolve("after.txt")).exists();
    assertThat(writer).as("the wait ended only after the file appeared").isDone();
  }

  @Test
  void waitFailsTheStepAtItsTimeoutOrTheStepsIfThatIsShorter() {
    long start = System.nanoTime();
    KitResult r =
        kit.runbook(
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
                """)
            .run();

    assertThat(r.status()).isEqualTo(RunResult.Status.STOPPED);
    assertThat(r.events().the(Kind.STEP_FAILED, "bounded").detail())
        .startsWith("still not true after 300ms: path never.flag exists");
    assertThat(r.events().the(Kind.STEP_FAILED, "ready").detail())
        .startsWith("still not true after 400ms: path never.flag exists");
    assertThat(dir.resolve("after.txt")).doesNotExist();
    assertThat(r.events().steps(Kind.STEP_STARTED)).containsExactly("bounded", "ready");
    assertThat(System.nanoTime() - start).isGreaterThan(700_000_000L);
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
  void aConfirmWithNobodyToAskPausesTheRunAtThatStep() {
    KitResult r = kit.runbook(CONFIRM).run();

    assertThat(r.status()).isEqualTo(RunResult.Status.PAUSED);
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(dir.resolve("before.txt")).exists();
    assertThat(dir.resolve("after.txt")).doesNotExist();
    assertThat(r.events().steps(Kind.PAUSED)).containsExactly("check_dashboard");
    assertThat(r.journal().steps())
        .filteredOn(s -> s.state() == StepState.PAUSED)
        .extracting(s -> s.id())
        .containsExactly("check_dashboard");
    assertThat(r.events().violations()).isEmpty();
  }

  @Test
  void aConfirmAnsweredYesGoesOn() {
    KitResult r = kit.runbook(CONFIRM).confirmations(Interaction.Confirmation.YES).run();

    assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(dir.resolve("after.txt")).exists();
    assertThat(r.events().steps(Kind.PAUSED)).isEmpty();
  }

  @Test
  void aPausedConfirmIsStillPausedOnResumeUntilConfirmedByName() {
    KitResult paused = kit.runbook(CONFIRM).run();

    KitResult stillPaused = kit.resume(paused.runId()).run();
    assertThat(stillPaused.status()).isEqualTo(RunResult.Status.PAUSED);
    assertThat(dir.resolve("after.txt")).doesNotExist();

    KitResult confirmed = kit.resume(paused.runId()).confirm("check_dashboard").run();
    assertThat(confirmed.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    assertThat(dir.resolve("after.txt")).exists();
    assertThat(confirmed.events().steps(Kind.STEP_DONE_BEFORE)).contains("before");
    assertThat(confirmed.summary().status())
        .isEqualTo(dev.runbook.engine.journal.RunStatus.SUCCEEDED);
  }

  @Test
  void callRunsTheOtherRunbookWithItsParamsInItsOwnDirectory() throws IOException {
    kit.write(
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
    Path upgrade =
        kit.write(
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

    KitResult r = kit.file(upgrade).param("name", "svrunner").run();

    assertThat(r.status()).isEqualTo(RunResult.Status.SUCCEEDED);
    // Each runbook's steps start in its own directory: both write the workspace's calls.txt.
    assertThat(read("calls.txt")).isEqualTo("first\nstopping svrunner within 30s\nlast\n");
    assertThat(dir.resolve("svrunner.stopped")).exists();
    assertThat(r.events().steps(Kind.STEP_SUCCEEDED))
        .containsSubsequence("first", "stop/announce", "stop/mark", "last");
    assertThat(r.events().violations()).isEmpty();
  }

  private static void pause(long millis) {
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
