package dev.runbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
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

  /** Where a value comes from. */
  enum Source {
    COMMAND_LINE,
    PARAMS_FILE,
    ENVIRONMENT
  }

  /**
   * Every place a value goes: a quoted and an unquoted {@code run} script, an {@code exec}
   * argument, a step's {@code env:}, a {@code command} check, a {@code cwd}, a {@code path} check
   * and the paths of a {@code copy}. Each step writes what it got into {@code out/}.
   */
  private static final String RUNBOOK =
      """
      schema: runbook/v1
      name: injection
      params:
        value: { type: string }
      steps:
        - id: prepare
          run: mkdir -p out "dirs/${{ params.value }}"
        - id: quoted
          run: printf '%s' "${{ params.value }}" > out/quoted
        - id: unquoted
          run: printf '%s\\n' ${{ params.value }} > out/unquoted
        - id: exec_argv
          exec: [sh, -c, 'printf "%s" "$1" > out/exec', sh, "${{ params.value }}"]
        - id: step_env
          env: { VALUE: "${{ params.value }}" }
          run: printf '%s' "$VALUE" > out/env
        - id: command_check
          requires:
            - command: printf '%s' "${{ params.value }}" > out/check
          run: "true"
        - id: in_cwd
          cwd: "dirs/${{ params.value }}"
          run: printf '%s' "${{ params.value }}" > here
        - id: copy_by_path
          requires:
            - path: { at: "dirs/${{ params.value }}/here", is: file }
          copy: { from: "dirs/${{ params.value }}/here", to: out/copied }
      """;

  @TempDir Path dir;

  static Stream<Arguments> valuesFromEverySource() {
    List<Arguments> cases = new ArrayList<>();
    for (Source source : Source.values()) {
      for (String value : HOSTILE) {
        cases.add(Arguments.of(source, value));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("valuesFromEverySource")
  void hostileValueArrivesIntactAndRunsNothing(Source source, String value) throws Exception {
    Files.writeString(dir.resolve("injection.yaml"), RUNBOOK);

    CliProcess.Result result = run(source, "value", value, "injection.yaml");

    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(markers()).as("files named MARKER").isEmpty();
    Path out = dir.resolve("out");
    for (String file : List.of("quoted", "exec", "env", "check", "copied")) {
      assertThat(bytes(out.resolve(file))).as(file).isEqualTo(utf8(value));
    }
    assertThat(bytes(dir.resolve("dirs").resolve(value).resolve("here")))
        .as("written in the cwd named by the value")
        .isEqualTo(utf8(value));
    assertThat(new String(bytes(out.resolve("unquoted")), StandardCharsets.UTF_8))
        .as("unquoted: the words of the value, each as it is")
        .isEqualTo(words(value));
  }

  @Test
  void unquotedValueRunsAsASimpleCommand() throws Exception {
    Files.writeString(dir.resolve("stop.yaml"), STOP);

    CliProcess.Result result = run(Source.COMMAND_LINE, "stop_cmd", "touch stopped", "stop.yaml");

    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    assertThat(dir.resolve("stopped")).isRegularFile();
  }

  @ParameterizedTest
  @MethodSource("sources")
  void semicolonInAValueIsAWordNotASecondCommand(Source source) throws Exception {
    Files.writeString(dir.resolve("stop.yaml"), STOP);

    CliProcess.Result result = run(source, "stop_cmd", "touch a; touch b", "stop.yaml");

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

  /** Runs {@code runbook} with one parameter given through {@code source}. */
  private CliProcess.Result run(Source source, String name, String value, String runbook)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(List.of("run", runbook, "--state-dir", dir.resolve("state").toString()));
    Map<String, String> env = Map.of();
    switch (source) {
      case COMMAND_LINE -> args.addAll(List.of("-p", name + "=" + value));
      case PARAMS_FILE -> {
        Path file = dir.resolve("params.json");
        Files.writeString(file, new JSONObject().put(name, value).toString());
        args.addAll(List.of("--params-file", file.toString()));
      }
      case ENVIRONMENT -> env = Map.of("RUNBOOK_PARAM_" + name.toUpperCase(), value);
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
