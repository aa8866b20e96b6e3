package dev.runbook.dsl.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.runbook.dsl.expr.ExpressionException.Reason;
import dev.runbook.dsl.model.Expression;
import dev.runbook.dsl.model.SourceLocation;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.MapContext;
import org.apache.commons.jexl3.introspection.JexlPermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile expressions are refused, at compile time where the language allows, and nothing runs.
 *
 * <p>Each payload would create {@code MARKER} (and waits for it, so that running would be seen at
 * once); the marker must not exist afterwards. {@link #thePayloadReallyRunsOnAnUnrestrictedEngine}
 * shows that the same payload does create it on a JEXL engine without our restrictions, so the
 * refusals prove something.
 */
class SandboxTest {
  private static final ExpressionLanguage EL = ExpressionLanguage.standard();
  private static final SourceLocation AT = new SourceLocation("rb.yaml", 9, 3);

  @TempDir Path dir;
  private Path marker;

  @BeforeEach
  void marker() {
    marker = dir.resolve("pwned");
  }

  private String touch() {
    return "'touch " + marker + "'";
  }

  static Stream<Arguments> refusedAtCompileTime() {
    return Stream.of(
        Arguments.of(
            "''.getClass().forName('java.lang.Runtime').getRuntime().exec(TOUCH).waitFor()",
            Reason.FORBIDDEN,
            "method calls are not allowed"),
        Arguments.of(
            "''.class.forName('java.lang.Runtime').getRuntime().exec(TOUCH).waitFor()",
            Reason.FORBIDDEN,
            "method calls are not allowed"),
        Arguments.of(
            "params.class.forName('java.lang.Runtime').getRuntime().exec(TOUCH).waitFor()",
            Reason.FORBIDDEN,
            "method calls are not allowed"),
        Arguments.of(
            "new('java.lang.ProcessBuilder', 'touch', MARKER).start().waitFor()",
            Reason.FORBIDDEN,
            "`new` is not allowed"),
        Arguments.of(
            "new('java.lang.ProcessBuilder', 'touch', MARKER)",
            Reason.FORBIDDEN,
            "`new` is not allowed"),
        Arguments.of("java.lang.System.exit(1)", Reason.FORBIDDEN, "method calls"),
        Arguments.of("java.lang.Runtime.getRuntime().halt(1)", Reason.FORBIDDEN, "method calls"),
        Arguments.of("System:exit(1)", Reason.UNKNOWN_NAME, "unknown function `exit`"),
        Arguments.of("java.lang.System:exit(1)", Reason.SYNTAX, "syntax error"),
        Arguments.of("forName('java.lang.Runtime')", Reason.UNKNOWN_NAME, "unknown function"),
        Arguments.of("getClass()", Reason.UNKNOWN_NAME, "unknown function `getClass`"),
        Arguments.of("x = 1", Reason.FORBIDDEN, "assignment is not allowed"),
        Arguments.of("params.port = 1", Reason.FORBIDDEN, "assignment is not allowed"),
        Arguments.of("params.port += 1", Reason.FORBIDDEN, "assignment is not allowed"),
        Arguments.of("params.port++", Reason.FORBIDDEN, "assignment is not allowed"),
        Arguments.of("var x = 1", Reason.SYNTAX, "syntax error"),
        Arguments.of("let x = 1", Reason.SYNTAX, "syntax error"),
        Arguments.of("for (x : [1, 2]) { x }", Reason.SYNTAX, "syntax error"),
        Arguments.of("while (true) { 1 }", Reason.SYNTAX, "syntax error"),
        Arguments.of("x -> x", Reason.FORBIDDEN, "lambdas"),
        Arguments.of("(x, y) -> x + y", Reason.FORBIDDEN, "lambdas"),
        Arguments.of("function(x) { x }", Reason.FORBIDDEN, "lambdas"),
        Arguments.of("[1, 2]", Reason.FORBIDDEN, "literals are not allowed"),
        Arguments.of("{'a': 1}", Reason.FORBIDDEN, "literals are not allowed"),
        Arguments.of("1 .. 3", Reason.FORBIDDEN, "literals are not allowed"),
        Arguments.of("steps[params.id].status", Reason.FORBIDDEN, "computed subscript"),
        Arguments.of("params.a; params.b", Reason.SYNTAX, "syntax error"),
        Arguments.of(
            "#pragma jexl.namespace.sys java.lang.System\nsys:exit(1)",
            Reason.FORBIDDEN,
            "not allowed"),
        Arguments.of("@synchronized(params) 1", Reason.SYNTAX, "syntax error"),
        Arguments.of("`${''.getClass()}`", Reason.FORBIDDEN, "` is not allowed"),
        Arguments.of("steps.`stop-old`.status", Reason.FORBIDDEN, "` is not allowed"),
        Arguments.of("Runtime", Reason.UNKNOWN_NAME, "unknown name `Runtime`"),
        Arguments.of("java.lang.Runtime", Reason.UNKNOWN_NAME, "unknown name `java`"),
        Arguments.of("'x' instanceof String", Reason.UNKNOWN_NAME, "unknown name `String`"),
        Arguments.of("(".repeat(2000) + "1" + ")".repeat(2000), Reason.FORBIDDEN, "longer"),
        Arguments.of("(".repeat(40) + "1" + ")".repeat(40), Reason.FORBIDDEN, "nested"),
        Arguments.of("1" + " + 1".repeat(600), Reason.FORBIDDEN, "characters long"));
  }

  @ParameterizedTest(name = "[{index}] {1}: {0}")
  @MethodSource
  void refusedAtCompileTime(String payload, Reason reason, String message) throws Exception {
    String source = payload.replace("TOUCH", touch()).replace("MARKER", "'" + marker + "'");

    Throwable thrown = catchThrowable(() -> EL.compile(new Expression(source, AT)));

    assertThat(thrown).isInstanceOf(ExpressionException.class);
    ExpressionException e = (ExpressionException) thrown;
    assertThat(e.reason()).isEqualTo(reason);
    assertThat(e.getMessage()).contains(message.replace("longer", "characters long"));
    assertThat(e.location()).isEqualTo(AT);
    assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("org.apache");
    assertThat(marker).doesNotExist();
  }

  @Test
  void messagesForForbiddenConstructsNameThePlace() {
    assertThatThrownBy(() -> EL.compile(new Expression("''.getClass()", AT)))
        .hasMessage(
            "method calls are not allowed; call one of the functions instead (at `.getClass(...)`)");
  }

  @Test
  void readsThatReachForJavaObjectsFailAtEvaluationWithoutRunningAnything() {
    Map<String, Object> vars = Variables.sample();
    for (String source :
        List.of(
            "params.class",
            "params.class.name",
            "params.install_dir.class",
            "params.install_dir.bytes",
            "params.port.class",
            "params['class']",
            "params.getClass",
            "env.HOME.class.classLoader",
            "run.class.forName")) {
      CompiledExpression e = EL.compile(new Expression(source, AT));

      assertThatThrownBy(() -> e.evaluate(vars))
          .as(source)
          .isInstanceOfSatisfying(
              ExpressionException.class, x -> assertThat(x.reason()).isEqualTo(Reason.UNDEFINED));
    }
    assertThat(marker).doesNotExist();
  }

  @Test
  void innerLayersRefuseReflectionEvenWhenCompileChecksAreBypassed() throws Exception {
    // Reach past compile()'s own checks to the engine, to prove that the sandbox and the
    // permissions hold on their own: the global namespace must not lend its Class object.
    JexlEngine engine = lockedEngine();
    for (String source :
        List.of(
            "forName('java.lang.Runtime')",
            "getClass()",
            "getName()",
            "getMethods()",
            "hashCode()",
            "toString()",
            "wait()",
            "`${forName('java.lang.Runtime')}`")) {
      Throwable thrown =
          catchThrowable(() -> engine.createExpression(source).evaluate(new MapContext()));

      assertThat(thrown).as(source).isInstanceOf(JexlException.class);
    }
    assertThat(marker).doesNotExist();
  }

  @Test
  void innerLayersAllowOnlyTheFunctions() throws Exception {
    JexlEngine engine = lockedEngine();

    assertThat(engine.createExpression("lower('A')").evaluate(new MapContext())).isEqualTo("a");
  }

  @Test
  void thePayloadReallyRunsOnAnUnrestrictedEngine() throws Exception {
    JexlEngine unrestricted =
        new JexlBuilder()
            // JEXL's builder leaves `new` off by default nowadays; the constructor's set has it.
            .features(new JexlFeatures())
            .permissions(JexlPermissions.UNRESTRICTED)
            .strict(true)
            .create();
    String payload =
        "''.getClass().forName('java.lang.Runtime').getRuntime().exec(" + touch() + ").waitFor()";

    Object exit = unrestricted.createExpression(payload).evaluate(new MapContext());

    assertThat(exit).isEqualTo(0);
    assertThat(marker).exists();
    Files.delete(marker);

    unrestricted
        .createExpression(
            "new('java.lang.ProcessBuilder', ['touch', '" + marker + "']).start().waitFor()")
        .evaluate(new MapContext());
    assertThat(marker).exists();
  }

  @Test
  void hostileValuesAreOnlyText() {
    Map<String, Object> vars =
        Map.of(
            "params",
            Map.of(
                "a", "$(touch " + marker + ")",
                "b", "'; touch " + marker + " #",
                "c", "${{ ''.getClass() }}",
                "d", "`touch " + marker + "`"));
    String text =
        EL.resolve(
            EL.parseTemplate("${{ params.a }}${{ params.b }}${{ params.c }}${{ params.d }}", AT),
            vars);

    assertThat(text)
        .isEqualTo(
            "$(touch "
                + marker
                + ")'; touch "
                + marker
                + " #${{ ''.getClass() }}`touch "
                + marker
                + "`");
    assertThat(marker).doesNotExist();
  }

  private static JexlEngine lockedEngine() throws ReflectiveOperationException {
    Field field = ExpressionLanguage.class.getDeclaredField("engine");
    field.setAccessible(true);
    return (JexlEngine) field.get(EL);
  }
}
