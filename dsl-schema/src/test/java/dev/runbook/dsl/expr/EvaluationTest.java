package dev.runbook.dsl.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runbook.dsl.expr.ExpressionException.Reason;
import dev.runbook.dsl.model.Expression;
import dev.runbook.dsl.model.SourceLocation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EvaluationTest {
  private static final ExpressionLanguage EL = ExpressionLanguage.standard();
  private static final SourceLocation AT = new SourceLocation("rb.yaml", 3, 5);
  private static final Map<String, Object> VARS = Variables.sample();

  private static CompiledExpression compile(String source) {
    return EL.compile(new Expression(source, AT));
  }

  private static Object eval(String source) {
    return compile(source).evaluate(VARS);
  }

  private static ExpressionException evalError(String source) {
    try {
      Object value = eval(source);
      throw new AssertionError(source + " gave " + value + " instead of failing");
    } catch (ExpressionException e) {
      return e;
    }
  }

  @Test
  void readsNestedMapsByDotAndByBracket() {
    assertThat(eval("params.install_dir")).isEqualTo("/opt/seqdesk");
    assertThat(eval("steps['stop-old'].status")).isEqualTo("succeeded");
    assertThat(eval("steps.version['outputs'].rows")).isEqualTo("12");
    assertThat(eval("run.id")).isEqualTo("20261123-0712-seqdesk-rollback-3f9a");
    assertThat(eval("env.NODE_ENV")).isEqualTo("production");
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '"',
      value = {
        "params.port == 3000 => true",
        "params.port != 3000 => false",
        "params.port > 1024 && params.port <= 65535 => true",
        "params.port < 80 || params.force => true",
        "!params.force => false",
        "not params.force or params.port >= 3000 => true",
        "steps.version.outputs.rows > 0 => true",
        "steps.version.status == 'succeeded' => true",
        "env.NODE_ENV != 'development' => true",
        "params.install_dir =^ '/opt' => true",
        "params.install_dir =$ 'desk' => true",
        "steps.version.outputs.version =~ '[0-9.]+' => true",
        "steps.version.outputs.version !~ '[0-9]+' => true",
        "empty(steps['stop-old'].outputs) => true",
        "'a' || 'b' => true",
      })
  void comparesAndCombinesToBooleans(String source, boolean expected) {
    assertThat(compile(source).test(VARS)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} renders as {1}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '"',
      value = {
        "params.port + 1 => 3001",
        "params.port * 2 - 1 => 5999",
        "params.port / 7 => 428",
        "params.port % 7 => 4",
        "params.ratio * 2 => 3",
        "params.ratio + 0.25 => 1.75",
        "-params.port => -3000",
        "params.install_dir + '/.update-backup' => /opt/seqdesk/.update-backup",
        "'port ' + params.port => port 3000",
        "params.force ? 'forced' : 'normal' => forced",
        "params.port > 4000 ? 'high' : params.port > 2000 ? 'mid' : 'low' => mid",
        "env.TAG ?? 'latest' => latest",
        "params.nothing ?? 'fallback' => fallback",
        "steps.missing?.status ?? 'never ran' => never ran",
        "size(steps.version.outputs) => 2",
        "size(params.install_dir) => 12",
        "params.force => true",
        "1e3 => 1000",
      })
  void computesValuesThatRenderAsText(String source, String expected) {
    assertThat(compile(source).render(VARS)).isEqualTo(expected);
  }

  @Test
  void evaluateReturnsTheValueUnconverted() {
    assertThat(eval("params.port")).isEqualTo(3000);
    assertThat(eval("params.force")).isEqualTo(true);
    assertThat(eval("steps.version.outputs")).isEqualTo(Map.of("rows", "12", "version", "1.4.2"));
    assertThat(eval("params.nothing")).isNull();
  }

  @Test
  void compiledExpressionIsReusableAcrossDifferentVariables() {
    CompiledExpression e = compile("params.install_dir + '/bin'");

    assertThat(e.render(VARS)).isEqualTo("/opt/seqdesk/bin");
    assertThat(e.render(Map.of("params", Map.of("install_dir", "/srv/app"))))
        .isEqualTo("/srv/app/bin");
    assertThatThrownBy(() -> e.render(Map.of("params", Map.of())))
        .isInstanceOf(ExpressionException.class);
    assertThat(e.render(VARS)).isEqualTo("/opt/seqdesk/bin");
  }

  @Test
  void unknownParamIsAnErrorNamingWhatExists() {
    ExpressionException e = evalError("params.instal_dir + '/bin'");

    assertThat(e.reason()).isEqualTo(Reason.UNDEFINED);
    assertThat(e.location()).isEqualTo(AT);
    assertThat(e.getMessage())
        .isEqualTo(
            "`params` has no `instal_dir`; did you mean `install_dir`?"
                + " (it has force, install_dir, nothing, port, ratio, stop_cmd)");
  }

  @Test
  void unknownStepAndOutputAreErrorsNamingThePath() {
    assertThat(evalError("steps.verison.status").getMessage())
        .startsWith("`steps` has no `verison`; did you mean `version`?");
    assertThat(evalError("steps.version.outputs.row == '1'").getMessage())
        .startsWith("`steps.version.outputs` has no `row`; did you mean `rows`?");
    assertThat(evalError("steps['stop-old'].outputs.pid").getMessage())
        .isEqualTo("`steps.stop-old.outputs` has no `pid` (it is empty)");
  }

  @Test
  void theFailingReferenceIsFoundAmongSeveral() {
    assertThat(evalError("(env.TAG ?? 'x') + params.nope").getMessage())
        .startsWith("`params` has no `nope`");
  }

  @Test
  void unknownEnvironmentVariableIsAnErrorUnlessDefaulted() {
    assertThat(evalError("env.TAG").getMessage()).startsWith("`env` has no `TAG`");
    assertThat(eval("env.TAG ?? ''")).isEqualTo("");
  }

  @Test
  void ternaryOnABareReferenceTakesUndefinedAsFalseButListsTheReference() {
    CompiledExpression e = compile("env.DEBUG ? 'verbose' : 'quiet'");

    assertThat(e.render(VARS)).isEqualTo("quiet");
    assertThat(e.references()).contains(List.of("env", "DEBUG"));
    assertThat(evalError("(env.DEBUG) ? 'verbose' : 'quiet'").reason()).isEqualTo(Reason.UNDEFINED);
  }

  @Test
  void rootMissingFromTheVariablesIsAnError() {
    ExpressionException e =
        assertThrows(() -> compile("steps.version.status").evaluate(Map.of("params", Map.of())));

    assertThat(e.reason()).isEqualTo(Reason.UNDEFINED);
    assertThat(e.getMessage()).isEqualTo("`steps` is not available here");
  }

  @Test
  void fieldOfAStringIsAnError() {
    ExpressionException e = evalError("params.install_dir.length");

    assertThat(e.reason()).isEqualTo(Reason.UNDEFINED);
    assertThat(e.getMessage()).isEqualTo("`params.install_dir` is a string, it has no `length`");
  }

  @Test
  void fieldOfNullIsAnError() {
    assertThat(evalError("params.nothing.x").getMessage())
        .isEqualTo("`params.nothing` is null, so it has no `x`");
  }

  @Test
  void mapBeanPropertiesAreNotVisibleOnlyKeys() {
    assertThat(evalError("params.class").getMessage()).startsWith("`params` has no `class`");
    assertThat(evalError("params.empty").getMessage()).startsWith("`params` has no `empty`");
  }

  @Test
  void arithmeticOnNullIsAnError() {
    ExpressionException e = evalError("params.nothing + 1");

    assertThat(e.reason()).isEqualTo(Reason.FAILED);
    assertThat(e.getMessage()).contains("is null (no value)").contains("??");
  }

  @Test
  void divisionByZeroIsAnError() {
    ExpressionException e = evalError("params.port / 0");

    assertThat(e.reason()).isEqualTo(Reason.FAILED);
    assertThat(e.getMessage()).isEqualTo("division by zero in `params.port / 0`");
    assertThat(evalError("params.port % 0").getMessage()).startsWith("division by zero");
  }

  @Test
  void arithmeticOnTextThatIsNotANumberIsAnErrorThatDoesNotQuoteTheText() {
    Map<String, Object> vars = Map.of("params", Map.of("secret", "hunter2", "port", 3000));

    for (String source :
        List.of("params.secret * 2", "params.port > params.secret", "-params.secret")) {
      ExpressionException e = assertThrows(() -> compile(source).evaluate(vars));

      assertThat(e.reason()).as(source).isEqualTo(Reason.FAILED);
      assertThat(e.getMessage())
          .as(source)
          .startsWith("cannot compute `" + source + "` with these values")
          .doesNotContain("hunter2");
    }
  }

  @Test
  void conditionMustBeABoolean() {
    ExpressionException e = assertThrows(() -> compile("params.port").test(VARS));

    assertThat(e.reason()).isEqualTo(Reason.WRONG_TYPE);
    assertThat(e.getMessage())
        .isEqualTo("a condition must be true or false, but `params.port` gave a number");
  }

  @Test
  void textTrueIsNotABooleanAndTheMessageSaysHowToCompare() {
    ExpressionException e = assertThrows(() -> compile("steps.probe.outputs.ready").test(VARS));

    assertThat(e.getMessage())
        .isEqualTo(
            "a condition must be true or false, but `steps.probe.outputs.ready` gave a string;"
                + " text does not count as a boolean, compare it:"
                + " steps.probe.outputs.ready == 'true'");
    assertThat(compile("steps.probe.outputs.ready == 'true'").test(VARS)).isTrue();
  }

  @Test
  void nullConditionIsAnErrorNotFalse() {
    assertThat(assertThrows(() -> compile("params.nothing").test(VARS)).getMessage())
        .endsWith("gave null (no value)");
  }

  @Test
  void messagesNeverShowValues() {
    Map<String, Object> vars = Map.of("params", Map.of("db_password", "hunter2"));

    ExpressionException notBoolean = assertThrows(() -> compile("params.db_password").test(vars));
    ExpressionException noField =
        assertThrows(() -> compile("params.db_password.x").evaluate(vars));

    assertThat(notBoolean.getMessage()).doesNotContain("hunter2");
    assertThat(noField.getMessage()).doesNotContain("hunter2");
  }

  @Test
  void referencesArePathsInOrderWithoutRepetition() {
    assertThat(compile("params.install_dir").references())
        .containsExactly(List.of("params", "install_dir"));
    assertThat(
            compile(
                    "steps.version.outputs.rows > 0 && steps['stop-old'].status == 'succeeded'"
                        + " && steps.version.outputs.rows < 100")
                .references())
        .containsExactly(
            List.of("steps", "version", "outputs", "rows"), List.of("steps", "stop-old", "status"));
    assertThat(compile("lower(params.a) + env.HOME + run.dir").references())
        .containsExactly(List.of("params", "a"), List.of("env", "HOME"), List.of("run", "dir"));
    assertThat(compile("size(steps.build.outputs)").references())
        .containsExactly(List.of("steps", "build", "outputs"));
    assertThat(compile("env.TAG ?? params.tag").references())
        .containsExactly(List.of("env", "TAG"), List.of("params", "tag"));
    assertThat(compile("1 + 2").references()).isEmpty();
  }

  @Test
  void referencesAreUnmodifiable() {
    List<List<String>> refs = compile("params.a").references();

    assertThatThrownBy(() -> refs.add(List.of("x")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> refs.get(0).add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void unknownRootIsRefusedAtCompileTime() {
    ExpressionException e = assertThrows(() -> compile("param.install_dir"));

    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_NAME);
    assertThat(e.location()).isEqualTo(AT);
    assertThat(e.getMessage())
        .isEqualTo(
            "unknown name `param`: expressions read params, env, steps, run;"
                + " did you mean `params`?");
  }

  @Test
  void dashedStepIdWithoutBracketsGetsAHint() {
    assertThat(assertThrows(() -> compile("steps.stop-old.status == 'ok'")).getMessage())
        .isEqualTo(
            "unknown name `old`: expressions read params, env, steps, run;"
                + " a name with '-' needs brackets: steps['stop-old'].status");
  }

  @Test
  void functionNameWithoutParenthesesGetsAHint() {
    assertThat(assertThrows(() -> compile("lower")).getMessage()).endsWith("call it as lower(…)");
  }

  @Test
  void syntaxErrorsAreOneLineWithoutJexlInternals() {
    for (String source : List.of("params.a +", "(params.a", "'abc", "params.", "1 2", "a ==== b")) {
      ExpressionException e = assertThrows(() -> compile(source));

      assertThat(e.reason()).as(source).isEqualTo(Reason.SYNTAX);
      assertThat(e.location()).isEqualTo(AT);
      assertThat(e.getMessage())
          .as(source)
          .startsWith("syntax error in `" + source + "`")
          .doesNotContain("\n")
          .doesNotContainIgnoringCase("jexl")
          .doesNotContain("@1:");
    }
  }

  @Test
  void emptyExpressionIsASyntaxError() {
    assertThat(assertThrows(() -> compile("  ")).getMessage()).isEqualTo("empty expression");
  }

  @Test
  void compileKeepsTheExpressionTrimmedWithItsLocation() {
    assertThat(compile("  params.a ").expression()).isEqualTo(new Expression("params.a", AT));
    assertThat(compile("params.a").toString()).isEqualTo("params.a");
  }

  @Test
  void resolvesATemplate() {
    String text =
        EL.resolve(
            EL.parseTemplate("cd ${{ params.install_dir }} && echo ${{ params.port + 1 }}", AT),
            VARS);

    assertThat(text).isEqualTo("cd /opt/seqdesk && echo 3001");
  }

  @Test
  void evaluatesConcurrently() throws Exception {
    CompiledExpression e = compile("params.port + params.offset");
    List<Thread> threads = new java.util.ArrayList<>();
    java.util.concurrent.ConcurrentLinkedQueue<String> wrong =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    for (int t = 0; t < 8; t++) {
      int offset = t;
      Thread thread =
          new Thread(
              () -> {
                Map<String, Object> vars = Map.of("params", Map.of("port", 1000, "offset", offset));
                for (int i = 0; i < 2000; i++) {
                  String got = e.render(vars);
                  if (!got.equals(String.valueOf(1000 + offset))) {
                    wrong.add(got);
                  }
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(wrong).isEmpty();
  }

  private static ExpressionException assertThrows(Runnable action) {
    try {
      action.run();
    } catch (ExpressionException e) {
      return e;
    }
    throw new AssertionError("no ExpressionException");
  }
}
