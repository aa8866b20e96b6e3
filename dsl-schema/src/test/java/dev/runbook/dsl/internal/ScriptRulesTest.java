package dev.runbook.dsl.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.runbook.dsl.Problem;
import dev.runbook.dsl.Severity;
import dev.runbook.dsl.Shells;
import dev.runbook.dsl.expr.ExpressionLanguage;
import dev.runbook.dsl.model.SourceLocation;
import dev.runbook.dsl.model.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rules for where a {@code ${{ }}} may stand in a shell script, judged against real shells: the
 * script is rendered as the engine renders it ({@code ${RB_n}}, the value in the environment) and
 * run, and the scan must agree with what the shell did.
 */
@Timeout(60)
class ScriptRulesTest {
  private static final SourceLocation AT = new SourceLocation("rb.yaml", 7, 10);
  private static final String VALUE = "the-value";
  private static final Path BASH = Path.of("/bin/bash");

  @TempDir Path dir;

  @Test
  void aValueInsideSingleQuotesIsAnErrorAtItsLocation() {
    List<Problem> problems =
        ScriptRules.problems(
            template("echo ok\nprintf '%s' 'x ${{ params.name }}' \"${{ params.name }}\""),
            Shells.Kind.POSIX);

    assertThat(problems).hasSize(1);
    Problem problem = problems.get(0);
    assertThat(problem.severity()).isEqualTo(Severity.ERROR);
    assertThat(problem.code()).isEqualTo("script.single-quoted");
    assertThat(problem.location()).isEqualTo(new SourceLocation("rb.yaml", 8, 25));
    assertThat(problem.message())
        .isEqualTo(
            "`${{ params.name }}` is inside single quotes, where the shell expands nothing: the"
                + " script would get the text ${RB_1}, not the value");
  }

  @Test
  void aBackslashOrADollarBeforeTheValueIsAnError() {
    assertThat(codes("echo \\${{ params.name }}")).containsExactly("script.escaped");
    assertThat(codes("echo \"\\${{ params.name }}\"")).containsExactly("script.escaped");
    assertThat(codes("echo $${{ params.name }}")).containsExactly("script.after-dollar");
  }

  @Test
  void aValueInDollarArithmeticIsAWarningInEveryShell() {
    Template script =
        template("echo $(( ${{ params.port }} + 1 )) \"$(( 2 * (${{ params.port }}) ))\"");

    assertThat(ScriptRules.problems(script, Shells.Kind.POSIX))
        .extracting(Problem::severity, Problem::code)
        .containsExactly(
            tuple(Severity.WARNING, "script.arithmetic"),
            tuple(Severity.WARNING, "script.arithmetic"));
  }

  @Test
  void bashArithmeticCommandsAreWarnedOnlyForShellsThatHaveThem() {
    String text = "(( ${{ params.n }} > 0 )) && echo yes";
    assertThat(ScriptRules.problems(template(text), Shells.Kind.BASH))
        .extracting(Problem::code)
        .containsExactly("script.arithmetic-command");
    // dash reads "((" as two subshells: no arithmetic there
    assertThat(ScriptRules.problems(template(text), Shells.Kind.POSIX)).isEmpty();
  }

  @Test
  void aTestThatComparesStringsIsNotArithmetic() {
    assertThat(
            ScriptRules.problems(
                template("[[ \"${{ params.n }}\" == 1 ]] && echo \"${{ params.n }}\""),
                Shells.Kind.BASH))
        .isEmpty();
    assertThat(
            ScriptRules.problems(
                template("x=$(let y=1) ; echo ${{ params.n }}; [[ -n x ]]"), Shells.Kind.BASH))
        .isEmpty();
  }

  /**
   * Each script is run by real bash with a value that hides a command in an array index: the scan
   * warns exactly when bash ran the command.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "(( ${{ params.n }} ))",
        "(( x = ${{ params.n }} + 1 ))",
        "let \"x = ${{ params.n }}\"",
        "let x=${{ params.n }}",
        "[[ ${{ params.n }} -eq 0 ]] || true",
        "[[ \"${{ params.n }}\" -lt 1 ]] || true",
        "echo $(( ${{ params.n }} ))",
        "if (( ${{ params.n }} )); then :; fi",
        "echo \"${{ params.n }}\"; (( 1 ))",
        "[[ \"${{ params.n }}\" == 1 ]] || true",
        "let x=1; echo ${{ params.n }}",
        "echo '(( ' \"${{ params.n }}\"",
        "# (( ${{ params.n }} ))\necho hi",
      })
  void theScanWarnsExactlyWhereBashEvaluatesTheValue(String text) throws Exception {
    assumeTrue(Files.isExecutable(BASH), "needs bash");
    Template script = template(text);
    List<Problem> problems = ScriptRules.problems(script, Shells.Kind.BASH);

    run(
        List.of(BASH.toString(), "--noprofile", "--norc", "-c"),
        script,
        // no blank in it, so that an unquoted value stays one word
        "a[$(>MARKER)]");

    boolean ran = Files.exists(dir.resolve("MARKER"));
    assertThat(problems.stream().anyMatch(p -> p.code().startsWith("script.arithmetic")))
        .as("bash ran the hidden command: " + ran + ", problems " + problems)
        .isEqualTo(ran);
  }

  /**
   * Each script prints what the shell makes of {@code ${RB_1}}; the real shell decides whether the
   * value arrived, and the scan must agree: no problem exactly when it did.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "printf '%s' ${{ params.name }}",
        "printf '%s' \"${{ params.name }}\"",
        "printf '%s' '${{ params.name }}'",
        "printf '%s' \"it's ${{ params.name }}\"",
        "printf '%s' 'it'\"'\"'s' ${{ params.name }}",
        "# don't worry\nprintf '%s' \"${{ params.name }}\"",
        "printf '%s' a#'${{ params.name }}'",
        "printf '%s' 'a\\'${{ params.name }}",
        "printf '%s' \"\\\"'${{ params.name }}\"",
        "printf '%s' \"$(printf '%s' '${{ params.name }}')\"",
        "printf '%s' \"$(printf '%s' \"${{ params.name }}\")\"",
        "printf '%s' `printf '%s' '${{ params.name }}'`",
        "printf '%s' \"${UNSET:-${{ params.name }}}\"",
        "printf '%s' ${UNSET:-'${{ params.name }}'}",
        "printf '%s' $(echo ')' >/dev/null; printf '%s' '${{ params.name }}')",
        "printf '%s' \\'${{ params.name }}\\'",
        "printf '%s' \\\\${{ params.name }}",
        "printf '%s' \\${{ params.name }}",
        "printf '%s' $${{ params.name }}",
        "x=1 # it's ${{ params.name }}\nprintf '%s' '${{ params.name }}'",
        "printf '%s' \"$(( 1 ))\" '${{ params.name }}'",
      })
  void theScanAgreesWithTheShellOnWhetherTheValueArrives(String text) throws Exception {
    Template script = template(text);
    List<Problem> problems = ScriptRules.problems(script, Shells.Kind.POSIX);

    int exit = run(List.of("/bin/sh", "-e", "-c"), script, VALUE);

    assertThat(exit).as(Files.readString(dir.resolve("stderr"))).isZero();
    String printed = Files.readString(dir.resolve("stdout"));
    boolean arrived = printed.contains(VALUE) && !printed.contains("RB_");
    assertThat(problems.isEmpty())
        .as("printed " + printed + ", problems " + problems)
        .isEqualTo(arrived);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "cat <<'EOF'\n${{ params.name }}\nEOF",
        "cat <<EOF\nit's ${{ params.name }}\nEOF\necho '${{ params.name }}'",
        "echo $'it\\'s' ${{ params.name }}",
        "x=$(case a in a) echo ';;' esac) ${{ params.name }}",
      })
  void theScanReportsNothingWhereItCannotFollowTheShell(String text) {
    assertThat(ScriptRules.problems(template(text), Shells.Kind.BASH)).isEmpty();
  }

  private static Template template(String text) {
    return ExpressionLanguage.standard().parseTemplate(text, AT);
  }

  private static List<String> codes(String text) {
    return ScriptRules.problems(template(text), Shells.Kind.POSIX).stream()
        .map(Problem::code)
        .toList();
  }

  /**
   * Runs {@code script} as the engine would: each {@code ${{ }}} as {@code ${RB_n}}, {@code value}
   * in those variables; stdout and stderr to files in {@code dir}.
   */
  private int run(List<String> shell, Template script, String value)
      throws IOException, InterruptedException {
    StringBuilder text = new StringBuilder();
    int n = 0;
    for (Template.Part part : script.parts()) {
      if (part instanceof Template.Literal literal) {
        text.append(literal.text());
      } else {
        text.append("${").append(Shells.VARIABLE_PREFIX).append(++n).append('}');
      }
    }
    List<String> argv = new ArrayList<>(shell);
    argv.add(text.toString());
    ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile());
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    for (int i = 1; i <= n; i++) {
      builder.environment().put(Shells.VARIABLE_PREFIX + i, value);
    }
    builder.redirectOutput(dir.resolve("stdout").toFile());
    builder.redirectError(dir.resolve("stderr").toFile());
    Process process = builder.start();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("timed out: " + argv);
    }
    return process.exitValue();
  }
}
