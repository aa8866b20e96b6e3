package dev.runbook.dsl.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runbook.dsl.expr.ExpressionException.Reason;
import dev.runbook.dsl.model.Expression;
import dev.runbook.dsl.model.SourceLocation;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FunctionsTest {
  private static final ExpressionLanguage EL = ExpressionLanguage.standard();
  private static final SourceLocation AT = new SourceLocation("rb.yaml", 1, 1);
  private static final Map<String, Object> VARS = Variables.sample();

  private static String render(String source) {
    return EL.compile(new Expression(source, AT)).render(VARS);
  }

  @Test
  void functionsAreTheDocumentedOnes() {
    assertThat(EL.functions())
        .containsExactly(
            "basename",
            "contains",
            "dirname",
            "ends_with",
            "length",
            "lower",
            "matches",
            "number",
            "starts_with",
            "trim",
            "upper");
  }

  @Test
  void functionListCannotBeChangedFromOutside() {
    assertThatThrownBy(() -> EL.functions().add("exec"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @ParameterizedTest(name = "{0} gives {1}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '"',
      emptyValue = "",
      value = {
        "contains(params.stop_cmd, 'stop') => true",
        "contains(params.stop_cmd, 'STOP') => false",
        "contains(params.port, 300) => true",
        "starts_with(params.install_dir, '/opt/') => true",
        "ends_with(params.install_dir, '/opt') => false",
        "matches(steps.version.outputs.version, '^1\\.[0-9]+') => true",
        "matches(steps.version.outputs.version, '^2') => false",
        "matches(params.stop_cmd, 'stop') => true",
        "lower('SeqDesk') => seqdesk",
        "upper(env.NODE_ENV) => PRODUCTION",
        "upper('straße') => STRASSE",
        "trim('  a b \t') => a b",
        "basename(params.install_dir) => seqdesk",
        "basename('/opt/app/') => app",
        "basename('/') => /",
        "basename('file.txt') => file.txt",
        "dirname(params.install_dir) => /opt",
        "dirname('/opt/app/') => /opt",
        "dirname('/app') => /",
        "dirname('app') => .",
        "dirname('a//b') => a",
        "dirname('/') => /",
        "length(params.install_dir) => 12",
        "length('\u00e9t\u00e9') => 3",
        "length(steps.version.outputs) => 2",
        "length(params.port) => 4",
        "number(steps.version.outputs.rows) > 9 => true",
        "steps.version.outputs.rows > '9' => false",
        "number(' 1.50 ') => 1.5",
        "number('-2e3') => -2000",
        "number(params.port) => 3000",
        "number('12345678901234567890') + 1 => 12345678901234567891",
        "lower(upper(trim(' x '))) => x",
      })
  void functionsComputeOnTextForms(String source, String expected) {
    assertThat(render(source)).isEqualTo(expected);
  }

  @Test
  void functionGivenNullIsAnErrorNamingTheFunctionAndArgument() {
    assertThatThrownBy(() -> render("lower(params.nothing)"))
        .isInstanceOfSatisfying(
            ExpressionException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.FAILED);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "lower(): argument 1 is null (no value), expected a string, number or"
                          + " boolean");
            });
  }

  @Test
  void functionGivenAMapIsAnError() {
    assertThatThrownBy(() -> render("contains(steps.version, 'x')"))
        .hasMessageStartingWith("contains(): argument 1 is a map with keys outputs, status");
  }

  @Test
  void invalidRegularExpressionIsAnError() {
    assertThatThrownBy(() -> render("matches('a', '[')"))
        .isInstanceOfSatisfying(
            ExpressionException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.FAILED);
              assertThat(e.getMessage()).startsWith("matches(): invalid regular expression: ");
            });
  }

  @Test
  void textThatIsNotANumberIsAnError() {
    assertThatThrownBy(() -> render("number('twelve')"))
        .hasMessage("number(): the text is not a number");
    assertThatThrownBy(() -> render("number(true)"))
        .hasMessage("number(): a boolean is not a number");
  }

  @Test
  void wrongNumberOfArgumentsIsAnError() {
    assertThatThrownBy(() -> render("lower('a', 'b')"))
        .isInstanceOfSatisfying(
            ExpressionException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.FAILED);
              assertThat(e.getMessage()).isEqualTo("`lower()` takes 1 argument");
            });
  }

  @Test
  void unknownFunctionIsRefusedAtCompileTime() {
    assertThatThrownBy(() -> EL.compile(new Expression("lenght(params.a) > 3", AT)))
        .isInstanceOfSatisfying(
            ExpressionException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_NAME);
              assertThat(e.getMessage())
                  .startsWith("unknown function `lenght`; did you mean `length`?");
            });
  }

  @Test
  void defaultIsAKeywordAndQuestionQuestionDoesItsJob() {
    assertThatThrownBy(() -> EL.compile(new Expression("default(env.TAG, 'x')", AT)))
        .isInstanceOfSatisfying(
            ExpressionException.class, e -> assertThat(e.reason()).isEqualTo(Reason.SYNTAX));
    assertThat(render("env.TAG ?? 'x'")).isEqualTo("x");
  }

  @Test
  void jexlOperatorWordsBeforeParenthesesAreNotFunctions() {
    for (String source :
        new String[] {
          "not(params.force)",
          "size(params.install_dir) > 3 and(true)",
          "false or(params.force)",
          "empty (params.install_dir) || true",
          "params.port div(7) == 428",
          "params.port mod(7) == 4",
        }) {
      assertThat(EL.compile(new Expression(source, AT)).evaluate(VARS))
          .as(source)
          .isInstanceOf(Boolean.class);
    }
  }

  @Test
  void namesInsideStringsCommentsAndRegexLiteralsAreNotCalls() {
    assertThat(render("'lenght(' + \"x(\" /* foo( */ + 'y'")).isEqualTo("lenght(x(y");
  }
}
