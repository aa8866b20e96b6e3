package dev.runbook.engine.internal.render;

import static dev.runbook.engine.internal.render.Shells.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.runbook.dsl.Problem;
import dev.runbook.dsl.Severity;
import dev.runbook.dsl.model.SourceLocation;
import dev.runbook.dsl.model.Template;
import dev.runbook.engine.ErrorCode;
import dev.runbook.engine.RunbookException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShellTemplateProblemsTest {
  private static final String VALUE = "the-value";

  @TempDir Path dir;

  @Test
  void aValueInsideSingleQuotesIsAnErrorAtItsLocation() {
    List<Problem> problems =
        ShellTemplate.problems(
            template("echo ok\nprintf '%s' 'x ${{ params.name }}' \"${{ params.name }}\""));

    assertThat(problems).hasSize(1);
    Problem problem = problems.get(0);
    assertThat(problem.severity()).isEqualTo(Severity.ERROR);
    assertThat(problem.code()).isEqualTo("script.single-quoted");
    assertThat(problem.location()).isEqualTo(new SourceLocation("rb.yaml", 8, 25));
    assertThat(problem.message())
        .isEqualTo(
            "`${{ params.name }}` is inside single quotes, where the shell expands nothing: the"
                + " script would get the text ${RB_1}, not the value");
    assertThat(problem.hint())
        .hasValue(
            "end the single quotes before it and put it in double quotes: 'text '\"${{"
                + " params.name }}\"' more text'");
  }

  @Test
  void renderingRefusesAScriptWithAnError() {
    assertThatThrownBy(
            () ->
                ShellTemplate.render(
                    template("echo '${{ params.name }}'"),
                    Bindings.of(Map.of("params", Map.of("name", VALUE)))))
        .isInstanceOfSatisfying(
            RunbookException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
              assertThat(e.getMessage()).startsWith("rb.yaml:7:16: error: `${{ params.name }}`");
              assertThat(e.hint()).isPresent();
            });
  }

  @Test
  void aBackslashOrADollarBeforeTheValueIsAnError() {
    assertThat(ShellTemplate.problems(template("echo \\${{ params.name }}")))
        .extracting(Problem::code)
        .containsExactly("script.escaped");
    assertThat(ShellTemplate.problems(template("echo \"\\${{ params.name }}\"")))
        .extracting(Problem::code)
        .containsExactly("script.escaped");
    assertThat(ShellTemplate.problems(template("echo $${{ params.name }}")))
        .extracting(Problem::code)
        .containsExactly("script.after-dollar");
  }

  @Test
  void aValueInArithmeticIsAWarningAndRenderingGoesAhead() {
    Template script =
        template("echo $(( ${{ params.port }} + 1 )) \"$(( 2 * (${{ params.port }}) ))\"");

    assertThat(ShellTemplate.problems(script))
        .extracting(Problem::severity, Problem::code)
        .containsExactly(
            tuple(Severity.WARNING, "script.arithmetic"),
            tuple(Severity.WARNING, "script.arithmetic"));
    assertThat(
            ShellTemplate.render(script, Bindings.of(Map.of("params", Map.of("port", 80))))
                .script())
        .isEqualTo("echo $(( ${RB_1} + 1 )) \"$(( 2 * (${RB_2}) ))\"");
  }

  @Test
  void bashRunsACommandHiddenInAValueUsedInArithmeticWhichIsWhyItIsWarned() throws Exception {
    List<String> bash = Shells.posixShells().get(Shells.posixShells().size() - 1);
    assumeTrue(bash.get(0).endsWith("bash"), "needs bash");
    RenderedScript script =
        ShellTemplate.render(
            template("echo $(( ${{ params.n }} ))"),
            Bindings.of(Map.of("params", Map.of("n", "a[$(touch MARKER)]"))));

    Shells.runScript(bash, script, dir, Map.of());

    assertThat(dir.resolve("MARKER")).exists();
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
    List<Problem> problems = ShellTemplate.problems(script);
    Bindings bindings = Bindings.of(Map.of("params", Map.of("name", VALUE)));
    // Past the check, which would refuse the scripts with errors: the shell is the judge here.
    RenderedScript rendered = ShellTemplate.substitute(script, bindings);

    int exit =
        Shells.runScript(List.of("/bin/sh", "-e", "-c"), rendered, dir, rendered.environment());

    assertThat(exit).as(Shells.stderr(dir)).isZero();
    String printed = Shells.stdout(dir);
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
    assertThat(ShellTemplate.problems(template(text))).isEmpty();
  }
}
