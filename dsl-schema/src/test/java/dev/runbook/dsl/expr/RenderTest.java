package dev.runbook.dsl.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runbook.dsl.expr.ExpressionException.Reason;
import dev.runbook.dsl.model.Expression;
import dev.runbook.dsl.model.SourceLocation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RenderTest {
  private static final SourceLocation AT = new SourceLocation("rb.yaml", 4, 9);

  @Test
  void stringsAreAsTheyAre() {
    assertThat(ExpressionLanguage.render("$(touch /tmp/x); 'q'")).isEqualTo("$(touch /tmp/x); 'q'");
    assertThat(ExpressionLanguage.render("")).isEqualTo("");
  }

  @Test
  void integersHaveNoFraction() {
    assertThat(ExpressionLanguage.render(3)).isEqualTo("3");
    assertThat(ExpressionLanguage.render(-7L)).isEqualTo("-7");
    assertThat(ExpressionLanguage.render(new BigInteger("123456789012345678901234")))
        .isEqualTo("123456789012345678901234");
  }

  @Test
  void decimalsArePlainWithoutTrailingZeros() {
    assertThat(ExpressionLanguage.render(3.0)).isEqualTo("3");
    assertThat(ExpressionLanguage.render(4.5)).isEqualTo("4.5");
    assertThat(ExpressionLanguage.render(1e3)).isEqualTo("1000");
    assertThat(ExpressionLanguage.render(1e-7)).isEqualTo("0.0000001");
    assertThat(ExpressionLanguage.render(1.1f)).isEqualTo("1.1");
    assertThat(ExpressionLanguage.render(new BigDecimal("2.500"))).isEqualTo("2.5");
    assertThat(ExpressionLanguage.render(new BigDecimal("0.000"))).isEqualTo("0");
    assertThat(ExpressionLanguage.render(-0.0)).isEqualTo("0");
  }

  @Test
  void booleansAreTrueAndFalse() {
    assertThat(ExpressionLanguage.render(true)).isEqualTo("true");
    assertThat(ExpressionLanguage.render(false)).isEqualTo("false");
  }

  @Test
  void pathsAreTheirText() {
    assertThat(ExpressionLanguage.render(Path.of("/opt/app"))).isEqualTo("/opt/app");
  }

  @Test
  void nullMapsListsAndNonFiniteNumbersHaveNoText() {
    assertThatThrownBy(() -> ExpressionLanguage.render(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("null (no value) has no text form");
    assertThatThrownBy(() -> ExpressionLanguage.render(Map.of("a", 1)))
        .hasMessage("a map with keys a has no text form");
    assertThatThrownBy(() -> ExpressionLanguage.render(List.of(1)))
        .hasMessage("a list has no text form");
    assertThatThrownBy(() -> ExpressionLanguage.render(Double.NaN))
        .hasMessage("the result is not a finite number");
    assertThatThrownBy(() -> ExpressionLanguage.render(new Object()))
        .hasMessage("a value of type Object has no text form");
  }

  @Test
  void renderingNullFromAnExpressionIsAnErrorSuggestingAnExplicitDefault() {
    CompiledExpression e = ExpressionLanguage.standard().compile(new Expression("params.dir", AT));
    Map<String, Object> vars =
        Map.of("params", new java.util.HashMap<>(java.util.Collections.singletonMap("dir", null)));

    assertThatThrownBy(() -> e.render(vars))
        .isInstanceOfSatisfying(
            ExpressionException.class,
            x -> {
              assertThat(x.reason()).isEqualTo(Reason.WRONG_TYPE);
              assertThat(x.location()).isEqualTo(AT);
              assertThat(x.getMessage())
                  .isEqualTo(
                      "`params.dir` gave null (no value), which has no text;"
                          + " write params.dir ?? '' if empty text is really meant");
            });
  }

  @Test
  void renderingAMapFromAnExpressionIsAnError() {
    CompiledExpression e = ExpressionLanguage.standard().compile(new Expression("steps.build", AT));
    Map<String, Object> vars =
        Map.of("steps", Map.of("build", Map.of("status", "succeeded", "outputs", Map.of())));

    assertThatThrownBy(() -> e.render(vars))
        .hasMessage(
            "`steps.build` gave a map with keys outputs, status, which has no text;"
                + " name one of its fields");
  }
}
