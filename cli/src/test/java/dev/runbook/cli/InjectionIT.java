package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile parameter values through the real CLI, from each source a value can come from, into every
 * place a value can go: no value ever runs a command, and each arrives as the bytes it is (or, in
 * an unquoted {@code run} script, as the words it splits into).
 */
class InjectionIT {
  /** Each would create a file named MARKER if it ever became shell syntax. */
  static final List<String> HOSTILE =
      List.of(
          "$(touch MARKER)",
          "`touch MARKER`",
          "'; touch MARKER #",
          "\"; touch MARKER #",
          "x\ntouch MARKER",
          "$HOME",
          "$(touch${IFS}MARKER)",
          "touch${IFS}MARKER;touch${IFS}MARKER",
          "${RB_1:-$(touch MARKER)}");

  /** Where a value comes from, and the parameter that gets it from there. */
  enum Source {
    COMMAND_LINE("from_cli"),
    PARAMS_FILE("from_file"),
    ENVIRONMENT("from_env");

    final String param;

    Source(String param) {
      this.param = param;
    }
  }

  /**
   * Every place a value goes: a quoted and an unquoted {@code run} script, an {@code exec}
   * argument, a step's {@code env:}, a {@code command} check, a {@code cwd}, a {@code path} check
   * and the paths of a {@code copy}. Each step writes what it got into {@code out/PARAM/}; the
   * steps are repeated for each parameter, PARAM replaced by its name.
   */
  private static final String STEPS =
      """
        - id: prepare_PARAM
          run: mkdir -p out/PARAM "dirs/${{ params.PARAM }}"
        - id: quoted_PARAM
          run: printf '%s' "${{ params.PARAM }}" > out/PARAM/quoted
        - id: unquoted_PARAM
          run: printf '%s\\n' ${{ params.PARAM }} > out/PARAM/unquoted
        - id: exec_argv_PARAM
          exec: [sh, -c, 'printf "%s" "$1" > out/PARAM/exec', sh, "${{ params.PARAM }}"]
        - id: step_env_PARAM
          env: { VALUE: "${{ params.PARAM }}" }
          run: printf '%s' "$VALUE" > out/PARAM/env
        - id: command_check_PARAM
          requires:
            - command: printf '%s' "${{ params.PARAM }}" > out/PARAM/check
          run: "true"
        - id: in_cwd_PARAM
          cwd: "dirs/${{ params.PARAM }}"
          run: printf '%s' "${{ params.PARAM }}" > here_PARAM
        - id: copy_by_path_PARAM
          requires:
            - path: { at: "dirs/${{ params.PARAM }}/here_PARAM", is: file }
          copy: { from: "dirs/${{ params.PARAM }}/here_PARAM", to: out/PARAM/copied }
      """;

  @TempDir Path dir;

  /** One parameter per source, each given the same hostile value from its own source. */
  @ParameterizedTest
  @MethodSource("hostileValues")
  void hostileValueArrivesIntactAndRunsNothing(String value) throws Exception {
    StringBuilder runbook = new StringBuilder("schema: runbook/v1\nname: injection\nparams:\n");
    for (Source source : Source.values()) {
      runbook.append("  ").append(source.param).append(": { type: string }\n");
    }
    runbook.append("steps:\n");
    for (Source source : Source.values()) {
      runbook.append(STEPS.replace("PARAM", source.param));
    }
    Files.writeString(dir.resolve("injection.yaml"), runbook);

    Map<String, Source> everySource = new HashMap<>();
    for (Source source : Source.values()) {
      everySource.put(source.param, source);
    }
    CliProcess.Result result = run("injection.yaml", value, everySource);

    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(markers()).as("files named MARKER").isEmpty();
    for (Source source : Source.values()) {
      Path out = dir.resolve("out").resolve(source.param);
      for (String file : List.of("quoted", "exec", "env", "check", "copied")) {
        assertThat(bytes(out.resolve(file))).as(source + ": " + file).isEqualTo(utf8(value));
      }
      assertThat(bytes(dir.resolve("dirs").resolve(value).resolve("here_" + source.param)))
          .as(source + ": written in the cwd named by the value")
          .isEqualTo(utf8(value));
      assertThat(new String(bytes(out.resolve("unquoted")), StandardCharsets.UTF_8))
          .as(source + ": unquoted, the words of the value, each as it is")
          .isEqualTo(words(value));
    }
  }

  static Stream<String> hostileValues() {
    return HOSTILE.stream();
  }

  @Test
  void unquotedValueRunsAsASimpleCommand() throws Exception {
    Files.writeString(dir.resolve("stop.yaml"), STOP);

    CliProcess.Result result =
        run("stop.yaml", "touch stopped", Map.of("stop_cmd", Source.COMMAND_LINE));

    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(dir.resolve("stopped")).isRegularFile();
  }

  @ParameterizedTest
  @MethodSource("sources")
  void semicolonInAValueIsAWordNotASecondCommand(Source source) throws Exception {
    Files.writeString(dir.resolve("stop.yaml"), STOP);

    CliProcess.Result result = run("stop.yaml", "touch a; touch b", Map.of("stop_cmd", source));

    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(dir.resolve("a;")).isRegularFile();
    assertThat(dir.resolve("touch")).isRegularFile();
    assertThat(dir.resolve("b")).isRegularFile();
    assertThat(dir.resolve("a")).as("a second command would have created `a`").doesNotExist();
  }

  static Stream<Source> sources() {
    return Arrays.stream(Source.values());
  }

  private static final String STOP =
      """
      schema: runbook/v1
      name: stop
      params:
        stop_cmd: { type: string, default: "systemctl stop seqdesk" }
      steps:
        - id: stop
          run: "${{ params.stop_cmd }}"
      """;

  /** Runs {@code runbook} with {@code value} given to each parameter from its source. */
  private CliProcess.Result run(String runbook, String value, Map<String, Source> sourceByParam)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(List.of("run", runbook, "--state-dir", dir.resolve("state").toString()));
    Map<String, String> env = new HashMap<>();
    JSONObject paramsFile = new JSONObject();
    sourceByParam.forEach(
        (param, source) -> {
          switch (source) {
            case COMMAND_LINE -> args.addAll(List.of("-p", param + "=" + value));
            case PARAMS_FILE -> paramsFile.put(param, value);
            case ENVIRONMENT -> env.put("RUNBOOK_PARAM_" + param.toUpperCase(Locale.ROOT), value);
          }
        });
    if (!paramsFile.isEmpty()) {
      Path file = Files.writeString(dir.resolve("params.json"), paramsFile.toString());
      args.addAll(List.of("--params-file", file.toString()));
    }
    return CliProcess.run(dir, env, args.toArray(String[]::new));
  }

  /** What {@code printf '%s\n'} prints for an unquoted value: one line per field. */
  private static String words(String value) {
    String fields =
        Arrays.stream(value.split("[ \t\n]+"))
            .filter(w -> !w.isEmpty())
            .map(w -> w + "\n")
            .collect(Collectors.joining());
    return fields.isEmpty() ? "\n" : fields;
  }

  private List<Path> markers() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().equals("MARKER")).toList();
    }
  }

  private static byte[] bytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
