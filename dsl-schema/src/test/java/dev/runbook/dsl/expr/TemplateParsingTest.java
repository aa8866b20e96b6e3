package dev.runbook.dsl.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runbook.dsl.expr.ExpressionException.Reason;
import dev.runbook.dsl.model.Expression;
import dev.runbook.dsl.model.SourceLocation;
import dev.runbook.dsl.model.Template;
import dev.runbook.dsl.model.Template.Interpolation;
import dev.runbook.dsl.model.Template.Literal;
import org.junit.jupiter.api.Test;

class TemplateParsingTest {
  private static final ExpressionLanguage EL = ExpressionLanguage.standard();
  private static final SourceLocation AT = new SourceLocation("rb.yaml", 7, 10);

  private static Interpolation interpolation(String source, int line, int column) {
    return new Interpolation(new Expression(source, new SourceLocation("rb.yaml", line, column)));
  }

  @Test
  void textWithoutExpressionIsOneLiteral() {
    Template t = EL.parseTemplate("systemctl stop seqdesk", AT);

    assertThat(t.parts()).containsExactly(new Literal("systemctl stop seqdesk"));
    assertThat(t.source()).isEqualTo("systemctl stop seqdesk");
    assertThat(t.location()).isEqualTo(AT);
  }

  @Test
  void emptyTextHasNoPart() {
    assertThat(EL.parseTemplate("", AT).parts()).isEmpty();
  }

  @Test
  void splitsLiteralsAndExpressionsInOrder() {
    Template t =
        EL.parseTemplate("${{ params.install_dir }}/.update-backup/${{steps.a.outputs.f}}", AT);

    assertThat(t.parts())
        .containsExactly(
            interpolation("params.install_dir", 7, 10),
            new Literal("/.update-backup/"),
            interpolation("steps.a.outputs.f", 7, 51));
  }

  @Test
  void expressionSourceIsTrimmedOfSpacesTabsAndNewlines() {
    Template t = EL.parseTemplate("x${{ \t params.a \n }}y", AT);

    assertThat(t.parts())
        .containsExactly(new Literal("x"), interpolation("params.a", 7, 11), new Literal("y"));
  }

  @Test
  void locationOfLaterLineKeepsTheStartingColumnAsInALiteralBlock() {
    Template t = EL.parseTemplate("echo start\n  cp ${{ params.a }} x\n", AT);

    assertThat(t.parts().get(1)).isEqualTo(interpolation("params.a", 8, 15));
  }

  @Test
  void columnsCountCodePointsNotUtf16Units() {
    Template t = EL.parseTemplate("\uD83D\uDE80 ${{ run.id }}", new SourceLocation("f", 1, 1));

    assertThat(((Interpolation) t.parts().get(1)).expression().location().column()).isEqualTo(3);
  }

  @Test
  void locationWithoutLineOrColumnIsKept() {
    SourceLocation whole = SourceLocation.ofFile("rb.yaml");

    Template t = EL.parseTemplate("a ${{ run.id }}", whole);

    assertThat(((Interpolation) t.parts().get(1)).expression().location()).isEqualTo(whole);
  }

  @Test
  void dollarBeforeOpeningIsPlainText() {
    Template t = EL.parseTemplate("$${{ run.id }} ${HOME} $VAR", AT);

    assertThat(t.parts())
        .containsExactly(
            new Literal("$"), interpolation("run.id", 7, 11), new Literal(" ${HOME} $VAR"));
  }

  @Test
  void closingBracesOutsideAnExpressionArePlainText() {
    assertThat(EL.parseTemplate("a }} b {{ c", AT).parts())
        .containsExactly(new Literal("a }} b {{ c"));
  }

  @Test
  void closingBracesInsideAQuotedStringDoNotClose() {
    Template t = EL.parseTemplate("${{ contains(params.a, '}}') }} and ${{ \"}}\" }}", AT);

    assertThat(t.parts())
        .extracting(
            p -> p instanceof Interpolation ? ((Interpolation) p).expression().source() : "|")
        .containsExactly("contains(params.a, '}}')", "|", "\"}}\"");
  }

  @Test
  void unclosedExpressionIsAnErrorAtItsOpening() {
    assertThatThrownBy(() -> EL.parseTemplate("cd ${{ params.dir", AT))
        .isInstanceOfSatisfying(
            ExpressionException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.SYNTAX);
              assertThat(e.location()).isEqualTo(new SourceLocation("rb.yaml", 7, 13));
              assertThat(e.getMessage())
                  .isEqualTo("`${{` is not closed: add `}}` after the expression");
              assertThat(e.headline()).startsWith("rb.yaml:7:13: ");
            });
  }

  @Test
  void unclosedStringInsideAnExpressionIsNamed() {
    assertThatThrownBy(() -> EL.parseTemplate("${{ 'abc }}", AT))
        .hasMessageContaining("a string opened with ' inside it never ends");
  }

  @Test
  void emptyExpressionIsAnError() {
    assertThatThrownBy(() -> EL.parseTemplate("a ${{   }} b", AT))
        .isInstanceOfSatisfying(
            ExpressionException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.SYNTAX);
              assertThat(e.location().column()).isEqualTo(12);
              assertThat(e.getMessage()).startsWith("empty `${{ }}`");
            });
    assertThatThrownBy(() -> EL.parseTemplate("${{}}", AT)).isInstanceOf(ExpressionException.class);
  }

  @Test
  void nestedOpeningIsAnError() {
    assertThatThrownBy(() -> EL.parseTemplate("${{ params.a ${{ params.b }} }}", AT))
        .isInstanceOfSatisfying(
            ExpressionException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.SYNTAX);
              assertThat(e.getMessage()).contains("do not nest");
              assertThat(e.location().column()).isEqualTo(10);
            });
  }

  @Test
  void conditionIsTheSameWithOrWithoutDelimiters() {
    Expression bare = EL.parseCondition("  params.force", AT);
    Expression wrapped = EL.parseCondition("${{ params.force }}", AT);

    assertThat(bare)
        .isEqualTo(new Expression("params.force", new SourceLocation("rb.yaml", 7, 12)));
    assertThat(wrapped).isEqualTo(new Expression("params.force", AT));
  }

  @Test
  void conditionMixingDelimitersWithTextIsAnError() {
    assertThatThrownBy(() -> EL.parseCondition("${{ params.a }} && ${{ params.b }}", AT))
        .isInstanceOfSatisfying(
            ExpressionException.class,
            e -> assertThat(e.getMessage()).startsWith("a condition is one expression"));
    assertThatThrownBy(() -> EL.parseCondition("x ${{ params.a }}", AT))
        .isInstanceOf(ExpressionException.class);
    assertThatThrownBy(() -> EL.parseCondition("  ", AT)).hasMessage("empty condition");
  }
}
