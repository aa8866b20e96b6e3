package dev.runbook.engine.internal.render;

import static dev.runbook.engine.internal.render.Shells.template;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile parameter values through real shells and programs: none runs a command, and each arrives
 * as the bytes it is (quoted, or as an exec argument) or as the words it splits into (unquoted).
 */
class ShellInjectionTest {
  // Each would create MARKER in the working directory if it ever became shell syntax.
  static final List<String> HOSTILE =
      List.of(
          "$(touch MARKER)",
          "`touch MARKER`",
          "'; touch MARKER #",
          "\"; touch MARKER #",
          "\ntouch MARKER",
          "x\ntouch MARKER\n",
          "; touch MARKER",
          "&& touch MARKER",
          "| touch MARKER",
          "$(touch${IFS}MARKER)",
          "\\\"; touch MARKER; \\\"",
          "${RB_2:-$(touch MARKER)}",
          "$HOME",
          "*",
          "-n",
          "%s%s%n",
          "tab\there  two  spaces",
          "ünïcødé ✓");

  @TempDir Path root;
  Path work;
  Path out;

  @BeforeEach
  void createDirectories() throws IOException {
    work = Files.createDirectory(root.resolve("work"));
    out = root.resolve("out");
  }

  static Stream<Arguments> shellsAndValues() {
    List<Arguments> cases = new ArrayList<>();
    for (List<String> shell : Shells.posixShells()) {
      for (String value : HOSTILE) {
        cases.add(Arguments.of(Path.of(shell.get(0)).getFileName().toString(), shell, value));
      }
    }
    return cases.stream();
  }

  static Stream<String> values() {
    return HOSTILE.stream();
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("shellsAndValues")
  void aDoubleQuotedValueArrivesAsOneWordByteForByte(String name, List<String> shell, String value)
      throws Exception {
    RenderedScript script =
        ShellTemplate.render(
            template("printf '%s' \"${{ params.x }}\" > \"$OUT\""), bindings(value));

    int exit = Shells.runScript(shell, script, work, Map.of("OUT", out.toString()));

    assertThat(exit).as(Shells.stderr(work)).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(value.getBytes(StandardCharsets.UTF_8));
    assertNoMarker();
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("shellsAndValues")
  void aValueInsideADoubleQuotedWordKeepsItsNeighbours(
      String name, List<String> shell, String value) throws Exception {
    RenderedScript script =
        ShellTemplate.render(
            template("printf '%s' \"before-${{ params.x }}_after\" > \"$OUT\""), bindings(value));

    int exit = Shells.runScript(shell, script, work, Map.of("OUT", out.toString()));

    assertThat(exit).as(Shells.stderr(work)).isZero();
    assertThat(Files.readString(out)).isEqualTo("before-" + value + "_after");
    assertNoMarker();
  }

  /**
   * Unquoted, the shell splits a value at blanks and globs each word, as it does any variable. The
   * working directory is empty, so {@code *} matches nothing and stays {@code *} (POSIX keeps an
   * unmatched pattern); {@link #anUnquotedValueIsGlobbedLikeAnyShellVariable} shows a match.
   */
  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("shellsAndValues")
  void anUnquotedValueIsSplitIntoWordsButNeverParsed(String name, List<String> shell, String value)
      throws Exception {
    RenderedScript script =
        ShellTemplate.render(
            template("printf '%s\\n' ${{ params.x }} > \"$OUT\""), bindings(value));

    int exit = Shells.runScript(shell, script, work, Map.of("OUT", out.toString()));

    assertThat(exit).as(Shells.stderr(work)).isZero();
    String words =
        Arrays.stream(value.split("[ \t\n]+"))
            .filter(w -> !w.isEmpty())
            .map(w -> w + "\n")
            .collect(Collectors.joining());
    assertThat(Files.readString(out)).isEqualTo(words);
    assertNoMarker();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void anExecArgumentIsTheValueAsItIs(String value) throws Exception {
    RenderedValue argument = ValueTemplate.render(template("${{ params.x }}"), bindings(value));

    int exit = Shells.run(List.of("printf", "%s", argument.text()), work, Map.of());

    assertThat(exit).as(Shells.stderr(work)).isZero();
    assertThat(Shells.stdout(work)).isEqualTo(value);
    assertNoMarker();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void anExecArgumentWithTextAroundTheValueIsStillOneArgument(String value) throws Exception {
    List<RenderedValue> argv =
        ValueTemplate.renderEach(
            List.of(template("printf"), template("%s|"), template("--name=${{ params.x }} end")),
            bindings(value));

    int exit = Shells.run(argv.stream().map(RenderedValue::text).toList(), work, Map.of());

    assertThat(exit).as(Shells.stderr(work)).isZero();
    assertThat(Shells.stdout(work)).isEqualTo("--name=" + value + " end|");
    assertNoMarker();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.runbook.engine.internal.render.Shells#posixShells")
  void anUnquotedValueIsGlobbedLikeAnyShellVariable(List<String> shell) throws Exception {
    Files.createFile(work.resolve("a.txt"));
    Files.createFile(work.resolve("b.txt"));
    RenderedScript script =
        ShellTemplate.render(
            template("printf '%s\\n' ${{ params.x }} > \"$OUT\"; printf '%s' \"${{ params.x }}\""),
            bindings("*.txt"));

    int exit = Shells.runScript(shell, script, work, Map.of("OUT", out.toString()));

    assertThat(exit).as(Shells.stderr(work)).isZero();
    assertThat(Files.readString(out)).isEqualTo("a.txt\nb.txt\n");
    assertThat(Shells.stdout(work)).isEqualTo("*.txt");
  }

  private static Bindings bindings(String value) {
    return Bindings.of(Map.of("params", Map.of("x", value)));
  }

  private void assertNoMarker() throws IOException {
    try (Stream<Path> files = Files.list(work)) {
      assertThat(files).noneMatch(p -> p.getFileName().toString().contains("MARKER"));
    }
    assertThat(root.resolve("MARKER")).doesNotExist();
  }
}
