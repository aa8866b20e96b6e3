package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated secrets over every class of special character go through the real CLI (printed by a
 * step raw and in every rendering, split across two reads, quoted by an http check's failure, put
 * in env, in outputs, in an error message that quotes its input) and no rendering of any of them
 * reaches any output: stdout and stderr of {@code run} (text and JSON lines), {@code plan} (text
 * and JSON), {@code status} (text and JSON) and {@code log}, nor any file of the state directory.
 *
 * <p>The renderings looked for are computed here, independently of the engine: the secret as it is,
 * escaped for JSON (as org.json writes it and as most writers do), inside single and double shell
 * quotes, and URL-encoded (as a form field and as a path).
 */
class SecretRenderingsIT {
  /** Fixed, so that a failure is reproduced by running the test again; named in every message. */
  private static final long SEED = 0x5EC12E75L;

  /** One of each is in every generated secret. */
  private static final List<String> SPECIAL =
      List.of("\"", "\\", "\t", "\n", "$", "`", "'", "é", "日本", "🔑", "%", "&", " ", "<", "/");

  private static final String FILLER =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
          + "\"\\\t$`'%& !#*+,;=?@[]{}|~<>/:é日🔑";

  private static final String RUNBOOK =
      """
      schema: runbook/v1
      name: renderings
      params:
        s1: { type: string, secret: true }
        s2: { type: string, secret: true }
        s3: { type: string, secret: true }
        port: { type: int }
        db_url: { type: string, description: "a URL with a password, which should be secret" }
      env:
        TOKEN: "Bearer ${{ params.s1 }}"
      preconditions:
        - command: test -n "${{ params.s1 }}"
      steps:
        - id: prints
          env: { PW: "${{ params.s2 }}" }
          run: |
            printf '%s' "${{ params.s1 }}" > out/got-s1
            printf '%s' "$PW" > out/got-s2
            printf '%s' "${{ params.s3 }}" > out/got-s3
            cat renderings.txt
            printf '%s\\n' "${{ params.s1 }}" "$PW" "${{ params.s3 }}" "$TOKEN" "${{ params.db_url }}"
            head -c 5 raw-s1.bin; sleep 0.2; tail -c +6 raw-s1.bin
            printf 'to stderr: %s\\n' "${{ params.s3 }}" >&2
        - id: echo
          http:
            url: "http://127.0.0.1:${{ params.port }}/echo"
            method: POST
            body: "${{ params.s1 }}"
            status: 200
          outputs:
            sent: { json: /sent }
        - id: uses_output
          continue_on_error: true
          requires:
            - command: test "${{ steps.echo.outputs.sent }}" = something-else
          run: "true"
        - id: body_check
          continue_on_error: true
          requires:
            - http: { url: "http://127.0.0.1:${{ params.port }}/text", contains: "${{ params.s1 }}" }
          run: "true"
        - id: json_check
          continue_on_error: true
          requires:
            - http: { url: "http://127.0.0.1:${{ params.port }}/json", json: { "/v": "${{ params.s2 }}" } }
          run: "true"
        - id: bad_status
          continue_on_error: true
          http: { url: "http://127.0.0.1:${{ params.port }}/text", status: "${{ params.s3 }}" }
        - id: bad_port
          continue_on_error: true
          requires:
            - port: { host: 127.0.0.1, port: "${{ params.s3 }}", is: open }
          run: "true"
        - id: fails_loudly
          continue_on_error: true
          run: |
            printf 'about to fail with %s\\n' "${{ params.s2 }}" >&2
            exit 3
      """;

  @TempDir Path dir;
  private Path state;
  private HttpServer server;
  private final Map<String, String> secrets = new LinkedHashMap<>();
  private String password;
  private final List<String> received = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void setUp() throws IOException {
    Random random = new Random(SEED);
    for (String name : List.of("s1", "s2", "s3")) {
      secrets.put(name, generate(random));
    }
    password = generatePassword(random);
    state = dir.resolve("state");
    Files.createDirectory(dir.resolve("out"));
    Files.writeString(dir.resolve("renderings.yaml"), RUNBOOK);
    StringBuilder all = new StringBuilder();
    for (String secret : secrets.values()) {
      for (String rendering : renderings(secret)) {
        all.append("rendered: ").append(rendering).append('\n');
      }
    }
    Files.writeString(dir.resolve("renderings.txt"), all);
    Files.writeString(dir.resolve("raw-s1.bin"), secrets.get("s1") + "\n");
    Files.writeString(
        dir.resolve("params.json"), new JSONObject().put("s3", secrets.get("s3")).toString());
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/echo",
        exchange -> {
          String sent =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received.add(sent);
          reply(exchange, new JSONObject().put("sent", sent).toString());
        });
    server.createContext("/text", exchange -> reply(exchange, "nothing to see here"));
    server.createContext("/json", exchange -> reply(exchange, "{\"v\":\"other\"}"));
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @Test
  void noRenderingOfAGeneratedSecretReachesAnyOutputOrFile() throws Exception {
    List<CliProcess.Result> outputs = new ArrayList<>();

    CliProcess.Result run = cli("run", "renderings.yaml");
    outputs.add(run);
    assertThat(run.exitCode()).as(seed(run)).isZero();
    assertThat(run.stdout())
        .as(seed(run))
        .contains("failed, continued: uses_output")
        .contains("failed, continued: body_check: requirement not met: http GET")
        .contains("failed, continued: json_check")
        .contains("failed, continued: bad_status")
        .contains("failed, continued: bad_port")
        .contains("failed, continued: fails_loudly");
    for (String name : secrets.keySet()) {
      assertThat(Files.readString(dir.resolve("out/got-" + name)))
          .as("the secret reached the child: " + seed(run))
          .isEqualTo(secrets.get(name));
    }
    assertThat(received).as("the secret reached the server").containsExactly(secrets.get("s1"));
    String runId = onlyRun();

    outputs.add(cli("run", "renderings.yaml", "--format", "jsonl"));
    outputs.add(cli("plan", "renderings.yaml"));
    outputs.add(cli("plan", "renderings.yaml", "--format", "json"));
    outputs.add(cli("status", runId));
    outputs.add(cli("status", runId, "--format", "json"));
    outputs.add(cli("log", runId));
    for (String step : List.of("prints", "echo", "fails_loudly", "bad_status")) {
      outputs.add(cli("log", runId, step));
    }

    assertThat(outputs.get(1).stdout()).contains("\"event\":\"output\"").contains("***");
    assertThat(outputs.get(7).stdout()).as("log of step prints").contains("rendered: ***");
    for (CliProcess.Result result : outputs) {
      assertRevealsNothing("stdout of a command", result.stdout());
      assertRevealsNothing("stderr of a command", result.stderr());
    }
    try (Stream<Path> walk = Files.walk(state)) {
      List<Path> files = walk.filter(Files::isRegularFile).toList();
      assertThat(files).anyMatch(p -> p.getFileName().toString().equals("journal.jsonl"));
      for (Path file : files) {
        assertRevealsNothing(
            state.relativize(file).toString(),
            new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void aUrlPasswordInAParameterThatIsNotSecretIsMaskedAndWarnedAbout() throws Exception {
    CliProcess.Result plan = cli("plan", "renderings.yaml", "--format", "json");
    CliProcess.Result run = cli("run", "renderings.yaml");

    assertThat(run.exitCode()).as(seed(run)).isZero();
    for (CliProcess.Result result : List.of(plan, run)) {
      assertThat(result.stderr())
          .contains(
              "renderings.yaml:8:3: warning: parameter `db_url` is not secret, but its value (from"
                  + " -p) holds the password of a URL")
          .contains("hint: declare it `secret: true`");
    }
    assertThat(
            new JSONObject(plan.stdout())
                .getJSONObject("params")
                .getJSONObject("db_url")
                .getString("value"))
        .isEqualTo("postgres://app:***@db.example/app");
    String journal =
        Files.readString(state.resolve("runs").resolve(onlyRun()).resolve("journal.jsonl"));
    assertThat(journal).contains("\"db_url\":\"postgres://app:***@db.example/app\"");
    assertThat(cli("status", onlyRun(), "--format", "json").stdout()).doesNotContain(password);
    assertThat(run.stdout()).doesNotContain(password);
    assertThat(journal).doesNotContain(password);
  }

  @Test
  void aDefaultWithAUrlPasswordIsAWarningOfValidate() throws Exception {
    Files.writeString(
        dir.resolve("default.yaml"),
        """
        schema: runbook/v1
        name: default
        params:
          db_url: { type: string, default: "postgres://app:hunter2@localhost/app" }
        steps:
          - id: show
            run: echo "${{ params.db_url }}"
        """);

    CliProcess.Result validate = CliProcess.run(dir, "validate", "default.yaml");
    CliProcess.Result plan = CliProcess.run(dir, "plan", "default.yaml", "--state-dir", "state");

    assertThat(validate.exitCode()).as(validate.stderr()).isZero();
    assertThat(validate.stderr())
        .contains(
            "default.yaml:4:3: warning: parameter `db_url` is not secret, but its value (from its"
                + " default) holds the password of a URL");
    assertThat(plan.stdout())
        .contains("postgres://app:***@localhost/app")
        .doesNotContain("hunter2");
  }

  @Test
  void aSecretGivenWithDashPIsRefusedWithTheWaysThatKeepItOffArgv() throws Exception {
    String secret = secrets.get("s1");
    List<String> command = new ArrayList<>(List.of("run", "renderings.yaml", "-p", "s1=" + secret));
    command.addAll(List.of("--state-dir", state.toString()));

    CliProcess.Result run =
        CliProcess.run(
            dir,
            Map.of("RUNBOOK_PARAM_S2", secrets.get("s2"), "RUNBOOK_PARAM_S3", secrets.get("s3")),
            command.toArray(String[]::new));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr())
        .contains("runbook: error: parameter `s1` is secret and is never taken from -p")
        .contains("hint: set RUNBOOK_PARAM_S1 in the environment, give it in a --params-file")
        .contains("--params-file /dev/stdin");
    assertRevealsNothing("stderr", run.stderr());
    assertThat(dir.resolve("out/got-s1")).doesNotExist();
  }

  /**
   * A secret of 8 to 20 characters holding one of each {@link #SPECIAL} class, in a random order,
   * and random filler.
   */
  private static String generate(Random random) {
    List<String> parts = new ArrayList<>(SPECIAL);
    int filler = 4 + random.nextInt(8);
    int[] codePoints = FILLER.codePoints().toArray();
    for (int i = 0; i < filler; i++) {
      parts.add(new String(Character.toChars(codePoints[random.nextInt(codePoints.length)])));
    }
    Collections.shuffle(parts, random);
    // A letter at each end: a value read from the environment or a file keeps its ends as they
    // are, but that is another test's concern.
    return "k" + String.join("", parts) + "z";
  }

  /** Characters a URL's password may hold without encoding. */
  private static String generatePassword(Random random) {
    String chars = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!*~";
    StringBuilder out = new StringBuilder("Pw");
    for (int i = 0; i < 14; i++) {
      out.append(chars.charAt(random.nextInt(chars.length())));
    }
    return out.toString();
  }

  /** Every rendering looked for: computed here, not by the engine's code. */
  static Set<String> renderings(String secret) {
    Set<String> all = new LinkedHashSet<>();
    all.add(secret);
    String orgJson = JSONObject.quote(secret);
    all.add(orgJson.substring(1, orgJson.length() - 1));
    all.add(jsonMinimal(secret));
    all.add(secret.replace("'", "'\\''"));
    all.add(
        secret.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`"));
    String form = URLEncoder.encode(secret, StandardCharsets.UTF_8);
    all.add(form);
    all.add(form.replace("+", "%20"));
    return all;
  }

  private static String jsonMinimal(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private void assertRevealsNothing(String where, String text) {
    for (Map.Entry<String, String> secret : secrets.entrySet()) {
      for (String rendering : renderings(secret.getValue())) {
        assertThat(text)
            .as(where + " shows a rendering of " + secret.getKey() + " (seed " + SEED + ")")
            .doesNotContain(rendering);
      }
    }
    assertThat(text).as(where + " shows the URL's password").doesNotContain(password);
  }

  private CliProcess.Result cli(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(args));
    command.addAll(List.of("--state-dir", state.toString()));
    if (args[0].equals("run") || args[0].equals("plan")) {
      command.addAll(
          List.of(
              "-p",
              "port=" + server.getAddress().getPort(),
              "-p",
              "db_url=postgres://app:" + password + "@db.example/app",
              "--params-file",
              "params.json"));
    }
    return CliProcess.run(
        dir,
        Map.of("RUNBOOK_PARAM_S1", secrets.get("s1"), "RUNBOOK_PARAM_S2", secrets.get("s2")),
        command.toArray(String[]::new));
  }

  private String onlyRun() throws IOException {
    try (Stream<Path> runs = Files.list(state.resolve("runs"))) {
      List<Path> all = runs.filter(Files::isDirectory).sorted().toList();
      assertThat(all).isNotEmpty();
      return all.get(0).getFileName().toString();
    }
  }

  private static String seed(CliProcess.Result result) {
    return "seed " + SEED + ":\n" + result.stdout() + result.stderr();
  }

  private static void reply(com.sun.net.httpserver.HttpExchange exchange, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getRequestBody().readAllBytes();
    exchange.sendResponseHeaders(200, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }
}
