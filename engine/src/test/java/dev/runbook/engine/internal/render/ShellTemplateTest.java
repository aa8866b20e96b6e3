package dev.runbook.engine.internal.render;

import static dev.runbook.engine.internal.render.Shells.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runbook.dsl.expr.ExpressionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellTemplateTest {
  private static final Map<String, Object> VARIABLES =
      Map.of(
          "params",
          Map.of(
              "install_dir", "/opt/seqdesk",
              "stop_cmd", "systemctl stop seqdesk",
              "db_password", "s3cret pw",
              "port", 3000),
          "env",
          Map.of("PGPASSWORD", "s3cret pw", "NODE_ENV", "production"),
          "steps",
          Map.of("stop", Map.of("status", "succeeded", "outputs", Map.of())),
          "run",
          Map.of("id", "20261123-0712-seqdesk-rollback-3f9a", "dir", "/state/runs/x"));

  private static final Bindings BINDINGS =
      Bindings.of(VARIABLES)
          .withSecretParams(List.of("db_password"))
          .withSecretEnv(List.of("PGPASSWORD"));

  @TempDir Path dir;

  @Test
  void eachExpressionBecomesABareNumberedExpansionAndItsValueAnEnvironmentVariable() {
    RenderedScript script =
        ShellTemplate.render(
            template("cd \"${{ params.install_dir }}\" && curl localhost:${{ params.port }}/"),
            BINDINGS);

    assertThat(script.script()).isEqualTo("cd \"${RB_1}\" && curl localhost:${RB_2}/");
    assertThat(script.environment())
        .containsExactly(Map.entry("RB_1", "/opt/seqdesk"), Map.entry("RB_2", "3000"));
    assertThat(script.display()).isEqualTo("cd \"/opt/seqdesk\" && curl localhost:3000/");
    assertThat(script.known()).isTrue();
  }

  @Test
  void theSameExpressionTwiceGetsTwoVariables() {
    RenderedScript script =
        ShellTemplate.render(template("${{ params.port }}-${{ params.port }}"), BINDINGS);

    assertThat(script.script()).isEqualTo("${RB_1}-${RB_2}");
    assertThat(script.environment()).containsOnlyKeys("RB_1", "RB_2");
  }

  @Test
  void aScriptWithoutExpressionsIsUnchangedAndNeedsNoEnvironment() {
    RenderedScript script = ShellTemplate.render(template("echo '$HOME' \"${X}\" $$"), BINDINGS);

    assertThat(script.script()).isEqualTo("echo '$HOME' \"${X}\" $$");
    assertThat(script.environment()).isEmpty();
    assertThat(script.expansions()).isEmpty();
  }

  @Test
  void anUnquotedCommandParameterRunsAsASimpleCommand() throws Exception {
    RenderedScript script =
        ShellTemplate.render(
            template("${{ params.stop_cmd }}"),
            Bindings.of(Map.of("params", Map.of("stop_cmd", "touch stopped"))));

    int exit = Shells.runScript(List.of("/bin/sh", "-e", "-c"), script, dir, Map.of());

    assertThat(exit).as(Shells.stderr(dir)).isZero();
    assertThat(dir.resolve("stopped")).exists();
  }

  @Test
  void anUnquotedCommandParameterIsWordsNotSyntax() throws Exception {
    RenderedScript script =
        ShellTemplate.render(
            template("${{ params.stop_cmd }}"),
            Bindings.of(Map.of("params", Map.of("stop_cmd", "touch a; touch b && touch c"))));

    int exit = Shells.runScript(List.of("/bin/sh", "-e", "-c"), script, dir, Map.of());

    // One touch with the words "a;", "touch", "b", "&&", "touch", "c": no second command.
    assertThat(exit).as(Shells.stderr(dir)).isZero();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("a;", "touch", "b", "&&", "c");
    }
  }

  @Test
  void braceKeepsTheNameFromRunningIntoTheFollowingText() throws Exception {
    RenderedScript script =
        ShellTemplate.render(
            template("printf '%s' ${{ params.name }}_old${{ params.name }}1"),
            Bindings.of(Map.of("params", Map.of("name", "app"))));

    int exit = Shells.runScript(List.of("/bin/sh", "-e", "-c"), script, dir, Map.of());

    assertThat(exit).as(Shells.stderr(dir)).isZero();
    assertThat(Shells.stdout(dir)).isEqualTo("app_oldapp1");
  }

  @Test
  void aSecretParameterIsMaskedInTheDisplayButReachesTheScript() throws Exception {
    RenderedScript script =
        ShellTemplate.render(
            template(
                "printf '%s' \"${{ params.db_password }}\" > pw; echo ${{ params.install_dir }}"),
            BINDINGS);

    assertThat(script.display()).isEqualTo("printf '%s' \"***\" > pw; echo /opt/seqdesk");
    assertThat(script.toString()).doesNotContain("s3cret");
    assertThat(script.expansions().toString()).doesNotContain("s3cret");
    assertThat(BINDINGS.toString()).doesNotContain("s3cret");
    assertThat(script.script()).doesNotContain("s3cret");
    assertThat(script.secretValues()).containsExactly("s3cret pw");
    assertThat(script.expansions()).extracting(Expansion::secret).containsExactly(true, false);

    int exit = Shells.runScript(List.of("/bin/sh", "-e", "-c"), script, dir, Map.of());
    assertThat(exit).as(Shells.stderr(dir)).isZero();
    assertThat(dir.resolve("pw")).hasContent("s3cret pw");
  }

  @Test
  void aValueComputedFromASecretIsSecret() {
    RenderedScript script =
        ShellTemplate.render(
            template(
                "${{ 'postgres://u:' + params.db_password + '@db' }} ${{ size(params) }}"
                    + " ${{ env.PGPASSWORD }} ${{ env.NODE_ENV }}"),
            BINDINGS);

    assertThat(script.display()).isEqualTo("*** *** *** production");
  }

  @Test
  void aValueFromAPendingStepNamesThatStepAndIsNotEvaluated() {
    // No "steps" variable at all: evaluating would fail, so this proves it is not evaluated.
    Map<String, Object> variables = new HashMap<>(VARIABLES);
    variables.remove("steps");
    RenderedScript script =
        ShellTemplate.render(
            template(
                "cp -r ${{ params.install_dir }} \"${{ steps.backup.outputs.dir }}\""
                    + " # ${{ steps.stop.status }}"),
            Bindings.of(variables).withPendingSteps(List.of("stop", "backup")));

    assertThat(script.display())
        .isEqualTo(
            "cp -r /opt/seqdesk \"<known after `backup` runs>\" # <known after `stop` runs>");
    assertThat(script.script()).isEqualTo("cp -r ${RB_1} \"${RB_2}\" # ${RB_3}");
    assertThat(script.known()).isFalse();
    assertThat(script.expansions())
        .extracting(Expansion::known)
        .containsExactly(true, false, false);
  }

  @Test
  void aValueFromSeveralPendingStepsNamesThemInRunOrder() {
    RenderedScript script =
        ShellTemplate.render(
            template("${{ steps.c.outputs.x + steps.a.outputs.y }} ${{ size(steps) }}"),
            Bindings.of(VARIABLES).withPendingSteps(List.of("a", "b", "c")));

    assertThat(script.display())
        .isEqualTo("<known after `a` and `c` run> <known after `a`, `b` and `c` run>");
  }

  @Test
  void aStepThatHasRunIsReadFromTheVariables() {
    RenderedScript script =
        ShellTemplate.render(
            template("echo ${{ steps.stop.status }}"),
            Bindings.of(VARIABLES).withPendingSteps(List.of("migrate")));

    assertThat(script.display()).isEqualTo("echo succeeded");
  }

  @Test
  void aScriptWithAnUnknownValueRefusesToGiveItsEnvironment() {
    RenderedScript script =
        ShellTemplate.render(
            template("rm -rf \"${{ steps.backup.outputs.dir }}/tmp\""),
            Bindings.of(VARIABLES).withPendingSteps(List.of("backup")));

    assertThatThrownBy(script::environment)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("${{ steps.backup.outputs.dir }}")
        .hasMessageContaining("<known after `backup` runs>");
    assertThatThrownBy(script::secretValues).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aValueWithoutTextIsTheExpressionLanguagesError() {
    Bindings bindings =
        Bindings.of(Map.of("params", new HashMap<>(Collections.singletonMap("dir", null))));

    assertThatThrownBy(() -> ShellTemplate.render(template("rm -rf ${{ params.dir }}/x"), bindings))
        .isInstanceOfSatisfying(
            ExpressionException.class,
            e -> assertThat(e.reason()).isEqualTo(ExpressionException.Reason.WRONG_TYPE));
  }
}
