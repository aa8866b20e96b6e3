package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@code secret: true} parameter through the real CLI: it reaches the children that need it (a
 * script's environment, an http header, a check, a called runbook) and nothing else: not stdout or
 * stderr, not a file of the state directory, not a plan, not any process's argv.
 */
class SecretsIT {
  /** Letters, digits and dashes only, so that no output format can escape it out of sight. */
  static final String SECRET = "Tr0ub4dor-and-3-horses";

  /** Where the secret comes from ({@code -p} refuses it: SecretRenderingsIT). */
  enum Source {
    PARAMS_FILE,
    ENVIRONMENT
  }

  private static final String CALLEE =
      """
      schema: runbook/v1
      name: callee
      params:
        name: { type: string }
        out: { type: path }
      steps:
        - id: greet
          requires:
            - command: test -n "${{ params.name }}"
          run: printf '%s' "${{ params.name }}" > "${{ params.out }}/from-callee"
      """;

  private static final String RUNBOOK =
      """
      schema: runbook/v1
      name: secrets
      params:
        db_password: { type: string, secret: true, description: the database password }
        port: { type: int }
        out: { type: path }
      env:
        TOKEN: "Bearer ${{ params.db_password }}"
      preconditions:
        - command: test -n "${{ params.db_password }}"
        - command: test "${{ env.TOKEN }}" != Bearer
      steps:
        - id: use_env
          env: { PGPASSWORD: "${{ params.db_password }}" }
          requires:
            - command: test "$PGPASSWORD" = "${{ params.db_password }}"
          run: |
            printf '%s' "$PGPASSWORD" > "${{ params.out }}/from-env"
            echo "password: $PGPASSWORD"
            echo "inline: ${{ params.db_password }}" >&2
            cat /proc/self/cmdline > "${{ params.out }}/argv-child"
            cat /proc/$$/cmdline > "${{ params.out }}/argv-sh"
            cat /proc/$PPID/cmdline > "${{ params.out }}/argv-session"
            read -r _ _ _ engine _ < /proc/$PPID/stat
            cat /proc/$engine/cmdline > "${{ params.out }}/argv-engine"
          outputs:
            echoed: { regex: "password: (.*)" }
        - id: show_output
          run: echo "output was ${{ steps.use_env.outputs.echoed }}"
        - id: login
          http:
            url: "http://127.0.0.1:${{ params.port }}/login"
            method: POST
            headers: { X-Db-Password: "${{ params.db_password }}", Authorization: "${{ env.TOKEN }}" }
            status: 200
        - id: wrong_guess
          continue_on_error: true
          env: { PGPASSWORD: "${{ params.db_password }}" }
          requires:
            - command: test "${{ env.PGPASSWORD }}" = not-the-password
          run: "true"
        - id: wrong_body
          continue_on_error: true
          requires:
            - http: { url: "http://127.0.0.1:${{ params.port }}/login", contains: "${{ params.db_password }}" }
          run: "true"
        - id: fails_loudly
          continue_on_error: true
          run: |
            echo "about to fail with ${{ params.db_password }}" >&2
            exit 3
        - id: pass_on
          call: { runbook: callee.yaml, params: { name: "${{ params.db_password }}", out: "${{ params.out }}" } }
      """;

  @TempDir Path dir;
  private Path state;
  private Path out;
  private HttpServer server;
  private final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    Files.writeString(dir.resolve("secrets.yaml"), RUNBOOK);
    Files.writeString(dir.resolve("callee.yaml"), CALLEE);
    state = dir.resolve("state");
    out = Files.createDirectory(dir.resolve("out"));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/login",
        exchange -> {
          received.add(
              exchange.getRequestHeaders().getFirst("X-Db-Password")
                  + "|"
                  + exchange.getRequestHeaders().getFirst("Authorization"));
          exchange.getRequestBody().readAllBytes();
          byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.createContext(
        "/echo",
        exchange -> {
          byte[] body =
              ("you sent " + exchange.getRequestHeaders().getFirst("X-Db-Password"))
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void secretReachesTheChildrenAndNothingElse(Source source) throws Exception {
    CliProcess.Result result = cli(source, "run", "secrets.yaml");

    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(result.stdout())
        .contains("failed, continued: wrong_guess")
        .contains("failed, continued: wrong_body: requirement not met: http GET")
        .contains("failed, continued: fails_loudly");
    assertThat(Files.readString(out.resolve("from-env"))).isEqualTo(SECRET);
    assertThat(Files.readString(out.resolve("from-callee"))).isEqualTo(SECRET);
    assertThat(received).startsWith(SECRET + "|Bearer " + SECRET).hasSize(2);

    assertNoSecret("stdout", result.stdout());
    assertNoSecret("stderr", result.stderr());
    assertStateDirHoldsNoSecret();
    assertPrivate(state);

    byte[] sh = Files.readAllBytes(out.resolve("argv-sh"));
    assertThat(new String(sh, StandardCharsets.UTF_8))
        .as("the script's shell, which gets the script with ${RB_n} in it")
        .contains("${RB_");
    assertNoSecret("argv of the script's sh", sh);
    assertNoSecret(
        "argv of a command of the script", Files.readAllBytes(out.resolve("argv-child")));
    assertNoSecret(
        "argv of the session's leader, which records the exit status",
        Files.readAllBytes(out.resolve("argv-session")));
    byte[] engine = Files.readAllBytes(out.resolve("argv-engine"));
    assertThat(new String(engine, StandardCharsets.UTF_8)).contains("runbook.jar");
    assertNoSecret("argv of the engine", engine);
  }

  @Test
  void jsonLinesOutputNeverShowsTheSecret() throws Exception {
    CliProcess.Result result = cli(Source.ENVIRONMENT, "run", "secrets.yaml", "--format", "jsonl");

    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(result.stdout()).contains("\"event\":\"output\"").contains("***");
    assertNoSecret("stdout", result.stdout());
    assertNoSecret("stderr", result.stderr());
    assertThat(received).hasSize(2);
    assertStateDirHoldsNoSecret();
    assertPrivate(state);
  }

  @ParameterizedTest
  @ValueSource(strings = {"text", "json", "mermaid"})
  void planMasksTheSecret(String format) throws Exception {
    CliProcess.Result result = cli(Source.PARAMS_FILE, "plan", "secrets.yaml", "--format", format);

    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertNoSecret("stdout", result.stdout());
    assertNoSecret("stderr", result.stderr());
    if (!format.equals("mermaid")) {
      assertThat(result.stdout()).contains("***");
    }
    if (format.equals("json")) {
      JSONObject param =
          new JSONObject(result.stdout()).getJSONObject("params").getJSONObject("db_password");
      assertThat(param.getString("value")).isEqualTo("***");
      assertThat(param.getBoolean("secret")).isTrue();
    }
    if (Files.exists(state)) {
      assertNoFileHoldsTheSecret();
      assertPrivate(state);
    }
  }

  @Test
  void planShowsEveryUseOfTheSecretMasked() throws Exception {
    CliProcess.Result result = cli(Source.ENVIRONMENT, "plan", "secrets.yaml", "--offline");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout())
        .contains("db_password = ***  (environment)")
        .contains("command `test \"***\" != Bearer` exits 0")
        .contains("header X-Db-Password: ***")
        .contains("header Authorization: ***")
        .contains("command `test \"***\" = not-the-password` exits 0")
        .contains("call: callee.yaml with name=***")
        .contains("run: printf '%s' \"***\" > ");
    assertNoSecret("stdout", result.stdout());
  }

  @Test
  void secretInAnExecArgvIsAValidationError() throws Exception {
    Files.writeString(
        dir.resolve("argv.yaml"),
        """
        schema: runbook/v1
        name: argv
        params:
          db_password: { type: string, secret: true }
        steps:
          - id: connect
            exec: [touch, "ran-${{ params.db_password }}"]
        """);

    CliProcess.Result validate = CliProcess.run(dir, "validate", "argv.yaml");
    CliProcess.Result run = cli(Source.ENVIRONMENT, "run", "argv.yaml");

    assertThat(validate.exitCode()).isEqualTo(2);
    assertThat(validate.stderr())
        .startsWith("argv.yaml:7:")
        .contains(": error: secret parameter `db_password` would appear on a command line")
        .contains("hint: pass it through `env:`");
    assertThat(run.exitCode()).isEqualTo(2);
    assertNoSecret("stderr", run.stderr());
    assertThat(dir.resolve("ran-" + SECRET)).doesNotExist();
  }

  @Test
  void secretThroughEnvInAnExecArgvIsAValidationErrorToo() throws Exception {
    Files.writeString(
        dir.resolve("argv.yaml"),
        """
        schema: runbook/v1
        name: argv
        params:
          db_password: { type: string, secret: true }
        env:
          URL: "postgres://app:${{ params.db_password }}@localhost/app"
        steps:
          - id: connect
            env: { PW: "${{ params.db_password }}" }
            exec: [touch, "ran-${{ env.URL }}", "ran-${{ env.PW }}"]
          - id: from_engine
            exec: [touch, "ran-${{ env.RUNBOOK_PARAM_DB_PASSWORD }}"]
          - id: cleared
            env: { URL: "postgres://app@localhost/app" }
            exec: [touch, "ran-${{ env.URL }}"]
        """);

    CliProcess.Result validate = CliProcess.run(dir, "validate", "argv.yaml");
    CliProcess.Result run = cli(Source.ENVIRONMENT, "run", "argv.yaml");

    assertThat(validate.exitCode()).as(validate.stderr()).isEqualTo(2);
    assertThat(validate.stderr().lines().filter(l -> l.contains(": error: ")))
        .satisfiesExactly(
            l -> assertThat(l).matches("argv\\.yaml:10:\\d+: error: `env.URL` holds secret .*"),
            l -> assertThat(l).matches("argv\\.yaml:10:\\d+: error: `env.PW` holds secret .*"),
            l ->
                assertThat(l)
                    .matches(
                        "argv\\.yaml:12:\\d+: error: `env.RUNBOOK_PARAM_DB_PASSWORD` holds"
                            + " secret parameter `db_password` and would appear on a command"
                            + " line .*"));
    assertThat(validate.stderr())
        .contains("hint: the program gets `URL` in its environment already: read it there");
    assertThat(run.exitCode()).isEqualTo(2);
    assertNoSecret("stderr", run.stderr());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("ran-"));
    }
  }

  @Test
  void engineVariableHoldingTheSecretNeverReachesAnArgv() throws Exception {
    Files.writeString(
        dir.resolve("argv.yaml"),
        """
        schema: runbook/v1
        name: argv
        params:
          db_password: { type: string, secret: true }
        steps:
          - id: connect
            exec: [touch, "ran-${{ env.RUNBOOK_TEST_PASSWORD_COPY }}"]
        """);

    CliProcess.Result run =
        CliProcess.run(
            dir,
            Map.of("RUNBOOK_PARAM_DB_PASSWORD", SECRET, "RUNBOOK_TEST_PASSWORD_COPY", SECRET),
            "run",
            "argv.yaml",
            "--state-dir",
            state.toString());

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(4);
    assertThat(run.stdout())
        .contains("step connect: FAILED: a secret value would appear on the command line");
    assertThat(dir.resolve("ran-" + SECRET)).doesNotExist();
    assertNoSecret("stdout", run.stdout());
    assertThat(stateFiles()).anyMatch(p -> p.getFileName().toString().equals("journal.jsonl"));
    assertNoFileHoldsTheSecret();
  }

  @Test
  void confirmationThatQuotesTheSecretPausesWithoutShowingIt() throws Exception {
    Files.writeString(
        dir.resolve("confirm.yaml"),
        """
        schema: runbook/v1
        name: confirm
        params:
          db_password: { type: string, secret: true }
        steps:
          - id: ask
            confirm: "Is ${{ params.db_password }} the new password?"
        """);

    CliProcess.Result run = cli(Source.ENVIRONMENT, "run", "confirm.yaml");

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(4);
    assertThat(run.stdout()).contains("paused at ask: waiting for a confirmation: Is *** the new");
    assertNoSecret("stdout", run.stdout());
    assertNoFileHoldsTheSecret();
    assertPrivate(state);
  }

  @Test
  void anOutputThatHoldsTheSecretIsMaskedWhereAFailureQuotesIt() throws Exception {
    Files.writeString(
        dir.resolve("echo.yaml"),
        """
        schema: runbook/v1
        name: echo
        params:
          db_password: { type: string, secret: true }
          port: { type: int }
        steps:
          - id: login
            http:
              url: "http://127.0.0.1:${{ params.port }}/echo"
              headers: { X-Db-Password: "${{ params.db_password }}" }
              status: 200
            outputs: { answer: { regex: "you sent (.*)" } }
          - id: use
            requires:
              - command: test "${{ steps.login.outputs.answer }}" = something-else
            run: "true"
        """);

    CliProcess.Result run =
        cli(Source.ENVIRONMENT, "run", "echo.yaml", "-p", "port=" + server.getAddress().getPort());

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(4);
    assertThat(run.stdout())
        .contains("step use: FAILED: requirement not met: command `test \"***\" = something-else`");
    assertNoSecret("stdout", run.stdout());
    assertNoFileHoldsTheSecret();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "db_password: \"" + SECRET + "\n",
        "db_password: " + SECRET + ": x\n",
        "db_password: " + SECRET + "\ndb_password: " + SECRET + "\n"
      })
  void paramsFileThatDoesNotParseIsNotQuoted(String text) throws Exception {
    Files.writeString(dir.resolve("bad.yaml"), text);

    CliProcess.Result plan =
        CliProcess.run(
            dir, "plan", "secrets.yaml", "--params-file", "bad.yaml", "--state-dir", "state");

    assertThat(plan.exitCode()).isEqualTo(2);
    assertThat(plan.stderr()).matches("(?s)bad\\.yaml:[12]:\\d+: error: the params file is not.*");
    assertNoSecret("stderr", plan.stderr());
  }

  /** Runs the CLI with the secret given through {@code source}, and the other parameters by -p. */
  private CliProcess.Result cli(Source source, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(args));
    command.addAll(List.of("--state-dir", state.toString()));
    if (args[1].equals("secrets.yaml")) {
      command.addAll(
          List.of("-p", "port=" + server.getAddress().getPort(), "-p", "out=" + out.toString()));
    }
    Map<String, String> env = Map.of();
    switch (source) {
      case PARAMS_FILE -> {
        Path file = dir.resolve("params.yaml");
        Files.writeString(file, "db_password: " + SECRET + "\n");
        command.addAll(List.of("--params-file", file.toString()));
      }
      case ENVIRONMENT -> env = Map.of("RUNBOOK_PARAM_DB_PASSWORD", SECRET);
    }
    return CliProcess.run(dir, env, command.toArray(String[]::new));
  }

  private static void assertNoSecret(String where, String text) {
    assertThat(text).as(where).doesNotContain(SECRET);
  }

  private static void assertNoSecret(String where, byte[] bytes) {
    assertThat(indexOf(bytes, SECRET.getBytes(StandardCharsets.UTF_8))).as(where).isEqualTo(-1);
  }

  /** Checks a run's files: its journal, step logs and outputs hold no secret. */
  private void assertStateDirHoldsNoSecret() throws IOException {
    assertThat(stateFiles())
        .as("the journal and step logs")
        .anyMatch(p -> p.getFileName().toString().equals("journal.jsonl"))
        .anyMatch(p -> p.getFileName().toString().endsWith(".log"));
    assertNoFileHoldsTheSecret();
  }

  private List<Path> stateFiles() throws IOException {
    try (Stream<Path> walk = Files.walk(state)) {
      return walk.filter(Files::isRegularFile).toList();
    }
  }

  private void assertNoFileHoldsTheSecret() throws IOException {
    for (Path file : stateFiles()) {
      assertNoSecret(state.relativize(file).toString(), Files.readAllBytes(file));
    }
  }

  /** Every file under {@code root} is 0600 and every directory 0700, the root included. */
  private static void assertPrivate(Path root) throws IOException {
    Set<PosixFilePermission> file = PosixFilePermissions.fromString("rw-------");
    Set<PosixFilePermission> directory = PosixFilePermissions.fromString("rwx------");
    List<Path> all;
    try (Stream<Path> walk = Files.walk(root)) {
      all = walk.toList();
    }
    assertThat(all).hasSizeGreaterThan(1);
    for (Path p : all) {
      Set<PosixFilePermission> actual = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
      assertThat(PosixFilePermissions.toString(actual))
          .as(root.relativize(p).toString())
          .isEqualTo(PosixFilePermissions.toString(Files.isDirectory(p) ? directory : file));
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
